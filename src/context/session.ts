// Which session a command works for (DESIGN §6): --session, else FLOW_SESSION, else
// "default". On its own so that shell completion can name the session without loading
// context.json's validators and lock.

export const DEFAULT_SESSION = 'default';

export function sessionName(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return flag || env.FLOW_SESSION || DEFAULT_SESSION;
}
