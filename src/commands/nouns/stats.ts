// flow stats: what the store holds and what it costs to use (issue 15: counts, sizes on
// disk, this load, the last save, peak memory, save latency over the last saves).
import * as z from 'zod/mini';
import { walkTasks } from '../../domain/tree.js';
import { clockMs, storeFigures, type StoreFigures } from '../../store/metrics.js';
import { defineCommand } from '../define.js';
import { byteSize } from '../render.js';
import { counted } from '../../domain/counted.js';

const ms = (value: number | null) => (value === null ? '–' : `${value.toFixed(1)} ms`);

const stats = defineCommand({
  verb: 'stats',
  summary: 'counts, sizes on disk, load and save times, memory, and save latency (p50/p95) over the last saves',
  details:
    'Loading the whole store is measured here (the figure is this load). Save latencies come\n' +
    'from .flow/cache/saves.jsonl, which every save appends to (the last 1,000 or so are kept).',
  args: () => z.object({}),
  argv: {},
  async run(_args, env) {
    const started = clockMs();
    const view = await env.read();
    const flows = view.allFlows();
    const loadMs = clockMs() - started;
    let plans = 0;
    let tasks = 0;
    for (const flow of flows) {
      plans += flow.plans.length;
      for (const plan of flow.plans) for (const _ of walkTasks(plan.tasks)) tasks++;
    }
    const figures = storeFigures(env.dir);
    const json = {
      revision: view.revision,
      counts: { flows: flows.length, plans, tasks },
      bytes: figures.bytes,
      load_ms: Math.round(loadMs * 10) / 10,
      last_save: figures.lastSave,
      saves: figures.saves,
      peak_rss_bytes: process.resourceUsage().maxRSS * 1024,
    };
    const lines = statsLines({
      revision: view.revision,
      counts: [counted(flows.length, 'flow'), counted(plans, 'plan'), counted(tasks, 'task')].join(', '),
      figures,
      load: `${ms(loadMs)} (the whole store, just now)`,
      peak: `${byteSize(json.peak_rss_bytes)} (this command)`,
    });
    return { json, human: () => lines.join('\n'), message: lines[0] };
  },
});

/** The lines `flow stats` prints; the TUI's help shows the same for its own process. */
export function statsLines(input: { revision: number; counts: string; figures: StoreFigures; load: string; peak: string }): string[] {
  const { bytes, saves, lastSave } = input.figures;
  return [
    `revision ${input.revision}: ${input.counts}`,
    `on disk   flows.json ${byteSize(bytes.flows)}, snapshots ${byteSize(bytes.snapshots)}, undo ${byteSize(bytes.undo)}, cache ${byteSize(bytes.cache)}`,
    `load      ${input.load}`,
    `last save ${lastSave ? `${ms(lastSave.ms)} (revision ${lastSave.revision}, ${lastSave.at})` : '–'}`,
    `saves     p50 ${ms(saves.p50)}, p95 ${ms(saves.p95)} over the last ${saves.count}${saves.damaged ? ` (${saves.damaged} damaged lines of the log skipped)` : ''}`,
    `memory    peak ${input.peak}`,
  ];
}

export const STATS_COMMANDS = [stats] as const;
