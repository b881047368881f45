// What the keys of the tree and the board do. Moves change the view state; every change
// to data is a command object run through the controller (and so the command bus), in
// the order of the keys. A job that depends on the state (the next status, the sibling
// to swap with) is built when its turn comes, after every earlier key's change.
import { readConfig } from '../config/config.js';
import { counted } from '../domain/counted.js';
import { cycleMessage, dependencyCycle } from '../domain/dependencies.js';
import { oneLine } from '../domain/sanitize.js';
import { PRIORITIES, TASK_STATUSES, type Plan, type Priority, type Task, type TaskStatus } from '../domain/schema.js';
import { countTasks, nextStatus, walkTasks } from '../domain/tree.js';
import { BOARD_COLUMNS, boardColumns, boardPosition } from './board.js';
import { copyText } from './clipboard.js';
import { openDocumentList } from './document-actions.js';
import { documentsGoing } from './documents.js';
import * as cmd from './commands.js';
import type { TuiContextValue } from './context.js';
import { ask, type Job } from './controller.js';
import { editExternally } from './external-editor.js';
import { field } from './input/text-buffer.js';
import { keyOf, type Action } from './keys.js';
import type { Row } from './rows.js';
import { editSummary, noteDecision } from './session-context.js';
import { openSnapshots } from './snapshot-actions.js';
import { workspaceStats } from './stats.js';
import { openResolve, runSync } from './sync-actions.js';
import {
  collapseOrParent,
  expandOrChild,
  findPlan,
  findTask,
  keepCursorVisible,
  messageClock,
  moveCursor,
  reveal,
  selectRows,
  setExpanded,
  setMessage,
  type PickerItem,
  type TuiState,
  type TuiStore,
} from './state.js';

/** What key handlers work with: the context plus a way to write to the terminal. */
export interface Workspace extends TuiContextValue {
  /** Ink's own write: the frame is redrawn whole after it. */
  write(data: string): void;
}

export function currentRow(state: TuiState): Row | undefined {
  const { rows, indexOf } = selectRows(state);
  return state.cursor ? rows[indexOf.get(state.cursor) ?? -1] : undefined;
}

/** A task as a row (the board's cards act like tree rows). */
function taskRow(state: TuiState, id: string, planId: string | null): Row | undefined {
  const plan = planId ? findPlan(state, planId) : undefined;
  const place = plan ? findTask(state, id, plan.flow.id, plan.plan.id) : findTask(state, id);
  if (!place) return undefined;
  const { task } = place;
  return {
    id, kind: 'task', depth: 0, title: task.title, flowId: place.flow.id, planId: place.plan.id, parentId: place.parent?.id ?? null,
    expandable: task.subtasks.length > 0, expanded: false, status: task.status, priority: task.priority, tags: task.tags,
  };
}

function planAsRow(state: TuiState, planId: string): Row | undefined {
  const found = findPlan(state, planId);
  if (!found) return undefined;
  return {
    id: planId, kind: 'plan', depth: 1, title: found.plan.title, flowId: found.flow.id, planId, parentId: found.flow.id,
    expandable: found.plan.tasks.length > 0, expanded: true, planStatus: found.plan.status,
  };
}

/** What a key acts on: the tree's row, or the board's card. */
export function targetRow(state: TuiState): Row | undefined {
  if (state.view === 'board') return state.board.cursor ? taskRow(state, state.board.cursor, state.board.planId) : undefined;
  return currentRow(state);
}

/** The object under a row, for prefilling edits. */
export function objectOf(state: TuiState, row: Row): Record<string, unknown> | undefined {
  const flow = state.flows.get(row.flowId);
  if (!flow) return undefined;
  if (row.kind === 'flow') return flow;
  if (row.kind === 'plan') return flow.plans.find((p) => p.id === row.id);
  return taskOf(state, row);
}

/** The task under a task row. */
export function taskOf(state: TuiState, row: Row): Task | undefined {
  return row.kind === 'task' ? findTask(state, row.id, row.flowId, row.planId)?.task : undefined;
}

/** Tasks a change applies to: the selection when there is one, else the task under the cursor. */
function targetTasks(ws: Workspace, row: Row | undefined): string[] {
  const { selection } = ws.tui.getState();
  if (selection.size) return [...selection];
  return row?.kind === 'task' ? [row.id] : [];
}

function run(ws: Workspace, job: Job): Promise<unknown> {
  return ws.controller.execute({ baseRevision: ws.tui.getState().revision, ...job });
}

/** Runs a job that adds something and puts the cursor on it. */
async function runAndSelect(ws: Workspace, command: cmd.TuiCommand): Promise<boolean> {
  const output = await ws.controller.execute({ command, baseRevision: ws.tui.getState().revision });
  const json = output?.json;
  const id = json && typeof json === 'object' && 'id' in json && typeof json.id === 'string' ? json.id : undefined;
  if (id) {
    const state = ws.tui.getState();
    if (state.view === 'board') ws.tui.setState({ board: { ...state.board, cursor: id } });
    else {
      reveal(ws.tui, id);
      if (selectRows(ws.tui.getState()).indexOf.has(id)) ws.tui.setState({ cursor: id });
    }
  }
  return output !== undefined;
}

function openInput(ws: Workspace, label: string, value: string, submit: (value: string) => Promise<boolean> | boolean): void {
  ws.tui.setState({ focus: 'input', input: { label, field: field(value), submit } });
}

export function openPicker(
  ws: Workspace,
  title: string,
  items: PickerItem[],
  choose: (ids: string[]) => void,
  options: { multi?: boolean; marked?: Iterable<string>; at?: string } = {},
): void {
  const at = options.at ? Math.max(0, items.findIndex((i) => i.id === options.at)) : 0;
  ws.tui.setState({
    focus: 'picker',
    picker: { title, items, query: field(), index: at, multi: !!options.multi, marked: new Set(options.marked ?? []), choose },
  });
}

/** A title as it can be shown in one line of a question or a picker. */
const shown = (text: string) => oneLine(text);

const STATUS_LABEL: Readonly<Record<TaskStatus, string>> = {
  todo: 'todo', in_progress: 'in progress', blocked: 'blocked', done: 'done', cancelled: 'cancelled',
};

export function perform(action: Action, ws: Workspace): void {
  const { tui } = ws;
  const state = tui.getState();
  if (state.view === 'board' && performOnBoard(action, ws)) return;
  if (action === 'help') {
    tui.setState({ focus: 'help', panelTop: 0, helpFrom: state.view === 'board' ? 'board' : 'tree', helpStats: workspaceStats(ws.controller) });
    return;
  }
  switch (action) {
    case 'down':
      return moveCursor(tui, 1);
    case 'up':
      return moveCursor(tui, -1);
    case 'pageDown':
      return moveCursor(tui, ws.layout.pageSize);
    case 'pageUp':
      return moveCursor(tui, -ws.layout.pageSize);
    case 'top':
      return moveCursor(tui, 'top');
    case 'bottom':
      return moveCursor(tui, 'bottom');
    case 'collapse':
      return collapseOrParent(tui);
    case 'expand':
    case 'toggle': {
      const row = currentRow(tui.getState());
      // A flow whose line is still being read: it opens by itself once it is in.
      if (row?.kind === 'flow' && row.expandable && !state.flows.has(row.id)) {
        setExpanded(tui, row.id, true);
        return setMessage(tui, `"${shown(row.title)}" opens when it is read (the store is still being read)`);
      }
      if (action === 'expand') return expandOrChild(tui);
      if (row?.expandable) setExpanded(tui, row.id, !row.expanded);
      return;
    }
    case 'undo':
      void run(ws, { command: cmd.undo() });
      return;
    case 'redo':
      void run(ws, { command: cmd.redo() });
      return;
    case 'quit':
      return ws.quit();
    case 'search':
      tui.setState({ focus: 'search', search: field(state.filter) });
      return;
    case 'switchFlow':
      return pickFlow(ws);
    case 'snapshots':
      return openSnapshots(ws);
    case 'sync':
      return runSync(ws);
    case 'resolveConflicts':
      return openResolve(ws);
    case 'prompt':
      tui.setState({ focus: 'prompt' });
      return;
    case 'editSummary':
      return editSummary(ws);
    case 'clearSelection':
      if (state.selection.size) {
        tui.setState({ selection: new Set() });
        setMessage(tui, 'Selection cleared');
      } else if (state.filter) clearFilter(tui);
      return;
  }
  // An empty column of the board: a adds to the board's plan.
  const planRow = state.view === 'board' && action === 'addTask' && state.board.planId ? planAsRow(state, state.board.planId) : undefined;
  const row = targetRow(state) ?? planRow;
  if (!row) {
    if (action === 'addPlan' || action === 'addTask') {
      setMessage(tui, 'No flow yet: add one with :add flow NAME', 'warning');
    } else if (state.view === 'board') {
      setMessage(tui, `No card here: move to a card with ${keyOf('columnLeft', 'board')}/${keyOf('columnRight', 'board')} and ${keyOf('down', 'board')}/${keyOf('up', 'board')}`, 'warning');
    }
    return;
  }
  performOn(action, row, ws);
}

/**
 * The move of a row or card not yet saved (J/K, h/l on the board): a row changes place
 * when its save lands, so every key typed after it waits for that (useKeyboard holds
 * them, in order) instead of reading the place the row is leaving: `J j` ended on the
 * task J passed, `l →` on the card's new column with the → lost, and `J j Space` must
 * cycle the task the cursor shows.
 */
const unsavedMoves = new WeakMap<TuiStore, Promise<void>>();

/** The save of a row or card move that has not landed yet, if any. */
export function unsavedMove(tui: TuiStore): Promise<void> | undefined {
  return unsavedMoves.get(tui);
}

/** Marks `done` (a row or card move's save, if it made one) as the unsaved move. */
function unsaved(ws: Workspace, done: Promise<unknown> | undefined): void {
  if (!done) return;
  // A failed save is reported by the controller; a rejection here is a bug of the move itself.
  const settled = done.then(
    () => undefined,
    (err: unknown) => setMessage(ws.tui, oneLine(`the move failed: ${(err as Error).message}`), 'error'),
  );
  unsavedMoves.set(ws.tui, settled);
  void settled.then(() => unsavedMoves.get(ws.tui) === settled && unsavedMoves.delete(ws.tui));
}

/** Clears the filter with the cursor kept on its object (opening what hides it). */
export function clearFilter(tui: TuiStore): void {
  const { cursor } = tui.getState();
  const before = selectRows(tui.getState());
  tui.setState({ filter: '', search: null });
  if (cursor) reveal(tui, cursor);
  keepCursorVisible(tui, before);
}

function performOn(action: Action, row: Row, ws: Workspace): void {
  const { tui } = ws;
  const base = tui.getState().revision;
  switch (action) {
    case 'board':
      return openBoard(ws, row);
    case 'select': {
      if (row.kind !== 'task') return setMessage(tui, 'x selects tasks', 'warning');
      const selection = new Set(tui.getState().selection);
      if (selection.has(row.id)) selection.delete(row.id);
      else selection.add(row.id);
      tui.setState({ selection });
      const onAll = (['cycleStatus', 'statusMenu', 'cyclePriority', 'moveToPlan', 'delete'] as const).map((a) => keyOf(a, 'tree')).join(' ');
      setMessage(tui, selection.size ? `${selection.size} selected: ${onAll} act on all; ${keyOf('clearSelection', 'tree')} clears` : 'Selection cleared');
      return;
    }
    case 'copyId': {
      let osc = false;
      try {
        osc = readConfig(ws.controller.bus.services.dir).clipboard.osc52 === 'on';
      } catch {
        // an unreadable config.json: no OSC 52
      }
      const where = copyText(row.id, { osc52: osc, write: ws.write });
      setMessage(
        tui,
        where ? `Copied ${row.id} to ${where}` : `${row.id} (no clipboard found; flow config set clipboard.osc52 on copies through the terminal)`,
        where ? 'success' : 'info',
      );
      return;
    }
    case 'cycleStatus': {
      const ids = targetTasks(ws, row);
      if (!ids.length) return setMessage(tui, 'Space cycles the status of a task', 'warning');
      void fromLead(ws, ids, (lead) => {
        const next = nextStatus(lead.status);
        return ids.length === 1 ? cmd.setTask(lead.id, { status: next }, { status: lead.status }) : cmd.setStatuses(ids, next);
      });
      return;
    }
    case 'statusMenu': {
      const ids = targetTasks(ws, row);
      if (!ids.length) return setMessage(tui, 'S sets the status of a task', 'warning');
      const current = row.kind === 'task' ? row.status : undefined;
      const items = TASK_STATUSES.map((s) => ({ id: s, label: STATUS_LABEL[s], hint: current === s ? 'now' : undefined }));
      openPicker(ws, ids.length > 1 ? `Status of ${ids.length} tasks` : `Status of "${shown(row.title)}"`, items, ([chosen]) => {
        const status = TASK_STATUSES.find((s) => s === chosen);
        if (status) setStatus(ws, ids, status);
      }, { at: current });
      return;
    }
    case 'cyclePriority': {
      const ids = targetTasks(ws, row);
      if (!ids.length) return setMessage(tui, 'p cycles the priority of a task', 'warning');
      void fromLead(ws, ids, (lead) => {
        const next: Priority = PRIORITIES[(PRIORITIES.indexOf(lead.priority) + 1) % PRIORITIES.length];
        return ids.map((id) => cmd.setTask(id, { priority: next }, id === lead.id ? { priority: lead.priority } : {}));
      });
      return;
    }
    case 'editTags': {
      if (row.kind !== 'task') return setMessage(tui, 't edits the tags of a task', 'warning');
      const task = taskOf(tui.getState(), row);
      if (!task) return;
      return openInput(ws, 'Tags (space or comma between)', task.tags.join(' '), async (value) => {
        const tags = [...new Set(value.split(/[\s,]+/).map((t) => t.replace(/^#/, '')).filter(Boolean))];
        if (tags.join(' ') === task.tags.join(' ')) return true;
        return runDone(ws, cmd.setTask(row.id, { tags }, { tags: task.tags }), base);
      });
    }
    case 'pickDependencies':
      return pickDependencies(ws, row);
    case 'addTask': {
      const planId = row.planId;
      if (!planId) return setMessage(tui, 'Move to a plan (or a task in it) to add a task; A adds a plan', 'warning');
      // On a subtask: another one beside it, under the same parent, as in an outliner.
      const parentId = row.kind === 'task' ? row.parentId : null;
      if (parentId) {
        const parent = findTask(tui.getState(), parentId, row.flowId, planId)?.task;
        return openInput(ws, `New task under "${shown(parent?.title ?? parentId)}"`, '', (title) =>
          title.trim() ? runAndSelect(ws, cmd.addTask(title.trim(), { parentId })) : true,
        );
      }
      const plan = findPlan(tui.getState(), planId);
      if (row.kind === 'plan') setExpanded(tui, planId, true);
      return openInput(ws, `New task in "${shown(plan?.plan.title ?? planId)}"`, '', (title) =>
        title.trim() ? runAndSelect(ws, cmd.addTask(title.trim(), { planId })) : true,
      );
    }
    case 'addSubtask': {
      if (row.kind !== 'task') return setMessage(tui, 'o adds a subtask under a task; a adds a task to the plan', 'warning');
      setExpanded(tui, row.id, true);
      return openInput(ws, `New subtask of "${shown(row.title)}"`, '', (title) =>
        title.trim() ? runAndSelect(ws, cmd.addTask(title.trim(), { parentId: row.id })) : true,
      );
    }
    case 'addPlan': {
      const flow = tui.getState().flows.get(row.flowId);
      setExpanded(tui, row.flowId, true);
      return openInput(ws, `New plan in "${shown(flow?.name ?? row.flowId)}"`, '', (title) =>
        title.trim() ? runAndSelect(ws, cmd.addPlan(title.trim(), row.flowId)) : true,
      );
    }
    case 'editTitle': {
      const object = objectOf(tui.getState(), row);
      if (!object) return;
      const old = String(object[row.kind === 'flow' ? 'name' : 'title'] ?? '');
      const command = (v: string) =>
        row.kind === 'flow' ? cmd.renameFlow(row.id, v, old)
        : row.kind === 'plan' ? cmd.setPlan(row.id, { title: v }, { title: old })
        : cmd.setTask(row.id, { title: v }, { title: old });
      return openInput(ws, `${row.kind === 'flow' ? 'Name' : 'Title'} of ${row.kind}`, old, (v) =>
        v.trim() && v.trim() !== old ? runDone(ws, command(v.trim()), base) : true,
      );
    }
    case 'editNotes':
    case 'externalEdit': {
      if (row.kind === 'flow') return setMessage(tui, 'Flows have no notes; n edits a task’s notes or a plan’s summary', 'warning');
      const object = objectOf(tui.getState(), row);
      if (!object) return;
      const name = row.kind === 'task' ? 'notes' : 'summary';
      const old = String(object[name] ?? '');
      const save = (value: string) =>
        value === old ? true : runDone(ws, row.kind === 'task' ? cmd.setTask(row.id, { notes: value }, { notes: old }) : cmd.setPlan(row.id, { summary: value }, { summary: old }), base);
      const label = `${row.kind === 'task' ? 'Notes' : 'Summary'} of "${shown(row.title)}"`;
      if (action === 'editNotes') {
        tui.setState({ focus: 'editor', editor: { label, field: field(old), original: old, save, asking: false } });
        return;
      }
      const result = editExternally(old, `${row.id}-${name}`, ws.suspend);
      if (!result.ok) return setMessage(tui, result.error, 'error');
      if (result.text === old) return setMessage(tui, `${label}: unchanged`);
      void save(result.text);
      return;
    }
    case 'delete':
      return confirmDelete(ws, row);
    case 'documents':
      return openDocumentList(ws, row);
    case 'noteDecision':
      return noteDecision(ws, row);
    case 'moveDown':
    case 'moveUp':
      return unsaved(ws, reorder(ws, row, action === 'moveDown' ? 1 : -1));
    case 'indent':
    case 'outdent':
      return changeLevel(ws, row, action);
    case 'moveToPlan':
      return pickPlanFor(ws, row);
  }
}

/**
 * A change relative to the first task's value now (the next status, the next priority):
 * built when its turn comes, so two quick presses move two steps.
 */
function fromLead(ws: Workspace, ids: string[], build: (lead: Task) => cmd.TuiCommand | cmd.TuiCommand[], quiet = false): Promise<unknown> {
  return run(ws, {
    quiet,
    command: () => {
      const lead = findTask(ws.tui.getState(), ids[0]);
      return lead ? build(lead.task) : undefined;
    },
  });
}

/** Runs a command for an input; the input closes when it worked. */
async function runDone(ws: Workspace, command: cmd.TuiCommand, baseRevision: number): Promise<boolean> {
  return (await ws.controller.execute({ command, baseRevision })) !== undefined;
}

function setStatus(ws: Workspace, ids: string[], status: TaskStatus): void {
  void run(ws, { command: () => (ids.length === 1 ? cmd.setTask(ids[0], { status }) : cmd.setStatuses(ids, status)) });
}

/** J/K: swap a task with its neighbour, or a plan with the plan beside it. */
function reorder(ws: Workspace, row: Row, delta: 1 | -1): Promise<unknown> | undefined {
  if (row.kind === 'flow') {
    setMessage(ws.tui, 'J/K move tasks and plans', 'warning');
    return undefined;
  }
  return run(ws, {
    quiet: true,
    command: () => {
      const state = ws.tui.getState();
      if (row.kind === 'plan') {
        const plans = findPlan(state, row.id)?.flow.plans ?? [];
        const i = plans.findIndex((p) => p.id === row.id);
        const other = plans[i + delta];
        return other ? cmd.movePlan(row.id, delta > 0 ? { after: other.id } : { before: other.id }) : undefined;
      }
      const place = findTask(state, row.id, row.flowId, row.planId);
      const i = place?.siblings.findIndex((t) => t.id === row.id) ?? -1;
      const other = place?.siblings[i + delta];
      return other ? cmd.moveTask(row.id, delta > 0 ? { after: other.id } : { before: other.id }) : undefined;
    },
  });
}

/**
 * >: under the task above (its last subtask); <: out of its parent, right after it.
 * Worked out when its turn comes, so `>>` or `<<` typed quickly go two levels.
 */
function changeLevel(ws: Workspace, row: Row, action: 'indent' | 'outdent'): void {
  if (row.kind !== 'task') return setMessage(ws.tui, '> and < move tasks in and out a level', 'warning');
  const at = messageClock();
  void run(ws, {
    quiet: true,
    command: () => {
      const place = findTask(ws.tui.getState(), row.id, row.flowId, row.planId);
      if (!place) return undefined;
      if (action === 'indent') {
        const above = place.siblings[place.siblings.findIndex((t) => t.id === row.id) - 1];
        if (!above) return void setMessage(ws.tui, 'No task above at this level to go under', 'warning', at);
        setExpanded(ws.tui, above.id, true);
        return cmd.moveTask(row.id, { parentId: above.id });
      }
      const parent = place.parent;
      if (!parent) return void setMessage(ws.tui, 'Already at the top level of its plan', 'warning', at);
      const grand = findTask(ws.tui.getState(), parent.id, row.flowId, row.planId)?.parent;
      return cmd.moveTask(row.id, grand ? { parentId: grand.id, after: parent.id } : { planId: place.plan.id, after: parent.id });
    },
  });
}

function pickFlow(ws: Workspace): void {
  const state = ws.tui.getState();
  const items = state.order.flatMap((id) => {
    const flow = state.flows.get(id);
    return flow ? [{ id, label: shown(flow.name), hint: id }] : [];
  });
  openPicker(ws, 'Switch flow', items, async ([id]) => {
    if (!id) return;
    const output = await run(ws, { command: cmd.useFlow(id) });
    if (output) {
      setExpanded(ws.tui, id, true);
      ws.tui.setState({ cursor: id, view: 'tree' });
    }
  }, { at: state.scope.flowId ?? undefined });
}

/** m: another plan for the task (or the selection), chosen by title; every flow's plans. */
function pickPlanFor(ws: Workspace, row: Row): void {
  const ids = targetTasks(ws, row);
  if (!ids.length) return setMessage(ws.tui, 'm moves tasks to another plan', 'warning');
  const state = ws.tui.getState();
  const items: PickerItem[] = [];
  // The plans of the task's own flow first: that is where tasks usually go.
  for (const flowId of [row.flowId, ...state.order.filter((id) => id !== row.flowId)]) {
    const flow = state.flows.get(flowId);
    for (const plan of flow?.plans ?? []) {
      if (plan.id !== row.planId) items.push({ id: plan.id, label: shown(plan.title), hint: `${shown(flow?.name ?? '')} · ${plan.id}` });
    }
  }
  if (!items.length) return setMessage(ws.tui, 'There is no other plan: A adds one', 'warning');
  const what = ids.length > 1 ? `${ids.length} tasks` : `"${shown(row.title)}"`;
  openPicker(ws, `Move ${what} to plan`, items, ([planId]) => {
    if (!planId) return;
    const at = messageClock();
    void run(ws, { command: ids.map((id) => cmd.moveTask(id, { planId })), quiet: ids.length > 1 }).then((output) => {
      if (!output || ids.length === 1) return;
      const plan = findPlan(ws.tui.getState(), planId)?.plan;
      setMessage(ws.tui, `Moved ${ids.length} tasks to plan "${shown(plan?.title ?? planId)}"`, 'success', at);
      ws.tui.setState({ selection: new Set() });
    });
  });
}

/** D: the task's dependencies among the tasks of its flow; a cycle is refused. */
function pickDependencies(ws: Workspace, row: Row): void {
  if (row.kind !== 'task') return setMessage(ws.tui, 'D picks the dependencies of a task', 'warning');
  const state = ws.tui.getState();
  const flow = state.flows.get(row.flowId);
  const task = taskOf(state, row);
  if (!flow || !task) return;
  const items: PickerItem[] = [];
  for (const plan of flow.plans) {
    for (const { task: other } of walkTasks(plan.tasks)) {
      if (other.id !== task.id) items.push({ id: other.id, label: shown(other.title), hint: `${shown(plan.title)} · ${other.id}` });
    }
  }
  if (!items.length) return setMessage(ws.tui, 'No other task in this flow to depend on', 'warning');
  openPicker(
    ws,
    `"${shown(task.title)}" depends on (Tab marks, Enter saves)`,
    items,
    (ids) => {
      // Dependencies are mostly in the task's own flow; others are looked up in the rest.
      const inFlow = new Map(flow.plans.flatMap((p) => [...walkTasks(p.tasks)].map(({ task: t }) => [t.id, t] as const)));
      const cycle = dependencyCycle(task.id, ids, (id) => inFlow.get(id) ?? findTask(ws.tui.getState(), id)?.task);
      if (cycle) return setMessage(ws.tui, `Not saved: ${cycleMessage(cycle)}`, 'error');
      const same = ids.length === task.depends_on.length && ids.every((id) => task.depends_on.includes(id));
      if (!same) void run(ws, { command: cmd.setTask(task.id, { depends_on: ids }, { depends_on: task.depends_on }) });
    },
    { multi: true, marked: task.depends_on },
  );
}

function countSubtasks(task: Task): number {
  let n = 0;
  for (const _ of walkTasks(task.subtasks)) n++;
  return n;
}


/** d: asks, naming what goes with it (subtasks, tasks, plans). */
function confirmDelete(ws: Workspace, row: Row): void {
  const { tui } = ws;
  const state = tui.getState();
  const base = state.revision;
  const answer = (job: Job) => (yes: boolean) => {
    if (!yes) return;
    void run(ws, { ...job, baseRevision: base }).then(() => {
      const selection = new Set([...tui.getState().selection].filter((id) => findTask(tui.getState(), id)));
      tui.setState({ selection });
    });
  };
  const ids = targetTasks(ws, row);
  if (ids.length) {
    const tasks = ids.flatMap((id) => findTask(state, id)?.task ?? []);
    const subtasks = tasks.reduce((n, t) => n + countSubtasks(t), 0);
    const question = tasks.length === 1 ? `Delete task "${shown(tasks[0].title)}"` : `Delete ${tasks.length} tasks`;
    const details = tasks.length > 1 ? tasks.slice(0, 5).map((t) => `  ${shown(t.title)}`) : [];
    if (tasks.length > 5) details.push(`  … and ${tasks.length - 5} more`);
    const withSubs = subtasks ? ` and ${counted(subtasks, 'subtask')}` : '';
    return ask(tui, `${question}${withSubs}?`, details, answer({ command: cmd.removeTasks(ids) }));
  }
  if (row.kind === 'plan') {
    const plan = findPlan(state, row.id)?.plan;
    const total = plan ? countTasks(plan).total : 0;
    const docs = documentLines(state, [row.id]);
    return ask(tui, `Delete plan "${shown(row.title)}"${total ? ` and its ${counted(total, 'task')}` : ''}${docs.count}?`, docs.lines, answer({ command: cmd.removeContainer('plan', row.id) }));
  }
  const flow = state.flows.get(row.id);
  // A flow whose line is still being read: the question could not say what goes with it.
  if (!flow) return setMessage(tui, `"${shown(row.title)}" is still being read: delete it once it is in`, 'warning');
  const plans = flow.plans.length;
  const tasks = flow.plans.reduce((n, p) => n + countTasks(p).total, 0);
  const docs = documentLines(state, flow.plans.map((p) => p.id));
  ask(tui, `Delete flow "${shown(row.title)}" with its ${counted(plans, 'plan')} and ${counted(tasks, 'task')}${docs.count}?`, docs.lines, answer({ command: cmd.removeContainer('flow', row.id) }));
}

/** The documents that go with deleting plans, for the question: named, at most five. */
function documentLines(state: TuiState, planIds: readonly string[]): { count: string; lines: string[] } {
  const going = documentsGoing(state.documents, planIds, (id) => findPlan(state, id) !== undefined);
  if (!going.length) return { count: '', lines: [] };
  const lines = going.slice(0, 5).map(({ entry, last }) => `  document "${shown(entry.name)}"${last ? ' (no other plan has it: gc doc removes it later)' : ' (stays: another plan has it)'}`);
  if (going.length > 5) lines.push(`  … and ${going.length - 5} more`);
  return { count: ` and the ${counted(going.length, 'document')} it references`, lines };
}

// ---- The board ----

/** Back to the tree, on the card that was selected (if any: an empty column has none). */
function leaveBoard(ws: Workspace): void {
  const cursor = ws.tui.getState().board.cursor;
  ws.tui.setState({ view: 'tree' });
  if (cursor) {
    reveal(ws.tui, cursor);
    if (selectRows(ws.tui.getState()).indexOf.has(cursor)) ws.tui.setState({ cursor });
  }
}

function openBoard(ws: Workspace, row: Row): void {
  if (!row.planId) return setMessage(ws.tui, 'Move to a plan (or a task in it) to see its board', 'warning');
  const cursor = row.kind === 'task' ? row.id : null;
  ws.tui.setState({ view: 'board', board: { flowId: row.flowId, planId: row.planId, cursor, column: 0, index: 0 } });
}

/** The board's keys that move its cursor or its cards. */
const BOARD_MOVES: ReadonlySet<Action> = new Set(['down', 'up', 'top', 'bottom', 'columnLeft', 'columnRight', 'cardLeft', 'cardRight']);

/** Keys with a meaning of their own on the board; false lets the tree's meaning apply. */
function performOnBoard(action: Action, ws: Workspace): boolean {
  if (!boardPlan(ws)) return true;
  // b and Esc need no card under the cursor: they leave from an empty column too.
  if (action === 'board') {
    leaveBoard(ws);
    return true;
  }
  if (!BOARD_MOVES.has(action)) return false;
  unsaved(ws, moveOnBoard(action, ws));
  return true;
}

/** The board's plan; when it is gone, the tree again (with a word why). */
function boardPlan(ws: Workspace): Plan | undefined {
  const { tui } = ws;
  const state = tui.getState();
  const plan = state.board.planId ? findPlan(state, state.board.planId)?.plan : undefined;
  if (!plan && state.view === 'board') {
    tui.setState({ view: 'tree' });
    setMessage(tui, 'The board’s plan is gone', 'warning');
  }
  return plan;
}

/** One move on the board, from where its cursor and cards are now; a card move's save. */
function moveOnBoard(action: Action, ws: Workspace): Promise<unknown> | undefined {
  const { tui } = ws;
  const plan = boardPlan(ws);
  if (!plan) return undefined;
  const state = tui.getState();
  const columns = boardColumns(plan);
  const at = boardPosition(columns, state.board);
  const go = (column: number, index: number) => {
    const cards = columns[column];
    const i = Math.max(0, Math.min(cards.length - 1, index));
    tui.setState({ board: { ...state.board, column, index: i, cursor: cards[i]?.task.id ?? null } });
  };
  switch (action) {
    case 'down':
      go(at.column, at.index + 1);
      return undefined;
    case 'up':
      go(at.column, at.index - 1);
      return undefined;
    case 'top':
      go(at.column, 0);
      return undefined;
    case 'bottom':
      go(at.column, columns[at.column].length - 1);
      return undefined;
    case 'columnLeft':
    case 'columnRight': {
      const column = Math.max(0, Math.min(columns.length - 1, at.column + (action === 'columnLeft' ? -1 : 1)));
      go(column, at.index);
      return undefined;
    }
    case 'cardLeft':
    case 'cardRight': {
      const card = columns[at.column][at.index];
      if (!card) {
        setMessage(tui, 'No card here to move', 'warning');
        return undefined;
      }
      const ids = state.selection.size ? [...state.selection] : [card.task.id];
      // From the column the card is in when its turn comes: h h moves two columns.
      return fromLead(ws, [card.task.id, ...ids.filter((id) => id !== card.task.id)], (lead) => {
        const status = BOARD_COLUMNS[BOARD_COLUMNS.indexOf(lead.status) + (action === 'cardLeft' ? -1 : 1)];
        if (!status) return [];
        return ids.length === 1 ? cmd.setTask(lead.id, { status }, { status: lead.status }) : cmd.setStatuses(ids, status);
      }, true);
    }
  }
  return undefined;
}
