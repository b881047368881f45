// Hooks from config.json (issue 14): shell commands run at pre_save (under the store's
// lock; a non-zero exit or a timeout vetoes the save), post_save and on_command (after the
// lock is released; a failure is reported and never undoes the change). The contract:
//
// - stdin: one JSON document (src/hooks/payload.ts, printed by `flow schema hook`);
// - env: FLOW_DIR, FLOW_EVENT, FLOW_HOOK=1, FLOW_SESSION and FLOW_REVISION (the revision
//   after the save); commands a hook runs see FLOW_HOOK=1 and do not run hooks again, so
//   hooks cannot loop; a pre_save hook's own writes to the same store fail at once;
// - each hook runs in its own process group and gets `hooks.timeout_s` (default 10 s);
//   at the timeout the whole group is killed, children included (a process that left the
//   group, as setsid does, is out of its reach: it is no longer waited for). Run asynchronously, so
//   neither the lock's refresh nor a screen waits on a hook's event loop.
import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import { oneLine, sanitize } from '../domain/sanitize.js';
import type { HookPayload } from './payload.js';
import { childProcess, stringDecoder } from '../node-modules.js';

export const IN_HOOK = 'FLOW_HOOK';

export function insideHook(env: NodeJS.ProcessEnv = process.env): boolean {
  return env[IN_HOOK] === '1';
}

function realDir(dir: string): string {
  try {
    return realpathSync(dir);
  } catch {
    return resolve(dir);
  }
}

/**
 * True inside a pre_save hook of this data directory: the command that runs the hook
 * holds the store's lock until the hook ends, so anything that would take it must fail at
 * once rather than wait for the lock (and time the hook out).
 */
export function insidePreSaveOf(dir: string, env: NodeJS.ProcessEnv = process.env): boolean {
  return insideHook(env) && env.FLOW_EVENT === 'pre_save' && !!env.FLOW_DIR && realDir(env.FLOW_DIR) === realDir(dir);
}

export interface HookRun {
  command: string;
  /** Exit status of the hook's shell; null when it was killed or could not start. */
  status: number | null;
  /** It was still running at its timeout, and its process group was killed. */
  timedOut: boolean;
  /** What it wrote on stderr (or stdout, when stderr is empty), trimmed and capped, as it wrote it. */
  output: string;
  /** Why it could not start, if it could not. */
  error?: string;
}

export const ok = (run: HookRun): boolean => run.status === 0 && !run.timedOut && !run.error;

/**
 * Says what went wrong with a hook, with its output: made safe for a terminal here, so
 * that no sink (the command line, the TUI's message line) meets a hook's escape sequences.
 */
export function describeFailure(run: HookRun, timeoutMs: number): string {
  const why = run.error
    ? `could not start: ${run.error}`
    : run.timedOut
      ? `did not finish within ${timeoutMs / 1000} s and was stopped with its child processes`
      : `exited ${run.status ?? 'on a signal'}`;
  return `\`${oneLine(run.command)}\` ${why}${run.output ? `: ${sanitize(run.output)}` : ''}`;
}

// What a hook says is shown in one message: enough to read, never all of a runaway log
// (what it writes past this is read and dropped, so that it never blocks on a full pipe).
const OUTPUT_LIMIT = 4096;

/** One output stream of a hook: decoded across chunks (a character split between two stays whole), kept up to the limit. */
function collector(): { add(chunk: Buffer): void; text(): string } {
  const decoder = new (stringDecoder().StringDecoder)('utf8');
  let text = '';
  return {
    add(chunk) {
      if (text.length < OUTPUT_LIMIT) text += decoder.write(chunk);
    },
    text() {
      const kept = text.trim();
      if (kept.length <= OUTPUT_LIMIT) return kept;
      // Never cut between the two halves of a character.
      const end = /[\ud800-\udbff]/.test(kept[OUTPUT_LIMIT - 1]) ? OUTPUT_LIMIT - 1 : OUTPUT_LIMIT;
      return kept.slice(0, end);
    },
  };
}

/** Hook process groups still running, ended if flow itself exits first. */
const running = new Set<number>();
let endOnExit = false;

function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

export interface HookOptions {
  dir: string;
  session: string;
  timeoutMs: number;
}

/** Runs one hook to its end, or to its timeout. Never throws: what happened is in the result. */
export function runHook(command: string, payload: HookPayload, options: HookOptions): Promise<HookRun> {
  if (!endOnExit) {
    endOnExit = true;
    process.on('exit', () => {
      for (const pid of running) killGroup(pid);
    });
  }
  return new Promise((done) => {
    const stderr = collector();
    const stdout = collector();
    let timedOut = false;
    /** The shell's exit status once it has exited (null: on a signal). */
    let exited: { status: number | null } | undefined;
    let expired = false;
    let error: string | undefined;
    let settled = false;
    const child = childProcess().spawn(command, {
      shell: true,
      // Its own process group, so that the timeout ends everything it started.
      detached: true,
      stdio: ['pipe', 'pipe', 'pipe'],
      env: {
        ...process.env,
        [IN_HOOK]: '1',
        FLOW_EVENT: payload.event,
        FLOW_DIR: resolve(options.dir),
        FLOW_SESSION: options.session,
        FLOW_REVISION: String(payload.revision.after),
      },
    });
    const pid = child.pid;
    if (pid !== undefined) running.add(pid);
    const finish = (status: number | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (pid !== undefined) running.delete(pid);
      // What still holds them open (a process that left the group) is not waited for.
      child.stdout?.destroy();
      child.stderr?.destroy();
      const output = stderr.text() || stdout.text();
      done({ command, status, timedOut, output, ...(error ? { error } : {}) });
    };
    // At the timeout the whole group goes: the hook if it still runs (a timeout), or what
    // it left behind holding its output open. Past it, nothing is waited for but the
    // hook's own exit: a process that left the group (setsid) and holds the output open
    // does not keep flow waiting.
    const timer = setTimeout(() => {
      expired = true;
      if (!exited) timedOut = true;
      if (pid !== undefined) killGroup(pid);
      if (exited) finish(exited.status);
    }, options.timeoutMs);
    child.stderr?.on('data', (chunk: Buffer) => stderr.add(chunk));
    child.stdout?.on('data', (chunk: Buffer) => stdout.add(chunk));
    child.on('exit', (status) => {
      exited = { status };
      if (expired) finish(timedOut ? null : status);
    });
    child.on('error', (err) => {
      error = err.message;
      finish(null);
    });
    child.on('close', (status) => finish(timedOut ? null : status));
    // A hook need not read its input: the pipe closing early is no error.
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(JSON.stringify(payload));
  });
}

/** The hooks of one event, in order; pre_save stops at the first that fails (the veto). */
export async function runHooks(commands: readonly string[], payload: HookPayload, options: HookOptions): Promise<HookRun[]> {
  const runs: HookRun[] = [];
  for (const command of commands) {
    const run = await runHook(command, payload, options);
    runs.push(run);
    if (payload.event === 'pre_save' && !ok(run)) break;
  }
  return runs;
}
