// Which tasks are ready for someone to take (DESIGN §6 "Agents"): to do, nothing they
// depend on still open, and nobody holding a live claim on them; and claims themselves.
// Pure: the caller says what status a dependency has (it may live in another flow) and
// what time it is.
import type { Priority, Task, TaskStatus } from './schema.js';
import { touch } from './tree.js';

/** A dependency that is done, cancelled (it will never be done) or gone holds nothing up. */
const SETTLED: ReadonlySet<TaskStatus | undefined> = new Set<TaskStatus | undefined>(['done', 'cancelled', undefined]);

const PRIORITY_RANK: Record<Priority, number> = { high: 0, medium: 1, low: 2 };

/** Status of the task with this id anywhere in the store; undefined when there is none. */
export type StatusOf = (id: string) => TaskStatus | undefined;

/** A claim holds while its expiry is in the future; one without a readable expiry has lapsed. */
export function liveClaim(task: Pick<Task, 'claimed_by' | 'claim_expires'>, nowMs: number): boolean {
  if (!task.claimed_by) return false;
  const expires = Date.parse(task.claim_expires ?? '');
  return Number.isFinite(expires) && expires > nowMs;
}

/** Dependencies of a task that are still open. */
export function openDependencies(task: Task, statusOf: StatusOf): string[] {
  return task.depends_on.filter((id) => !SETTLED.has(statusOf(id)));
}

/**
 * To do and unclaimed, or in progress under a claim that expired (its agent is gone);
 * and every dependency settled.
 */
export function isReady(task: Task, statusOf: StatusOf, nowMs: number): boolean {
  if (liveClaim(task, nowMs)) return false;
  const free = task.status === 'todo' || (task.status === 'in_progress' && !!task.claimed_by);
  return free && openDependencies(task, statusOf).length === 0;
}

/** Ready tasks by priority (high first), then in the order given (tree order). */
export function byPriority<T extends { task: Task }>(entries: readonly T[]): T[] {
  // Array.prototype.sort is stable: equal priorities keep their order.
  return [...entries].sort((a, b) => PRIORITY_RANK[a.task.priority] - PRIORITY_RANK[b.task.priority]);
}

/** Gives the task to an agent until `untilMs`: in progress, with the claim on it. */
export function claimFor(task: Task, agent: string, untilMs: number): void {
  task.status = 'in_progress';
  task.claimed_by = agent;
  task.claim_expires = new Date(untilMs).toISOString();
  touch(task);
}

/** Takes a claim off a task; one still in progress goes back to to do. False when there was none. */
export function releaseClaim(task: Task): boolean {
  if (task.claimed_by === undefined && task.claim_expires === undefined) return false;
  delete task.claimed_by;
  delete task.claim_expires;
  if (task.status === 'in_progress') task.status = 'todo';
  touch(task);
  return true;
}
