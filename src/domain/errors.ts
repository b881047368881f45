// Errors every layer can raise, each with a stable code. The command line maps codes to
// exit codes (DESIGN §6) and prints them as {"error":{"code","message"}} under --json.

export type ErrorCode =
  | 'not_found' // exit 1
  | 'invalid' // exit 1: a value or an operation that is not allowed
  | 'vetoed' // exit 1: a pre_save hook said no
  | 'failed' // exit 1: anything else that went wrong
  | 'permission_denied' // exit 1: the system refused access to a file (EACCES, EPERM)
  | 'disk_full' // exit 1: no space left (ENOSPC, EDQUOT)
  | 'read_only' // exit 1: a read-only file, folder or file system (EROFS, mode without w)
  | 'name_too_long' // exit 1: a file name or path is too long (ENAMETOOLONG)
  | 'not_a_directory' // exit 1: a part of a path is a file, not a folder (ENOTDIR)
  | 'usage' // exit 2: the command could not be parsed
  | 'ambiguous' // exit 2: a reference matches several objects
  | 'conflict' // exit 3
  | 'busy' // exit 4: the lock was not obtained in time
  | 'unreadable' // exit 5: the store could not be read (and was quarantined)
  | 'too_new' // exit 5: the store is of a newer format; read-only
  | 'too_deep'; // exit 5: a flow nests deeper than flow writes (written by another program); read-only

export class FlowError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'FlowError';
  }
}

export class NotFoundError extends FlowError {
  constructor(
    readonly kind: string,
    readonly ref: string,
    detail = '',
  ) {
    super('not_found', `no ${kind} ${JSON.stringify(ref)}${detail ? ` ${detail}` : ''}`, { kind, ref });
  }
}

export class InvalidOperationError extends FlowError {
  constructor(message: string) {
    super('invalid', message);
  }
}

export class ConflictError extends FlowError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('conflict', message, details);
  }
}
