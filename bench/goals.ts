// The rows of issue 15's table, each measured next to its baseline in the same run, as
// medians with min–max of several runs: what a change or a command costs compared with
// what it is made of (add task, a bare JSON.parse, node -e 0, Taskwarrior).
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serialiseDocument } from '../src/store/layout.js';
import { bigPlanDocument, firstPlanId, generateDocument } from './fixtures.js';
import { median } from './stats.js';

export interface Stat {
  median: number;
  min: number;
  max: number;
}

export interface GoalRow {
  operation: string;
  size: string;
  value: Stat;
  baselineName: string;
  baseline: Stat;
  /** value ÷ baseline (medians); for Taskwarrior at 10k, flow's time above node -e 0 ÷ Taskwarrior's. */
  ratio: number;
  goal: string;
  met: boolean;
}

export function stat(values: readonly number[]): Stat {
  return { median: median(values), min: Math.min(...values), max: Math.max(...values) };
}

export interface GoalContext {
  /** bin/flow.js of the build measured. */
  flow: string;
  /** A fixture folder (.flow) with `flows` flows in the bench's small shape. */
  fixture: (flows: number) => { dir: string };
  /** Bare JSON.parse of a fixture's flows.json, in ms (a fresh process each). */
  parse: (dir: string) => number;
  runs: number;
  largest: number;
  undoSizes: number[];
  /** Taskwarrior's `task add` at these numbers of tasks, when installed. */
  taskwarrior?: Array<{ tasks: number; runs: number[] }>;
  /** TUI: tree shown at the largest size, when measured. */
  treeShown?: number;
}

/** Wall time of one run of a command, failing loudly. */
function wall(argv: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 600_000): number {
  const start = performance.now();
  // Output is not kept (a listing of 100k flows would overflow a captured buffer).
  const result = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', ...env }, timeout: timeoutMs, stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = performance.now() - start;
  if (result.error && (result.error as NodeJS.ErrnoException).code === 'ETIMEDOUT') return Number.POSITIVE_INFINITY;
  if (result.status !== 0) throw new Error(`${argv.join(' ')} failed: ${result.stderr}`);
  return ms;
}

function copyOf(fixture: string): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'flow-goals-')), '.flow');
  mkdirSync(dir, { recursive: true });
  cpSync(join(fixture, 'flows.json'), join(dir, 'flows.json'));
  return dir;
}

const row = (operation: string, size: string, value: number[], baselineName: string, baseline: number[], goal: number, strict = false): GoalRow => {
  const v = stat(value);
  const b = stat(baseline);
  const ratio = v.median / b.median;
  return { operation, size, value: v, baselineName, baseline: b, ratio, goal: `${strict ? '<' : '≤'} ${goal}×`, met: strict ? ratio < goal : ratio <= goal };
};

export function measureGoals(ctx: GoalContext): GoalRow[] {
  const flow = (dir: string, ...args: string[]) => [process.execPath, ctx.flow, '--dir', dir, ...args];
  const rows: GoalRow[] = [];
  const n = ctx.runs;

  // The largest store: snapshot after one change, rm plan (snapshot first), list flow.
  const big = ctx.fixture(ctx.largest).dir;
  const doc = generateDocument(ctx.largest);
  const work = copyOf(big);
  const plan = (k: number) => firstPlanId(doc, Math.floor(ctx.largest / 2) + k);
  let addTask: number[];
  let snapshotNext: number[];
  let rmPlan: number[];
  try {
    addTask = Array.from({ length: n }, (_, k) => wall(flow(work, 'add', 'task', 'bench task', '--plan', plan(k), '--quiet')));
    wall(flow(work, 'snapshot', 'create', '--quiet'));
    snapshotNext = Array.from({ length: n }, (_, k) => {
      wall(flow(work, 'add', 'task', 'bench change', '--plan', plan(n + k), '--quiet'));
      return wall(flow(work, 'snapshot', 'create', '--quiet'));
    });
    rmPlan = Array.from({ length: n }, (_, k) => wall(flow(work, 'rm', 'plan', plan(2 * n + k), '--yes', '--quiet')));
  } finally {
    rmSync(join(work, '..'), { recursive: true, force: true });
  }
  const listFlow = Array.from({ length: n }, () => wall(flow(big, 'list', 'flow')));
  const parse = Array.from({ length: n }, () => ctx.parse(big));
  const size = `${ctx.largest / 1000}k flows`;
  rows.push(row('snapshot create after one change', size, snapshotNext, 'add task', addTask, 3));
  rows.push(row('rm plan --yes (automatic snapshot first)', size, rmPlan, 'add task', addTask, 3));
  rows.push(row('list flow', size, listFlow, 'JSON.parse of the file', parse, 1));
  if (ctx.treeShown !== undefined) rows.push(row('TUI: tree visible', size, [ctx.treeShown], 'JSON.parse of the file', parse, 1));

  // Undo of one `done` in a plan of N tasks, next to that `done`.
  for (const tasks of ctx.undoSizes) {
    const dir = join(mkdtempSync(join(tmpdir(), 'flow-goals-undo-')), '.flow');
    mkdirSync(dir, { recursive: true });
    const { flows, ...header } = bigPlanDocument(tasks);
    writeFileSync(join(dir, 'flows.json'), serialiseDocument(header, Object.entries(flows)));
    const [only] = Object.values(flows);
    const done: number[] = [];
    const undo: number[] = [];
    try {
      for (let k = 0; k < n; k++) {
        const task = only.plans[0].tasks[Math.floor(tasks / 2) + k].id;
        done.push(wall(flow(dir, 'done', 'task', task, '--plan', only.plans[0].id, '--quiet'), { FLOW_SESSION: 'bench' }));
        // Bounded: the old undo was quadratic and could take minutes.
        undo.push(wall(flow(dir, 'undo', '--quiet'), { FLOW_SESSION: 'bench' }, 120_000));
        if (!Number.isFinite(undo[k])) break;
      }
    } finally {
      rmSync(join(dir, '..'), { recursive: true, force: true });
    }
    rows.push(row('undo of one done', `${tasks / 1000}k tasks in one plan`, undo, 'that done', done, 3));
  }

  // Start-up: a small store, next to node -e 0.
  const small = ctx.fixture(1000).dir;
  const smallWork = copyOf(small);
  const smallPlan = firstPlanId(generateDocument(1000), 500);
  // node -e 0 runs beside each pair, so a change in the machine's load moves both alike.
  const nodeSmall: number[] = [];
  const addSmall: number[] = [];
  const listSmall: number[] = [];
  for (let k = 0; k < 2 * n + 1; k++) {
    nodeSmall.push(wall([process.execPath, '-e', '0']));
    addSmall.push(wall(flow(smallWork, 'add', 'task', 'bench task', '--plan', smallPlan, '--quiet')));
    listSmall.push(wall(flow(small, 'list', 'flow')));
  }
  rmSync(join(smallWork, '..'), { recursive: true, force: true });
  rows.push(row('add task', '1k flows', addSmall, 'node -e 0', nodeSmall, 1.3));
  rows.push(row('list flow', '1k flows', listSmall, 'node -e 0', nodeSmall, 1.5));

  // Taskwarrior at the same number of tasks (3 per flow in the small shape).
  for (const tw of ctx.taskwarrior ?? []) {
    const fixture = ctx.fixture(Math.ceil(tw.tasks / 3)).dir;
    const copy = copyOf(fixture);
    const planId = firstPlanId(generateDocument(Math.ceil(tw.tasks / 3)), 0);
    // node -e 0 beside each run, as for the start-up rows: the load moves both alike.
    const nodeBeside: number[] = [];
    const ours = Array.from({ length: n + 2 }, () => {
      nodeBeside.push(wall([process.execPath, '-e', '0']));
      return wall(flow(copy, 'add', 'task', 'bench task', '--plan', planId, '--quiet'));
    });
    rmSync(join(copy, '..'), { recursive: true, force: true });
    if (tw.tasks < 100_000) {
      // What flow adds to Node's own start-up, against Taskwarrior's whole run.
      const above = ours.map((ms, i) => ms - nodeBeside[i]);
      rows.push(row("add task above node -e 0 (Taskwarrior's task add)", `${tw.tasks / 1000}k tasks`, above, 'task add', tw.runs, 1));
    } else {
      rows.push(row("add task (Taskwarrior's task add)", `${tw.tasks / 1000}k tasks`, ours, 'task add', tw.runs, 1, true));
    }
  }
  return rows;
}

const fmt = (ms: number) => (!Number.isFinite(ms) ? 'timed out' : ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(ms < 10 ? 1 : 0)} ms`);
const range = (s: Stat) => `${fmt(s.median)} (${fmt(s.min)}–${fmt(s.max)})`;

export function goalTable(rows: readonly GoalRow[]): string[][] {
  return rows.map((r) => [r.operation, r.size, range(r.value), `${r.baselineName} ${range(r.baseline)}`, `${Number.isFinite(r.ratio) ? r.ratio.toFixed(2) : '∞'}×`, r.goal, r.met ? 'yes' : 'no']);
}
