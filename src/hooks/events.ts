// When hooks run, and what becomes of what they say: pre_save under the store's lock (a
// failure or timeout vetoes the save with the hook's output), post_save and on_command
// after it is released (a failure is a warning; the change stays). Where a person watches
// a screen (the TUI), post_save and on_command run in the background, one after another,
// so no frame waits on them. Only trusted hooks run (trust.ts); commands a hook runs run
// none (hooks.ts), so hooks never loop.
import { resolve } from 'node:path';
import type { Operation } from 'fast-json-patch';
import type { Config } from '../config/config.js';
import { FlowError } from '../domain/errors.js';
import type { Commit } from '../store/store.js';
import { describeFailure, insideHook, ok, runHooks, type HookRun } from './hooks.js';
import { HOOK_PAYLOAD_VERSION, type HookEvent, type HookPayload } from './payload.js';
import { HookGate } from './trust.js';

/** The command a hook is told about: its name and its arguments, as the bus received them. */
export interface CommandInfo {
  name: string;
  args: Record<string, unknown>;
}

export interface HookHost {
  readonly dir: string;
  readonly session: string;
  readonly writer: string;
  /** The settings as they are now (trust covers the hooks with every other command in them). */
  settings(): Config;
  warn(message: string): void;
}

export class HookEvents {
  private readonly gate: HookGate;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly host: HookHost,
    /** Run post_save and on_command without waiting for them (the TUI). */
    private readonly background: boolean,
  ) {
    this.gate = new HookGate(host.dir, (message) => host.warn(message));
  }

  /** Under the lock, before the write: throws FlowError('vetoed') when a hook refuses. */
  async preSave(commit: Commit<unknown>, command: CommandInfo | null): Promise<void> {
    const commands = this.select('pre_save');
    if (!commands.length) return;
    const runs = await this.run('pre_save', commands, command, { before: commit.revision - 1, after: commit.revision }, commit.changes.patch);
    const failed = runs.find((run) => !ok(run));
    if (!failed) return;
    throw new FlowError('vetoed', `the pre_save hook ${describeFailure(failed, this.timeoutMs())}; nothing was saved`, {
      hook: failed.command,
      status: failed.status,
      timed_out: failed.timedOut,
      output: failed.output,
    });
  }

  /** After a save, the lock released. */
  afterSave(commit: Commit<unknown>, command: CommandInfo | null): Promise<void> {
    return this.after('post_save', command, { before: commit.revision - 1, after: commit.revision }, commit.changes.patch);
  }

  /** After a command ran; `facts` (asked for only when a hook will run) cover all it saved. */
  async commandRan(command: CommandInfo, facts: () => Promise<Pick<HookPayload, 'revision' | 'patch'>>): Promise<void> {
    if (!this.select('on_command').length) return;
    const { revision, patch } = await facts();
    return this.after('on_command', command, revision, patch);
  }

  /** Resolves once every background hook has finished (the TUI waits for it when it closes). */
  settled(): Promise<void> {
    return this.queue;
  }

  private after(event: 'post_save' | 'on_command', command: CommandInfo | null, revision: HookPayload['revision'], patch: readonly Operation[]): Promise<void> {
    const commands = this.select(event);
    if (!commands.length) return Promise.resolve();
    const report = (runs: HookRun[]) => {
      for (const run of runs) {
        if (!ok(run)) this.host.warn(`${event} hook ${describeFailure(run, this.timeoutMs())} (the change stays)`);
      }
    };
    const task = () => this.run(event, commands, command, revision, patch).then(report);
    if (!this.background) return task();
    this.queue = this.queue.then(task);
    return Promise.resolve();
  }

  private select(event: HookEvent): readonly string[] {
    // Commands run by a hook run no hooks: hooks cannot loop.
    if (insideHook()) return [];
    return this.gate.select(this.host.settings(), event);
  }

  private timeoutMs(): number {
    return this.host.settings().hooks.timeout_s * 1000;
  }

  private run(event: HookEvent, commands: readonly string[], command: CommandInfo | null, revision: HookPayload['revision'], patch: readonly Operation[]) {
    const { dir, session, writer } = this.host;
    const payload: HookPayload = { version: HOOK_PAYLOAD_VERSION, event, dir: resolve(dir), command, session, writer, revision, patch };
    return runHooks(commands, payload, { dir, session, timeoutMs: this.timeoutMs() });
  }
}
