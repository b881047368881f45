// Pure operations on the flow → plan → task → subtask tree, with an id index so that
// any object is found in O(1). No I/O here: the store decides which flows are loaded.
import { InvalidOperationError, NotFoundError } from './errors.js';
import { newId } from './ids.js';
import { now } from './time.js';
import {
  flowTaskDepth,
  MAX_TASK_DEPTH,
  SchemaError,
  type Flow,
  type Plan,
  type PlanStatus,
  type Priority,
  type Task,
  type TaskStatus,
} from './schema.js';

export type Location =
  | { kind: 'flow'; flow: Flow }
  | { kind: 'plan'; flow: Flow; plan: Plan }
  | { kind: 'task'; flow: Flow; plan: Plan; task: Task; parent: Task | null };

export type TaskLocation = Extract<Location, { kind: 'task' }>;
export type PlanLocation = Extract<Location, { kind: 'plan' }>;

/** Id → location for every object of the flows it was given. */
export class TreeIndex {
  private readonly byId = new Map<string, Location>();

  constructor(flows: Iterable<Flow> = []) {
    for (const flow of flows) this.addFlow(flow);
  }

  get size(): number {
    return this.byId.size;
  }

  get(id: string): Location | undefined {
    return this.byId.get(id);
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  ids(): IterableIterator<string> {
    return this.byId.keys();
  }

  addFlow(flow: Flow): void {
    this.claim(flow.id, { kind: 'flow', flow });
    for (const plan of flow.plans) this.addPlan(flow, plan);
  }

  removeFlow(flow: Flow): void {
    this.byId.delete(flow.id);
    for (const plan of flow.plans) this.removePlan(plan);
  }

  addPlan(flow: Flow, plan: Plan): void {
    this.claim(plan.id, { kind: 'plan', flow, plan });
    for (const task of plan.tasks) this.addTask(flow, plan, task, null);
  }

  removePlan(plan: Plan): void {
    this.byId.delete(plan.id);
    for (const task of plan.tasks) this.removeTask(task);
  }

  addTask(flow: Flow, plan: Plan, task: Task, parent: Task | null): void {
    this.claim(task.id, { kind: 'task', flow, plan, task, parent });
    for (const sub of task.subtasks) this.addTask(flow, plan, sub, task);
  }

  removeTask(task: Task): void {
    this.byId.delete(task.id);
    for (const sub of task.subtasks) this.removeTask(sub);
  }

  private claim(id: string, location: Location): void {
    if (this.byId.has(id)) throw new SchemaError(`duplicate id ${JSON.stringify(id)}`, id);
    this.byId.set(id, location);
  }
}

export function createFlow(name: string, at = now()): Flow {
  return { id: newId('flow'), name, created: at, updated: at, plans: [] };
}

export interface PlanFields {
  title: string;
  status?: PlanStatus;
  summary?: string;
}

export function createPlan(fields: PlanFields, at = now()): Plan {
  return {
    id: newId('plan'),
    title: fields.title,
    status: fields.status ?? 'active',
    summary: fields.summary ?? '',
    created: at,
    updated: at,
    tasks: [],
  };
}

export interface TaskFields {
  title: string;
  status?: TaskStatus;
  priority?: Priority;
  notes?: string;
  tags?: string[];
  depends_on?: string[];
}

export function createTask(fields: TaskFields, at = now()): Task {
  return {
    id: newId('task'),
    title: fields.title,
    status: fields.status ?? 'todo',
    priority: fields.priority ?? 'medium',
    notes: fields.notes ?? '',
    tags: fields.tags ?? [],
    depends_on: fields.depends_on ?? [],
    created: at,
    updated: at,
    subtasks: [],
  };
}

/** Where an inserted or moved object goes among its siblings. */
export type Position =
  | { at: 'end' }
  | { at: 'start' }
  | { at: 'index'; index: number }
  | { at: 'before' | 'after'; sibling: string };

function insertAt<T extends { id: string }>(list: T[], item: T, position: Position): void {
  switch (position.at) {
    case 'end':
      list.push(item);
      return;
    case 'start':
      list.unshift(item);
      return;
    case 'index':
      list.splice(Math.max(0, Math.min(position.index, list.length)), 0, item);
      return;
    default: {
      const i = list.findIndex((x) => x.id === position.sibling);
      if (i < 0) {
        throw new InvalidOperationError(
          `${JSON.stringify(position.sibling)} is not a sibling at the target`,
        );
      }
      list.splice(position.at === 'before' ? i : i + 1, 0, item);
    }
  }
}

function removeFrom<T extends { id: string }>(list: T[], id: string): number {
  const i = list.findIndex((x) => x.id === id);
  if (i >= 0) list.splice(i, 1);
  return i;
}

export function touch(node: { updated?: string }, at = now()): void {
  node.updated = at;
}

export function insertPlan(
  index: TreeIndex,
  flow: Flow,
  plan: Plan,
  position: Position = { at: 'end' },
): void {
  insertAt(flow.plans, plan, position);
  index.addPlan(flow, plan);
  touch(flow, plan.updated);
}

/** Adds a task to a plan, or as a subtask when `parentId` names a task. */
export function insertTask(
  index: TreeIndex,
  target: { planId: string } | { parentId: string },
  task: Task,
  position: Position = { at: 'end' },
): TaskLocation {
  const at = task.updated ?? now();
  if ('parentId' in target) {
    const parent = requireTask(index, target.parentId);
    assertFitsUnder(index, parent.task.id, task);
    insertAt(parent.task.subtasks, task, position);
    index.addTask(parent.flow, parent.plan, task, parent.task);
    touch(parent.task, at);
    return index.get(task.id) as TaskLocation;
  }
  const plan = requirePlan(index, target.planId);
  insertAt(plan.plan.tasks, task, position);
  index.addTask(plan.flow, plan.plan, task, null);
  touch(plan.plan, at);
  return index.get(task.id) as TaskLocation;
}

/** Refuses to put `task` (with its subtasks) under `parentId` beyond MAX_TASK_DEPTH levels. */
function assertFitsUnder(index: TreeIndex, parentId: string, task: Task): void {
  const parentLevel = levelOf(index, parentId);
  const level = parentLevel + flowTaskDepth({ plans: [{ tasks: [task] }] }, MAX_TASK_DEPTH);
  if (level > MAX_TASK_DEPTH) {
    throw new InvalidOperationError(
      `tasks nest at most ${MAX_TASK_DEPTH} levels deep: under task ${parentId} (level ${parentLevel}) ` +
        `this would reach level ${level}`,
    );
  }
}

/** A task's level: 1 for a plan's own task, 2 for its subtask, … (walks up, no recursion). */
export function levelOf(index: TreeIndex, taskId: string): number {
  let level = 0;
  for (let at = index.get(taskId); at?.kind === 'task'; at = at.parent ? index.get(at.parent.id) : undefined) level++;
  return level;
}

export function requirePlan(index: TreeIndex, id: string): PlanLocation {
  const found = index.get(id);
  if (!found || found.kind !== 'plan') throw new NotFoundError('plan', id);
  return found;
}

export function requireTask(index: TreeIndex, id: string): TaskLocation {
  const found = index.get(id);
  if (!found || found.kind !== 'task') throw new NotFoundError('task', id);
  return found;
}

function siblingsOf(location: TaskLocation): Task[] {
  return location.parent ? location.parent.subtasks : location.plan.tasks;
}

export function removeTask(index: TreeIndex, id: string): Task {
  const found = requireTask(index, id);
  removeFrom(siblingsOf(found), id);
  index.removeTask(found.task);
  touch(found.parent ?? found.plan);
  return found.task;
}

export function removePlan(index: TreeIndex, id: string): Plan {
  const found = requirePlan(index, id);
  removeFrom(found.flow.plans, id);
  index.removePlan(found.plan);
  touch(found.flow);
  return found.plan;
}

function isWithin(index: TreeIndex, candidate: string, ancestor: string): boolean {
  for (let loc = index.get(candidate); loc && loc.kind === 'task'; ) {
    if (loc.task.id === ancestor) return true;
    loc = loc.parent ? index.get(loc.parent.id) : undefined;
  }
  return false;
}

/**
 * Moves a task (with its subtasks) to another plan or under another task, at a position
 * among its new siblings. Moving a task under itself or its own subtask is refused.
 */
export function moveTask(
  index: TreeIndex,
  id: string,
  target: { planId: string } | { parentId: string } | 'same',
  position: Position,
): TaskLocation {
  const found = requireTask(index, id);
  if (target !== 'same' && 'parentId' in target && isWithin(index, target.parentId, id)) {
    throw new InvalidOperationError('a task cannot be moved under itself or its own subtask');
  }
  const destination =
    target === 'same'
      ? found.parent
        ? { parentId: found.parent.id }
        : { planId: found.plan.id }
      : target;
  // Validate the destination before detaching anything, so a bad target changes nothing.
  if ('parentId' in destination) assertFitsUnder(index, requireTask(index, destination.parentId).task.id, found.task);
  else requirePlan(index, destination.planId);
  if ((position.at === 'before' || position.at === 'after') && position.sibling === id) {
    throw new InvalidOperationError('a task cannot be placed next to itself');
  }
  removeTask(index, id);
  return insertTask(index, destination, found.task, position);
}

export function movePlan(index: TreeIndex, id: string, flowId: string, position: Position): void {
  const found = requirePlan(index, id);
  const destination = index.get(flowId);
  if (!destination || destination.kind !== 'flow') throw new NotFoundError('flow', flowId);
  removePlan(index, id);
  insertPlan(index, destination.flow, found.plan, position);
}

export function setTaskStatus(index: TreeIndex, id: string, status: TaskStatus, at = now()): Task {
  const { task } = requireTask(index, id);
  task.status = status;
  touch(task, at);
  return task;
}

/** Status order used by "cycle status" in the TUI. */
export const STATUS_CYCLE: readonly TaskStatus[] = ['todo', 'in_progress', 'done'];

export function nextStatus(status: TaskStatus): TaskStatus {
  const i = STATUS_CYCLE.indexOf(status);
  return STATUS_CYCLE[(i + 1) % STATUS_CYCLE.length];
}

/** Visits every task of a plan depth-first, with its depth (0 = directly in the plan). */
export function* walkTasks(
  tasks: readonly Task[],
  depth = 0,
): Generator<{ task: Task; depth: number }> {
  for (const task of tasks) {
    yield { task, depth };
    yield* walkTasks(task.subtasks, depth + 1);
  }
}

export function countTasks(plan: Plan): { done: number; total: number } {
  // A plain recursion rather than walkTasks: the TUI counts every flow of a big store as
  // it is read, on the thread that draws the frames, and a generator costs several times more.
  const counts = { done: 0, total: 0 };
  const count = (tasks: readonly Task[]) => {
    for (const task of tasks) {
      counts.total++;
      if (task.status === 'done') counts.done++;
      count(task.subtasks);
    }
  };
  count(plan.tasks);
  return counts;
}

export interface FlowCounts {
  plans: number;
  done: number;
  /** Tasks at every level. */
  total: number;
}

export function flowCounts(flow: Flow): FlowCounts {
  let done = 0;
  let total = 0;
  for (const plan of flow.plans) {
    const c = countTasks(plan);
    done += c.done;
    total += c.total;
  }
  return { plans: flow.plans.length, done, total };
}

/** An object's own fields: everything but its children (plans, tasks or subtasks). */
export function ownFields(object: object): Record<string, unknown> {
  const { plans: _plans, tasks: _tasks, subtasks: _subtasks, ...fields } = object as Record<string, unknown>;
  return fields;
}

/** Adds a flow in a transaction and makes it the current one (the original API's rule). */
export function addFlowIn(tx: { addFlow(flow: Flow): void; setCurrentFlow(id: string): void }, name: string): Flow {
  const flow = createFlow(name);
  tx.addFlow(flow);
  tx.setCurrentFlow(flow.id);
  return flow;
}
