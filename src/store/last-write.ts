// .flow/cache/last-write: the identity (inode, size, mtime, ctime) of the flows.json this
// store's last save wrote. Bytes that are still that very file are in flow's layout line
// by line, since flow wrote them so: a reader skips the check of every flow line (about a
// microsecond a line, most of a small command's decode, issue 15). Derived, never needed,
// never believed beyond its key: missing, stale, damaged or hostile, the lines are
// checked. Believing a forged one only skips a check: a one-flow change keeps the other
// lines' bytes as they are either way, and a full read still validates every flow.
// Written to a temp file and renamed, without fsync: lost, it only costs a check.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from './atomic-write.js';
import { assertResolvesInside } from './contain.js';
import type { Identity } from './identity.js';
import { readFileInside } from './regular-file.js';

export const LAST_WRITE_FILE = join('cache', 'last-write');

/** Notes that flows.json now is the file of `identity`, written by flow. */
export function recordLastWrite(dir: string, identity: Identity): void {
  const file = join(dir, LAST_WRITE_FILE);
  try {
    mkdirSync(join(dir, 'cache'), { recursive: true });
    // Never written through a link that leads out of .flow/ (DESIGN §8).
    assertResolvesInside(dir, file, 'the last-write note');
    writeFileAtomic(file, [Buffer.from(`${identity}\n`)], { durable: false });
  } catch {
    // a read-only or full store: its readers check every line, as without the note
  }
}

/** Whether flow's last save wrote the file of `identity`. */
export function isLastWrite(dir: string, identity: Identity): boolean {
  try {
    // Not through a link that leads out of .flow/, nor from a FIFO or device (DESIGN §8).
    return readFileInside(join(dir, LAST_WRITE_FILE), 'the last-write note', dir).toString('latin1') === `${identity}\n`;
  } catch {
    return false;
  }
}
