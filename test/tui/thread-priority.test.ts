// The loader threads of a background load run below the main thread's priority
// (thread-priority.ts), with the real loader bundle (dist/load-worker.js): its thread's
// nice value goes up and, where chrt(1) is installed, it runs in the SCHED_IDLE class;
// the main thread keeps both. Linux only (elsewhere priorities are left alone).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { getPriority } from 'node:os';
import { join } from 'node:path';
import { MessageChannel, Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { createFlow } from '../../src/domain/tree.js';
import { Store } from '../../src/store/store.js';
import type { LoaderMessage, LoaderRequest } from '../../src/tui/load-worker.js';
import { lowerThreadPriority } from '../../src/tui/thread-priority.js';
import { ROOT, tempDir, waitFor } from '../helpers.js';

const linux = existsSync('/proc/thread-self');

// The idle class is used only where chrt(1) is installed and the kernel groups processes per session.
const chrt = linux && spawnSync('chrt', ['--version']).status === 0 && existsSync('/proc/sys/kernel/sched_autogroup_enabled') && readFileSync('/proc/sys/kernel/sched_autogroup_enabled', 'latin1').trim() === '1';
/** Linux's number for the SCHED_IDLE policy (sched.h). */
const SCHED_IDLE = 5;

/** A field of each thread's stat line, by thread id (3: state, 19: nice, 41: policy). */
function statByThread(field: number): Map<number, number> {
  const out = new Map<number, number>();
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      // The fields after the command's closing parenthesis start with the 3rd.
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(Number(tid), Number(fields[field - 3]));
    } catch {
      // the thread ended meanwhile
    }
  }
  return out;
}

const niceByThread = () => statByThread(19);
const policyByThread = () => statByThread(41);

let worker: Worker | undefined;
afterEach(async () => {
  await worker?.terminate();
  worker = undefined;
});

/** Starts the loader on a small store and asks for a load; resolves when it is read. */
async function load(background: boolean): Promise<void> {
  const dir = tempDir('flow-thread-priority-');
  await new Store(dir).transact((tx) => tx.addFlow(createFlow('One')));
  worker = new Worker(join(ROOT, 'dist', 'load-worker.js'), { workerData: { file: join(dir, 'flows.json') } });
  const loaded = new Promise<LoaderMessage>((resolve) => worker?.on('message', (m: LoaderMessage) => m.type === 'loaded' && resolve(m)));
  const { port2: chunks } = new MessageChannel();
  worker.postMessage({ type: 'load', part: 0, parts: 1, background, chunks } satisfies LoaderRequest, [chunks]);
  expect((await loaded).type).toBe('loaded');
}

describe.skipIf(!linux)('loader thread priority', () => {
  // Under nice 19 there is no higher nice value to go to (the idle class is all that is left).
  it.skipIf(getPriority() >= 19)('a background load runs its thread at a higher nice value than the main thread, which keeps its own', async () => {
    const before = niceByThread();
    const mainNice = getPriority();
    await load(true);
    const lowered = () => [...niceByThread()].some(([tid, nice]) => !before.has(tid) && nice > mainNice);
    await waitFor(lowered, { what: 'a new thread of a higher nice value' });
    expect(getPriority()).toBe(mainNice);
    expect(niceByThread().get(process.pid)).toBe(mainNice);
  });

  it.skipIf(!chrt)('a background load puts its thread in the idle class, the main thread keeps its own', async () => {
    const before = policyByThread();
    const mainPolicy = before.get(process.pid);
    await load(true);
    const idle = () => [...policyByThread()].some(([tid, policy]) => !before.has(tid) && policy === SCHED_IDLE);
    await waitFor(idle, { what: 'a new thread in SCHED_IDLE' });
    expect(mainPolicy).not.toBe(SCHED_IDLE);
    expect(policyByThread().get(process.pid)).toBe(mainPolicy);
  });

  it('any other load keeps the priority', async () => {
    const before = niceByThread();
    const mainNice = getPriority();
    await load(false);
    const threads = [...niceByThread()].filter(([tid]) => !before.has(tid));
    expect(threads.length).toBeGreaterThan(0);
    expect(threads.every(([, nice]) => nice === mainNice)).toBe(true);
    const mainPolicy = policyByThread().get(process.pid);
    expect([...policyByThread()].filter(([tid]) => !before.has(tid)).every(([, policy]) => policy === mainPolicy)).toBe(true);
  });

  it('leaves the main thread alone when called on it', () => {
    const mainNice = getPriority();
    expect(lowerThreadPriority(10)).toBe(false);
    expect(getPriority()).toBe(mainNice);
  });
});
