// Hooks from config.json: shell commands run at pre_save (a non-zero exit vetoes the
// save), post_save and on_command. Each gets a JSON description of the event on stdin
// and FLOW_EVENT / FLOW_DIR / FLOW_REVISION in its environment. Commands a hook runs
// see FLOW_HOOK=1 and do not trigger hooks again, so hooks cannot loop.
import { spawnSync } from 'node:child_process';
import { FlowError } from '../domain/errors.js';

export type HookEvent = 'pre_save' | 'post_save' | 'on_command';

export const IN_HOOK = 'FLOW_HOOK';

export function insideHook(env: NodeJS.ProcessEnv = process.env): boolean {
  return env[IN_HOOK] === '1';
}

export interface HookRun {
  command: string;
  status: number | null;
  stderr: string;
}

// All hooks of one event share this budget. pre_save hooks run under the store's lock,
// which is only refreshed between them: the budget stays well inside the stale period
// (10 s), so a slow hook vetoes the save instead of costing the writer its lock.
const HOOK_BUDGET_MS = 4_000;

export function runHooks(
  event: HookEvent,
  commands: readonly string[],
  payload: Record<string, unknown>,
  dir: string,
): HookRun[] {
  const runs: HookRun[] = [];
  const deadline = Date.now() + HOOK_BUDGET_MS;
  for (const command of commands) {
    const result = spawnSync(command, {
      shell: true,
      input: JSON.stringify({ event, ...payload }),
      encoding: 'utf8',
      timeout: Math.max(1, deadline - Date.now()),
      env: {
        ...process.env,
        [IN_HOOK]: '1',
        FLOW_EVENT: event,
        FLOW_DIR: dir,
        FLOW_REVISION: String(payload.revision ?? ''),
      },
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    const run = { command, status: result.status, stderr: (result.stderr ?? '').trim() };
    runs.push(run);
    if (event === 'pre_save' && run.status !== 0) {
      const why = result.error ? result.error.message : run.stderr || `exit ${run.status ?? 'signal'}`;
      throw new FlowError('vetoed', `the pre_save hook \`${command}\` refused the change: ${why}`, {
        hook: command,
      });
    }
  }
  return runs;
}
