// Sync figures (issue 16): the three-way merge of two sides with 100 changes each, in
// process and as git's merge driver, next to parse+stringify of one side (the least any
// whole-file merge pays); and a `flow sync` round trip between two clones of a bare
// repository on local disk, next to plain git doing the same exchange.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FlowDocument, Task } from '../src/domain/schema.js';
import { serialiseDocument } from '../src/store/layout.js';
import { mergeFiles } from '../src/sync/merge.js';
import { generateDocument, random } from './fixtures.js';
import { median } from './stats.js';

export interface SyncFigures {
  flows: number;
  merge_ms: number;
  driver_ms: number;
  parse_stringify_ms: number;
  conflicts: number;
  sync_ms: number;
  sync_noop_ms: number;
  git_pull_push_ms: number;
}

function bytesOf(doc: FlowDocument): Buffer {
  const { flows, ...header } = doc;
  return Buffer.from(serialiseDocument(header, Object.entries(flows)));
}

/** 100 changes on random flows: edits, additions, moves across flows, deletions. */
function changed(base: FlowDocument, seed: number, tag: string): FlowDocument {
  const doc = structuredClone(base);
  const rand = random(seed);
  const flows = Object.values(doc.flows);
  const anyPlan = () => flows[Math.floor(rand() * flows.length)].plans[0];
  for (let i = 0; i < 100; i++) {
    const plan = anyPlan();
    const kind = i % 10;
    if (kind < 4 && plan.tasks.length) {
      const task = plan.tasks[Math.floor(rand() * plan.tasks.length)];
      if (kind === 0) task.title = `${tag} edit ${i}`;
      else if (kind === 1) task.notes = `${tag} notes ${i}`;
      else task.status = task.status === 'done' ? 'todo' : 'done';
    } else if (kind < 7) {
      plan.tasks.push({ id: `task_${tag}${i.toString().padStart(8, '0')}`, title: `${tag} new ${i}`, status: 'todo', priority: 'medium', notes: '', tags: [], depends_on: [], subtasks: [] } as Task);
    } else if (kind < 9 && plan.tasks.length) {
      anyPlan().tasks.push(...plan.tasks.splice(0, 1));
    } else if (plan.tasks.length) {
      plan.tasks.pop();
    }
  }
  doc.meta = { ...doc.meta, file_revision: doc.meta.file_revision + 100, writer: `cli:1:${tag}` };
  return doc;
}

function time(fn: () => unknown): number {
  const start = performance.now();
  fn();
  return performance.now() - start;
}

function git(cwd: string, ...args: string[]): void {
  const result = spawnSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, ...GIT_ENV } });
  if (result.status !== 0) throw new Error(`git ${args.join(' ')}: ${result.stderr}`);
}

const GIT_ENV = { GIT_AUTHOR_NAME: 'bench', GIT_AUTHOR_EMAIL: 'bench@flow.invalid', GIT_COMMITTER_NAME: 'bench', GIT_COMMITTER_EMAIL: 'bench@flow.invalid' };

export function measureSync(sizes: readonly number[], flowBin: string): SyncFigures[] {
  if (spawnSync('git', ['--version']).status !== 0) return [];
  return sizes.map((flows) => {
    const base = generateDocument(flows);
    const [b, o, t] = [bytesOf(base), bytesOf(changed(base, 7, 'o')), bytesOf(changed(base, 8, 't'))];
    const options = { writer: 'cli:1:bench', at: new Date().toISOString() };
    const conflicts = mergeFiles(b, o, t, options).conflicts.length;
    const merge_ms = median(Array.from({ length: 5 }, () => time(() => mergeFiles(b, o, t, options))));
    const parse_stringify_ms = median(Array.from({ length: 5 }, () => time(() => JSON.stringify(JSON.parse(o.toString('utf8'))))));

    const root = mkdtempSync(join(tmpdir(), 'flow-bench-sync-'));
    try {
      const files = ['O', 'A', 'B'].map((name) => join(root, name));
      const driver_ms = median(
        Array.from({ length: 3 }, () => {
          writeFileSync(files[0], b);
          writeFileSync(files[1], o);
          writeFileSync(files[2], t);
          return time(() => spawnSync(process.execPath, [flowBin, 'merge-driver', ...files], { stdio: 'ignore' }));
        }),
      );
      return { flows, merge_ms, driver_ms, parse_stringify_ms, conflicts, ...roundTrips(root, b, flowBin) };
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
}

/** Two clones; A changes a task and syncs, then B changes another and syncs (timed). */
function roundTrips(root: string, store: Buffer, flowBin: string): Pick<SyncFigures, 'sync_ms' | 'sync_noop_ms' | 'git_pull_push_ms'> {
  git(root, 'init', '-q', '--bare', '-b', 'main', 'remote.git');
  git(root, 'clone', '-q', 'remote.git', 'a');
  git(join(root, 'a'), 'checkout', '-q', '-B', 'main');
  mkdirSync(join(root, 'a', '.flow'));
  writeFileSync(join(root, 'a', '.flow', 'flows.json'), store);
  const flow = (clone: string, ...args: string[]) => {
    const result = spawnSync(process.execPath, [flowBin, ...args], { cwd: join(root, clone), encoding: 'utf8', env: { ...process.env, ...GIT_ENV } });
    if (result.status !== 0) throw new Error(`flow ${args.join(' ')}: ${result.stderr}`);
  };
  flow('a', 'sync');
  git(root, 'clone', '-q', 'remote.git', 'b');
  flow('b', 'sync');
  const doc = JSON.parse(store.toString('utf8')) as FlowDocument;
  const tasks = Object.values(doc.flows).flatMap((f) => f.plans[0].tasks.map((task) => task.id));
  const runs = 5;
  const syncs: number[] = [];
  const noops: number[] = [];
  const plain: number[] = [];
  for (let i = 0; i < runs; i++) {
    flow('a', 'set', 'task', tasks[i], '--title', `a ${i}`);
    flow('a', 'sync');
    flow('b', 'set', 'task', tasks[tasks.length - 1 - i], '--title', `b ${i}`);
    syncs.push(time(() => flow('b', 'sync')));
    noops.push(time(() => flow('b', 'sync')));
    flow('a', 'sync');
    // The same exchange with git alone (its pull runs flow's driver, registered by sync).
    flow('a', 'set', 'task', tasks[i + runs], '--title', `a ${i}`);
    git(join(root, 'a'), 'commit', '-qam', 'a');
    git(join(root, 'a'), 'push', '-q');
    flow('b', 'set', 'task', tasks[tasks.length - 1 - i - runs], '--title', `b ${i}`);
    plain.push(
      time(() => {
        git(join(root, 'b'), 'commit', '-qam', 'b');
        git(join(root, 'b'), 'pull', '-q', '--no-rebase');
        git(join(root, 'b'), 'push', '-q');
      }),
    );
    git(join(root, 'a'), 'pull', '-q', '--no-rebase');
  }
  return { sync_ms: median(syncs), sync_noop_ms: median(noops), git_pull_push_ms: median(plain) };
}

export function syncTable(figures: readonly SyncFigures[], fmt: (ms: number) => string): { title: string; head: string[]; rows: string[][] } {
  return {
    title: 'Sync through git (two sides with 100 changes each; clones of a bare repository on local disk)',
    head: ['flows', 'merge (in process)', 'merge driver process', 'parse+stringify one side', 'conflicts', 'flow sync round trip', 'flow sync, nothing new', 'git commit+pull+push'],
    rows: figures.map((f) => [
      String(f.flows),
      fmt(f.merge_ms),
      fmt(f.driver_ms),
      fmt(f.parse_stringify_ms),
      String(f.conflicts),
      fmt(f.sync_ms),
      fmt(f.sync_noop_ms),
      fmt(f.git_pull_push_ms),
    ]),
  };
}
