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
