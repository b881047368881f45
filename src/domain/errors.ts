// Errors every layer can raise, each with a stable code. The command line maps codes to
// exit codes (DESIGN §6) and prints them as {"error":{"code","message"}} under --json.

export type ErrorCode =
  | 'not_found' // exit 1
  | 'invalid' // exit 1: a value or an operation that is not allowed
  | 'vetoed' // exit 1: a pre_save hook said no
  | 'failed' // exit 1: anything else that went wrong
  | 'usage' // exit 2: the command could not be parsed
  | 'ambiguous' // exit 2: a reference matches several objects
  | 'conflict' // exit 3
  | 'busy' // exit 4: the lock was not obtained in time
  | 'unreadable' // exit 5: the store could not be read (and was quarantined)
  | 'too_new'; // exit 5: the store is of a newer format; read-only

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
