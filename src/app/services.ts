// The composition root: what every command runs against, built once per process — the
// store (with its hooks, recovery and revision floor), settings, the snapshot engine, the
// session's undo log and scope, hooks. Expensive parts are made on first use, so a
// command that needs no snapshot never loads the snapshot engine's state.
import { readConfig, type Config } from '../config/config.js';
import { readContext, readScope, updateContext, type ContextFile, type Scope } from '../context/context.js';
import { contextCompanion, type ContextEdit } from '../context/transaction.js';
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Operation } from 'fast-json-patch';
import { FlowError } from '../domain/errors.js';
import { HookEvents, type CommandInfo } from '../hooks/events.js';
import { insideHook, insidePreSaveOf } from '../hooks/hooks.js';
import { SnapshotEngine, type SnapshotKind, type SnapshotMeta } from '../snapshots/engine.js';
import { highestUndoRevision, UndoLog } from '../snapshots/undo.js';
import type { Transaction } from '../store/state.js';
import { Store, type Commit, type Recovery } from '../store/store.js';

export type WriterKind = 'cli' | 'tui' | 'hook';

export interface ServiceOptions {
  dir: string;
  session: string;
  writerKind: WriterKind;
  /**
   * True when a person can answer questions (a TTY, or the TUI). A function is asked once,
   * when a command first wants to know: looking at the terminal costs start-up time.
   */
  interactive: boolean | (() => boolean);
  /**
   * Commands run one after another, never side by side (the command line): the running
   * command is then a plain field, not an AsyncLocalStorage, whose promise hooks cost
   * every await of the run.
   */
  oneCommandAtATime?: boolean;
  confirm?: (question: string) => Promise<boolean>;
  warn?: (message: string) => void;
  /** Standard input, read whole; absent where there is none (the TUI). */
  input?: () => Promise<string>;
  /** Run post_save and on_command hooks without waiting for them (the TUI: no frame waits on a hook). */
  hooksInBackground?: boolean;
  /** Steps of a long command (sync), for the TUI; the command line shows its own progress. */
  progress?: (step: string) => void;
  /**
   * Imports an ES module bundle beside this one (flow mcp's). The command line runs as a
   * script with a code cache, where Node 20's import() has no loader: bin/load-cli.js passes one.
   */
  importModule?: (url: string) => Promise<unknown>;
}

/** A change the undo log records as the undo or redo of an earlier one. */
export interface Revert {
  kind: 'undo' | 'redo';
  target: number;
}

export class Services {
  readonly store: Store;
  readonly dir: string;
  readonly session: string;
  private interactiveAnswer: boolean | undefined;
  private configCache: Config | undefined;
  private engine: SnapshotEngine | undefined;
  private engineBackend: string | undefined;
  /** Hooks run only when trusted (DESIGN §8), and not for commands a hook runs. */
  readonly hooks: HookEvents;
  /** The command being run, for what its hooks are told (commands may run side by side in the TUI). */
  private readonly running: { getStore(): CommandInfo | undefined; run<R>(command: CommandInfo, work: () => R): R };

  constructor(private readonly options: ServiceOptions) {
    this.dir = options.dir;
    this.session = options.session;
    this.running = options.oneCommandAtATime ? oneAtATime<CommandInfo>() : new AsyncLocalStorage<CommandInfo>();
    const kind = insideHook() ? 'hook' : options.writerKind;
    const writer = `${kind}:${process.pid}:${options.session}`;
    this.hooks = new HookEvents(
      { dir: options.dir, session: options.session, writer, settings: () => this.config(), warn: (message) => this.warn(message) },
      !!options.hooksInBackground,
    );
    this.store = new Store(options.dir, {
      writer,
      warn: options.warn,
      recover: () => this.newestGoodSnapshot(),
      revisionFloor: () => this.highestRecordedRevision(),
      hooks: {
        preSave: (commit) => this.hooks.preSave(commit, this.running.getStore() ?? null),
        postSave: (commit) => this.hooks.afterSave(commit, this.running.getStore() ?? null),
      },
    });
  }

  get interactive(): boolean {
    const { interactive } = this.options;
    if (typeof interactive === 'boolean') return interactive;
    this.interactiveAnswer ??= interactive();
    return this.interactiveAnswer;
  }

  /** Runs a command's work; its hooks are told it is this command. */
  runCommand<R>(command: CommandInfo, work: () => Promise<R>): Promise<R> {
    return this.running.run(command, work);
  }

  /** Settings as they are on disk now (read again at the start of every command). */
  config(): Config {
    this.configCache ??= readConfig(this.dir);
    return this.configCache;
  }

  /** Forgets the settings read for the previous command: someone may have changed them. */
  reloadConfig(): void {
    this.configCache = undefined;
  }

  snapshots(): SnapshotEngine {
    const backend = this.config().snapshots.backend;
    if (!this.engine || this.engineBackend !== backend) {
      this.engine = new SnapshotEngine(this.dir, backend, (message) => this.warn(message));
      this.engineBackend = backend;
    }
    return this.engine;
  }

  undoLog(): UndoLog {
    return new UndoLog(this.dir, this.session, this.config().undo.depth);
  }

  scope(): Scope {
    return readScope(this.dir, this.session);
  }

  /**
   * A transaction on flows.json and, in the same commit, context.json: the edit asked for
   * (the session's new scope) and the scopes of every session kept true to the change.
   */
  async transact<T>(fn: (tx: Transaction) => T, edit?: ContextEdit<T>): Promise<Commit<T>> {
    this.refuseInsidePreSave();
    const companion = contextCompanion(this.dir, this.session, this.store.writer, edit);
    const commit = await this.store.transact(fn, companion);
    for (const note of companion.notes) this.warn(note);
    return commit;
  }

  context(): ContextFile {
    return readContext(this.dir);
  }

  /** A change to context.json alone; a two-file change a crash left half done is finished first. */
  updateContext<R>(change: (file: ContextFile) => R): Promise<R> {
    this.refuseInsidePreSave();
    return updateContext(this.dir, change, () => this.store.finishPending());
  }

  /** Standard input, whole. */
  input(): Promise<string> {
    if (!this.options.input) throw new FlowError('usage', 'this command reads standard input ("-"), and there is none here');
    return this.options.input();
  }

  /** Asks the person; false when nobody can answer. */
  async confirm(question: string): Promise<boolean> {
    if (!this.interactive || !this.options.confirm) return false;
    return this.options.confirm(question);
  }

  warn(message: string): void {
    this.options.warn?.(message);
  }

  progress(step: string): void {
    this.options.progress?.(step);
  }

  importModule(url: string): Promise<unknown> {
    return this.options.importModule ? this.options.importModule(url) : import(url);
  }

  /**
   * Snapshot before a destructive command (which does not wait for a new baseline), or
   * every K revisions, then keep the count and age in bounds.
   */
  async autoSnapshot(kind: SnapshotKind, label: string, deferRebase = true): Promise<SnapshotMeta> {
    const engine = this.snapshots();
    const meta = await engine.create(this.store, { kind, label, deferRebase });
    const policy = this.config().snapshots;
    await engine.prune({ keep: policy.keep, maxAgeDays: policy.max_age_days }, Date.now(), [meta.id]);
    return meta;
  }

  /** The undo log and automatic snapshots, after the commits of a command named `label`. */
  async recordCommits(commits: readonly Commit<unknown>[], label: string, revert: Revert | undefined): Promise<void> {
    const changed = commits.filter((c) => c.changed);
    if (!changed.length) return;
    const log = this.undoLog();
    for (const commit of changed) await log.record(commit, label, revert?.kind ?? 'do', revert?.target);
    const every = this.config().snapshots.every;
    if (every > 0 && changed.some((c) => c.revision % every === 0)) {
      try {
        await this.autoSnapshot('auto', `every ${every} revisions`, false);
      } catch (err) {
        this.warn(`automatic snapshot failed: ${(err as Error).message}`);
      }
    }
  }

  /**
   * The on_command hooks, after a command ran: told the revisions before and after it and
   * what its saves changed (`seen`: the revision it read, when it saved nothing).
   */
  async commandRan(command: CommandInfo, commits: readonly Commit<unknown>[], seen: number | undefined): Promise<void> {
    // Trusting or revoking hooks never runs them.
    if (command.name === 'trust hooks') return;
    await this.hooks.commandRan(command, async () => {
      const saved = commits.filter((c) => c.changed);
      const after = saved.length ? saved[saved.length - 1].revision : (seen ?? (await this.store.read()).revision);
      const patch: Operation[] = saved.flatMap((c) => c.changes.patch);
      return { revision: { before: saved.length ? saved[0].revision - 1 : after, after }, patch };
    });
  }

  /**
   * A pre_save hook's command holds the store's lock until the hook ends: a change from
   * inside it (to the same store) would wait for that lock and time the hook out, so it
   * fails at once, saying why (exit 4).
   */
  refuseInsidePreSave(): void {
    if (!insidePreSaveOf(this.dir)) return;
    throw new FlowError(
      'busy',
      `this runs inside a pre_save hook of ${this.dir}, whose save holds the store's lock until the hook ends: ` +
        'a pre_save hook cannot change the store (a post_save hook can)',
    );
  }

  /** After a corrupt flows.json was moved aside: the newest snapshot that still reads. */
  private newestGoodSnapshot(): Recovery | undefined {
    let engine: SnapshotEngine;
    let snapshots: SnapshotMeta[];
    try {
      engine = this.snapshots();
      snapshots = engine.list();
    } catch {
      // No usable snapshot index: start empty rather than fail the recovery.
      return undefined;
    }
    for (const meta of [...snapshots].reverse()) {
      try {
        const state = engine.read(meta);
        const doc = state.flows as { flows?: unknown };
        if (doc && typeof doc.flows === 'object' && doc.flows !== null && !Array.isArray(doc.flows)) {
          return { label: `snapshot ${meta.id} (${meta.created}, revision ${meta.file_revision})`, document: state.flows };
        }
      } catch {
        // try an older one
      }
    }
    return undefined;
  }

  /** The highest revision snapshots and undo logs know of (a floor after a recovery). */
  private highestRecordedRevision(): number {
    let highest = 0;
    try {
      for (const meta of this.snapshots().list()) highest = Math.max(highest, meta.file_revision);
    } catch {
      // no usable snapshot index
    }
    return Math.max(highest, highestUndoRevision(this.dir));
  }
}

/** What AsyncLocalStorage gives, for work that never overlaps. */
function oneAtATime<T>(): { getStore(): T | undefined; run<R>(value: T, work: () => R): R } {
  let current: T | undefined;
  return {
    getStore: () => current,
    run<R>(value: T, work: () => R): R {
      if (current !== undefined) throw new Error('internal: a command started while another was running');
      current = value;
      const done = () => {
        current = undefined;
      };
      try {
        const result = work();
        if (result instanceof Promise) {
          result.then(done, done);
          return result;
        }
        done();
        return result;
      } catch (err) {
        done();
        throw err;
      }
    },
  };
}
