// A derived file in .flow/cache/ (the summary cache, the lines-checked note): never
// needed, so never fsynced and never an error. Read and written only inside .flow/,
// never through a link that leads out of it nor from a FIFO or device (DESIGN §8); a
// temp file renamed into place, so a reader sees all of one or none.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from './atomic-write.js';
import { assertResolvesInside } from './contain.js';
import { readFileInside } from './regular-file.js';

/** The bytes of `name` (under .flow/) as they are, or undefined when it cannot be had. */
export function readCacheFile(dir: string, name: string, what: string): Buffer | undefined {
  try {
    return readFileInside(join(dir, name), what, dir);
  } catch {
    return undefined;
  }
}

/** Replaces `name` (under .flow/cache/) with `text`; a read-only or full store goes without. */
export function writeCacheFile(dir: string, name: string, what: string, text: string): void {
  const file = join(dir, name);
  try {
    mkdirSync(join(dir, 'cache'), { recursive: true });
    assertResolvesInside(dir, file, what);
    writeFileAtomic(file, [Buffer.from(text)], { durable: false });
  } catch {
    // only the shortcut it stands for is lost
  }
}
