// npm run bench:agents [-- --flows 10000] [-- --runs 20] [-- --before DIR] [-- --only completion]
// What agents and shells pay: the size of MCP's tools/list (characters, tokens), the time
// of `flow __complete` at 10k flows next to `node -e 0` measured in the same loop, how
// fast `flow mcp` answers initialize, and claim throughput with 8 agent processes.
// --before DIR times DIR/bin/flow.js's completion in the same loop too (a copy of bin/ and
// dist/ from an earlier build), so that before and after are measured alike.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createTable } from '../src/commands/table.js';
import { buildTools, listedTools } from '../src/mcp/tools.js';
import { addFlowIn, createPlan, createTask, insertPlan, insertTask } from '../src/domain/tree.js';
import { serialiseDocument } from '../src/store/layout.js';
import { Store } from '../src/store/store.js';
import { firstPlanId, generateDocument } from './fixtures.js';
import { median } from './stats.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const FLOW = join(ROOT, 'bin', 'flow.js');
const args = process.argv.slice(2);
const option = (name: string, fallback: number) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : fallback);
const FLOWS = option('--flows', 10_000);
const RUNS = option('--runs', 20);
const AGENTS = 8;
const TASKS = option('--tasks', 200);
const BEFORE = args.includes('--before') ? args[args.indexOf('--before') + 1] : undefined;
const ONLY = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;

const fmt = (ms: number) => `${ms.toFixed(ms < 10 ? 1 : 0)} ms`;
const temps: string[] = [];
const temp = () => {
  const dir = mkdtempSync(join(tmpdir(), 'flow-bench-agents-'));
  temps.push(dir);
  return dir;
};

function table(title: string, head: string[], rows: string[][]): void {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  process.stdout.write(`\n### ${title}\n\n${line(head)}\n|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|\n${rows.map(line).join('\n')}\n`);
}

function toolsList(): string[][] {
  const tools = listedTools(buildTools(createTable()));
  const chars = JSON.stringify({ tools }).length;
  // About four characters a token for JSON Schema text (a rough rule; tokenizers differ).
  return [[String(tools.length), String(chars), `~${Math.round(chars / 4)}`, tools.map((t) => t.name).join(', ')]];
}

/** Preloaded into every timed process: prints the process's own CPU time as it exits. */
const CPU_PROBE = `process.on('exit', () => { const u = process.cpuUsage(); process.stderr.write('\\ncpu ' + (u.user + u.system) / 1000 + '\\n'); });`;
let probe = '';

/** Wall time of one `node ARGS` process, and its CPU time (µs precision, from the probe). */
function timed(nodeArgs: readonly string[], env: NodeJS.ProcessEnv): { wall: number; cpu: number } {
  if (!probe) {
    probe = join(temp(), 'cpu-probe.mjs');
    writeFileSync(probe, CPU_PROBE);
  }
  const start = performance.now();
  const result = spawnSync(process.execPath, ['--import', pathToFileURL(probe).href, ...nodeArgs], { encoding: 'utf8', env });
  const wall = performance.now() - start;
  if (result.status !== 0) throw new Error(`node ${nodeArgs.join(' ')} failed: ${result.stderr}`);
  const cpu = Number(/cpu ([\d.]+)\s*$/.exec(result.stderr)?.[1]);
  return { wall, cpu };
}

/**
 * flows.json replaced by a copy of itself, as a save replaces it (a new inode, the same
 * lines), then left to settle: completion trusts no index of a file changed within 50 ms.
 */
function save(file: string): void {
  writeFileSync(`${file}.bench`, readFileSync(file));
  renameSync(`${file}.bench`, file);
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
}

function completion(): string[][] {
  const dir = join(temp(), '.flow');
  mkdirSync(dir, { recursive: true });
  const doc = generateDocument(FLOWS);
  const { flows, ...header } = doc;
  writeFileSync(join(dir, 'flows.json'), serialiseDocument(header, Object.entries(flows)));
  const planId = firstPlanId(doc, Math.floor(FLOWS / 2));
  const flowId = Object.values(flows).find((f) => f.plans.some((p) => p.id === planId))?.id;
  writeFileSync(join(dir, 'context.json'), JSON.stringify({ version: 1, sessions: { default: { flow_id: flowId, plan_id: planId } } }));
  const env = { ...process.env, FLOW_DIR: dir, FLOW_SESSION: 'default', NO_COLOR: '1' };
  const index = join(dir, 'cache', 'completion.index');
  const file = join(dir, 'flows.json');
  // A line, how to run it, and what to do before each run.
  type Line = [name: string, argv: string[], before?: () => void];
  const tabs = (flow: string, as: string): Line[] => [
    [`${as}verbs (flow ␣)`, [flow, '__complete', 'bash', 'flow ']],
    [`${as}flags (list task --␣)`, [flow, '__complete', 'bash', 'flow list task --']],
    [`${as}task numbers (done task ␣)`, [flow, '__complete', 'bash', 'flow done task ']],
    [`${as}plan titles (use plan ␣)`, [flow, '__complete', 'bash', 'flow use plan ']],
    [`${as}flow names, a menu (use flow ␣)`, [flow, '__complete', 'bash', 'flow use flow ']],
    [`${as}flow names, none of ${FLOWS} match (use flow zz␣)`, [flow, '__complete', 'bash', 'flow use flow zz']],
  ];
  const lines: Line[] = [
    ['node -e 0', ['-e', '0']],
    ...tabs(FLOW, ''),
    // After a save (flows.json replaced): the first Tab reads the scope flow's line where
    // the stale index says it starts (and notes the file as seen), the second builds the
    // completion index from the whole file. Without any index, the first Tab reads the
    // file as far as it needs.
    ['task numbers, first Tab after a save (stale index)', [FLOW, '__complete', 'bash', 'flow done task '], () => save(file)],
    ['task numbers, second Tab after a save (index built)', [FLOW, '__complete', 'bash', 'flow done task ']],
    ['task numbers, first Tab without an index', [FLOW, '__complete', 'bash', 'flow done task '], () => rmSync(index, { force: true })],
    ['task numbers, second Tab without an index (index built)', [FLOW, '__complete', 'bash', 'flow done task ']],
    ['flow --version (the whole command line)', [FLOW, '--version']],
    ...(BEFORE ? tabs(join(BEFORE, 'bin', 'flow.js'), 'before: ') : []),
  ];
  const runs = lines.map(() => [] as { wall: number; cpu: number }[]);
  // Interleaved, so a busy moment of the machine weighs on every line alike.
  for (let i = 0; i < RUNS; i++) {
    lines.forEach(([, argv, before], k) => {
      before?.();
      runs[k].push(timed(argv, env));
    });
  }
  const base = { wall: median(runs[0].map((r) => r.wall)), cpu: median(runs[0].map((r) => r.cpu)) };
  return lines.map(([name], k) => {
    const wall = median(runs[k].map((r) => r.wall));
    const cpu = median(runs[k].map((r) => r.cpu));
    return [name, fmt(wall), `${(wall / base.wall).toFixed(2)}×`, fmt(cpu), `${(cpu / base.cpu).toFixed(2)}×`];
  });
}

/** Milliseconds from starting `flow mcp` to its answer to initialize. */
function mcpStart(dir: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(process.execPath, [FLOW, '--dir', dir, 'mcp'], { stdio: ['pipe', 'pipe', 'inherit'] });
    child.stdout.once('data', () => {
      resolve(performance.now() - start);
      child.stdin.end();
    });
    child.on('error', reject);
    child.stdin.write(
      `${JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'bench', version: '1' } } })}\n`,
    );
  });
}

async function mcp(): Promise<string[][]> {
  const dir = join(temp(), '.flow');
  const times: number[] = [];
  const bases: number[] = [];
  for (let i = 0; i < Math.max(5, RUNS / 4); i++) {
    times.push(await mcpStart(dir));
    bases.push(timed(['-e', '0'], process.env).wall);
  }
  return [['flow mcp → initialize answered', fmt(median(times)), fmt(median(bases)), `${(median(times) / median(bases)).toFixed(2)}×`]];
}

function run(argv: string[]): Promise<{ code: number | null; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, argv, { stdio: ['ignore', 'pipe', 'ignore'] });
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout }));
  });
}

/** A store with one plan of TASKS ready tasks, written in one transaction. */
async function queue(): Promise<string> {
  const dir = join(temp(), '.flow');
  // The queue is written in one transaction; the claims are what agents do, one process each.
  await new Store(dir).transact((tx) => {
    const flow = addFlowIn(tx, 'Bench');
    const plan = createPlan({ title: 'Queue' });
    insertPlan(tx.index, flow, plan);
    for (let i = 1; i <= TASKS; i++) insertTask(tx.index, { planId: plan.id }, createTask({ title: `Task ${i}` }));
  });
  return dir;
}

function throughput(how: string, won: readonly string[], seconds: number): string[] {
  return [how, String(AGENTS), String(TASKS), String(won.length), String(new Set(won).size), `${seconds.toFixed(1)} s`, `${(won.length / seconds).toFixed(1)}/s`];
}

/** 8 agents on the command line, each claiming the next ready task until nothing is ready. */
async function cliClaims(): Promise<string[]> {
  const dir = await queue();
  const start = performance.now();
  const won: string[] = [];
  await Promise.all(
    Array.from({ length: AGENTS }, async (_, a) => {
      for (;;) {
        const r = await run([FLOW, '--dir', dir, 'claim', 'task', '--agent', `agent-${a + 1}`, '--json']);
        if (r.code !== 0) return;
        won.push(JSON.parse(r.stdout).id);
      }
    }),
  );
  return throughput('flow claim task (a process each)', won, (performance.now() - start) / 1000);
}

/** One agent's `flow mcp`: sends requests, one at a time, and waits for each answer. */
function mcpAgent(dir: string, agent: string) {
  const child = spawn(process.execPath, [FLOW, '--dir', dir, '--session', agent, 'mcp'], { stdio: ['pipe', 'pipe', 'ignore'] });
  let buffer = '';
  let waiting: ((message: { result?: { isError?: boolean; structuredContent?: { id?: string } } }) => void) | undefined;
  child.stdout.on('data', (d) => {
    buffer += d;
    for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      waiting?.(JSON.parse(line));
    }
  });
  let id = 0;
  const request = (method: string, params: object) =>
    new Promise<Parameters<NonNullable<typeof waiting>>[0]>((resolve) => {
      waiting = resolve;
      child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', id: ++id, method, params })}\n`);
    });
  return { request, close: () => child.stdin.end() };
}

/** 8 agents through MCP, each with its server running: the claims without process start-up. */
async function mcpClaims(): Promise<string[]> {
  const dir = await queue();
  const agents = Array.from({ length: AGENTS }, (_, a) => mcpAgent(dir, `agent-${a + 1}`));
  const init = { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'bench', version: '1' } };
  await Promise.all(agents.map((a) => a.request('initialize', init)));
  const start = performance.now();
  const won: string[] = [];
  await Promise.all(
    agents.map(async (a, i) => {
      for (;;) {
        const answer = await a.request('tools/call', { name: 'task', arguments: { command: 'claim task', agent: `agent-${i + 1}` } });
        const id = answer.result?.structuredContent?.id;
        if (answer.result?.isError || !id) return;
        won.push(id);
      }
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  for (const a of agents) a.close();
  return throughput('claim task over flow mcp (a server each)', won, seconds);
}

try {
  process.stdout.write(`flow agents bench: ${FLOWS} flows, ${RUNS} runs, ${AGENTS} agents\n`);
  table('MCP tools/list', ['tools', 'characters', 'tokens (chars/4)', 'names'], toolsList());
  table(`flow __complete at ${FLOWS} flows (median of ${RUNS}, interleaved)`, ['line', 'wall', 'vs node -e 0', 'CPU', 'vs node -e 0'], completion());
  if (ONLY !== 'completion') {
    table('flow mcp start-up', ['what', 'median', 'node -e 0', 'ratio'], await mcp());
    table('claim throughput', ['how', 'agents', 'ready tasks', 'claims', 'distinct', 'time', 'claims/s'], [await cliClaims(), await mcpClaims()]);
  }
} finally {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
}
