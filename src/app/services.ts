// The composition root: what every command runs against, built once per process — the
// store (with its hooks, recovery and revision floor), settings, the snapshot engine, the
// session's undo log and scope, hooks. Expensive parts are made on first use, so a
// command that needs no snapshot never loads the snapshot engine's state.
import { readConfig, type Config } from '../config/config.js';
import { readScope, writeScope, type Scope } from '../context/context.js';
import { FlowError } from '../domain/errors.js';
import { insideHook, runHooks } from '../hooks/hooks.js';
import { HookGate } from '../hooks/trust.js';
import { SnapshotEngine, type SnapshotKind, type SnapshotMeta } from '../snapshots/engine.js';
import { highestUndoRevision, UndoLog } from '../snapshots/undo.js';
import { Store, type Commit, type Recovery } from '../store/store.js';

export type WriterKind = 'cli' | 'tui' | 'hook';

export interface ServiceOptions {
  dir: string;
  session: string;
  writerKind: WriterKind;
  /** True when a person can answer questions (a TTY, or the TUI). */
  interactive: boolean;
  confirm?: (question: string) => Promise<boolean>;
  warn?: (message: string) => void;
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
  readonly interactive: boolean;
  private configCache: Config | undefined;
  private engine: SnapshotEngine | undefined;
  private engineBackend: string | undefined;
  /** Hooks run only when trusted (DESIGN §8). */
  private readonly hooks: HookGate;

  constructor(private readonly options: ServiceOptions) {
    this.dir = options.dir;
    this.hooks = new HookGate(options.dir, (message) => this.warn(message));
    this.session = options.session;
    this.interactive = options.interactive;
    const kind = insideHook() ? 'hook' : options.writerKind;
    this.store = new Store(options.dir, {
      writer: `${kind}:${process.pid}:${options.session}`,
      warn: options.warn,
      recover: () => this.newestGoodSnapshot(),
      revisionFloor: () => this.highestRecordedRevision(),
      // Commands run by a hook do not trigger hooks again.
      hooks: insideHook()
        ? undefined
        : {
            preSave: (commit) => this.runSaveHooks('pre_save', commit),
            postSave: (commit) => this.runSaveHooks('post_save', commit),
          },
    });
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
      this.engine = new SnapshotEngine(this.dir, backend);
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

  setScope(scope: Scope): Promise<void> {
    return writeScope(this.dir, this.session, scope);
  }

  /** Asks the person; false when nobody can answer. */
  async confirm(question: string): Promise<boolean> {
    if (!this.interactive || !this.options.confirm) return false;
    return this.options.confirm(question);
  }

  warn(message: string): void {
    this.options.warn?.(message);
  }

  /** Snapshot before a destructive command, then keep the count and age in bounds. */
  async autoSnapshot(kind: SnapshotKind, label: string): Promise<SnapshotMeta> {
    const engine = this.snapshots();
    const meta = await engine.create(this.store, { kind, label });
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
        await this.autoSnapshot('auto', `every ${every} revisions`);
      } catch (err) {
        this.warn(`automatic snapshot failed: ${(err as Error).message}`);
      }
    }
  }

  /** The on_command hooks, after a command ran. */
  commandRan(name: string, args: unknown): void {
    // Trusting or revoking hooks never runs them.
    if (insideHook() || name === 'trust hooks') return;
    const commands = this.hooks.select(this.config(), 'on_command');
    if (!commands.length) return;
    try {
      runHooks('on_command', commands, { command: name, args, session: this.session }, this.dir);
    } catch (err) {
      if (!(err instanceof FlowError)) throw err;
    }
  }

  private runSaveHooks(event: 'pre_save' | 'post_save', commit: Commit<unknown>): void {
    const commands = this.hooks.select(this.config(), event);
    if (!commands.length) return;
    const runs = runHooks(
      event,
      commands,
      { revision: commit.revision, writer: commit.writer, patch: commit.changes.patch, session: this.session },
      this.dir,
    );
    for (const run of runs) {
      if (run.status !== 0) this.warn(`${event} hook \`${run.command}\` failed: ${run.stderr || run.status}`);
    }
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
