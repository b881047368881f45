// Rows of the command table for tasks.
import * as z from 'zod/mini';
import { FlowError } from '../../domain/errors.js';
import { PRIORITIES, TASK_STATUSES, type Task, type TaskStatus } from '../../domain/schema.js';
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
import { checkExpectations, expectations, flag, list, oneOf, optionalText, refs, text } from '../args.js';
import type { Env } from '../env.js';
import type { Output } from '../output.js';
import { numberedTasks, requirePlanScope, resolvePlan, resolveSeen, resolveTask, scopeFlow, scopePlan } from '../refs.js';
import { showTask, STATUS_GLYPH, taskLine } from '../render.js';
import type { CommandSpec, FlagSpec } from '../spec.js';

const TASK_REF = { name: 'ref', description: 'task id, id prefix or list number', required: true, complete: 'task' } as const;
const TASK_REFS = { ...TASK_REF, variadic: true } as const;

const planFlag: FlagSpec = { type: 'string', placeholder: 'REF', description: 'the plan (default: the session scope)', complete: 'plan' };

function taskJson(location: TaskLocation): Record<string, unknown> {
  return { ...location.task, plan_id: location.plan.id, flow_id: location.flow.id, parent_id: location.parent?.id ?? null };
}

function taskOutput(location: TaskLocation, message: string): Output {
  return { json: location.task, human: () => message, message };
}

/** Resolves a task reference where the command runs (a transaction or a read view). */
function findTask(view: StoreView, env: Env, ref: string, plan?: string): TaskLocation {
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

/** Dependencies by reference; list numbers count in `plan`, the plan the task is in. */
function dependencies(view: StoreView, plan: PlanLocation, list: readonly string[] | undefined, self?: string): string[] | undefined {
  if (!list) return undefined;
  return list.map((ref) => {
    const id = resolveTask(view, ref, plan).task.id;
    if (id === self) throw new FlowError('invalid', 'a task cannot depend on itself');
    return id;
  });
}

const addTask: CommandSpec<{
  title: string;
  plan?: string;
  parent?: string;
  priority?: (typeof PRIORITIES)[number];
  status?: TaskStatus;
  tag?: string[];
  depends?: string[];
  notes?: string;
}> = {
  verb: 'add',
  noun: 'task',
  summary: 'add a task to a plan (or under a task with --parent)',
  positionals: [{ name: 'title', description: 'the task title (quotes optional)', required: true, variadic: true }],
  flags: {
    plan: planFlag,
    parent: { type: 'string', placeholder: 'REF', description: 'add as a subtask of this task', complete: 'task' },
    priority: { type: 'string', values: PRIORITIES, placeholder: 'P', description: 'low, medium (default) or high' },
    status: { type: 'string', values: TASK_STATUSES, placeholder: 'S', description: 'initial status (default todo)' },
    tag: { type: 'list', placeholder: 'TAG', description: 'a tag (repeat or comma-separate)' },
    depends: { type: 'list', placeholder: 'REF', description: 'tasks this one depends on', complete: 'task' },
    notes: { type: 'string', placeholder: 'TEXT', description: 'free text notes' },
  },
  args: z.object({
    title: text(),
    plan: optionalText(),
    parent: optionalText(),
    priority: oneOf(PRIORITIES),
    status: oneOf(TASK_STATUSES),
    tag: list(),
    depends: list(),
    notes: optionalText(),
  }),
  examples: ['flow add task "Write tests" --priority high --tag storage', 'flow add task Fix lock --parent 2'],
  writes: true,
  async run(args, env) {
    const commit = await env.transact((tx) => {
      const parent = args.parent ? findTask(tx, env, args.parent, args.plan) : undefined;
      const plan = parent ? (tx.index.get(parent.plan.id) as PlanLocation) : requirePlanScope(tx, env, args.plan);
      const task = createTask({
        title: args.title,
        priority: args.priority,
        status: args.status,
        tags: args.tag,
        notes: args.notes,
        depends_on: dependencies(tx, plan, args.depends),
      });
      if (parent) return insertTask(tx.index, { parentId: parent.task.id }, task);
      return insertTask(tx.index, { planId: plan.plan.id }, task);
    });
    const location = commit.value;
    return taskOutput(
      location,
      `Added task ${location.task.id} "${location.task.title}" to ${location.parent ? `task ${location.parent.id}` : `plan "${location.plan.title}"`}`,
    );
  },
};

const listTask: CommandSpec<{ plan?: string; status?: string[]; tag?: string[]; all?: boolean }> = {
  verb: 'list',
  noun: 'task',
  summary: 'list the tasks of the current plan, numbered for use as references',
  flags: {
    plan: planFlag,
    status: { type: 'list', values: TASK_STATUSES, placeholder: 'S', description: 'only these statuses' },
    tag: { type: 'list', placeholder: 'TAG', description: 'only tasks with one of these tags' },
    all: { type: 'boolean', description: 'every plan of the current flow' },
  },
  args: z.object({
    plan: optionalText(),
    status: z.optional(z.array(z.enum(TASK_STATUSES))),
    tag: list(),
    all: flag(),
  }),
  async run(args, env) {
    const view = await env.read();
    const plans = args.all
      ? (scopeFlow(view, env)?.plans ?? []).map((p) => view.index.get(p.id) as PlanLocation)
      : [requirePlanScope(view, env, args.plan)];
    const keep = (task: Task) =>
      (!args.status || args.status.includes(task.status)) &&
      (!args.tag || task.tags.some((t) => args.tag?.includes(t)));
    const rows = plans.map((plan) => ({
      plan,
      tasks: numberedTasks(plan.plan).filter((entry) => keep(entry.task)),
    }));
    const json = rows.flatMap(({ plan, tasks }) =>
      tasks.map(({ task, depth, number }) => {
        const { subtasks: _subtasks, ...fields } = task;
        const location = view.index.get(task.id) as TaskLocation;
        return { number, depth, ...fields, plan_id: plan.plan.id, parent_id: location.parent?.id ?? null, subtask_count: task.subtasks.length };
      }),
    );
    return {
      json,
      human: (style) =>
        rows
          .map(({ plan, tasks }) => {
            const head = style.paint('heading', `${plan.plan.title}`) + `  ${style.paint('id', plan.plan.id)}`;
            const body = tasks.length
              ? tasks.map(({ task, depth, number }) => taskLine(style, task, depth, number)).join('\n')
              : style.paint('muted', '  (no tasks)');
            return `${head}\n${body}`;
          })
          .join('\n\n'),
      message: `${json.length} task${json.length === 1 ? '' : 's'}`,
    };
  },
};

const showTaskSpec: CommandSpec<{ ref: string; plan?: string }> = {
  verb: 'show',
  noun: 'task',
  summary: 'show every field of a task',
  positionals: [TASK_REF],
  flags: { plan: planFlag },
  args: z.object({ ref: z.string(), plan: optionalText() }),
  async run(args, env) {
    const view = await env.read();
    const location = findTask(view, env, args.ref, args.plan);
    return {
      json: taskJson(location),
      human: (style) => showTask(style, location.task, location),
      message: `${STATUS_GLYPH[location.task.status]} ${location.task.title} (${location.task.id})`,
    };
  },
};

const setTask: CommandSpec<{
  ref: string;
  plan?: string;
  title?: string;
  status?: TaskStatus;
  priority?: (typeof PRIORITIES)[number];
  notes?: string;
  tag?: string[];
  depends?: string[];
  expect?: string[];
}> = {
  verb: 'set',
  noun: 'task',
  summary: 'change fields of a task',
  positionals: [TASK_REF],
  flags: {
    plan: planFlag,
    title: { type: 'string', placeholder: 'TEXT', description: 'new title' },
    status: { type: 'string', values: TASK_STATUSES, placeholder: 'S', description: 'new status' },
    priority: { type: 'string', values: PRIORITIES, placeholder: 'P', description: 'new priority' },
    notes: { type: 'string', placeholder: 'TEXT', description: 'new notes (replaces)' },
    tag: { type: 'list', placeholder: 'TAG', description: 'new tags (replaces; --tag "" clears)' },
    depends: { type: 'list', placeholder: 'REF', description: 'new dependencies (replaces)', complete: 'task' },
    expect: { type: 'multi', placeholder: 'FIELD=VALUE', description: 'only change if FIELD still has VALUE (else exit 3)' },
  },
  args: z.object({
    ref: z.string(),
    plan: optionalText(),
    title: z.optional(z.string().check(z.minLength(1, 'must not be empty'))),
    status: oneOf(TASK_STATUSES),
    priority: oneOf(PRIORITIES),
    notes: optionalText(),
    tag: list(),
    depends: list(),
    expect: expectations(),
  }),
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
      if (args.tag !== undefined) task.tags = args.tag;
      const deps = dependencies(tx, tx.index.get(location.plan.id) as PlanLocation, args.depends, task.id);
      if (deps !== undefined) task.depends_on = deps;
      touch(task);
      return location;
    });
    return taskOutput(commit.value, `Updated task ${commit.value.task.id} "${commit.value.task.title}"`);
  },
};

function statusVerb(verb: string, status: TaskStatus, summary: string): CommandSpec<{ ref: string[]; plan?: string }> {
  return {
    verb,
    noun: 'task',
    summary,
    positionals: [TASK_REFS],
    flags: { plan: planFlag },
    args: z.object({ ref: refs(), plan: optionalText() }),
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
      const message = tasks.map((l) => `${STATUS_GLYPH[status]} ${l.task.title} (${l.task.id}) → ${status}`).join('\n');
      return { json: tasks.length === 1 ? tasks[0].task : tasks.map((l) => l.task), human: () => message, message };
    },
  };
}

const moveTaskSpec: CommandSpec<{
  ref: string;
  plan?: string;
  'to-plan'?: string;
  parent?: string;
  before?: string;
  after?: string;
  top?: boolean;
}> = {
  verb: 'move',
  noun: 'task',
  summary: 'move a task to another plan, under another task, or among its siblings',
  positionals: [TASK_REF],
  flags: {
    plan: planFlag,
    'to-plan': { type: 'string', placeholder: 'REF', description: 'move into this plan (top level)', complete: 'plan' },
    parent: { type: 'string', placeholder: 'REF', description: 'move under this task', complete: 'task' },
    before: { type: 'string', placeholder: 'REF', description: 'place before this sibling', complete: 'task' },
    after: { type: 'string', placeholder: 'REF', description: 'place after this sibling', complete: 'task' },
    top: { type: 'boolean', description: 'place first among its siblings' },
  },
  args: z.object({
    ref: z.string(),
    plan: optionalText(),
    'to-plan': optionalText(),
    parent: optionalText(),
    before: optionalText(),
    after: optionalText(),
    top: flag(),
  }),
  writes: true,
  async run(args, env) {
    if (args['to-plan'] && args.parent) throw new FlowError('invalid', 'give --to-plan or --parent, not both');
    if (args.before && args.after) throw new FlowError('invalid', 'give --before or --after, not both');
    const commit = await env.transact((tx) => {
      const location = findTask(tx, env, args.ref, args.plan);
      const flow = scopeFlow(tx, env);
      const target: { planId: string } | { parentId: string } | 'same' = args.parent
        ? { parentId: findTask(tx, env, args.parent, args.plan).task.id }
        : args['to-plan']
          ? { planId: resolvePlan(tx, args['to-plan'], flow).plan.id }
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
        const ref = sibling;
        const id = resolveSeen(tx, env, 'task', ref, () => resolveTask(tx, ref, plan)).task.id;
        position = { at: args.before ? 'before' : 'after', sibling: id };
      }
      if (target === 'same' && !sibling && !args.top) {
        throw new FlowError('invalid', 'say where to: --to-plan, --parent, --before, --after or --top');
      }
      return moveTask(tx.index, location.task.id, target, position);
    });
    const location = commit.value;
    const where = location.parent ? `under task ${location.parent.id}` : `in plan "${location.plan.title}"`;
    return taskOutput(location, `Moved task ${location.task.id} "${location.task.title}" ${where}`);
  },
};

const rmTask: CommandSpec<{ ref: string[]; plan?: string }> = {
  verb: 'rm',
  noun: 'task',
  summary: 'delete tasks (with their subtasks)',
  positionals: [TASK_REFS],
  flags: { plan: planFlag },
  args: z.object({ ref: refs(), plan: optionalText() }),
  writes: true,
  async run(args, env) {
    const commit = await env.transact((tx) => {
      const targets = args.ref.map((ref) => findTask(tx, env, ref, args.plan).task.id);
      // A task listed after its own parent went with the parent.
      return targets.flatMap((id) => (tx.index.has(id) ? [removeTask(tx.index, id)] : []));
    });
    const removed = commit.value;
    const message = removed.map((t) => `Deleted task ${t.id} "${t.title}"`).join('\n');
    return { json: removed.length === 1 ? removed[0] : removed, human: () => message, message };
  },
};

export const TASK_COMMANDS: CommandSpec<never>[] = [
  addTask,
  listTask,
  showTaskSpec,
  setTask,
  statusVerb('done', 'done', 'mark tasks done'),
  statusVerb('start', 'in_progress', 'mark tasks in progress'),
  statusVerb('block', 'blocked', 'mark tasks blocked'),
  statusVerb('cancel', 'cancelled', 'mark tasks cancelled'),
  moveTaskSpec,
  rmTask,
] as unknown as CommandSpec<never>[];
