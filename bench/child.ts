// One measured operation in a fresh process, so timings and peak memory are not polluted
// by earlier runs. Prints one JSON line: {"ms": …, "rss": peak bytes, …}.
// Usage: node dist/bench-child.js <op> <dir> [args…]
import { closeSync, fsyncSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { createTask, insertTask, TreeIndex, type Flow, type Task } from '../src/lib.js';
import { Store } from '../src/store/store.js';
import { SnapshotEngine } from '../src/snapshots/engine.js';
import { prepareRestore, restoreInto } from '../src/snapshots/restore.js';
import { median } from './stats.js';

const [op, dir, ...rest] = process.argv.slice(2);
const file = join(dir, 'flows.json');

function done(extra: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify({ ...extra, rss: process.resourceUsage().maxRSS * 1024 })}\n`);
}

function time<T>(fn: () => T): [T, number] {
  const start = performance.now();
  const value = fn();
  return [value, performance.now() - start];
}

async function timeAsync<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const start = performance.now();
  const value = await fn();
  return [value, performance.now() - start];
}

function writeAndSync(path: string, bytes: Buffer | string): void {
  const fd = openSync(path, 'w');
  writeSync(fd, typeof bytes === 'string' ? Buffer.from(bytes) : bytes);
  fsyncSync(fd);
  closeSync(fd);
}

/** Ids of every task, and a flat list of them for the list-based baseline. */
function tasksOf(flows: Flow[]): Task[] {
  const out: Task[] = [];
  const visit = (tasks: Task[]) => {
    for (const t of tasks) {
      out.push(t);
      visit(t.subtasks);
    }
  };
  for (const f of flows) for (const p of f.plans) visit(p.tasks);
  return out;
}

function opsPerSecond(n: number, ms: number): number {
  return Math.round((n / ms) * 1000);
}

async function main(): Promise<void> {
  switch (op) {
    case 'parse': {
      // Bare JSON.parse of the same bytes: the floor for a full load.
      const [, ms] = time(() => JSON.parse(readFileSync(file, 'utf8')));
      return done({ ms });
    }
    case 'load': {
      const [result, ms] = await timeAsync(() => new Store(dir).readAll());
      return done({ ms, flows: result.flows.length });
    }
    case 'memory': {
      const { flows } = await new Store(dir).readAll();
      const tasks = tasksOf(flows);
      // The same work at every size: 2,000 distinct ids spread evenly over the whole store,
      // each operation timed after a warm-up pass (so the JIT is not what is measured), the
      // median of 5 passes. What still grows with size is the index itself (a bigger hash
      // table, more cache misses), which is what "constant time" is about.
      const distinct = 2000;
      const stride = Math.max(1, Math.floor(tasks.length / (distinct + 500)));
      const spread = Array.from({ length: distinct + 500 }, (_, i) => tasks[(i * stride) % tasks.length].id);
      const ids = spread.slice(0, distinct);
      const n = ids.length * 10;
      const [index, buildMs] = time(() => new TreeIndex(flows));
      const passes = (fn: () => void) => {
        fn();
        return median(Array.from({ length: 5 }, () => time(fn)[1]));
      };
      const lookupMs = passes(() => {
        for (let k = 0; k < n; k++) if (!index.get(ids[k % distinct])) throw new Error('missing');
      });
      const updateMs = passes(() => {
        for (let k = 0; k < n; k++) {
          const found = index.get(ids[k % distinct]);
          if (found?.kind === 'task') found.task.notes = 'x';
        }
      });
      // The list-based baseline: find by scanning (what a list of flows gives you).
      const m = 200;
      const listLookupMs = passes(() => {
        for (const id of ids.slice(0, m)) if (!tasks.find((t) => t.id === id)) throw new Error('missing');
      });
      const remove = (victims: string[]) => {
        for (const id of victims) {
          const found = index.get(id);
          if (!found || found.kind !== 'task') continue;
          const siblings = found.parent ? found.parent.subtasks : found.plan.tasks;
          siblings.splice(siblings.indexOf(found.task), 1);
          index.removeTask(found.task);
        }
      };
      // A delete can be done once per id: warm up on the 500 spare ids, then time 2,000.
      remove(spread.slice(distinct));
      const [, deleteMs] = time(() => remove(ids));
      return done({
        index_build_ms: buildMs,
        lookup_ns: (lookupMs * 1e6) / n,
        update_ns: (updateMs * 1e6) / n,
        delete_ns: (deleteMs * 1e6) / distinct,
        list_lookup_ns: (listLookupMs * 1e6) / m,
        lookups_per_s: opsPerSecond(n, lookupMs),
      });
    }
    case 'save': {
      // One transaction touching one flow, as `flow add task` does, in-process.
      const store = new Store(dir, { writer: 'bench:0:save' });
      const plan = rest[0];
      const [, ms] = await timeAsync(() =>
        store.transact((tx) => {
          tx.locate(plan); // loads the one flow that holds the plan
          return insertTask(tx.index, { planId: plan }, createTask({ title: 'bench save' }));
        }),
      );
      return done({ ms });
    }
    case 'bare-write': {
      // Reading and writing the same bytes with fsync: the floor for any save.
      const [, ms] = time(() => {
        const bytes = readFileSync(file);
        writeAndSync(`${file}.bench-copy`, bytes);
      });
      return done({ ms });
    }
    case 'parse-stringify-write': {
      // The naive save: parse everything, change, serialise everything, write, fsync.
      const [, ms] = time(() => {
        const doc = JSON.parse(readFileSync(file, 'utf8'));
        writeAndSync(`${file}.bench-copy`, JSON.stringify(doc));
      });
      return done({ ms });
    }
    case 'snapshot': {
      const engine = new SnapshotEngine(dir);
      const store = new Store(dir);
      const [meta, createMs] = await timeAsync(() => engine.create(store, { label: 'bench' }));
      const [, restoreMs] = await timeAsync(async () => {
        const prepared = prepareRestore(engine.view(meta), {});
        await store.transact((tx) => restoreInto(tx, prepared));
      });
      // The next snapshot after one small change is a patch against the first.
      const plan = rest[0];
      await store.transact((tx) => {
        tx.locate(plan);
        return insertTask(tx.index, { planId: plan }, createTask({ title: 'bench snapshot' }));
      });
      const [next, nextMs] = await timeAsync(() => engine.create(store, { label: 'bench 2' }));
      return done({
        create_ms: createMs,
        restore_ms: restoreMs,
        size: meta.size,
        next_create_ms: nextMs,
        next_size: next.size,
      });
    }
    default:
      throw new Error(`unknown op ${op}`);
  }
}

await main();
