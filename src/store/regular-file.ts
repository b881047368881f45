// Opening a file another writer may have replaced with something that is not a file: a
// FIFO (open and read wait for a writer forever, hanging a command or a Tab), a device
// (/dev/zero reads without end, /dev/stdin reads the person's terminal) or a folder. Such
// a thing is refused as if the file were damaged, before a byte is read (DESIGN §8).
import { closeSync, constants, fstatSync, openSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { assertResolvesInside } from './contain.js';
import { FlowError } from '../domain/errors.js';

/** A file that is there but is not a regular file. */
export class NotAFileError extends FlowError {
  constructor(path: string) {
    super('invalid', `${path} is not a regular file; flow does not read it`);
  }
}

/**
 * A descriptor open for reading on `path`, which must be a regular file (links followed).
 * Opened without blocking, so that a FIFO in its place cannot hang the open.
 */
export function openRegularFile(path: string): number {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    if (!fstatSync(fd).isFile()) throw new NotAFileError(path);
  } catch (err) {
    closeSync(fd);
    throw err;
  }
  return fd;
}

/** The bytes of `path`, which must be a regular file (links followed, wherever they lead). */
export function readRegularFile(path: string): Buffer {
  const fd = openRegularFile(path);
  try {
    return readFileSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * The bytes of `path`, a regular file that resolves inside `root` (links included): what
 * side files and caches in .flow/ are read with. ENOENT and other errors are thrown as
 * they come.
 */
export function readFileInside(path: string, what: string, root = dirname(path)): Buffer {
  assertResolvesInside(root, path, what);
  return readRegularFile(path);
}
