// Commands for tasks.
import * as z from 'zod/mini';
import { dependencyCycle, cycleMessage } from '../../domain/dependencies.js';
import { FlowError, InvalidOperationError } from '../../domain/errors.js';
import { oneLine } from '../../domain/sanitize.js';
import { prioritySchema, taskStatusSchema, type Task, type TaskStatus } from '../../domain/schema.js';
import {
  createTask,
  insertTask,
  moveTask,
  removeTask,
  setTaskStatus,
  touch,
  type PlanLocation,
  type Position,
  type TaskLocation,
} from '../../domain/tree.js';
import type { StoreView } from '../../store/state.js';
import { checkExpectations, expectations, ref, refs, text } from '../args.js';
import { defineCommand, type ArgSpec } from '../define.js';
import type { Env } from '../env.js';
import { listing, PAGING } from '../list.js';
import type { Output } from '../output.js';
import { numberedTasks, requirePlanScope, resolvePlan, resolveSeen, resolveTask, scopeFlow, scopePlan } from '../refs.js';
import { quoted, showTask, STATUS_GLYPH, taskLine } from '../render.js';
import { documentLines, documentsOf } from './doc-lib.js';

const TASK_REF: ArgSpec = { description: 'task id, id prefix or list number' };
const PLAN: ArgSpec = { description: 'the plan (default: the session scope)' };
const EXPECT: ArgSpec = { description: 'only change if FIELD still has VALUE (else exit 3)' };

export function taskJson(location: TaskLocation): Record<string, unknown> {
  return { ...location.task, plan_id: location.plan.id, flow_id: location.flow.id, parent_id: location.parent?.id ?? null };
}

function taskOutput(location: TaskLocation, message: string): Output {
  return { json: location.task, human: () => message, message };
}

/** Resolves a task reference where the command runs (a transaction or a read view). */
export function findTask(view: StoreView, env: Env, ref: string, plan?: string): TaskLocation {
  return resolveSeen(view, env, 'task', ref, () =>
    resolveTask(view, ref, plan ? resolvePlan(view, plan, scopeFlow(view, env)) : safeScopePlan(view, env)),
  );
}

/** The scope plan for numbering, or undefined when there is none (ids still work). */
function safeScopePlan(view: StoreView, env: Env) {
  try {
    return scopePlan(view, env);
  } catch {
    return undefined;
  }
}

/**
 * Dependencies by reference; list numbers count in `plan`, the plan the task is in. A
 * list that would close a circle through `self` is refused (exit 1).
 */
function dependencies(view: StoreView, plan: PlanLocation, list: readonly string[] | undefined, self: string): string[] | undefined {
  if (!list) return undefined;
  const ids = list.map((ref) => resolveTask(view, ref, plan).task.id);
  // Following the chain loads only the flows it passes through.
  const cycle = dependencyCycle(self, ids, (id) => {
    const found = view.locate(id);
    return found?.kind === 'task' ? found.task : undefined;
  });
  if (cycle) throw new InvalidOperationError(`${cycleMessage(cycle)}; nothing was changed`);
  return ids;
}

const addTask = defineCommand({
  verb: 'add',
  noun: 'task',
  summary: 'add a task to a plan (or under a task with --parent)',
  args: () => z.object({
    title: text(),
    plan: z.optional(ref('plan')),
    parent: z.optional(ref('task')),
    priority: z.optional(prioritySchema()),
    status: z.optional(taskStatusSchema()),
    tags: z.optional(z.array(z.string())),
    depends_on: z.optional(z.array(ref('task'))),
    notes: z.optional(z.string()),
  }),
  positionals: ['title'],
  argv: {
    title: { description: 'the task title (quotes optional)', rest: true },
    plan: PLAN,
    parent: { description: 'add as a subtask of this task' },
    priority: { placeholder: 'P', description: 'low, medium (default) or high' },
    status: { placeholder: 'S', description: 'initial status (default todo)' },
    tags: { flag: 'tag', placeholder: 'TAG', description: 'a tag (repeat or comma-separate)' },
    depends_on: { flag: 'depends', description: 'tasks this one depends on' },
    notes: { description: 'free text notes' },
  },
  examples: ['flow add task "Write tests" --priority high --tag storage', 'flow add task Fix lock --parent 2'],
  writes: true,
  async run(args, env) {
    const commit = await env.transact((tx) => {
      const parent = args.parent ? findTask(tx, env, args.parent, args.plan) : undefined;
      const plan = parent ? (tx.index.get(parent.plan.id) as PlanLocation) : requirePlanScope(tx, env, args.plan);
      const task = createTask({ title: args.title, priority: args.priority, status: args.status, tags: args.tags, notes: args.notes });
      task.depends_on = dependencies(tx, plan, args.depends_on, task.id) ?? [];
      if (parent) return insertTask(tx.index, { parentId: parent.task.id }, task);
      return insertTask(tx.index, { planId: plan.plan.id }, task);
    });
    const location = commit.value;
    const where = location.parent ? `task ${location.parent.id}` : `plan ${quoted(location.plan.title)}`;
    return taskOutput(location, `Added task ${location.task.id} ${quoted(location.task.title)} to ${where}`);
  },
});

const TASK_LIST = listing('task', [
  'number', 'depth', 'id', 'title', 'status', 'priority', 'notes', 'tags', 'depends_on', 'created', 'updated',
  'claimed_by', 'claim_expires', 'plan_id', 'parent_id', 'subtask_count',
]);

const listTask = defineCommand({
  verb: 'list',
  noun: 'task',
  summary: 'list the tasks of the current plan, numbered for use as references',
  args: () => z.object({
    plan: z.optional(ref('plan')),
    status: z.optional(z.array(taskStatusSchema())),
    tags: z.optional(z.array(z.string())),
    all: z.optional(z.boolean()),
    ...PAGING,
  }),
  argv: {
    plan: PLAN,
    status: { placeholder: 'S', description: 'only these statuses' },
    tags: { flag: 'tag', placeholder: 'TAG', description: 'only tasks with one of these tags' },
    all: { description: 'every plan of the current flow' },
    ...TASK_LIST.argv,
  },
  examples: ['flow list task --status todo,blocked', 'flow list task --fields number,title --limit 20'],
  async run(args, env) {
    const view = await env.read();
    const plans = args.all
      ? (scopeFlow(view, env)?.plans ?? []).map((p) => view.index.get(p.id) as PlanLocation)
      : [requirePlanScope(view, env, args.plan)];
    const keep = (task: Task) =>
      (!args.status || args.status.includes(task.status)) && (!args.tags || task.tags.some((t) => args.tags?.includes(t)));
    const rows = plans.flatMap((plan) =>
      numberedTasks(plan.plan)
        .filter((entry) => keep(entry.task))
        .map(({ task, depth, number }) => {
          const { subtasks: _subtasks, ...fields } = task;
          const location = view.index.get(task.id) as TaskLocation;
          return { number, depth, ...fields, plan_id: plan.plan.id, parent_id: location.parent?.id ?? null, subtask_count: task.subtasks.length };
        }),
    );
    return TASK_LIST.output(args, rows, (style, shown) =>
      plans
        // A page shows the plans it has rows of; the whole list shows every plan, empty ones too.
        .filter((plan) => shown.length === rows.length || shown.some((row) => row.plan_id === plan.plan.id))
        .map((plan) => {
          const head = style.paint('heading', oneLine(plan.plan.title)) + `  ${style.paint('id', plan.plan.id)}`;
          const mine = shown.filter((row) => row.plan_id === plan.plan.id);
          const body = mine.length
            ? mine.map((row) => taskLine(style, row, row.depth, row.number)).join('\n')
            : style.paint('muted', '  (no tasks)');
          return `${head}\n${body}`;
        })
        .join('\n\n'),
      plans.length === 1 ? `(no tasks in plan ${quoted(plans[0].plan.title)} yet)` : '(no tasks)',
    );
  },
});

const showTaskCommand = defineCommand({
  verb: 'show',
  noun: 'task',
  summary: 'show every field of a task',
  args: () => z.object({ ref: ref('task'), plan: z.optional(ref('plan')) }),
  positionals: ['ref'],
  argv: { ref: TASK_REF, plan: PLAN },
  async run(args, env) {
    const view = await env.read();
    const location = findTask(view, env, args.ref, args.plan);
    const documents = await documentsOf(env, view, location.plan.id, location.task.id);
    return {
      json: { ...taskJson(location), documents },
      human: (style) => showTask(style, location.task, location, documentLines(style, documents)),
      message: `${STATUS_GLYPH[location.task.status]} ${oneLine(location.task.title)} (${location.task.id})`,
    };
  },
});

const setTask = defineCommand({
  verb: 'set',
  noun: 'task',
  summary: 'change fields of a task',
  args: () => z.object({
    ref: ref('task'),
    plan: z.optional(ref('plan')),
    title: z.optional(text()),
    status: z.optional(taskStatusSchema()),
    priority: z.optional(prioritySchema()),
    notes: z.optional(z.string()),
    tags: z.optional(z.array(z.string())),
    depends_on: z.optional(z.array(ref('task'))),
    expect: expectations(),
  }),
  positionals: ['ref'],
  argv: {
    ref: TASK_REF,
    plan: PLAN,
    title: { description: 'new title' },
    status: { placeholder: 'S', description: 'new status' },
    priority: { placeholder: 'P', description: 'new priority' },
    notes: { description: 'new notes (replaces)' },
    tags: { flag: 'tag', placeholder: 'TAG', description: 'new tags (replaces; --tag "" clears)' },
    depends_on: { flag: 'depends', description: 'new dependencies (replaces)' },
    expect: EXPECT,
  },
  examples: ['flow set task 3 --status blocked --notes "waiting for review"', 'flow set task task_ab12 --title New --expect title=Old'],
  writes: true,
  async run(args, env) {
    const commit = await env.transact((tx) => {
      const location = findTask(tx, env, args.ref, args.plan);
      const { task } = location;
      checkExpectations('task', task, args.expect);
      if (args.title !== undefined) task.title = args.title;
      if (args.status !== undefined) task.status = args.status;
      if (args.priority !== undefined) task.priority = args.priority;
      if (args.notes !== undefined) task.notes = args.notes;
      if (args.tags !== undefined) task.tags = args.tags;
      const deps = dependencies(tx, tx.index.get(location.plan.id) as PlanLocation, args.depends_on, task.id);
      if (deps !== undefined) task.depends_on = deps;
      touch(task);
      return location;
    });
    return taskOutput(commit.value, `Updated task ${commit.value.task.id} ${quoted(commit.value.task.title)}`);
  },
});

function statusVerb<V extends string>(verb: V, status: TaskStatus, summary: string) {
  return defineCommand({
    verb,
    noun: 'task',
    summary,
    args: () => z.object({ ref: refs('task'), plan: z.optional(ref('plan')) }),
    positionals: ['ref'],
    argv: { ref: TASK_REF, plan: PLAN },
    writes: true,
    async run(args, env) {
      const commit = await env.transact((tx) =>
        args.ref.map((ref) => {
          const location = findTask(tx, env, ref, args.plan);
          setTaskStatus(tx.index, location.task.id, status);
          return location;
        }),
      );
      const tasks = commit.value;
      const message = tasks.map((l) => `${STATUS_GLYPH[status]} ${oneLine(l.task.title)} (${l.task.id}) → ${status}`).join('\n');
      return { json: tasks.length === 1 ? tasks[0].task : tasks.map((l) => l.task), human: () => message, message };
    },
  });
}

const moveTaskCommand = defineCommand({
  verb: 'move',
  noun: 'task',
  summary: 'move a task to another plan, under another task, or among its siblings',
  args: () => z.object({
    ref: ref('task'),
    plan: z.optional(ref('plan')),
    to_plan: z.optional(ref('plan')),
    parent: z.optional(ref('task')),
    before: z.optional(ref('task')),
    after: z.optional(ref('task')),
    top: z.optional(z.boolean()),
  }),
  positionals: ['ref'],
  argv: {
    ref: TASK_REF,
    plan: PLAN,
    to_plan: { description: 'move into this plan (top level)' },
    parent: { description: 'move under this task' },
    before: { description: 'place before this sibling' },
    after: { description: 'place after this sibling' },
    top: { description: 'place first among its siblings' },
  },
  writes: true,
  async run(args, env) {
    if (args.to_plan && args.parent) throw new FlowError('invalid', 'give --to-plan or --parent, not both');
    if (args.before && args.after) throw new FlowError('invalid', 'give --before or --after, not both');
    const commit = await env.transact((tx) => {
      const location = findTask(tx, env, args.ref, args.plan);
      const flow = scopeFlow(tx, env);
      const target: { planId: string } | { parentId: string } | 'same' = args.parent
        ? { parentId: findTask(tx, env, args.parent, args.plan).task.id }
        : args.to_plan
          ? { planId: resolvePlan(tx, args.to_plan, flow).plan.id }
          : ('same' as const);
      const sibling = args.before ?? args.after;
      // A sibling's list number counts in the plan the task goes to.
      const destination =
        target === 'same'
          ? location.plan.id
          : 'planId' in target
            ? target.planId
            : (tx.index.get(target.parentId) as TaskLocation).plan.id;
      let position: Position = args.top ? { at: 'start' } : { at: 'end' };
      if (sibling) {
        const plan = tx.index.get(destination) as PlanLocation;
        const id = resolveSeen(tx, env, 'task', sibling, () => resolveTask(tx, sibling, plan)).task.id;
        position = { at: args.before ? 'before' : 'after', sibling: id };
      }
      if (target === 'same' && !sibling && !args.top) {
        throw new FlowError('invalid', 'say where to: --to-plan, --parent, --before, --after or --top');
      }
      return moveTask(tx.index, location.task.id, target, position);
    });
    const location = commit.value;
    const where = location.parent ? `under task ${location.parent.id}` : `in plan ${quoted(location.plan.title)}`;
    return taskOutput(location, `Moved task ${location.task.id} ${quoted(location.task.title)} ${where}`);
  },
});

const rmTask = defineCommand({
  verb: 'rm',
  noun: 'task',
  summary: 'delete tasks (with their subtasks)',
  args: () => z.object({ ref: refs('task'), plan: z.optional(ref('plan')) }),
  positionals: ['ref'],
  argv: { ref: TASK_REF, plan: PLAN },
  writes: true,
  async run(args, env) {
    const commit = await env.transact((tx) => {
      const targets = args.ref.map((ref) => findTask(tx, env, ref, args.plan).task.id);
      // A task listed after its own parent went with the parent.
      return targets.flatMap((id) => (tx.index.has(id) ? [removeTask(tx.index, id)] : []));
    });
    const removed = commit.value;
    const message = removed.map((t) => `Deleted task ${t.id} ${quoted(t.title)}`).join('\n');
    return { json: removed.length === 1 ? removed[0] : removed, human: () => message, message };
  },
});

export const TASK_COMMANDS = [
  addTask,
  listTask,
  showTaskCommand,
  setTask,
  statusVerb('done', 'done', 'mark tasks done'),
  statusVerb('start', 'in_progress', 'mark tasks in progress'),
  statusVerb('block', 'blocked', 'mark tasks blocked'),
  statusVerb('cancel', 'cancelled', 'mark tasks cancelled'),
  moveTaskCommand,
  rmTask,
] as const;
