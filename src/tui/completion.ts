// What the prompt's Tab completion offers for references, from what the TUI has loaded.
import type { IdSource } from '../commands/complete.js';
import type { TuiState } from './state.js';

/** Completion candidates for ids of the kind asked for. */
export function idSource(state: TuiState): IdSource {
  return (kind, prefix) => {
    const out: string[] = [];
    const want = (id: string) => id.startsWith(prefix) && out.length < 200;
    for (const id of state.order) {
      const flow = state.flows.get(id);
      if (!flow) continue;
      if (kind === 'flow' && want(id)) out.push(id);
      for (const plan of flow.plans) {
        if (kind === 'plan' && want(plan.id)) out.push(plan.id);
        if (kind !== 'task') continue;
        const visit = (tasks: typeof plan.tasks) => {
          for (const t of tasks) {
            if (want(t.id)) out.push(t.id);
            visit(t.subtasks);
          }
        };
        visit(plan.tasks);
      }
      if (out.length >= 200) break;
    }
    return out;
  };
}
