// The tree as the list of rows a person can see: flows, then (when expanded) their
// plans, tasks and subtasks. Pure. Only rows are computed here; the view renders the
// handful that fit on screen, so a 100k-task tree costs one pass per change, not per key.
import type { Flow, Plan, Priority, Task, TaskStatus } from '../domain/schema.js';
import { countTasks } from '../domain/tree.js';
import { isEmpty, parseQuery, taskMatches, titleMatches, type Query } from './filter.js';

export interface Row {
  id: string;
  kind: 'flow' | 'plan' | 'task';
  depth: number;
  title: string;
  flowId: string;
  planId: string | null;
  parentId: string | null;
  expandable: boolean;
  expanded: boolean;
  status?: TaskStatus;
  planStatus?: string;
  priority?: Priority;
  tags?: readonly string[];
  /** done/total for plans and flows. */
  done?: number;
  total?: number;
  /** The number prompt commands take for it (tasks of the scope plan, plans of the scope flow). */
  number?: number;
  /** Digits of the plan's highest task number, to line the titles up. */
  numberWidth?: number;
  /** Documents the plan references. */
  docs?: number;
}

export interface RowModel {
  rows: Row[];
  indexOf: Map<string, number>;
}

/** True when the task or anything under it matches. */
function subtreeMatches(task: Task, query: Query): boolean {
  return taskMatches(task, query) || task.subtasks.some((t) => subtreeMatches(t, query));
}

function planMatches(plan: Plan, query: Query): boolean {
  return titleMatches(plan.title, query) || plan.tasks.some((t) => subtreeMatches(t, query));
}

function subtreeSize(tasks: readonly Task[]): number {
  let n = 0;
  for (const task of tasks) n += 1 + subtreeSize(task.subtasks);
  return n;
}

// Flows in the TUI's state are never changed in place (a change replaces the flow), so
// their counts can be remembered by object across rebuilds of the rows.
const countsOf = new WeakMap<Flow, Array<{ done: number; total: number }>>();

export function planCountsOf(flow: Flow): Array<{ done: number; total: number }> {
  let counts = countsOf.get(flow);
  if (!counts) {
    counts = flow.plans.map(countTasks);
    countsOf.set(flow, counts);
  }
  return counts;
}

/**
 * Names and counts of flows not parsed yet (the first screen at start, from a byte scan):
 * their rows until they are, closed, with their counts.
 */
export interface PendingFlows {
  indexOf: ReadonlyMap<string, number>;
  names: ReadonlyArray<string | null>;
  /** plans, done, total: three numbers a flow. */
  counts: Int32Array;
}

/** Where list numbers apply: the session's flow and plan. */
export interface NumberScope {
  flowId: string | null;
  planId: string | null;
}

/** What the rows are built from. */
export interface RowInputs {
  flows: ReadonlyMap<string, Flow>;
  order: readonly string[];
  expanded: ReadonlySet<string>;
  filter?: string;
  numbers?: NumberScope;
  docCount?: (planId: string) => number;
  pending?: PendingFlows;
}

/**
 * Builds the visible rows. With a filter, only matching objects and their ancestors are
 * shown, everything on the way expanded, so a search finds tasks in collapsed flows too.
 */
export function buildRows(
  flows: ReadonlyMap<string, Flow>,
  order: readonly string[],
  expanded: ReadonlySet<string>,
  filter = '',
  numbers: NumberScope = { flowId: null, planId: null },
  docCount: (planId: string) => number = () => 0,
  pending?: PendingFlows,
): RowModel {
  const builder = rowBuilder({ flows, order, expanded, filter, numbers, docCount, pending }, Infinity);
  for (;;) {
    const step = builder.next();
    if (step.done) return step.value;
  }
}

/**
 * buildRows a slice at a time: pauses (yields) after every `slice` flows, so that a
 * caller can build the 100k rows of a big store between keys instead of in one go.
 */
export function* rowBuilder(inputs: RowInputs, slice: number): Generator<void, RowModel> {
  const { flows, order, expanded, filter = '', numbers = { flowId: null, planId: null }, docCount = () => 0, pending } = inputs;
  const rows: Row[] = [];
  const query = parseQuery(filter);
  const filtering = !isEmpty(query);
  const pushTasks = (tasks: readonly Task[], depth: number, flowId: string, planId: string, parentId: string | null, counter?: { n: number; width: number }) => {
    for (const task of tasks) {
      const number = counter ? ++counter.n : undefined;
      if (filtering && !subtreeMatches(task, query)) {
        if (counter) counter.n += subtreeSize(task.subtasks);
        continue;
      }
      const open = filtering ? task.subtasks.length > 0 : expanded.has(task.id);
      rows.push({
        id: task.id,
        kind: 'task',
        depth,
        title: task.title,
        flowId,
        planId,
        parentId,
        expandable: task.subtasks.length > 0,
        expanded: open,
        status: task.status,
        priority: task.priority,
        tags: task.tags,
        number,
        numberWidth: counter?.width,
      });
      if (open) pushTasks(task.subtasks, depth + 1, flowId, planId, task.id, counter);
      else if (counter) counter.n += subtreeSize(task.subtasks);
    }
  };
  let taken = 0;
  for (const id of order) {
    if (++taken % slice === 0) yield;
    const flow = flows.get(id);
    if (!flow) {
      const at = pending?.indexOf.get(id);
      const name = at === undefined ? null : pending?.names[at];
      // A filter looks inside flows: one not read yet cannot be said to match.
      if (pending && at !== undefined && name && !filtering) {
        const c = pending.counts;
        rows.push({ id, kind: 'flow', depth: 0, title: name, flowId: id, planId: null, parentId: null, expandable: c[at * 3] > 0, expanded: false, done: c[at * 3 + 1], total: c[at * 3 + 2] });
      }
      continue;
    }
    const flowTitle = filtering && titleMatches(flow.name, query);
    if (filtering && !flowTitle && !flow.plans.some((p) => planMatches(p, query))) continue;
    const flowOpen = filtering ? true : expanded.has(flow.id);
    const planCounts = planCountsOf(flow);
    let done = 0;
    let total = 0;
    for (const c of planCounts) {
      done += c.done;
      total += c.total;
    }
    rows.push({
      id: flow.id,
      kind: 'flow',
      depth: 0,
      title: flow.name,
      flowId: flow.id,
      planId: null,
      parentId: null,
      expandable: flow.plans.length > 0,
      expanded: flowOpen,
      done,
      total,
    });
    if (!flowOpen) continue;
    flow.plans.forEach((plan, i) => {
      if (filtering && !flowTitle && !planMatches(plan, query)) return;
      const open = filtering ? true : expanded.has(plan.id);
      rows.push({
        id: plan.id,
        kind: 'plan',
        depth: 1,
        title: plan.title,
        flowId: flow.id,
        planId: plan.id,
        parentId: flow.id,
        expandable: plan.tasks.length > 0,
        expanded: open,
        planStatus: plan.status,
        done: planCounts[i].done,
        total: planCounts[i].total,
        number: flow.id === numbers.flowId ? i + 1 : undefined,
        docs: docCount(plan.id),
      });
      const numbered = plan.id === numbers.planId ? { n: 0, width: String(planCounts[i].total).length } : undefined;
      if (open) pushTasks(plan.tasks, 2, flow.id, plan.id, null, numbered);
    });
  }
  const indexOf = new Map<string, number>();
  for (let i = 0; i < rows.length; i++) {
    if ((i + 1) % slice === 0) yield;
    indexOf.set(rows[i].id, i);
  }
  return { rows, indexOf };
}
