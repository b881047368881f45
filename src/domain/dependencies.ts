// Dependencies must not go round in a circle: a task that (through others) depends on
// itself could never start. One check for every writer: `add task` and `set task`
// refuse a cycle, and the TUI's dependency picker refuses it before anything is sent.
// Pure: the caller says how to find a task (the TUI from its tree, a command from the
// store, loading only the flows the chain passes through).
import { oneLine } from './sanitize.js';
import type { Task } from './schema.js';

/**
 * The circle that giving `taskId` the dependencies `deps` would close, as the tasks
 * along it (starting and ending with the task), or undefined when there is none.
 * Dependencies on tasks `find` does not know end there (a dangling id closes nothing).
 */
export function dependencyCycle(taskId: string, deps: readonly string[], find: (id: string) => Task | undefined): Task[] | undefined {
  const edges = (id: string): readonly string[] => (id === taskId ? deps : (find(id)?.depends_on ?? []));
  // Depth-first from the task along "depends on"; reaching it again is the circle.
  // Iterative, so a long chain written by another program cannot overflow the stack.
  const seen = new Set<string>();
  const path: Array<{ id: string; next: number }> = [{ id: taskId, next: 0 }];
  while (path.length) {
    const top = path[path.length - 1];
    const out = edges(top.id);
    if (top.next >= out.length) {
      path.pop();
      continue;
    }
    const next = out[top.next++];
    if (next === taskId) {
      const ids = [...path.map((p) => p.id), taskId];
      return ids.flatMap((id) => find(id) ?? []);
    }
    if (seen.has(next)) continue;
    seen.add(next);
    path.push({ id: next, next: 0 });
  }
  return undefined;
}

/** What a refusal says: the tasks along the circle by title. */
export function cycleMessage(cycle: readonly Task[]): string {
  if (cycle.length <= 2) return `a task cannot depend on itself ("${oneLine(cycle[0]?.title ?? '')}")`;
  return `that makes a dependency cycle (${cycle.map((t) => `"${oneLine(t.title)}"`).join(' → ')})`;
}
