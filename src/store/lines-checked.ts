// .flow/cache/lines-checked: the identity (inode, size, mtime, ctime) of a flows.json whose
// flow lines flow wrote or checked: the file its last save wrote, or one a reader found in
// flow's layout line by line once it had settled. Bytes that are still that very file need
// no check of every line again (about a microsecond a line, most of a small command's
// decode, issue 15). Derived, never needed, never believed beyond its key: missing,
// stale, damaged or hostile, the lines are checked. Believing a forged one only skips a
// check: a one-flow change keeps the other lines' bytes as they are either way, and a
// full read still validates every flow. Written to a temp file and renamed, without
// fsync: lost, it only costs a check.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from './atomic-write.js';
import { assertResolvesInside } from './contain.js';
import type { Identity } from './identity.js';
import { readFileInside } from './regular-file.js';

export const LINES_CHECKED_FILE = join('cache', 'lines-checked');

/** Notes that the flow lines of the file of `identity` are in flow's layout. */
export function noteLinesChecked(dir: string, identity: Identity): void {
  const file = join(dir, LINES_CHECKED_FILE);
  try {
    mkdirSync(join(dir, 'cache'), { recursive: true });
    // Never written through a link that leads out of .flow/ (DESIGN §8).
    assertResolvesInside(dir, file, 'the lines-checked note');
    writeFileAtomic(file, [Buffer.from(`${identity}\n`)], { durable: false });
  } catch {
    // a read-only or full store: its readers check every line, as without the note
  }
}

/** Whether the note is of the file of `identity`. */
export function linesChecked(dir: string, identity: Identity): boolean {
  try {
    // Not through a link that leads out of .flow/, nor from a FIFO or device (DESIGN §8).
    return readFileInside(join(dir, LINES_CHECKED_FILE), 'the lines-checked note', dir).toString('latin1') === `${identity}\n`;
  } catch {
    return false;
  }
}
