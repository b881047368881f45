// The tree as the list of rows a person can see: flows, then (when expanded) their
// plans, tasks and subtasks. Pure. Only rows are computed here; the view renders the
// handful that fit on screen, so a 100k-task tree costs one pass per change, not per key.
import type { Flow, Plan, Priority, Task, TaskStatus } from '../domain/schema.js';
import { countTasks } from '../domain/tree.js';

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
}

export interface RowModel {
  rows: Row[];
  indexOf: Map<string, number>;
}

function matches(text: string, needle: string): boolean {
  return text.toLowerCase().includes(needle);
}

function taskMatches(task: Task, needle: string): boolean {
  return matches(task.title, needle) || task.tags.some((t) => matches(t, needle)) || matches(task.id, needle);
}

/** True when the task or anything under it matches. */
function subtreeMatches(task: Task, needle: string): boolean {
  return taskMatches(task, needle) || task.subtasks.some((t) => subtreeMatches(t, needle));
}

function planMatches(plan: Plan, needle: string): boolean {
  return matches(plan.title, needle) || plan.tasks.some((t) => subtreeMatches(t, needle));
}

// Flows in the TUI's state are never changed in place (a change replaces the flow), so
// their counts can be remembered by object across rebuilds of the rows.
const countsOf = new WeakMap<Flow, Array<{ done: number; total: number }>>();

function planCountsOf(flow: Flow): Array<{ done: number; total: number }> {
  let counts = countsOf.get(flow);
  if (!counts) {
    counts = flow.plans.map(countTasks);
    countsOf.set(flow, counts);
  }
  return counts;
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
): RowModel {
  const rows: Row[] = [];
  const needle = filter.trim().toLowerCase();
  const pushTasks = (tasks: readonly Task[], depth: number, flowId: string, planId: string, parentId: string | null) => {
    for (const task of tasks) {
      if (needle && !subtreeMatches(task, needle)) continue;
      const open = needle ? task.subtasks.length > 0 : expanded.has(task.id);
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
      });
      if (open) pushTasks(task.subtasks, depth + 1, flowId, planId, task.id);
    }
  };
  for (const id of order) {
    const flow = flows.get(id);
    if (!flow) continue;
    if (needle && !matches(flow.name, needle) && !flow.plans.some((p) => planMatches(p, needle))) continue;
    const flowOpen = needle ? true : expanded.has(flow.id);
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
      if (needle && !matches(flow.name, needle) && !planMatches(plan, needle)) return;
      const open = needle ? true : expanded.has(plan.id);
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
      });
      if (open) pushTasks(plan.tasks, 2, flow.id, plan.id, null);
    });
  }
  const indexOf = new Map<string, number>();
  rows.forEach((row, i) => indexOf.set(row.id, i));
  return { rows, indexOf };
}
