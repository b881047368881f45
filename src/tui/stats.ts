// The store's figures in the help overlay (issue 15 item 6): what `flow stats` prints,
// for this workspace's process — its own load (and first screen), its peak memory —
// with counts from the tree it holds and sizes and save latencies from the files.
import { byteSize } from '../commands/render.js';
import { statsLines } from '../commands/nouns/stats.js';
import { oneLine } from '../domain/sanitize.js';
import { flowCounts } from '../domain/tree.js';
import { storeFigures } from '../store/metrics.js';
import type { Controller } from './controller.js';
import { counted } from '../domain/counted.js';

const ms = (value: number) => `${value.toFixed(1)} ms`;

export function workspaceStats(controller: Controller): string[] {
  const state = controller.tui.getState();
  let plans = 0;
  let tasks = 0;
  for (const flow of state.flows.values()) {
    const c = flowCounts(flow);
    plans += c.plans;
    tasks += c.total;
  }
  const documents = new Set([...state.documents.byPlan.values()].flat().map((d) => d.id)).size;
  let figures: ReturnType<typeof storeFigures>;
  try {
    figures = storeFigures(controller.bus.services.dir);
  } catch (err) {
    return [`figures unavailable: ${oneLine((err as Error).message)}`];
  }
  const { whole, firstScreen } = controller.loadTimes;
  const load = whole === null ? 'still reading' : `${ms(whole)} (the whole store, at start${firstScreen === null ? '' : `; first screen ${ms(firstScreen)}`})`;
  return statsLines({
    revision: state.revision,
    counts: [counted(state.flows.size, 'flow'), counted(plans, 'plan'), counted(tasks, 'task'), counted(documents, 'document')].join(', '),
    figures,
    load,
    peak: `${byteSize(process.resourceUsage().maxRSS * 1024)} (this workspace)`,
  });
}
