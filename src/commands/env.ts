// What a command handler may use: the store (through one read view and at most one
// transaction), the session's scope, confirmation, and settings, all from the process's
// services (src/app/services.ts). Handlers never touch files themselves.
import type { Config } from '../config/config.js';
import type { ContextFile, Scope } from '../context/context.js';
import type { ContextEdit } from '../context/transaction.js';
import type { SnapshotEngine, SnapshotKind, SnapshotMeta } from '../snapshots/engine.js';
import type { UndoLog } from '../snapshots/undo.js';
import type { Commit, Store } from '../store/store.js';
import type { StoreView, Transaction } from '../store/state.js';
import type { CommandTable } from './parse.js';

export interface Env {
  readonly store: Store;
  readonly dir: string;
  readonly session: string;
  /** Who this process writes as: meta.writer of its revisions, `writer` of its context. */
  readonly writer: string;
  readonly table: CommandTable;
  /** The session's scope when the command started. */
  readonly scope: Scope;
  /** The revision the person saw when choosing what to change (the TUI sets it). */
  readonly baseRevision?: number;
  /** True when a person can answer questions (a TTY, or the TUI). */
  readonly interactive: boolean;
  /**
   * The store as it is now. `namesOnly`: for a command that shows flows' names and counts
   * and nothing else of them (list flow), so no flow is parsed and validated up front.
   */
  read(options?: { namesOnly?: boolean }): Promise<StoreView>;
  /**
   * The command's one transaction on flows.json; `context` is what it also changes in
   * context.json (the session's scope), committed with it under the same lock.
   */
  transact<T>(fn: (tx: Transaction) => T, context?: ContextEdit<T>): Promise<Commit<T>>;
  /** context.json as it is now. */
  context(): ContextFile;
  /** A change to context.json alone, under its lock. */
  updateContext<R>(change: (file: ContextFile) => R): Promise<R>;
  /** Standard input, read whole (a value given as `-`). */
  input(): Promise<string>;
  confirm(question: string): Promise<boolean>;
  config(): Config;
  warn(message: string): void;
  /** What a long command is doing now, for a person watching (the TUI's message line). */
  progress(step: string): void;
  /** Imports a bundle beside the command line's (see ServiceOptions.importModule). */
  importModule(url: string): Promise<unknown>;
  snapshots(): SnapshotEngine;
  /** A snapshot before something destructive (and retention afterwards). */
  autoSnapshot(kind: SnapshotKind, label: string): Promise<SnapshotMeta>;
  undoLog(): UndoLog;
  /** Records this command's change in the undo log as an undo/redo of `target`, named `label`. */
  markRevert(kind: 'undo' | 'redo', target: number, label: string): void;
}
