// Writes the V8 code cache of shell completion's bundle (DIR/complete.cache, see
// bin/load-cli.js): completes what Tabs are made of (verbs, flags, values, plan titles,
// task numbers, flow names, with and without the completion index) in a store of its
// own, so the functions they compile are in the cache. Run by the build on the bundle in
// DIR before DIR is swapped in as dist/: node scripts/complete-cache.js DIR
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadScript } from '../bin/load-cli.js';

const dist = process.argv[2];
const home = mkdtempSync(join(tmpdir(), 'flow-complete-cache-'));
try {
  const dir = join(home, '.flow');
  mkdirSync(dir);
  // A store in flow's layout (DESIGN §2): two flows, the first with a plan of two tasks.
  const at = '2026-01-01T00:00:00.000Z';
  const task = (id, title, status) => ({ id, title, status, priority: 'medium', notes: '', tags: [], depends_on: [], created: at, updated: at, subtasks: [] });
  const plan = { id: 'plan_warm', title: 'Plan', status: 'active', summary: '', created: at, updated: at, tasks: [task('task_one', 'One', 'todo'), task('task_two', 'Two', 'done')] };
  const flows = [
    { id: 'flow_warm', name: 'Warm-up', created: at, updated: at, plans: [plan] },
    { id: 'flow_other', name: 'Other', created: at, updated: at, plans: [] },
  ];
  const header = { version: '3.0', meta: { last_saved: at, file_revision: 1, writer: 'build' }, current_flow_id: 'flow_warm' };
  const lines = Object.entries(header).map(([key, value]) => `  ${JSON.stringify(key)}: ${JSON.stringify(value)},\n`);
  const members = flows.map((f) => `    ${JSON.stringify(f.id)}: ${JSON.stringify(f)}`);
  writeFileSync(join(dir, 'flows.json'), `{\n${lines.join('')}  "flows": {\n${members.join(',\n')}\n  }\n}\n`);

  const { exports: complete, script } = loadScript('complete', dist, join(dirname(fileURLToPath(import.meta.url)), '..', 'dist'));
  const env = { FLOW_DIR: dir, FLOW_SESSION: 'build' };
  const run = async (shell, line, expected) => {
    const { code, lines: got } = await complete.completeWords([shell, line], env);
    if (code !== 0 || (expected !== undefined && got.length !== expected)) {
      throw new Error(`complete cache warm-up: ${shell} ${JSON.stringify(line)} gave ${JSON.stringify(got)} (exit ${code})`);
    }
  };
  // Lines and how many candidates each must get (undefined: some).
  const TABS = [
    ['flow '],
    ['flow ad', 1],
    ['flow task '],
    ['flow add task x --pr', 1],
    ['flow add task x --priority ', 3],
    ['flow list task --status todo,b', 1],
    ['flow done task ', 2],
    ['flow task done 2', 1],
    ['flow show task task_', 2],
    ['flow use plan ', 1],
    ['flow plan use "P', 1],
    ['flow use flow ', 2],
    ['flow use flow W', 1],
    ['flow use flow 2', 1],
    ['flow config get snapshots.k', 1],
  ];
  const tabs = async () => {
    for (const shell of ['bash', 'zsh', 'fish']) for (const [line, expected] of TABS) await run(shell, line, expected);
  };
  // First without the index (it is built from the file), then with it: the index is
  // written once the file has settled (flow-index.ts), which takes a few Tabs.
  await tabs();
  const index = join(dir, 'cache', 'completion.index');
  for (const start = Date.now(); !existsSync(index); ) {
    if (Date.now() - start > 10_000) throw new Error('complete cache warm-up: the completion index was never written');
    await run('bash', 'flow use flow ', 2);
  }
  await tabs();
  writeFileSync(join(dist, 'complete.cache'), script.createCachedData());
} finally {
  rmSync(home, { recursive: true, force: true });
}
