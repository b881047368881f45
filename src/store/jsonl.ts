// Append-only JSON-lines side files under .flow/ (the snapshot journal, the save log).
// Like every side file (DESIGN §8) they are read and written only where they resolve
// inside the data directory, read only up to a bound, and each line is checked on its
// own by its reader: a torn or hostile line is skipped and reported, never trusted.
import { closeSync, constants, fstatSync, openSync, readSync, writeSync } from 'node:fs';
import type * as z from 'zod/mini';
import { assertResolvesInside } from './contain.js';

export interface Lines {
  /** The complete lines (each ended by a newline), oldest first. */
  lines: string[];
  /** The file ends inside a line (a crash mid-append): that piece is not among `lines`. */
  torn: boolean;
  /** The file was longer than asked: only its last lines were read. */
  cut: boolean;
}

/**
 * The lines of `path` (inside `root`), reading at most its last `maxBytes` bytes.
 * Undefined when there is no such file; throws DamagedEntryError when it leads outside.
 */
export function readLines(root: string, path: string, what: string, maxBytes: number): Lines | undefined {
  assertResolvesInside(root, path, what);
  let fd: number;
  try {
    // Without blocking: a FIFO in the file's place must not hang the open (fstat refuses it below).
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  let buf: Buffer;
  let cut: boolean;
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) return undefined;
    cut = stat.size > maxBytes;
    buf = Buffer.alloc(Math.min(stat.size, maxBytes));
    let read = 0;
    while (read < buf.length) {
      const n = readSync(fd, buf, read, buf.length - read, stat.size - buf.length + read);
      if (n === 0) break;
      read += n;
    }
    buf = buf.subarray(0, read);
  } finally {
    closeSync(fd);
  }
  const pieces = buf.toString('utf8').split('\n');
  const torn = pieces.pop() !== '';
  // Read from the middle of the file, the first piece is the end of a line.
  if (cut) pieces.shift();
  return { lines: pieces, torn, cut };
}

/** One line checked against its schema; undefined when it is not JSON of that shape. */
export function parseLine<T>(schema: z.ZodMiniType<T>, line: string): T | undefined {
  try {
    const result = schema.safeParse(JSON.parse(line));
    return result.success ? result.data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Appends one line to `path` (inside `root`), created when `create`; after a torn last
 * line the new one starts on a line of its own. Returns the file's size after it.
 */
export function appendLine(root: string, path: string, what: string, line: string, create: boolean): number {
  assertResolvesInside(root, path, what);
  const fd = openSync(path, constants.O_RDWR | constants.O_APPEND | (create ? constants.O_CREAT : 0), 0o644);
  try {
    const size = fstatSync(fd).size;
    const last = Buffer.alloc(1);
    const torn = size > 0 && readSync(fd, last, 0, 1, size - 1) === 1 && last[0] !== 0x0a;
    writeSync(fd, `${torn ? '\n' : ''}${line}\n`);
    return fstatSync(fd).size;
  } finally {
    closeSync(fd);
  }
}
