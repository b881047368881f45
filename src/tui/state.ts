// The TUI's state: a vanilla zustand store that components read with selectors. Store
// data (flows) only changes from the file (load, watcher) or from the command bus's
// commits; the view state (cursor, expansion, focus, inputs) changes through the actions
// below and the key handlers. Every input's text lives here, not in components: keys
// that arrive together are applied one after another to the newest value.
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { Scope } from '../context/context.js';
import type { Flow, Plan, Task } from '../domain/schema.js';
import type { SnapshotMeta } from '../snapshots/engine.js';
import type { BoardCursor } from './board.js';
import type { TextField } from './input/text-buffer.js';
import { NO_DOCUMENTS, type DocumentsView } from './documents.js';
import { NO_SESSION, type SessionView } from './session-context.js';
import type { SyncReading } from './sync-probe.js';
import type { KeyContext } from './keys.js';
import { buildRows, rowBuilder, type PendingFlows, type RowInputs, type RowModel } from './rows.js';

export type Focus =
  | 'tree' | 'prompt' | 'input' | 'search' | 'editor' | 'picker' | 'confirm' | 'help' | 'snapshots' | 'conflict' | 'output'
  | 'resolve' | 'documents';

export type MessageKind = 'info' | 'success' | 'error' | 'warning';

export interface Message {
  text: string;
  kind: MessageKind;
  /** When what it reports happened (see messageClock). */
  at: number;
}

/** A one-line input: adding a task or plan, editing a title or tags, a snapshot label. */
export interface InputState {
  label: string;
  field: TextField;
  /** Acts on the submitted text; false opens the input again (nothing to do is true). */
  submit(value: string): Promise<boolean> | boolean;
  /** Where the keys go after it (default: the tree). */
  back?: Focus;
  /** Tab completes the text (paths of files to add). */
  complete?: (text: string) => { text: string; candidates: string[] };
}

/** The multi-line editor for notes and summaries. */
export interface EditorState {
  label: string;
  field: TextField;
  /** The text when the edit started: Esc asks first when it changed. */
  original: string;
  save(value: string): Promise<boolean> | boolean;
  /** Esc was pressed with changes: the next key answers "discard?". */
  asking: boolean;
}

export interface PickerItem {
  id: string;
  label: string;
  /** Shown muted beside the label (an id, a plan's flow). */
  hint?: string;
}

/** A list to choose from, narrowed by typing (flows, plans, dependencies, statuses). */
export interface PickerState {
  title: string;
  items: PickerItem[];
  query: TextField;
  index: number;
  /** Several may be marked (Tab); Enter chooses the marked ones. */
  multi: boolean;
  marked: Set<string>;
  choose(ids: string[]): void;
}

export interface ConfirmState {
  question: string;
  /** What goes with it, one line each (subtasks, tasks, a preview). */
  details: string[];
  answer(yes: boolean): void;
}

export interface ConflictState {
  message: string;
  field?: string;
  theirs?: unknown;
  mine?: unknown;
  /** Keep mine: only offered when it can work (the object is still there). */
  retry?: () => void;
}

export interface SnapshotBrowserState {
  list: SnapshotMeta[];
  index: number;
  error: string | null;
}

export interface PromptState {
  field: TextField;
  /** Index into the history being shown, or null for the line being typed. */
  browsing: number | null;
  /** The line being typed when browsing started, given back after the newest entry. */
  draft: string;
  /** Several candidates for one word: each Tab puts in the next (while the line and the cursor are as the last Tab left them). */
  menu?: { line: string; cursor: number; from: number; candidates: string[]; labels: string[]; index: number };
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
  /** The first screen is shown; the rest of the file is still being read (issue 15). */
  reading: { done: number; total: number } | null;
  /** Meanwhile, the names and counts of the flows not parsed yet. */
  pending: PendingFlows | null;
  live: boolean;
  // Sync (issue 16): where the clone stands against its remote, and a sync running now.
  /** The last reading (null before the first; `failed` when it could not be taken). */
  sync: SyncReading | { kind: 'failed'; reason: string } | null;
  /** A sync of ours is running. */
  syncing: boolean;
  /** What a long command (sync) is doing now, shown in the message line while it runs. */
  progress: string | null;
  /** Which recorded conflict the resolve banner shows (focus `resolve`). */
  resolving: number;
  // Documents (issue 13): the manifest by plan, and the cursor in a plan's list of them.
  documents: DocumentsView;
  /** The document under the cursor of the detail pane's list (focus `documents`). */
  docIndex: number;
  // Session.
  session: string;
  scope: Scope;
  /** The session's summary and newest decisions, from context.json (issue 14). */
  sessionContext: SessionView;
  // View.
  view: 'tree' | 'board';
  board: BoardCursor;
  expanded: Set<string>;
  cursor: string | null;
  selection: Set<string>;
  filter: string;
  focus: Focus;
  message: Message | null;
  flash: Map<string, number>;
  prompt: PromptState;
  search: TextField | null;
  input: InputState | null;
  editor: EditorState | null;
  picker: PickerState | null;
  confirm: ConfirmState | null;
  conflict: ConflictState | null;
  snapshots: SnapshotBrowserState | null;
  output: string | null;
  /** First line shown of the output panel; for help, lines from where `helpFrom` starts. */
  panelTop: number;
  /** The keys ? was pressed among: the help opens at their section. */
  helpFrom: KeyContext;
  /** The store's figures the help shows, taken when it opened (`flow stats`' lines). */
  helpStats: string[];
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
    reading: null,
    pending: null,
    live: false,
    sync: null,
    syncing: false,
    progress: null,
    resolving: 0,
    documents: NO_DOCUMENTS,
    docIndex: 0,
    session,
    scope,
    sessionContext: NO_SESSION,
    view: 'tree',
    board: { flowId: null, planId: null, cursor: null, column: 0, index: 0 },
    expanded: new Set(),
    cursor: null,
    selection: new Set(),
    filter: '',
    focus: 'tree',
    message: null,
    flash: new Map(),
    prompt: { field: { text: '', cursor: 0 }, browsing: null, draft: '' },
    search: null,
    input: null,
    editor: null,
    picker: null,
    confirm: null,
    conflict: null,
    snapshots: null,
    output: null,
    panelTop: 0,
    helpFrom: 'tree',
    helpStats: [],
    fatal: null,
  }));
}

// Derived rows, cached on what they depend on.

type RowKey = Pick<TuiState, 'flows' | 'order' | 'version' | 'expanded' | 'filter' | 'scope' | 'documents' | 'pending'>;

const rowKey = (state: RowKey): RowKey => ({
  flows: state.flows,
  order: state.order,
  version: state.version,
  expanded: state.expanded,
  filter: state.filter,
  scope: state.scope,
  documents: state.documents,
  pending: state.pending,
});

const sameRowKey = (a: RowKey, b: RowKey) =>
  a.flows === b.flows &&
  a.order === b.order &&
  a.version === b.version &&
  a.expanded === b.expanded &&
  a.filter === b.filter &&
  a.scope === b.scope &&
  a.documents === b.documents &&
  a.pending === b.pending;

let cache: { key: RowKey; model: RowModel } | undefined;

const rowInputs = ({ flows, order, expanded, filter, scope, documents, pending }: RowKey): RowInputs => ({
  flows,
  order,
  expanded,
  filter,
  numbers: scope,
  docCount: (id) => documents.byPlan.get(id)?.length ?? 0,
  pending: pending ?? undefined,
});

export function selectRows(state: TuiState): RowModel {
  if (cache && sameRowKey(cache.key, state)) return cache.model;
  const inputs = rowInputs(state);
  const model = buildRows(inputs.flows, inputs.order, inputs.expanded, inputs.filter, inputs.numbers, inputs.docCount, inputs.pending);
  cache = { key: rowKey(state), model };
  return model;
}

/** Flows one slice of a sliced rows build takes (a few milliseconds of work). */
export const ROWS_SLICE = 4000;

/** Resolves after the I/O waiting now (keys) had its turn. */
export const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Sets the state `next` makes of the current one once the rows it shows are built, and
 * builds them a slice at a time, letting keys in between (a big store's tree is 100k
 * rows: built in one go when the state changes, they held a key 100–200 ms). If what
 * the rows depend on changed meanwhile (a key opened a flow, a commit came), `next` is
 * asked again; null from it sets nothing. After `tries`, the rows are built at once.
 */
export async function setStateWithRows(store: TuiStore, next: (state: TuiState) => Partial<TuiState> | null, tries = 3): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const from = store.getState();
    const change = next(from);
    if (!change) return;
    if (attempt > tries) return store.setState(change);
    const key = rowKey({ ...from, ...change });
    const builder = rowBuilder(rowInputs(key), ROWS_SLICE);
    let step = builder.next();
    while (!step.done) {
      await nextTurn();
      step = builder.next();
    }
    if (!sameRowKey(rowKey(store.getState()), from)) continue;
    cache = { key, model: step.value };
    return store.setState(change);
  }
}

/** The flow the session works in: its scope, else the file's current flow, else the first. */
export function activeFlowId(state: TuiState): string | null {
  if (state.scope.flowId && state.flows.has(state.scope.flowId)) return state.scope.flowId;
  if (state.currentFlowId && state.flows.has(state.currentFlowId)) return state.currentFlowId;
  return state.order[0] ?? null;
}

/** A task anywhere in the loaded flows, with its plan and parent. */
export interface TaskPlace {
  task: Task;
  plan: Plan;
  flow: Flow;
  parent: Task | null;
  siblings: readonly Task[];
}

export function findTask(state: TuiState, id: string, flowId?: string, planId?: string | null): TaskPlace | undefined {
  const flows = flowId ? [state.flows.get(flowId)] : [...state.flows.values()];
  for (const flow of flows) {
    for (const plan of flow?.plans ?? []) {
      if (planId && plan.id !== planId) continue;
      const found = searchTasks(plan.tasks, id, null);
      if (found && flow) return { ...found, plan, flow };
    }
  }
  return undefined;
}

function searchTasks(tasks: readonly Task[], id: string, parent: Task | null): { task: Task; parent: Task | null; siblings: readonly Task[] } | undefined {
  for (const task of tasks) {
    if (task.id === id) return { task, parent, siblings: tasks };
    const found = searchTasks(task.subtasks, id, task);
    if (found) return found;
  }
  return undefined;
}

export function findPlan(state: TuiState, id: string): { plan: Plan; flow: Flow } | undefined {
  for (const flow of state.flows.values()) {
    const plan = flow.plans.find((p) => p.id === id);
    if (plan) return { plan, flow };
  }
  return undefined;
}

// ---- Actions (view state) ----

let clock = 0;

/**
 * A logical clock for messages: a key's own message is stamped when the key is handled,
 * a command's result when the command was asked for. A result that arrives late never
 * replaces the message of something done after it was asked for.
 */
export function messageClock(): number {
  return ++clock;
}

export function setMessage(store: TuiStore, text: string, kind: MessageKind = 'info', at = messageClock()): void {
  const current = store.getState().message;
  if (current && current.at > at) return;
  store.setState({ message: { text, kind, at } });
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

/** Opens everything above an object (its flow, plan and parent tasks), so its row shows. */
export function reveal(store: TuiStore, id: string): void {
  const state = store.getState();
  const ids: string[] = [];
  const task = findTask(state, id);
  if (task) {
    ids.push(task.flow.id, task.plan.id);
    for (let parent = task.parent; parent; parent = findTask(state, parent.id, task.flow.id, task.plan.id)?.parent ?? null) ids.push(parent.id);
  } else {
    const plan = findPlan(state, id);
    if (plan) ids.push(plan.flow.id);
  }
  if (ids.every((i) => state.expanded.has(i))) return;
  store.setState({ expanded: new Set([...state.expanded, ...ids]) });
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
