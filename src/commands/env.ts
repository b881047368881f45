// What a command handler may use: the store (through one read view and at most one
// transaction), the session's scope, confirmation, and settings, all from the process's
// services (src/app/services.ts). Handlers never touch files themselves.
import type { Config } from '../config/config.js';
import type { Scope } from '../context/context.js';
import type { SnapshotEngine, SnapshotKind, SnapshotMeta } from '../snapshots/engine.js';
import type { UndoLog } from '../snapshots/undo.js';
import type { Commit, Store } from '../store/store.js';
import type { StoreView, Transaction } from '../store/state.js';
import type { CommandTable } from './parse.js';

export interface Env {
  readonly store: Store;
  readonly dir: string;
  readonly session: string;
  readonly table: CommandTable;
  /** The session's scope when the command started. */
  readonly scope: Scope;
  /** The revision the person saw when choosing what to change (the TUI sets it). */
  readonly baseRevision?: number;
  /** True when a person can answer questions (a TTY, or the TUI). */
  readonly interactive: boolean;
  read(): Promise<StoreView>;
  /** The command's one transaction on flows.json. */
  transact<T>(fn: (tx: Transaction) => T): Promise<Commit<T>>;
  setScope(scope: Scope): Promise<void>;
  confirm(question: string): Promise<boolean>;
  config(): Config;
  warn(message: string): void;
  snapshots(): SnapshotEngine;
  /** A snapshot before something destructive (and retention afterwards). */
  autoSnapshot(kind: SnapshotKind, label: string): Promise<SnapshotMeta>;
  undoLog(): UndoLog;
  /** Records this command's change in the undo log as an undo/redo of `target`, named `label`. */
  markRevert(kind: 'undo' | 'redo', target: number, label: string): void;
}
