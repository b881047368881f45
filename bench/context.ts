// Session context and hooks (issue 14), run from bench/run.ts: what 0, 1 and 3 no-op hooks
// add to a save (in process through the command line's own path, and as a `flow add task`
// process), and `context export` at 10k decisions (the function alone, and the command
// with its reading of context.json, next to `node -e 0`). Rounds interleave the cases, so
// that a change in the machine's load falls on all of them alike.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run, type Io } from '../src/cli/main.js';
import { readContext } from '../src/context/context.js';
import { exportContext, type ExportFormat } from '../src/context/export.js';
import { Store } from '../src/store/store.js';
import type { DocsBenchTools } from './docs.js';
import { storeDir } from './fixtures.js';
import { median } from './stats.js';

/** The tools bench/run.ts hands to its sections (as for documents). */
export type ContextBenchTools = Omit<DocsBenchTools, 'mb'>;

/** Where the hooks run, for one row of the table. */
const PLACES = ['pre_save', 'post_save', 'every event'] as const;
type Place = (typeof PLACES)[number];

export interface ContextFigures {
  /** Median ms of one `add task` with `hooks` no-op hooks at each place, in process and as a process. */
  hooks: Array<{ hooks: number; inProcess: Record<Place, number>; process: number }>;
  exportAt: {
    decisions: number;
    /** The function alone, by format and limit. */
    fn: Array<{ format: ExportFormat; maxChars: number; ms: number }>;
    /** `flow context export` in process (reads context.json and the store) and as a process. */
    command: { inProcess: number; process: number };
    contextBytes: number;
  };
}

/** The command line in this process, output dropped; throws unless it exits 0. */
async function runQuiet(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const sink = { isTTY: false, write: () => true };
  const io = { stdout: sink, stderr: sink, stdin: { isTTY: false }, env: { ...env, NO_COLOR: '1' } } as unknown as Io;
  const start = performance.now();
  const code = await run(argv, io);
  const ms = performance.now() - start;
  if (code !== 0) throw new Error(`flow ${argv.join(' ')} exited ${code}`);
  return ms;
}

/** config.json with `count` no-op hooks at `place`, trusted. */
async function setHooks(dir: string, place: Place, count: number, env: NodeJS.ProcessEnv): Promise<void> {
  const noop = Array.from({ length: count }, () => 'true');
  const hooks = place === 'every event' ? { pre_save: noop, post_save: noop, on_command: noop } : { [place]: noop };
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ hooks }));
  if (count) await runQuiet(['--dir', dir, 'trust', 'hooks', '--yes'], env);
}

export async function benchContext(tools: ContextBenchTools): Promise<ContextFigures> {
  const { quick, flow, processRun } = tools;
  process.stdout.write('… context and hooks');
  const started = Date.now();
  // Trust is recorded in the per-user folder: a temp one, for the bench alone.
  const home = mkdtempSync(join(tmpdir(), 'flow-bench-context-home-'));
  const userEnv = { XDG_CONFIG_HOME: join(home, 'config'), HOME: home };
  const saved = { XDG_CONFIG_HOME: process.env.XDG_CONFIG_HOME, HOME: process.env.HOME };
  Object.assign(process.env, userEnv);

  const store = storeDir(1000, 'flow-bench-context-');
  const addTask = ['--dir', store.dir, 'add', 'task', 'bench task', '--plan', store.plan, '--quiet'];
  const rounds = quick ? 5 : 15;
  const counts = [0, 1, 3];
  const samples = new Map<string, number[]>();
  const sample = (key: string, ms: number) => samples.set(key, [...(samples.get(key) ?? []), ms]);
  for (let round = 0; round < rounds; round++) {
    for (const place of PLACES) {
      for (const count of counts) {
        await setHooks(store.dir, place, count, userEnv);
        sample(`${place}:${count}`, await runQuiet(addTask, userEnv));
      }
    }
  }
  for (let round = 0; round < (quick ? 3 : 7); round++) {
    for (const count of counts) {
      await setHooks(store.dir, 'every event', count, userEnv);
      sample(`process:${count}`, processRun([process.execPath, flow, ...addTask], userEnv).ms);
    }
  }
  const hooks = counts.map((count) => ({
    hooks: count,
    inProcess: Object.fromEntries(PLACES.map((place) => [place, median(samples.get(`${place}:${count}`) ?? [])])) as Record<Place, number>,
    process: median(samples.get(`process:${count}`) ?? []),
  }));
  rmSync(join(store.dir, 'config.json'));

  // 10,000 decisions in the session in scope, whose plan has open tasks.
  const decisions = 10_000;
  const file = readContext(store.dir);
  const entry = file.sessions.default ?? (file.sessions.default = { flow_id: null, plan_id: null, summary: '', decisions: [] });
  const { flows } = await new Store(store.dir).readAll();
  const flowDoc = flows.find((f) => f.plans.some((p) => p.id === store.plan));
  Object.assign(entry, {
    flow_id: flowDoc?.id ?? null,
    plan_id: store.plan,
    summary: 'Where we are: storage done, the TUI next; hooks with a contract landed.',
    decisions: Array.from({ length: decisions }, (_, i) => ({
      time: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(),
      text: `decision ${i}: ${'because the measurements said so '.repeat(1 + (i % 5))}`,
      task_id: `task_${i}`,
      writer: `cli:${i}:default`,
    })),
  });
  const contextText = `${JSON.stringify(file, null, 2)}\n`;
  writeFileSync(join(store.dir, 'context.json'), contextText);
  const input = { session: 'default', entry, flow: flowDoc, plan: flowDoc?.plans.find((p) => p.id === store.plan) };
  const fn: ContextFigures['exportAt']['fn'] = [];
  for (const format of ['md', 'json'] as const) {
    for (const maxChars of [16_000, 100_000]) {
      const times = Array.from({ length: quick ? 5 : 15 }, () => {
        const start = performance.now();
        exportContext(input, format, maxChars);
        return performance.now() - start;
      });
      fn.push({ format, maxChars, ms: median(times) });
    }
  }
  const exportArgs = ['--dir', store.dir, 'context', 'export'];
  const inProcess: number[] = [];
  const processes: number[] = [];
  for (let round = 0; round < (quick ? 3 : 7); round++) {
    inProcess.push(await runQuiet(exportArgs, userEnv));
    processes.push(processRun([process.execPath, flow, ...exportArgs], userEnv).ms);
  }

  for (const [key, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  rmSync(store.root, { recursive: true, force: true });
  rmSync(home, { recursive: true, force: true });
  process.stdout.write(` done in ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
  return {
    hooks,
    exportAt: { decisions, fn, command: { inProcess: median(inProcess), process: median(processes) }, contextBytes: Buffer.byteLength(contextText) },
  };
}

export function reportContext(figures: ContextFigures, tools: ContextBenchTools): void {
  const { table, fmt } = tools;
  const [none] = figures.hooks;
  const added = (ms: number, base: number) => (ms === base ? '' : ` (${ms > base ? '+' : '−'}${fmt(Math.abs(ms - base))})`);
  table(
    'Hooks: one `add task` (1k flows) with no-op hooks (`true`), median; added cost next to 0 hooks in the same run',
    ['hooks', 'pre_save, in process', 'post_save, in process', 'on every event, in process', `on every event, process (node -e 0 = ${fmt(tools.nodeMs)})`],
    figures.hooks.map((h) => [
      String(h.hooks),
      `${fmt(h.inProcess.pre_save)}${added(h.inProcess.pre_save, none.inProcess.pre_save)}`,
      `${fmt(h.inProcess.post_save)}${added(h.inProcess.post_save, none.inProcess.post_save)}`,
      `${fmt(h.inProcess['every event'])}${added(h.inProcess['every event'], none.inProcess['every event'])}`,
      `${fmt(h.process)}${added(h.process, none.process)}`,
    ]),
  );
  const e = figures.exportAt;
  table(
    `context export at ${e.decisions.toLocaleString('en')} decisions (context.json ${(e.contextBytes / 1048576).toFixed(1)} MB), median`,
    ['what', 'time'],
    [
      ...e.fn.map((f) => [`exportContext, ${f.format}, --max-chars ${f.maxChars}`, fmt(f.ms)]),
      ['flow context export (16,000), in process: read context.json and the store, export', fmt(e.command.inProcess)],
      [`flow context export (16,000), process (node -e 0 = ${fmt(tools.nodeMs)})`, fmt(e.command.process)],
    ],
  );
}
