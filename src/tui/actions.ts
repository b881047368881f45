// What the tree's keys do. Every change to data is a /flow command line run through the
// controller (and so the command bus), carrying the revision the person was looking at.
import { quoteWord } from '../commands/tokenize.js';
import type { Task } from '../domain/schema.js';
import { nextStatus } from '../domain/tree.js';
import type { Action } from './keys.js';
import type { Row } from './rows.js';
import {
  collapseOrParent,
  expandOrChild,
  moveCursor,
  selectRows,
  setExpanded,
  setMessage,
  type Focus,
  type TuiStore,
} from './state.js';
import type { Controller } from './controller.js';

export interface ActionContext {
  tui: TuiStore;
  controller: Controller;
  /** Rows the tree shows at once (for page up/down). */
  pageSize: number;
  quit(): void;
}

export function currentRow(tui: TuiStore): Row | undefined {
  const state = tui.getState();
  const { rows, indexOf } = selectRows(state);
  return state.cursor ? rows[indexOf.get(state.cursor) ?? -1] : undefined;
}

function findTask(tui: TuiStore, row: Row): Task | undefined {
  const plan = tui.getState().flows.get(row.flowId)?.plans.find((p) => p.id === row.planId);
  const search = (tasks: readonly Task[]): Task | undefined => {
    for (const task of tasks) {
      if (task.id === row.id) return task;
      const found = search(task.subtasks);
      if (found) return found;
    }
    return undefined;
  };
  return plan ? search(plan.tasks) : undefined;
}

/** The object under a row, for prefilling edits. */
export function objectOf(tui: TuiStore, row: Row): Record<string, unknown> | undefined {
  const flow = tui.getState().flows.get(row.flowId);
  if (!flow) return undefined;
  if (row.kind === 'flow') return flow;
  if (row.kind === 'plan') return flow.plans.find((p) => p.id === row.id);
  return findTask(tui, row);
}

/** Siblings of a task row (its parent's subtasks or its plan's tasks). */
function siblings(tui: TuiStore, row: Row): readonly Task[] {
  const plan = tui.getState().flows.get(row.flowId)?.plans.find((p) => p.id === row.planId);
  if (!plan) return [];
  if (!row.parentId) return plan.tasks;
  const parent = findTask(tui, { ...row, id: row.parentId });
  return parent?.subtasks ?? [];
}

const q = quoteWord;

function openInput(
  ctx: ActionContext,
  label: string,
  value: string,
  command: (value: string) => string | undefined,
): void {
  ctx.tui.setState({
    focus: 'input',
    input: { label, value, command, baseRevision: ctx.tui.getState().revision },
  });
}

/** Runs a command and selects what it created, if anything. */
export async function runAndSelect(ctx: ActionContext, line: string, baseRevision?: number): Promise<boolean> {
  const output = await ctx.controller.run(line, { baseRevision });
  const created = output?.json as { id?: string } | undefined;
  if (created?.id && ctx.tui.getState().flows.size) {
    const row = selectRows(ctx.tui.getState()).indexOf.has(created.id);
    if (row) ctx.tui.setState({ cursor: created.id });
  }
  return output !== undefined;
}

/** Keys that only move the focus: to a panel, the prompt, or back to the tree. */
const OPENS: Partial<Record<Action, Focus>> = {
  help: 'help',
  prompt: 'prompt',
  search: 'search',
  switchFlow: 'flows',
  snapshots: 'snapshots',
  cancel: 'tree',
};

export function perform(action: Action, ctx: ActionContext): void {
  const { tui } = ctx;
  const row = currentRow(tui);
  switch (action) {
    case 'down':
      return moveCursor(tui, 1);
    case 'up':
      return moveCursor(tui, -1);
    case 'pageDown':
      return moveCursor(tui, ctx.pageSize);
    case 'pageUp':
      return moveCursor(tui, -ctx.pageSize);
    case 'top':
      return moveCursor(tui, 'top');
    case 'bottom':
      return moveCursor(tui, 'bottom');
    case 'collapse':
      return collapseOrParent(tui);
    case 'expand':
      return expandOrChild(tui);
    case 'toggle':
      if (row?.expandable) setExpanded(tui, row.id, !row.expanded);
      return;
    case 'undo':
      void ctx.controller.run('undo');
      return;
    case 'redo':
      void ctx.controller.run('redo');
      return;
    case 'quit':
      return ctx.quit();
  }
  const focus = OPENS[action];
  if (focus) {
    tui.setState({ focus });
    return;
  }
  if (!row) {
    if (action === 'addPlan' || action === 'addTask') {
      setMessage(tui, 'No flow yet: add one with :add flow NAME', 'warning');
    }
    return;
  }
  const base = tui.getState().revision;
  switch (action) {
    case 'cycleStatus': {
      if (row.kind !== 'task' || !row.status) return setMessage(tui, 'Space cycles the status of a task', 'warning');
      void ctx.controller.run(`set task ${row.id} --status ${nextStatus(row.status)} --expect status=${row.status}`, { baseRevision: base });
      return;
    }
    case 'addTask': {
      const planId = row.planId;
      if (!planId) return setMessage(tui, 'Move to a plan (or a task in it) to add a task; A adds a plan', 'warning');
      const plan = tui.getState().flows.get(row.flowId)?.plans.find((p) => p.id === planId);
      if (row.kind === 'plan') setExpanded(tui, planId, true);
      return openInput(ctx, `New task in "${plan?.title ?? planId}"`, '', (title) =>
        title.trim() ? `add task ${q(title.trim())} --plan ${planId}` : undefined,
      );
    }
    case 'addPlan': {
      const flow = tui.getState().flows.get(row.flowId);
      setExpanded(tui, row.flowId, true);
      return openInput(ctx, `New plan in "${flow?.name ?? row.flowId}"`, '', (title) =>
        title.trim() ? `add plan ${q(title.trim())} --flow ${row.flowId}` : undefined,
      );
    }
    case 'editTitle': {
      const object = objectOf(tui, row);
      if (!object) return;
      const field = row.kind === 'flow' ? 'name' : 'title';
      const old = String(object[field] ?? '');
      const command =
        row.kind === 'flow'
          ? (v: string) => `rename flow ${row.id} ${q(v)} --expect ${q(`name=${old}`)}`
          : (v: string) => `set ${row.kind} ${row.id} --title ${q(v)} --expect ${q(`title=${old}`)}`;
      return openInput(ctx, `${row.kind === 'flow' ? 'Name' : 'Title'} of ${row.kind}`, old, (v) =>
        v.trim() && v !== old ? command(v.trim()) : undefined,
      );
    }
    case 'editNotes': {
      if (row.kind === 'flow') return setMessage(tui, 'Flows have no notes; n edits a task’s notes or a plan’s summary', 'warning');
      const object = objectOf(tui, row);
      if (!object) return;
      const field = row.kind === 'task' ? 'notes' : 'summary';
      const old = String(object[field] ?? '');
      return openInput(ctx, row.kind === 'task' ? 'Notes' : 'Summary', old, (v) =>
        v === old ? undefined : `set ${row.kind} ${row.id} --${field} ${q(v)} --expect ${q(`${field}=${old}`)}`,
      );
    }
    case 'delete': {
      const yes = row.kind === 'task' ? '' : ' --yes';
      const what = row.kind === 'task' ? 'task' : row.kind === 'plan' ? 'plan and all its tasks' : 'flow with all its plans and tasks';
      tui.setState({
        focus: 'confirm',
        confirm: { question: `Delete ${what}: "${row.title}"?`, command: `rm ${row.kind} ${row.id}${yes}`, baseRevision: base },
      });
      return;
    }
    case 'moveDown':
    case 'moveUp': {
      if (row.kind !== 'task') return setMessage(tui, 'J/K move tasks', 'warning');
      const list = siblings(tui, row);
      const i = list.findIndex((t) => t.id === row.id);
      const j = action === 'moveDown' ? i + 1 : i - 1;
      if (i < 0 || j < 0 || j >= list.length) return;
      const where = action === 'moveDown' ? `--after ${list[j].id}` : `--before ${list[j].id}`;
      void ctx.controller.run(`move task ${row.id} ${where}`, { baseRevision: base });
      return;
    }
  }
}
