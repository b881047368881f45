// Which session a command works for (DESIGN §6): --session, else FLOW_SESSION, else
// "default". On its own so that shell completion can name the session without loading
// context.json's validators and lock.
import { FlowError } from '../domain/errors.js';

export const DEFAULT_SESSION = 'default';

export function sessionName(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return flag || env.FLOW_SESSION || DEFAULT_SESSION;
}

// A session names files (undo/<session>.jsonl, history/<session>.txt) and a key of
// context.json: plain characters only, never a path, never an object's built-in key.
const SESSION_NAME = /^[\p{L}\p{N}][\p{L}\p{N}._:@+-]{0,63}$/u;
// The same for names in ASCII (most, "default" among them), without compiling the
// Unicode classes above: every command checks its session's name.
const ASCII_SESSION_NAME = /^[A-Za-z0-9][A-Za-z0-9._:@+-]{0,63}$/;

/** Refuses (usage, exit 2) a session name that is not a plain name. */
export function checkSessionName(name: string): string {
  if (ASCII_SESSION_NAME.test(name) || SESSION_NAME.test(name)) return name;
  throw new FlowError(
    'usage',
    `a session name is 1 to 64 letters, digits and . _ : @ + - (starting with a letter or digit), not ${JSON.stringify(name)}`,
  );
}
