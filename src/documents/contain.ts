// Containment (DESIGN §8 "data never reaches outside"): every document name and path,
// whether a person typed it or a manifest someone else wrote holds it, is checked against
// the shape flow writes and resolved inside documents/ before any read, write or delete.
// The names' rules are the documents' own; links are followed by src/store/contain.ts.
import { dirname, join } from 'node:path';
import { FlowError } from '../domain/errors.js';
import { assertResolvesInside } from '../store/contain.js';

export const DOCUMENTS_DIR = 'documents';

/** Names Windows reserves (with any extension), refused so a store stays portable. */
const RESERVED = /^(con|prn|aux|nul|com[0-9\u00b9\u00b2\u00b3]|lpt[0-9\u00b9\u00b2\u00b3]|conin\$|conout\$)(\.|$)/i;
/** C0, DEL, C1, line/paragraph separators, bidi embeddings, overrides and isolates. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
/** Characters that separate paths or that Windows does not allow in a name. */
const FORBIDDEN = /[/\\<>:"|?*]/;
const MAX_NAME_BYTES = 255;
const MAX_DEPTH = 32;

export class UnsafePathError extends FlowError {
  constructor(what: string, shown: string, reason: string) {
    super('invalid', `${what} ${JSON.stringify(shown)} is refused: ${reason}`, { reason });
  }
}

/** Why `name` cannot be one component of a document path, or undefined when it can. */
export function nameProblem(name: string): string | undefined {
  if (name === '') return 'it is empty';
  if (name === '.' || name === '..') return 'it climbs out of its folder';
  if (CONTROL.test(name)) return 'it holds a control character (NUL, escape, newline, bidi override, …)';
  if (FORBIDDEN.test(name)) return 'it holds a path separator or a character Windows forbids (\\ / < > : " | ? *)';
  if (Buffer.byteLength(name, 'utf8') > MAX_NAME_BYTES) return `it is longer than ${MAX_NAME_BYTES} bytes`;
  if (RESERVED.test(name)) return 'it is a name Windows reserves for devices';
  if (/[. ]$/.test(name)) return 'it ends with a dot or a space, which Windows drops';
  return undefined;
}

/** A checked single name (a file or folder name), or UnsafePathError. */
export function checkName(name: string, what = 'document name'): string {
  const problem = nameProblem(name);
  if (problem) throw new UnsafePathError(what, name, problem);
  return name;
}

/** Why a relative path (`/`-separated) is not a document path, or undefined when it is one. */
export function relativeProblem(path: string): string | undefined {
  if (typeof path !== 'string' || path === '') return 'it is empty';
  if (path.startsWith('/') || /^[a-zA-Z]:/.test(path)) return 'it is absolute';
  const parts = path.split('/');
  if (parts.length > MAX_DEPTH) return `it is nested deeper than ${MAX_DEPTH} folders`;
  for (const part of parts) {
    const problem = nameProblem(part);
    if (problem) return `"${part}": ${problem}`;
  }
  return undefined;
}

export function checkRelative(path: string, what = 'document path'): string {
  const problem = relativeProblem(path);
  if (problem) throw new UnsafePathError(what, path, problem);
  return path;
}

/**
 * The absolute path of `relative` under `root`, refusing a folder on the way (documents/
 * itself included) that is a symbolic link leading out (a write would follow it). The
 * last component may be anything: callers replace or remove it, never write through it.
 */
export function resolveInside(root: string, relative: string, what = 'document path'): string {
  checkRelative(relative, what);
  const target = join(root, ...relative.split('/'));
  assertResolvesInside(dirname(root), root, what);
  assertResolvesInside(root, dirname(target), what);
  return target;
}

const SHA256 = /^[0-9a-f]{64}$/;

export function isSha256(value: unknown): value is string {
  return typeof value === 'string' && SHA256.test(value);
}
