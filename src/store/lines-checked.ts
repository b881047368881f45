// .flow/cache/lines-checked: the identity (inode, size, mtime, ctime) of a flows.json whose
// flow lines flow wrote or checked: the file its last save wrote, or one a reader found in
// flow's layout line by line once it had settled. Bytes that are still that very file need
// no check of every line again (about a microsecond a line, most of a small command's
// decode, issue 15). Derived, never needed, never believed beyond its key: missing,
// stale, damaged or hostile, the lines are checked. Believing a forged one only skips a
// check: a one-flow change keeps the other lines' bytes as they are either way, and a
// full read still validates every flow. Written to a temp file and renamed, without
// fsync: lost, it only costs a check.
import { join } from 'node:path';
import { readCacheFile, writeCacheFile } from './cache-file.js';
import type { Identity } from './identity.js';

export const LINES_CHECKED_FILE = join('cache', 'lines-checked');
const WHAT = 'the lines-checked note';

/** Notes that the flow lines of the file of `identity` are in flow's layout. */
export function noteLinesChecked(dir: string, identity: Identity): void {
  writeCacheFile(dir, LINES_CHECKED_FILE, WHAT, `${identity}\n`);
}

/** Whether the note is of the file of `identity`. */
export function linesChecked(dir: string, identity: Identity): boolean {
  return readCacheFile(dir, LINES_CHECKED_FILE, WHAT)?.toString('latin1') === `${identity}\n`;
}
