// Which bytes a file holds, without reading them: any replacement or in-place write
// changes the inode, size, mtime or ctime (and ctime cannot be set back by a writer).
import { statSync, type BigIntStats } from 'node:fs';

export type Identity = string;

export function identityOf(stat: BigIntStats): Identity {
  return `${stat.ino}:${stat.size}:${stat.mtimeNs}:${stat.ctimeNs}`;
}

/** The file's identity now, or null when it does not exist. */
export function fileIdentity(path: string): Identity | null {
  try {
    return identityOf(statSync(path, { bigint: true }));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/**
 * A file changed within this long before it was read may change again without its mtime
 * or ctime moving (coarse file-system clocks; git's "racy" files): what was derived from
 * such a read is not trusted to describe the file later.
 */
export const SETTLE_NS = 50_000_000n;

/** Whether a read made at `readAtNs` (wall clock, ns) of the file `stat` describes may be trusted later. */
export function settled(stat: BigIntStats, readAtNs: bigint): boolean {
  const changed = stat.mtimeNs > stat.ctimeNs ? stat.mtimeNs : stat.ctimeNs;
  return readAtNs - changed > SETTLE_NS;
}
