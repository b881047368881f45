// System errors the store meets (a full disk, a read-only file system, a permission it
// lacks), told apart by their own error codes with a plain message (DESIGN §8: never
// "internal error"): an agent must be able to tell a full disk from a bug.
import { FlowError, type ErrorCode } from '../domain/errors.js';

const BY_ERRNO: Readonly<Record<string, { code: ErrorCode; words: string }>> = {
  EACCES: { code: 'permission_denied', words: 'permission denied' },
  EPERM: { code: 'permission_denied', words: 'operation not permitted' },
  ENOSPC: { code: 'disk_full', words: 'the disk is full' },
  EDQUOT: { code: 'disk_full', words: 'the disk quota is used up' },
  EROFS: { code: 'read_only', words: 'the file system is read-only' },
  ENAMETOOLONG: { code: 'name_too_long', words: 'a file name is too long' },
  ENOTDIR: { code: 'not_a_directory', words: 'a part of the path is a file, not a folder' },
};

const VERBS: Readonly<Record<string, string>> = {
  open: 'open',
  read: 'read',
  write: 'write',
  writev: 'write',
  fsync: 'sync',
  rename: 'replace',
  mkdir: 'create',
  rmdir: 'remove',
  unlink: 'remove',
  link: 'link',
  stat: 'look at',
  lstat: 'look at',
  scandir: 'list',
  utime: 'touch',
  realpath: 'resolve',
};

function isErrno(err: unknown): err is NodeJS.ErrnoException {
  return err instanceof Error && typeof (err as NodeJS.ErrnoException).code === 'string';
}

/** The FlowError for a system error flow can name, or undefined for anything else. */
export function errnoError(err: unknown, context = ''): FlowError | undefined {
  if (!isErrno(err)) return undefined;
  const known = BY_ERRNO[err.code as string];
  if (!known) return undefined;
  const verb = err.syscall ? (VERBS[err.syscall] ?? err.syscall) : 'use';
  const where = err.path ? `: could not ${verb} ${err.path}` : '';
  return new FlowError(known.code, `${known.words}${where}${context ? ` (${context})` : ''}`, {
    errno: err.code,
    ...(err.path ? { path: err.path } : {}),
  });
}

/**
 * A nameable system error as its FlowError; a stack overflow (data nested deeper than a
 * recursive step such as JSON.stringify can follow) as too_deep; everything else unchanged.
 */
export function asFlowError(err: unknown, context?: string): unknown {
  if (err instanceof RangeError && /call stack/i.test(err.message)) {
    return new FlowError('too_deep', `the data nests too deeply for this command${context ? ` (${context})` : ''}`);
  }
  return errnoError(err, context) ?? err;
}
