// The TUI's state: a vanilla zustand store that components read with selectors. Store
// data (flows) only changes from the file (load, watcher) or from the command bus's
// commits; the view state (cursor, expansion, focus) changes through the actions below.
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { Scope } from '../context/context.js';
import type { Flow } from '../domain/schema.js';
import { buildRows, type RowModel } from './rows.js';

export type Focus = 'tree' | 'prompt' | 'input' | 'search' | 'confirm' | 'help' | 'flows' | 'snapshots' | 'conflict' | 'output';

export type MessageKind = 'info' | 'success' | 'error' | 'warning';

export interface Message {
  text: string;
  kind: MessageKind;
}

/** An inline input: adding a task or plan, editing a title or notes. */
export interface InputState {
  label: string;
  value: string;
  /** Turns the submitted text into a /flow command, or undefined to do nothing. */
  command: (value: string) => string | undefined;
  /** The revision the person saw when starting the edit (conflict detection). */
  baseRevision: number;
}

export interface ConfirmState {
  question: string;
  command: string;
  baseRevision: number;
}

export interface ConflictState {
  message: string;
  field?: string;
  theirs?: unknown;
  mine?: unknown;
  /** The command to run if the person keeps their version. */
  retry?: string;
}

export interface TuiState {
  // Data, from the file.
  flows: Map<string, Flow>;
  order: string[];
  currentFlowId: string | null;
  revision: number;
  writer: string;
  lastSaved: string | null;
  /** Goes up on every data change: the cache key for derived rows. */
  version: number;
  loading: { done: number; total: number } | null;
  live: boolean;
  // Session.
  session: string;
  scope: Scope;
  // View.
  expanded: Set<string>;
  cursor: string | null;
  filter: string;
  focus: Focus;
  message: Message | null;
  flash: Map<string, number>;
  input: InputState | null;
  confirm: ConfirmState | null;
  conflict: ConflictState | null;
  output: string | null;
  fatal: string | null;
}

export type TuiStore = StoreApi<TuiState>;

export function createTuiStore(session: string, scope: Scope): TuiStore {
  return createStore<TuiState>()(() => ({
    flows: new Map(),
    order: [],
    currentFlowId: null,
    revision: 0,
    writer: '',
    lastSaved: null,
    version: 0,
    loading: null,
    live: false,
    session,
    scope,
    expanded: new Set(),
    cursor: null,
    filter: '',
    focus: 'tree',
    message: null,
    flash: new Map(),
    input: null,
    confirm: null,
    conflict: null,
    output: null,
    fatal: null,
  }));
}

// Derived rows, cached on what they depend on.
let cache: { flows: unknown; version: number; expanded: Set<string>; filter: string; model: RowModel } | undefined;

export function selectRows(state: TuiState): RowModel {
  if (
    cache &&
    cache.flows === state.flows &&
    cache.version === state.version &&
    cache.expanded === state.expanded &&
    cache.filter === state.filter
  ) {
    return cache.model;
  }
  const model = buildRows(state.flows, state.order, state.expanded, state.filter);
  cache = { flows: state.flows, version: state.version, expanded: state.expanded, filter: state.filter, model };
  return model;
}

/** The flow the session works in: its scope, else the file's current flow, else the first. */
export function activeFlowId(state: TuiState): string | null {
  if (state.scope.flowId && state.flows.has(state.scope.flowId)) return state.scope.flowId;
  if (state.currentFlowId && state.flows.has(state.currentFlowId)) return state.currentFlowId;
  return state.order[0] ?? null;
}

// ---- Actions (view state) ----

export function setMessage(store: TuiStore, text: string, kind: MessageKind = 'info'): void {
  store.setState({ message: { text, kind } });
}

export function moveCursor(store: TuiStore, delta: number | 'top' | 'bottom'): void {
  const state = store.getState();
  const { rows, indexOf } = selectRows(state);
  if (!rows.length) return;
  const at = state.cursor !== null ? (indexOf.get(state.cursor) ?? 0) : 0;
  const next =
    delta === 'top' ? 0 : delta === 'bottom' ? rows.length - 1 : Math.max(0, Math.min(rows.length - 1, at + delta));
  store.setState({ cursor: rows[next].id });
}

export function setExpanded(store: TuiStore, id: string, open: boolean): void {
  const expanded = new Set(store.getState().expanded);
  if (open) expanded.add(id);
  else expanded.delete(id);
  store.setState({ expanded });
}

/** ← / h: collapse an open row, else go to its parent. */
export function collapseOrParent(store: TuiStore): void {
  const state = store.getState();
  const { rows, indexOf } = selectRows(state);
  const row = state.cursor ? rows[indexOf.get(state.cursor) ?? -1] : undefined;
  if (!row) return;
  if (row.expanded && row.expandable && !state.filter) setExpanded(store, row.id, false);
  else {
    const parent = row.kind === 'task' ? (row.parentId ?? row.planId) : row.kind === 'plan' ? row.flowId : null;
    if (parent) store.setState({ cursor: parent });
  }
}

/** → / l: expand, or step into the first child when already open. */
export function expandOrChild(store: TuiStore): void {
  const state = store.getState();
  const { rows, indexOf } = selectRows(state);
  const i = state.cursor ? (indexOf.get(state.cursor) ?? -1) : -1;
  const row = rows[i];
  if (!row?.expandable) return;
  if (!row.expanded) setExpanded(store, row.id, true);
  else if (rows[i + 1]) store.setState({ cursor: rows[i + 1].id });
}

/**
 * Keeps the cursor on a visible row after the data or the filter changed. Given the rows
 * from before the change, a cursor whose row went away (a delete) lands on the nearest
 * row that is still there instead of jumping to the top.
 */
export function keepCursorVisible(store: TuiStore, before?: RowModel): void {
  const state = store.getState();
  const { rows, indexOf } = selectRows(state);
  if (state.cursor && indexOf.has(state.cursor)) return;
  const at = state.cursor && before ? before.indexOf.get(state.cursor) : undefined;
  if (before && at !== undefined) {
    for (let d = 1; d < before.rows.length; d++) {
      for (const near of [before.rows[at + d], before.rows[at - d]]) {
        if (near && indexOf.has(near.id)) return store.setState({ cursor: near.id });
      }
    }
  }
  store.setState({ cursor: rows[0]?.id ?? null });
}

const FLASH_MS = 1200;

export function flashRows(store: TuiStore, ids: Iterable<string>, now = Date.now()): void {
  const flash = new Map(store.getState().flash);
  for (const id of ids) flash.set(id, now + FLASH_MS);
  store.setState({ flash });
}

export function clearExpiredFlashes(store: TuiStore, now = Date.now()): void {
  const { flash } = store.getState();
  if (![...flash.values()].some((until) => until <= now)) return;
  store.setState({ flash: new Map([...flash].filter(([, until]) => until > now)) });
}
