// Replace a file so that a crash at any instant leaves either the old or the new file
// (DESIGN §4 step 4): unique temp file in the same folder, every byte checked, fsync,
// a last check by the caller, rename, folder fsync.
import { randomBytes } from '../random-bytes.js';
import {
  closeSync,
  fstatSync,
  fsyncSync,
  openSync,
  readdirSync,
  renameSync,
  statSync,
  unlinkSync,
  writevSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { timed } from './metrics.js';

const TEMP_MARK = '.tmp-';

export function tempPathFor(target: string): string {
  return `${target}${TEMP_MARK}${process.pid}-${randomBytes(4).toString('hex')}`;
}

export function isTempOf(target: string, name: string): boolean {
  return name.startsWith(`${basename(target)}${TEMP_MARK}`);
}

export class ShortWriteError extends Error {
  constructor(file: string, expected: number, written: number) {
    super(`short write to ${file}: ${written} of ${expected} bytes`);
    this.name = 'ShortWriteError';
  }
}

function writeAll(fd: number, file: string, pieces: readonly Buffer[]): number {
  const expected = pieces.reduce((sum, piece) => sum + piece.length, 0);
  let remaining = pieces.filter((piece) => piece.length > 0);
  let written = 0;
  while (remaining.length > 0) {
    // writev may write less than asked (signals, full disk): continue from where it stopped.
    let n = writevSync(fd, remaining.slice(0, 1024));
    if (n === 0) throw new ShortWriteError(file, expected, written);
    written += n;
    const rest: Buffer[] = [];
    for (const piece of remaining) {
      if (n >= piece.length) n -= piece.length;
      else {
        rest.push(n > 0 ? piece.subarray(n) : piece);
        n = 0;
      }
    }
    remaining = rest;
  }
  return expected;
}

export function fsyncDirectory(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** A replaced file keeps its permissions (someone may have made it private). */
function existingMode(target: string): number | undefined {
  try {
    return statSync(target).mode & 0o777;
  } catch {
    return undefined;
  }
}

export interface AtomicWriteOptions {
  /** Called after the temp file is durable and just before the rename; throw to abort. */
  beforeRename?: () => void;
  mode?: number;
  /**
   * False for derived files (caches): no fsync. A crash may then leave the old file, or
   * an empty or partial new one, which the reader must treat as missing.
   */
  durable?: boolean;
}

export function writeFileAtomic(
  target: string,
  pieces: readonly Buffer[],
  options: AtomicWriteOptions = {},
): void {
  const temp = tempPathFor(target);
  const fd = openSync(temp, 'wx', options.mode ?? existingMode(target) ?? 0o644);
  let renamed = false;
  try {
    try {
      const expected = timed('write', () => writeAll(fd, temp, pieces));
      const size = fstatSync(fd).size;
      if (size !== expected) throw new ShortWriteError(temp, expected, size);
      if (options.durable !== false) timed('fsync', () => fsyncSync(fd));
    } catch (err) {
      // Writes through a descriptor fail without a path (ENOSPC): say which file it was.
      const errno = err as NodeJS.ErrnoException;
      if (typeof errno.code === 'string' && errno.path === undefined) errno.path = temp;
      throw err;
    } finally {
      closeSync(fd);
    }
    options.beforeRename?.();
    timed('rename', () => renameSync(temp, target));
    renamed = true;
    if (options.durable !== false) timed('fsync', () => fsyncDirectory(dirname(target)));
  } finally {
    if (!renamed) {
      try {
        unlinkSync(temp);
      } catch {
        // already gone
      }
    }
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes temp files left by writers that died mid-write: those of `target`, or with no
 * target every temp file in `dir`. Only files of processes that no longer exist are
 * removed, so a live writer's file is never pulled from under it.
 */
export function removeStaleTemps(target: string): string[] {
  return removeStale(dirname(target), (name) => (isTempOf(target, name) ? name.slice(basename(target).length) : undefined));
}

export function removeStaleTempsIn(dir: string): string[] {
  return removeStale(dir, (name) => {
    const at = name.lastIndexOf(TEMP_MARK);
    return at > 0 ? name.slice(at) : undefined;
  });
}

function removeStale(dir: string, tempSuffix: (name: string) => string | undefined): string[] {
  const removed: string[] = [];
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return removed;
  }
  for (const name of names) {
    const suffix = tempSuffix(name);
    if (!suffix) continue;
    const pid = Number(suffix.slice(TEMP_MARK.length).split('-')[0]);
    if (Number.isInteger(pid) && pid > 0 && isAlive(pid) && pid !== process.pid) continue;
    try {
      unlinkSync(join(dir, name));
      removed.push(name);
    } catch {
      // another cleaner got there first
    }
  }
  return removed;
}
