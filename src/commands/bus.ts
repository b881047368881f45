// The command bus: resolves a command object `{ name, args }` in the table, validates its
// arguments against the command's schema, and executes it against the process's services.
// The command line, the TUI and the MCP server all execute through here.
import { mkdirSync } from 'node:fs';
import type { Services } from '../app/services.js';
import type { CommandInfo } from '../hooks/events.js';
import { checkSessionName } from '../context/context.js';
import type { ContextEdit } from '../context/transaction.js';
import { FlowError } from '../domain/errors.js';
import { asFlowError } from '../store/errno.js';
import { CorruptStoreError, type StoreView, type Transaction } from '../store/state.js';
import type { Commit } from '../store/store.js';
import type { AnyCommand, CommandObject } from './define.js';
import type { Env } from './env.js';
import type { Output } from './output.js';
import { argumentError, nearest, UsageError, type CommandTable } from './parse.js';

export interface ExecuteOptions {
  /** The revision the person saw when choosing what to change. */
  baseRevision?: number;
}

export class CommandBus {
  constructor(
    readonly table: CommandTable,
    readonly services: Services,
  ) {}

  /** The row a command object names, or a usage error that suggests the nearest name. */
  resolve(name: string): AnyCommand {
    const command = this.table.get(name);
    if (command) return command;
    const suggestion = nearest(name, this.table.commands.map((c) => c.name));
    throw new UsageError(`unknown command "${name}"`, undefined, suggestion);
  }

  /** The arguments as the command's handler receives them, or a usage error naming the key. */
  validate(command: AnyCommand, input: Record<string, unknown>): Record<string, unknown> {
    // Objects from outside (MCP) are JSON: checked, not trusted to match the type.
    if (typeof input !== 'object' || input === null || Array.isArray(input)) {
      throw new UsageError(`"${command.name}" takes its arguments as an object`);
    }
    const keys = new Set(command.fields.map((f) => f.key));
    const unknown = Object.keys(input).filter((k) => !keys.has(k));
    if (unknown.length) {
      const near = nearest(unknown[0], keys);
      throw new UsageError(
        `"${command.name}" takes no argument ${unknown.join(', ')} (it takes: ${[...keys].join(', ') || 'none'})`,
        undefined,
        near,
      );
    }
    const checked = command.args.safeParse(input);
    if (!checked.success) throw argumentError(command, checked.error.issues, input, 'object');
    return checked.data;
  }

  async execute(object: CommandObject, options: ExecuteOptions = {}): Promise<Output> {
    const command = this.resolve(object.name);
    const args = this.validate(command, object.args);
    const info = { name: command.name, args };
    return this.services.runCommand(info, () => this.run(command, info, options));
  }

  private async run(command: AnyCommand, info: CommandInfo, options: ExecuteOptions): Promise<Output> {
    const { args } = info;
    const services = this.services;
    checkSessionName(services.session);
    // A pre_save hook's own writes fail at once: its command holds the lock they need.
    if (command.writes) services.refuseInsidePreSave();
    services.reloadConfig();
    // A two-file change a crash left half done is finished before the scope is read.
    await services.store.finishPending();
    let view: StoreView | undefined;
    let namesView: StoreView | undefined;
    let transacted = false;
    let revert: { kind: 'undo' | 'redo'; target: number; label: string } | undefined;
    const commits: Commit<unknown>[] = [];
    /** The change this command saved, if it did: from then on nothing may report failure. */
    const saved = () => commits.filter((c) => c.changed).pop();
    const env: Env = {
      store: services.store,
      dir: services.dir,
      session: services.session,
      writer: services.store.writer,
      table: this.table,
      scope: services.scope(),
      baseRevision: options.baseRevision,
      get interactive() {
        return services.interactive;
      },
      read: async ({ namesOnly = false } = {}) =>
        namesOnly ? (namesView ??= view ?? (await services.store.read({ validateCurrent: false }))) : (view ??= await services.store.read()),
      transact: async <T>(fn: (tx: Transaction) => T, context?: ContextEdit<T>) => {
        if (transacted) throw new Error(`internal: "${command.name}" ran two transactions`);
        transacted = true;
        mkdirSync(services.dir, { recursive: true });
        return services.transact(fn, context);
      },
      context: () => services.context(),
      updateContext: (change) => services.updateContext(change),
      input: () => services.input(),
      confirm: (question) => services.confirm(question),
      config: () => services.config(),
      warn: (message) => services.warn(message),
      progress: (step) => services.progress(step),
      importModule: (url) => services.importModule(url),
      snapshots: () => services.snapshots(),
      autoSnapshot: (kind, label) => services.autoSnapshot(kind, label),
      undoLog: () => services.undoLog(),
      markRevert: (kind, target, label) => {
        revert = { kind, target, label };
      },
    };
    const stopListening = services.store.onCommit((commit) => commits.push(commit));
    let output: Output;
    try {
      try {
        output = await command.run(args, env);
      } catch (err) {
        // A failure after the change was saved must not say it was not (DESIGN §8).
        const commit = saved();
        if (commit) return savedDespite(commit, asFlowError(err), (message) => services.warn(message));
        // Bytes a lazily read flow could not be read from: quarantine like any reader
        // (which throws), or, if they were fine read whole or changed, run again once.
        if (!(err instanceof CorruptStoreError) || transacted) throw asFlowError(err);
        await services.store.recoverFrom(err);
        view = undefined;
        namesView = undefined;
        output = await Promise.resolve(command.run(args, env)).catch((again: unknown) => {
          if (again instanceof CorruptStoreError) {
            throw new FlowError('unreadable', `flows.json keeps changing and cannot be read (${again.reason}); run the command again`);
          }
          throw again;
        });
      }
    } finally {
      stopListening();
      // Saved changes are undoable even when the command failed after saving them.
      await services
        .recordCommits(commits, revert?.label ?? command.name, revert)
        .catch((err: Error) => services.warn(`could not record the change for undo: ${err.message}`));
    }
    await services.commandRan(info, commits, (view ?? namesView)?.revision);
    return output;
  }
}

const messageOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** What a command that failed after saving its change reports: the save, and what failed. */
function savedDespite(commit: Commit<unknown>, err: unknown, warn: (message: string) => void): Output {
  const message = `the change was saved at revision ${commit.revision}, but then: ${messageOf(err)}`;
  warn(message);
  return { json: { saved: true, revision: commit.revision, warning: message }, human: () => `Saved at revision ${commit.revision}`, message };
}
