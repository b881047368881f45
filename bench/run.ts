// npm run bench [-- --quick] [-- --sizes 1000,10000] [-- --goals-only | --only-tui | --only-context]
// [-- --no-tui --no-docs --no-context] [-- --before DIR]
// Speed and memory of flow at 1k, 10k and 100k flows, each next to a baseline measured
// in the same run, printed as tables and written to bench/out/results-<time>.json; then
// the goals of issue 15 (medians, min–max), also for another build with --before DIR
// (a checkout with dist/ built, measured the same way in the same run; its TUI runs
// take turns with this build's).
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { byteSize } from '../src/commands/render.js';
import { serialiseDocument } from '../src/store/layout.js';
import { firstPlanId, generateDocument, type FixtureShape } from './fixtures.js';
import { goalTable, measureGoals, type GoalRow } from './goals.js';
import { median } from './stats.js';
import { measureSync, syncTable } from './sync.js';
import { measureTui, type TuiFigures } from './tui.js';
import { benchDocs, reportDocs } from './docs.js';
import { benchContext, reportContext } from './context.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const FLOW = join(ROOT, 'bin', 'flow.js');
const CHILD = join(ROOT, 'dist', 'bench-child.js');
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const sizesArg = args[args.indexOf('--sizes') + 1];
const SIZES = args.includes('--sizes') ? sizesArg.split(',').map(Number) : quick ? [1000, 10_000] : [1000, 10_000, 100_000];
const started = Date.now();

function fixtureDir(flows: number, shape: FixtureShape = 'small'): { dir: string; plan: string; bytes: number } {
  const dir = join(ROOT, 'bench', 'fixtures', `${flows}-${shape}`, '.flow');
  const file = join(dir, 'flows.json');
  const doc = generateDocument(flows, shape);
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true });
    const { flows: all, ...header } = doc;
    writeFileSync(file, serialiseDocument(header, Object.entries(all)));
  }
  return { dir, plan: firstPlanId(doc, Math.floor(flows / 2)), bytes: statSync(file).size };
}

/** A fresh copy of a fixture to write into. */
function workCopy(fixture: string): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'flow-bench-')), '.flow');
  mkdirSync(dir, { recursive: true });
  cpSync(join(fixture, 'flows.json'), join(dir, 'flows.json'));
  return dir;
}

function child(op: string, dir: string, ...rest: string[]): Record<string, number> {
  const result = spawnSync(process.execPath, ['--max-old-space-size=8192', CHILD, op, dir, ...rest], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`bench child ${op} failed: ${result.stderr}`);
  return JSON.parse(result.stdout.trim().split('\n').pop() as string) as Record<string, number>;
}

/** Wall time and peak RSS of a whole process, as a person running it would see. */
function processRun(argv: string[], env: NodeJS.ProcessEnv = {}): { ms: number; rss: number } {
  const timeBin = existsSync('/usr/bin/time');
  const start = performance.now();
  const result = timeBin
    ? spawnSync('/usr/bin/time', ['-f', '%M', ...argv], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', ...env } })
    : spawnSync(argv[0], argv.slice(1), { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', ...env } });
  const ms = performance.now() - start;
  if (result.status !== 0) throw new Error(`${argv.join(' ')} failed: ${result.stderr}`);
  const rssKb = timeBin ? Number(result.stderr.trim().split('\n').pop()) : 0;
  return { ms, rss: rssKb * 1024 };
}

function repeat(n: number, fn: () => { ms: number; rss: number }): { ms: number; rss: number } {
  const runs = Array.from({ length: n }, fn);
  return { ms: median(runs.map((r) => r.ms)), rss: Math.max(...runs.map((r) => r.rss)) };
}

const fmt = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(ms < 10 ? 1 : 0)} ms`);
const mb = (bytes: number) => `${(bytes / 1048576).toFixed(0)} MB`;
const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`;

function table(title: string, head: string[], rows: string[][]): void {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  process.stdout.write(`\n### ${title}\n\n${line(head)}\n|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|\n${rows.map(line).join('\n')}\n`);
}

interface SizeResult {
  flows: number;
  bytes: number;
  parse: number;
  load: number;
  loadRss: number;
  memory: Record<string, number>;
  addTask: { ms: number; rss: number };
  listTask: { ms: number; rss: number };
  save: number;
  bareWrite: number;
  parseStringifyWrite: number;
  snapshot?: Record<string, number>;
}

const results: { machine: Record<string, unknown>; sizes: SizeResult[]; node: { ms: number; rss: number }; taskwarrior?: unknown; tui?: TuiFigures } = {
  machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version, quick },
  sizes: [],
  node: { ms: 0, rss: 0 },
};

process.stdout.write(`flow bench (${quick ? 'quick' : 'full'}): sizes ${SIZES.join(', ')} flows, ${cpus().length} cores, node ${process.version}\n`);
const nodeRuns = Array.from({ length: quick ? 5 : 10 }, () => processRun([process.execPath, '-e', '0']));
results.node = { ms: median(nodeRuns.map((r) => r.ms)), rss: Math.max(...nodeRuns.map((r) => r.rss)) };

const onlyTui = args.includes('--only-tui');
const goalsOnly = args.includes('--goals-only');
const onlyContext = args.includes('--only-context');
// The sections that --goals-only, --only-tui and --only-context all skip.
const skipCore = onlyTui || goalsOnly || onlyContext;
for (const flows of skipCore ? [] : SIZES) {
  const t0 = Date.now();
  const fixture = fixtureDir(flows);
  const runs = flows >= 100_000 ? 3 : quick ? 3 : 7;
  const work = workCopy(fixture.dir);
  process.stdout.write(`… ${flows} flows (${mb(fixture.bytes)})`);
  const load = child('load', fixture.dir);
  const result: SizeResult = {
    flows,
    bytes: fixture.bytes,
    parse: median(Array.from({ length: Math.min(runs, 3) }, () => child('parse', fixture.dir).ms)),
    load: load.ms,
    loadRss: load.rss,
    memory: child('memory', fixture.dir),
    addTask: repeat(runs, () => processRun([process.execPath, FLOW, '--dir', work, 'add', 'task', 'bench task', '--plan', fixture.plan, '--quiet'])),
    listTask: repeat(runs, () => processRun([process.execPath, FLOW, '--dir', work, 'list', 'task', '--plan', fixture.plan])),
    save: median(Array.from({ length: runs }, () => child('save', work, fixture.plan).ms)),
    bareWrite: median(Array.from({ length: runs }, () => child('bare-write', work).ms)),
    parseStringifyWrite: median(Array.from({ length: Math.min(runs, 3) }, () => child('parse-stringify-write', work).ms)),
  };
  if (!quick || flows <= 10_000) result.snapshot = child('snapshot', work, fixture.plan);
  results.sizes.push(result);
  rmSync(join(work, '..'), { recursive: true, force: true });
  process.stdout.write(` done in ${((Date.now() - t0) / 1000).toFixed(0)} s\n`);
}

// The second shape (2 plans × 5 tasks with subtasks per flow): up to 10k flows, since
// 100k of them is a 400 MB file, beyond what the other figures need.
const deep: Array<{ flows: number; bytes: number; load: number; addTask: number; listTask: number }> = [];
for (const flows of skipCore ? [] : SIZES.filter((n) => n <= 10_000)) {
  const fixture = fixtureDir(flows, 'deep');
  const work = workCopy(fixture.dir);
  deep.push({
    flows,
    bytes: fixture.bytes,
    load: child('load', fixture.dir).ms,
    addTask: repeat(3, () => processRun([process.execPath, FLOW, '--dir', work, 'add', 'task', 'bench task', '--plan', fixture.plan, '--quiet'])).ms,
    listTask: repeat(3, () => processRun([process.execPath, FLOW, '--dir', work, 'list', 'task', '--plan', fixture.plan])).ms,
  });
  rmSync(join(work, '..'), { recursive: true, force: true });
}
(results as Record<string, unknown>).deep = deep;

// Taskwarrior, when installed, at the same number of tasks (flow's side is in the goals).
function taskwarrior(): Array<{ tasks: number; runs: number[] }> | { skipped: string } {
  if (spawnSync('task', ['--version']).status !== 0) return { skipped: 'taskwarrior is not installed (apt-get install taskwarrior)' };
  const out: Array<{ tasks: number; runs: number[] }> = [];
  for (const tasks of quick ? [10_000] : [10_000, 100_000]) {
    const home = mkdtempSync(join(tmpdir(), 'flow-bench-tw-'));
    const data = join(home, 'data');
    mkdirSync(data);
    writeFileSync(join(home, '.taskrc'), `data.location=${data}\nconfirmation=off\nverbose=nothing\nhooks=off\n`);
    const env = { HOME: home, TASKRC: join(home, '.taskrc') };
    // Import in one go, as JSON lines.
    const lines = Array.from({ length: tasks }, (_, i) => JSON.stringify({ description: `task ${i} storage layer`, status: 'pending', uuid: `${String(i).padStart(8, '0')}-0000-4000-8000-000000000000` }));
    writeFileSync(join(home, 'import.json'), `${lines.join('\n')}\n`);
    // Its output (a line per task) would overflow a captured buffer: discard it.
    spawnSync('task', ['import', join(home, 'import.json')], { env: { ...process.env, ...env }, stdio: 'ignore' });
    const count = Number(spawnSync('task', ['count'], { env: { ...process.env, ...env }, encoding: 'utf8' }).stdout.trim());
    if (count !== tasks) throw new Error(`taskwarrior imported ${count} of ${tasks} tasks`);
    out.push({ tasks, runs: Array.from({ length: 5 }, () => processRun(['task', 'rc.gc=off', 'add', 'bench task'], env).ms) });
    rmSync(home, { recursive: true, force: true });
  }
  return out;
}
const tw = onlyTui || onlyContext ? { skipped: onlyTui ? '--only-tui' : '--only-context' } : taskwarrior();
results.taskwarrior = tw;
const syncFigures = skipCore ? [] : measureSync(SIZES.filter((n) => n <= 10_000), FLOW);
(results as Record<string, unknown>).sync = syncFigures;
const beforeArg = args.includes('--before') ? args[args.indexOf('--before') + 1] : undefined;
if (!args.includes('--no-tui') && !goalsOnly && !onlyContext) results.tui = await measureTui(SIZES, quick, fixtureDir, beforeArg);
const docsTools = { quick, flow: FLOW, nodeMs: results.node.ms, processRun, table, fmt, mb };
const docs = skipCore || args.includes('--no-docs') ? undefined : await benchDocs(docsTools);
(results as Record<string, unknown>).docs = docs;
const context = onlyTui || goalsOnly || args.includes('--no-context') ? undefined : await benchContext(docsTools);
(results as Record<string, unknown>).context = context;

// The goals of issue 15, for this build and, with --before, for another one.
const largest = Math.max(...SIZES);
const goalRuns = (flowBin: string): GoalRow[] =>
  measureGoals({
    flow: flowBin,
    fixture: (flows) => fixtureDir(flows),
    parse: (dir) => child('parse', dir).ms,
    runs: largest >= 100_000 ? 3 : 5,
    largest,
    undoSizes: quick ? [2000, 10_000] : [2000, 10_000, 20_000],
    taskwarrior: Array.isArray(tw) ? tw : undefined,
    treeShown: results.tui?.sizes.find((s) => s.flows === largest)?.treeShown,
  });
const goals: Record<string, GoalRow[]> = {};
if (!onlyTui && !onlyContext) {
  process.stdout.write('… goals of issue 15\n');
  goals.now = goalRuns(FLOW);
  if (beforeArg) {
    process.stdout.write(`… goals of issue 15 for ${beforeArg}\n`);
    goals.before = goalRuns(join(beforeArg, 'bin', 'flow.js'));
  }
}
(results as Record<string, unknown>).goals = goals;

// ---- Report ----
const node = results.node;
if (results.sizes.length) table(
  'Load and memory (in a fresh process)',
  ['flows', 'file', 'JSON.parse', 'full load (parse + validate)', 'load / parse', 'peak RSS (load)'],
  results.sizes.map((s) => [String(s.flows), mb(s.bytes), fmt(s.parse), fmt(s.load), ratio(s.load, s.parse), mb(s.loadRss)]),
);
const base = results.sizes[0]?.memory;
if (base) table(
  'In memory, by id (index) vs a list scan; growth vs 1k',
  ['flows', 'lookup', 'update', 'delete', 'list scan lookup', 'index vs list', 'lookup vs 1k', 'delete vs 1k'],
  results.sizes.map((s) => [
    String(s.flows),
    `${s.memory.lookup_ns.toFixed(0)} ns`,
    `${s.memory.update_ns.toFixed(0)} ns`,
    `${s.memory.delete_ns.toFixed(0)} ns`,
    `${(s.memory.list_lookup_ns / 1000).toFixed(0)} µs`,
    `${(s.memory.list_lookup_ns / s.memory.lookup_ns).toFixed(0)}× faster`,
    ratio(s.memory.lookup_ns, base.lookup_ns),
    ratio(s.memory.delete_ns, base.delete_ns),
  ]),
);
if (results.sizes.length) table(
  `Processes (median wall; node -e 0 = ${fmt(node.ms)}, ${mb(node.rss)})`,
  ['flows', 'flow add task', 'vs node -e 0', 'flow list task', 'vs node -e 0', 'peak RSS add', 'peak RSS list'],
  results.sizes.map((s) => [
    String(s.flows),
    fmt(s.addTask.ms),
    ratio(s.addTask.ms, node.ms),
    fmt(s.listTask.ms),
    ratio(s.listTask.ms, node.ms),
    mb(s.addTask.rss),
    mb(s.listTask.rss),
  ]),
);
if (results.sizes.length) table(
  'Saving one change (in-process transaction, with fsync)',
  ['flows', 'transaction', 'read+write+fsync same bytes', 'vs that', 'parse+stringify+write+fsync', 'vs that', 'add task process vs parse+stringify+write'],
  results.sizes.map((s) => [
    String(s.flows),
    fmt(s.save),
    fmt(s.bareWrite),
    ratio(s.save, s.bareWrite),
    fmt(s.parseStringifyWrite),
    ratio(s.save, s.parseStringifyWrite),
    ratio(s.addTask.ms, s.parseStringifyWrite),
  ]),
);
if (results.sizes.length) table(
  'Snapshots',
  ['flows', 'create (baseline)', 'restore (whole store)', 'baseline on disk', 'next create (one change)', 'next on disk'],
  results.sizes
    .filter((s) => s.snapshot)
    .map((s) => {
      const snap = s.snapshot as Record<string, number>;
      return [String(s.flows), fmt(snap.create_ms), fmt(snap.restore_ms), byteSize(snap.size), fmt(snap.next_create_ms), byteSize(snap.next_size)];
    }),
);
if (deep.length) {
  table(
    'Deep shape (2 plans × 5 tasks, some with subtasks, per flow)',
    ['flows', 'file', 'full load', 'flow add task', 'flow list task'],
    deep.map((d) => [String(d.flows), mb(d.bytes), fmt(d.load), fmt(d.addTask), fmt(d.listTask)]),
  );
}
if (!Array.isArray(results.taskwarrior)) process.stdout.write(`\nTaskwarrior: ${(results.taskwarrior as { skipped: string }).skipped}\n`);
if (syncFigures.length) {
  const sync = syncTable(syncFigures, fmt);
  table(sync.title, sync.head, sync.rows);
}
if (results.tui) {
  const t = results.tui;
  table(
    'TUI (through a real pseudo-terminal)',
    ['flows', 'first frame', 'workspace frame', 'tree shown', 'key→frame p50', 'key→frame p95', 'external write→screen p50', 'p95'],
    t.sizes.map((s) => [
      String(s.flows),
      fmt(s.firstFrame),
      fmt(s.loadingFrame),
      fmt(s.treeShown),
      s.keyP50 === undefined ? '' : fmt(s.keyP50),
      s.keyP95 === undefined ? '' : fmt(s.keyP95),
      s.externalP50 === undefined ? '' : fmt(s.externalP50),
      s.externalP95 === undefined ? '' : fmt(s.externalP95),
    ]),
  );
}
if (docs) reportDocs(docs, docsTools);
if (context) reportContext(context, docsTools);
const goalHead = ['operation', 'size', 'median (min–max)', 'baseline, median (min–max)', 'ratio', 'goal', 'met'];
for (const [which, rows] of Object.entries(goals)) {
  table(`Goals of issue 15 (${which === 'now' ? 'this build' : beforeArg})`, goalHead, goalTable(rows));
}
mkdirSync(join(ROOT, 'bench', 'out'), { recursive: true });
const out = join(ROOT, 'bench', 'out', `results-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
process.stdout.write(`\nResults: ${out}  (${((Date.now() - started) / 1000).toFixed(0)} s)\n`);
