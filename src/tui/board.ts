// The board: the tasks of one plan (subtasks included) in a column per status, in the
// plan's order. Pure; cached per plan object, which the state replaces on every change.
import { TASK_STATUSES, type Plan, type Task, type TaskStatus } from '../domain/schema.js';
import { walkTasks } from '../domain/tree.js';

export const BOARD_COLUMNS: readonly TaskStatus[] = TASK_STATUSES;

export interface Card {
  task: Task;
  /** The parent's title for a subtask. */
  parentTitle: string | null;
}

const cache = new WeakMap<Plan, Card[][]>();

export function boardColumns(plan: Plan): Card[][] {
  let columns = cache.get(plan);
  if (columns) return columns;
  columns = BOARD_COLUMNS.map(() => []);
  const parents = new Map<string, string>();
  for (const { task } of walkTasks(plan.tasks)) {
    for (const sub of task.subtasks) parents.set(sub.id, task.title);
    columns[BOARD_COLUMNS.indexOf(task.status)].push({ task, parentTitle: parents.get(task.id) ?? null });
  }
  cache.set(plan, columns);
  return columns;
}

/** The board's cursor: a card (by task id), with where it was to land near when it goes. */
export interface BoardCursor {
  flowId: string | null;
  planId: string | null;
  cursor: string | null;
  column: number;
  index: number;
}

/** The cursor's column and card index (-1 in an empty column). */
export function boardPosition(columns: Card[][], board: BoardCursor): { column: number; index: number } {
  if (board.cursor) {
    for (let c = 0; c < columns.length; c++) {
      const index = columns[c].findIndex((card) => card.task.id === board.cursor);
      if (index >= 0) return { column: c, index };
    }
  }
  const column = Math.max(0, Math.min(columns.length - 1, board.column));
  return { column, index: Math.min(board.index, columns[column].length - 1) };
}
