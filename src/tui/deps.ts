// Dependencies must not go round in a circle: a task that (through others) depends on
// itself could never start. Pure.
import type { Flow, Task } from '../domain/schema.js';
import { walkTasks } from '../domain/tree.js';

/**
 * The circle that giving `taskId` the dependencies `deps` would close, as the tasks
 * along it (starting and ending with the task), or undefined when there is none.
 */
export function wouldCycle(flow: Flow, taskId: string, deps: readonly string[]): Task[] | undefined {
  const tasks = new Map<string, Task>();
  for (const plan of flow.plans) for (const { task } of walkTasks(plan.tasks)) tasks.set(task.id, task);
  const edges = (id: string): readonly string[] => (id === taskId ? deps : (tasks.get(id)?.depends_on ?? []));
  // Depth-first from the task along "depends on"; reaching it again is the circle.
  const path: string[] = [taskId];
  const seen = new Set<string>();
  const visit = (id: string): boolean => {
    for (const next of edges(id)) {
      if (next === taskId) return true;
      if (seen.has(next)) continue;
      seen.add(next);
      path.push(next);
      if (visit(next)) return true;
      path.pop();
    }
    return false;
  };
  if (!visit(taskId)) return undefined;
  return [...path, taskId].flatMap((id) => tasks.get(id) ?? []);
}
