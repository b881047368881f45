// npm run bench:agents [-- --flows 10000] [-- --runs 20]
// What agents and shells pay: the size of MCP's tools/list (characters, tokens), the time
// of `flow __complete` at 10k flows next to `node -e 0` measured in the same loop, how
// fast `flow mcp` answers initialize, and claim throughput with 8 agent processes.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
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

/** Wall and CPU time of one process, CPU from /usr/bin/time when there is one. */
function timed(argv: string[], env: NodeJS.ProcessEnv): { wall: number; cpu: number } {
  const start = performance.now();
  const result = spawnSync('/usr/bin/time', ['-f', '%U %S', ...argv], { encoding: 'utf8', env });
  const wall = performance.now() - start;
  if (result.status !== 0) throw new Error(`${argv.join(' ')} failed: ${result.stderr}`);
  const [user, sys] = result.stderr.trim().split('\n').pop()?.split(' ').map(Number) ?? [0, 0];
  return { wall, cpu: (user + sys) * 1000 };
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
  const lines: Array<[string, string[]]> = [
    ['node -e 0', [process.execPath, '-e', '0']],
    ['verbs (flow ␣)', [process.execPath, FLOW, '__complete', 'bash', 'flow ']],
    ['task numbers (done task ␣)', [process.execPath, FLOW, '__complete', 'bash', 'flow done task ']],
    ['plan titles (use plan ␣)', [process.execPath, FLOW, '__complete', 'bash', 'flow use plan ']],
    [`flow names, all ${FLOWS} (use flow ␣)`, [process.execPath, FLOW, '__complete', 'bash', 'flow use flow ']],
    ['flow --version (the whole command line)', [process.execPath, FLOW, '--version']],
  ];
  const runs = lines.map(() => [] as { wall: number; cpu: number }[]);
  // Interleaved, so a busy moment of the machine weighs on every line alike.
  for (let i = 0; i < RUNS; i++) lines.forEach(([, argv], k) => runs[k].push(timed(argv, env)));
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
    bases.push(timed([process.execPath, '-e', '0'], process.env).wall);
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

/** 8 agents, each claiming the next ready task until nothing is ready. */
async function claims(): Promise<string[][]> {
  const dir = join(temp(), '.flow');
  // The queue is written in one transaction; the claims are what agents do, one process each.
  await new Store(dir).transact((tx) => {
    const flow = addFlowIn(tx, 'Bench');
    const plan = createPlan({ title: 'Queue' });
    insertPlan(tx.index, flow, plan);
    for (let i = 1; i <= TASKS; i++) insertTask(tx.index, { planId: plan.id }, createTask({ title: `Task ${i}` }));
  });
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
  const seconds = (performance.now() - start) / 1000;
  const distinct = new Set(won).size;
  return [[String(AGENTS), String(TASKS), String(won.length), String(distinct), `${seconds.toFixed(1)} s`, `${(won.length / seconds).toFixed(1)}/s`]];
}

try {
  process.stdout.write(`flow agents bench: ${FLOWS} flows, ${RUNS} runs, ${AGENTS} agents\n`);
  table('MCP tools/list', ['tools', 'characters', 'tokens (chars/4)', 'names'], toolsList());
  table(`flow __complete at ${FLOWS} flows (median of ${RUNS}, interleaved)`, ['line', 'wall', 'vs node -e 0', 'CPU', 'vs node -e 0'], completion());
  table('flow mcp start-up', ['what', 'median', 'node -e 0', 'ratio'], await mcp());
  table('claim throughput', ['agents', 'ready tasks', 'claims', 'distinct', 'time', 'claims/s'], await claims());
} finally {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
}
