// Locks flow did not make, and locks held across long work (issue 10 items 5 and 10): a
// regular file named like the lock, a lock dated in the future and a live foreign holder
// each end in a clear message or a takeover, with exact revisions after; a holder whose
// event loop is blocked between steps keeps its lock.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { acquireLock } from '../../src/store/lock.js';
import { Store } from '../../src/store/store.js';
import { flowSync, json, readStore, ROOT, tempDir, waitFor } from '../helpers.js';

const FAST = { FLOW_LOCK_TIMEOUT_MS: '600', FLOW_LOCK_STALE_MS: '2000' };
// A stale period no start-up of a loaded machine can outlast, for locks that must stay fresh.
const PATIENT = { FLOW_LOCK_TIMEOUT_MS: '600', FLOW_LOCK_STALE_MS: '60000' };

function storeWithFlow(): { dir: string; lock: string; revision: number } {
  const dir = tempDir('flow-locks-');
  const created = flowSync(dir, ['add', 'flow', 'Start']);
  expect(created.code, created.stderr).toBe(0);
  return { dir, lock: join(dir, 'flows.json.lock'), revision: readStore(dir).meta.file_revision };
}

const secondsAgo = (s: number) => new Date(Date.now() - s * 1000);

describe('a regular file named flows.json.lock (another tool’s lock)', () => {
  it('while fresh: a clear busy message (exit 4), nothing written; once stale: taken over, revision +1', () => {
    const { dir, lock, revision } = storeWithFlow();
    writeFileSync(lock, 'pid 4242\n');
    const busy = flowSync(dir, ['add', 'flow', 'Blocked'], { env: PATIENT });
    expect(busy.code).toBe(4);
    expect(busy.stderr).toMatch(/flows\.json\.lock is a file, not a lock flow made \(another program's lock\?\); flow takes it over once it is 60 s old/);
    expect(busy.stderr).not.toMatch(/internal/);
    expect(readStore(dir).meta.file_revision).toBe(revision);

    utimesSync(lock, secondsAgo(61), secondsAgo(61));
    const taken = flowSync(dir, ['--json', 'add', 'flow', 'After'], { env: PATIENT });
    expect(taken.code, taken.stderr).toBe(0);
    expect(readStore(dir).meta.file_revision).toBe(revision + 1);
    expect(Object.values<any>(readStore(dir).flows).map((f) => f.name)).toEqual(['Start', 'After']);
    expect(existsSync(lock), 'no lock left behind').toBe(false);
    expect(json(taken).name).toBe('After');
  });

  it('an old one is taken over by the first write, also for context.json', () => {
    const { dir, revision } = storeWithFlow();
    for (const name of ['flows.json.lock', 'context.json.lock']) {
      writeFileSync(join(dir, name), '');
      utimesSync(join(dir, name), secondsAgo(3600), secondsAgo(3600));
    }
    const r = flowSync(dir, ['add', 'plan', 'P'], { env: FAST });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    expect(readStore(dir).meta.file_revision).toBe(revision + 1);
    // The scope was written too: the next task goes into the new plan.
    expect(flowSync(dir, ['add', 'task', 'T'], { env: FAST }).code).toBe(0);
    expect(json(flowSync(dir, ['--json', 'list', 'task'])).map((t: any) => t.title)).toEqual(['T']);
  });
});

describe('a lock dated in the future', () => {
  it('by more than the stale period counts as stale: taken over at once, revision +1', () => {
    for (const kind of ['folder', 'file'] as const) {
      const { dir, lock, revision } = storeWithFlow();
      if (kind === 'folder') mkdirSync(lock);
      else writeFileSync(lock, '');
      const future = new Date(Date.now() + 3_600_000);
      utimesSync(lock, future, future);
      const started = Date.now();
      const r = flowSync(dir, ['add', 'flow', 'Now'], { env: FAST });
      expect(r.code, `${kind}: ${r.stderr}`).toBe(0);
      expect(Date.now() - started, 'no waiting for the future (an hour away)').toBeLessThan(30_000);
      expect(readStore(dir).meta.file_revision).toBe(revision + 1);
      expect(existsSync(lock)).toBe(false);
    }
  });
});

describe('a live holder', () => {
  const children: ChildProcess[] = [];
  afterAll(() => {
    for (const child of children) child.kill('SIGKILL');
  });

  /** Another process that takes the lock and keeps it fresh until told to let go. */
  async function holder(file: string): Promise<{ child: ChildProcess; output: () => string }> {
    const script = `
      const { acquireLock } = await import(${JSON.stringify(join(ROOT, 'dist', 'lib.js'))});
      const lock = await acquireLock(${JSON.stringify(file)}, { staleMs: 2000 });
      process.stdout.write('locked\\n');
      process.stdin.once('data', async () => { await lock.release(); process.stdout.write('released\\n'); process.exit(0); });`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['pipe', 'pipe', 'inherit'] });
    children.push(child);
    let out = '';
    child.stdout?.on('data', (d) => (out += d));
    await waitFor(() => out.includes('locked'), { what: 'the holder to lock', timeoutMs: 20_000 });
    return { child, output: () => out };
  }

  it('is waited for and then reported busy (exit 4) without writing; after it lets go, the write lands once', async () => {
    const { dir, revision } = storeWithFlow();
    const { child, output } = await holder(join(dir, 'flows.json'));
    // Past the stale period: a live holder refreshes its lock and is never taken over.
    const busy = flowSync(dir, ['--json', 'add', 'flow', 'Waiting'], { env: { FLOW_LOCK_TIMEOUT_MS: '2500', FLOW_LOCK_STALE_MS: '2000' } });
    expect(busy.code).toBe(4);
    expect(JSON.parse(busy.stderr.trim()).error).toMatchObject({ code: 'busy' });
    expect(JSON.parse(busy.stderr.trim()).error.message).toMatch(/another writer holds it/);
    expect(readStore(dir).meta.file_revision).toBe(revision);
    child.stdin?.write('go\n');
    await waitFor(() => output().includes('released'), { what: 'release' });
    expect(flowSync(dir, ['add', 'flow', 'Now'], { env: FAST }).code).toBe(0);
    expect(readStore(dir).meta.file_revision).toBe(revision + 1);
  });
});

describe('long work under the lock', () => {
  it('refresh() keeps a lock fresh while the event loop is blocked, and proper-lockfile still sees it as ours', async () => {
    const dir = tempDir('flow-locks-');
    const file = join(dir, 'flows.json');
    const lock = await acquireLock(file, { staleMs: 2000 });
    try {
      // 3 s without turning the event loop (a big parse, a slow hook), refreshing between steps.
      for (let step = 0; step < 6; step++) {
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 500);
        lock.refresh();
      }
      expect(Date.now() - statSync(`${file}.lock`).mtimeMs).toBeLessThan(1000);
      expect(() => lock.assertHeld()).not.toThrow();
      // Someone else trying now finds it held (not stale).
      await expect(acquireLock(file, { staleMs: 2000, timeoutMs: 300 })).rejects.toMatchObject({ code: 'busy' });
      // proper-lockfile's own refresh runs next and must not take our refresh for a takeover.
      const ours = statSync(`${file}.lock`).mtimeMs;
      await waitFor(() => statSync(`${file}.lock`).mtimeMs > ours, { what: "proper-lockfile's own refresh", timeoutMs: 10_000 });
      expect(() => lock.assertHeld()).not.toThrow();
    } finally {
      await lock.release();
    }
    expect(existsSync(`${file}.lock`)).toBe(false);
  });

  it('a transaction whose change and pre_save hook each block for most of the stale period commits once', async () => {
    const dir = tempDir('flow-locks-');
    const block = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
    const store = new Store(dir, { lock: { staleMs: 2000 }, hooks: { preSave: () => void block(1500) } });
    let runs = 0;
    const commit = await store.transact((tx) => {
      runs++;
      block(1500);
      tx.forceWrite();
    });
    expect(runs, 'not retried: the lock was never lost').toBe(1);
    expect(commit.revision).toBe(1);
  });
});
