// The command bus: a parsed command runs its handler with an Env; writes go through one
// store transaction. The command line and the TUI both execute through here.
import { mkdirSync } from 'node:fs';
import { readConfig, type Config } from '../config/config.js';
import { readScope, writeScope, type Scope } from '../context/context.js';
import { FlowError } from '../domain/errors.js';
import { insideHook, runHooks } from '../hooks/hooks.js';
import { Store, type Commit, type Recovery } from '../store/store.js';
import { SnapshotEngine, type SnapshotKind, type SnapshotMeta } from '../snapshots/engine.js';
import { highestUndoRevision, UndoLog } from '../snapshots/undo.js';
import { CorruptStoreError, type StoreView, type Transaction } from '../store/state.js';
import type { Env } from './env.js';
import type { Output } from './output.js';
import type { CommandTable, ParsedCommand } from './parse.js';
import { commandName } from './spec.js';

export type WriterKind = 'cli' | 'tui' | 'hook';

export interface BusOptions {
  dir: string;
  session: string;
  writerKind: WriterKind;
  interactive: boolean;
  confirm?: (question: string) => Promise<boolean>;
  warn?: (message: string) => void;
}

export class CommandBus {
  readonly store: Store;
  private configCache: Config | undefined;
  private engine: SnapshotEngine | undefined;
  /** Commits made by the command being executed, for the undo log. */
  private commits: Commit<unknown>[] = [];

  constructor(
    readonly table: CommandTable,
    private readonly options: BusOptions,
  ) {
    const kind = insideHook() ? 'hook' : options.writerKind;
    const hooksOn = !insideHook();
    this.store = new Store(options.dir, {
      writer: `${kind}:${process.pid}:${options.session}`,
      warn: options.warn,
      recover: () => this.newestGoodSnapshot(),
      revisionFloor: () => this.highestRecordedRevision(),
      hooks: hooksOn
        ? {
            preSave: (commit) => this.runSaveHooks('pre_save', commit),
            postSave: (commit) => this.runSaveHooks('post_save', commit),
          }
        : undefined,
    });
  }

  get dir(): string {
    return this.options.dir;
  }

  snapshots(): SnapshotEngine {
    const backend = this.config().snapshots.backend;
    if (!this.engine || this.engineBackend !== backend) {
      this.engine = new SnapshotEngine(this.options.dir, backend);
      this.engineBackend = backend;
    }
    return this.engine;
  }

  private engineBackend: string | undefined;

  undoLog(): UndoLog {
    return new UndoLog(this.options.dir, this.options.session, this.config().undo.depth);
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
    return Math.max(highest, highestUndoRevision(this.options.dir));
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

  get session(): string {
    return this.options.session;
  }

  config(): Config {
    this.configCache ??= readConfig(this.options.dir);
    return this.configCache;
  }

  private runSaveHooks(event: 'pre_save' | 'post_save', commit: Commit<unknown>): void {
    const commands = this.config().hooks[event];
    if (!commands.length) return;
    const runs = runHooks(
      event,
      commands,
      { revision: commit.revision, writer: commit.writer, patch: commit.changes.patch, session: this.session },
      this.options.dir,
    );
    for (const run of runs) {
      if (run.status !== 0) this.options.warn?.(`${event} hook \`${run.command}\` failed: ${run.stderr || run.status}`);
    }
  }

  /** The undo log and automatic snapshots, after a command's commits. */
  private async afterCommits(command: string, revert: { kind: 'undo' | 'redo'; target: number } | undefined): Promise<void> {
    const commits = this.commits.filter((c) => c.changed);
    if (!commits.length) return;
    const log = this.undoLog();
    for (const commit of commits) await log.record(commit, command, revert?.kind ?? 'do', revert?.target);
    const every = this.config().snapshots.every;
    const crossed = every > 0 && commits.some((c) => c.revision % every === 0);
    if (crossed) {
      try {
        await this.autoSnapshot('auto', `every ${every} revisions`, false);
      } catch (err) {
        this.options.warn?.(`automatic snapshot failed: ${(err as Error).message}`);
      }
    }
  }

  scope(): Scope {
    return readScope(this.options.dir, this.options.session);
  }

  async execute(parsed: ParsedCommand, options: { baseRevision?: number } = {}): Promise<Output> {
    this.configCache = undefined;
    let view: StoreView | undefined;
    let transacted = false;
    let revert: { kind: 'undo' | 'redo'; target: number; label: string } | undefined;
    const name = commandName(parsed.spec);
    const env: Env = {
      store: this.store,
      dir: this.options.dir,
      session: this.options.session,
      table: this.table,
      scope: this.scope(),
      baseRevision: options.baseRevision,
      interactive: this.options.interactive,
      read: async () => (view ??= await this.store.read()),
      transact: async <T>(fn: (tx: Transaction) => T) => {
        if (transacted) throw new Error(`internal: "${name}" ran two transactions`);
        transacted = true;
        mkdirSync(this.options.dir, { recursive: true });
        return this.store.transact(fn);
      },
      setScope: (scope: Scope) => writeScope(this.options.dir, this.options.session, scope),
      confirm: async (question: string) => {
        if (!this.options.interactive || !this.options.confirm) return false;
        return this.options.confirm(question);
      },
      config: () => this.config(),
      warn: (message: string) => this.options.warn?.(message),
      snapshots: () => this.snapshots(),
      autoSnapshot: (kind: SnapshotKind, label: string) => this.autoSnapshot(kind, label),
      undoLog: () => this.undoLog(),
      markRevert: (kind: 'undo' | 'redo', target: number, label: string) => {
        revert = { kind, target, label };
      },
    };
    let output: Output;
    this.commits = [];
    const stopListening = this.store.onCommit((commit) => this.commits.push(commit));
    try {
      try {
        output = await parsed.spec.run(parsed.args, env);
      } catch (err) {
        // Bytes a lazily read flow could not be read from: quarantine like any reader
        // (which throws), or, if they were fine read whole or changed, run again once.
        if (!(err instanceof CorruptStoreError) || transacted) throw err;
        await this.store.recoverFrom(err);
        view = undefined;
        output = await Promise.resolve(parsed.spec.run(parsed.args, env)).catch((again: unknown) => {
          if (again instanceof CorruptStoreError) {
            throw new FlowError('unreadable', `flows.json keeps changing and cannot be read (${again.reason}); run the command again`);
          }
          throw again;
        });
      }
    } finally {
      stopListening();
      // Saved changes are undoable even when the command failed after saving them.
      await this.afterCommits(revert?.label ?? name, revert).catch((err: Error) =>
        this.options.warn?.(`could not record the change for undo: ${err.message}`),
      );
    }
    if (!insideHook()) {
      const commands = this.config().hooks.on_command;
      if (commands.length) {
        try {
          runHooks('on_command', commands, { command: name, args: parsed.args, session: this.session }, this.options.dir);
        } catch (err) {
          if (!(err instanceof FlowError)) throw err;
        }
      }
    }
    return output;
  }
}
