// Document numbers against other writers (README "Documents"): a change given a list
// number checks it again under the manifest's lock, against flows.json read then, and
// changes nothing (exit 3) when the number names another document than when the command
// read the store. Real `flow` processes race on one store; to put every one of them
// between its read and the lock, the test holds the manifest's lock itself and releases it
// once a probe (test/workers/lock-wait-probe.cjs) says each is waiting for it. Last, the
// manifest a change reads before the lock, reused under it only while the file is unchanged.
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { collectSources } from '../../src/documents/sources.js';
import { manifestPath, readManifest, updateManifest, type Manifest } from '../../src/documents/manifest.js';
import { removePlan } from '../../src/domain/tree.js';
import { acquireLock } from '../../src/store/lock.js';
import { Store } from '../../src/store/store.js';
import { ROOT, flow, flowSync, json, tempDir, waitFor, type RunResult } from '../helpers.js';
import { fixture } from './support.js';

interface Doc {
  number: number | null;
  id: string;
  name: string;
  deleted_at: string | null;
}

const PROBE = join(ROOT, 'test', 'workers', 'lock-wait-probe.cjs');
// Children start slowly on a loaded machine: they wait for the lock as long as the test needs.
const PATIENT = { FLOW_LOCK_TIMEOUT_MS: '60000', FLOW_SESSION: 'races' };

/** Plan A with `a` documents (a1.md, …), then plan B with `b` (b1.md, …), in that order. */
function setup(a: number, b: number) {
  const root = tempDir();
  const dir = join(root, '.flow');
  mkdirSync(join(root, 'src'));
  const run = (...args: string[]) => flowSync(dir, args, { env: PATIENT });
  const files = (prefix: string, n: number) =>
    Array.from({ length: n }, (_, i) => {
      const path = join(root, 'src', `${prefix}${i + 1}.md`);
      writeFileSync(path, `the text of ${prefix}${i + 1}\n`);
      return path;
    });
  json(run('add', 'flow', 'Project', '--json'));
  const plans = ['A', 'B'].map((title) => json(run('add', 'plan', title, '--json')).id as string);
  json(run('add', 'doc', ...files('a', a), '--plan', plans[0], '--json'));
  if (b) json(run('add', 'doc', ...files('b', b), '--plan', plans[1], '--json'));
  const list = (...args: string[]): Doc[] => json(run('list', 'doc', ...args, '--json'));
  return { root, dir, plans, run, list };
}

/**
 * Runs `flow` with each of `commands` in a process of its own, all of them reading the
 * store before any can change it: the manifest's lock is held until every one is waiting
 * for it, and `between` runs then.
 */
async function gated(dir: string, commands: string[][], between: () => Promise<void> = async () => {}): Promise<RunResult[]> {
  const probe = join(dir, '..', 'waiting');
  writeFileSync(probe, '');
  const lock = await acquireLock(manifestPath(dir));
  let runs: Array<Promise<RunResult>> = [];
  try {
    const env = { ...PATIENT, NODE_OPTIONS: `--require ${PROBE}`, FLOW_PROBE_OUT: probe, FLOW_PROBE_LOCK: 'documents_manifest.json.lock' };
    runs = commands.map((args) => flow(dir, args, { env }));
    const waiting = () => readFileSync(probe, 'utf8').split('\n').filter(Boolean).length === commands.length;
    await waitFor(waiting, { timeoutMs: 60_000, what: `${commands.length} processes waiting for the lock` });
    await between();
  } finally {
    await lock.release();
  }
  return Promise.all(runs);
}

/** Removes a plan from flows.json as another writer would, leaving the manifest alone. */
async function removePlanFrom(dir: string, planId: string): Promise<void> {
  await new Store(dir).transact((tx) => {
    tx.locate(planId);
    removePlan(tx.index, planId);
  });
}

const rmDoc1 = (n: number) => Array.from({ length: n }, () => ['rm', 'doc', '1']);

const removedId = (result: RunResult) => /^Removed (doc_\w+) /.exec(result.stdout)?.[1];

describe('document numbers and other writers', () => {
  beforeAll(() => {
    expect(existsSync(join(ROOT, 'dist', 'cli.cjs'))).toBe(true);
  });

  it('4 processes that all saw the same list run rm doc 1: one removes the first document, 3 change nothing (exit 3) and say why', async () => {
    const s = setup(5, 0);
    const before = s.list();
    const results = await gated(s.dir, rmDoc1(4));
    const removed = results.filter((r) => r.code === 0);
    expect(removed.map(removedId), results.map((r) => r.stderr).join('\n')).toEqual([before[0].id]);
    expect(removed[0].stdout).toContain(`Removed ${before[0].id} "a1.md" (number 1 of flow list doc)`);
    for (const refused of results.filter((r) => r.code !== 0)) {
      expect(refused.code).toBe(3);
      expect(refused.stderr).toContain(`document 1 was ${before[0].id} "a1.md" when this command read the store`);
      expect(refused.stderr).toContain(`it is no longer in the list, 1 is now ${before[1].id} "a2.md". Nothing was changed`);
    }
    expect(s.list().map((d) => d.id)).toEqual(before.slice(1).map((d) => d.id));
    expect(s.list('--all').filter((d) => d.deleted_at).map((d) => d.id)).toEqual([before[0].id]);
  });

  it('6 processes run rm doc 1 freely on 8 documents: what went is the first k of the list, in order, each named by the one that removed it', async () => {
    const s = setup(8, 0);
    const before = s.list();
    const results = await Promise.all(Array.from({ length: 6 }, () => flow(s.dir, ['rm', 'doc', '1'], { env: PATIENT })));
    expect(results.map((r) => r.code).every((code) => code === 0 || code === 3), results.map((r) => r.stderr).join('\n')).toBe(true);
    const removed = results.filter((r) => r.code === 0).map(removedId);
    const k = removed.length;
    expect(k).toBeGreaterThan(0);
    // Each removal took the document that was number 1 then: the first k, no gaps, no repeats.
    expect([...removed].sort()).toEqual(before.slice(0, k).map((d) => d.id).sort());
    expect(s.list().map((d) => d.id)).toEqual(before.slice(k).map((d) => d.id));
    // A refusal names a document some other process removed.
    for (const refused of results.filter((r) => r.code === 3)) {
      const meant = /document 1 was (doc_\w+) /.exec(refused.stderr)?.[1];
      expect(removed).toContain(meant);
    }
  });

  it('a plan removed after rm doc 1 read the store: its documents no longer count, so nothing is removed (exit 3); run again, it removes the new number 1', async () => {
    const s = setup(2, 2);
    const [b1] = s.list().filter((d) => d.name === 'b1.md');
    const [a1] = s.list();
    const [refused] = await gated(s.dir, rmDoc1(1), () => removePlanFrom(s.dir, s.plans[0]));
    expect(refused.code, refused.stderr).toBe(3);
    expect(refused.stderr).toContain(`document 1 was ${a1.id} "a1.md" when this command read the store`);
    expect(refused.stderr).toContain(`1 is now ${b1.id} "b1.md". Nothing was changed`);
    expect(s.list('--all').filter((d) => d.deleted_at)).toEqual([]);
    expect(s.list().map((d) => d.name)).toEqual(['b1.md', 'b2.md']);
    const again = s.run('rm', 'doc', '1');
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain(`Removed ${b1.id} "b1.md" (number 1 of flow list doc)`);
  });

  it('unlink doc N checks the number under the lock too: a number out of the list now changes nothing', async () => {
    const s = setup(1, 1);
    const [, b1] = s.list();
    // Plan A goes while unlink doc 2 --plan B waits: 2 is no document now (b1.md is 1).
    const [result] = await gated(s.dir, [['unlink', 'doc', '2', '--plan', s.plans[1]]], () => removePlanFrom(s.dir, s.plans[0]));
    expect(result.code, result.stderr).toBe(3);
    expect(result.stderr).toContain(`document 2 was ${b1.id} "b1.md" when this command read the store`);
    expect(result.stderr).toContain('it is number 1 now, there is 1 document: 1. Nothing was changed');
    expect(s.list('--plan', s.plans[1]).map((d) => d.id)).toEqual([b1.id]);
  });

  it('link doc to a plan removed while the command waited for the lock links nothing (exit 3)', async () => {
    const s = setup(1, 0);
    const [a1] = s.list();
    const [result] = await gated(s.dir, [['link', 'doc', a1.id, '--plan', s.plans[1]]], () => removePlanFrom(s.dir, s.plans[1]));
    expect(result.code, result.stderr).toBe(3);
    expect(result.stderr).toContain(`plan ${s.plans[1]} was removed since this command read the store; nothing was linked`);
    const entry = readManifest(s.dir).get(a1.id);
    expect(entry?.plans).toEqual([s.plans[0]]);
    expect(existsSync(join(s.dir, 'documents', s.plans[1]))).toBe(false);
  });
});

describe('a saved document change is never reported as failed', () => {
  it('rm doc whose readable file cannot go (its folder is a link out of .flow): exit 0, the removal saved, a warning, the outside file untouched', () => {
    const s = setup(1, 0);
    const [a1] = s.list();
    const folder = join(s.dir, 'documents', s.plans[0]);
    const outside = join(s.root, 'outside');
    renameSync(folder, outside);
    symlinkSync(outside, folder);
    const result = s.run('rm', 'doc', '1');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`Removed ${a1.id} "a1.md"`);
    expect(result.stderr).toContain('the change is saved, but a readable file was left as it was');
    expect(readManifest(s.dir).get(a1.id)?.deleted_at).toBeTruthy();
    expect(readFileSync(join(outside, 'a1.md'), 'utf8')).toBe('the text of a1\n');
  });

  it('link doc whose plan summary.md cannot be written (a folder in its place): exit 0, the link saved, a warning', () => {
    const s = setup(1, 0);
    const [a1] = s.list();
    expect(s.run('set', 'plan', s.plans[1], '--summary', 'What B is for').code).toBe(0);
    mkdirSync(join(s.dir, 'documents', s.plans[1], 'summary.md'), { recursive: true });
    const result = s.run('link', 'doc', a1.id, '--plan', s.plans[1]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(`the change is saved, but documents/${s.plans[1]}/summary.md could not be written`);
    expect(readManifest(s.dir).get(a1.id)?.plans).toEqual([s.plans[0], s.plans[1]]);
  });
});

describe('a manifest read before the lock', () => {
  it('is what the change starts from only while the file is unchanged, and only once', async () => {
    const f = await fixture();
    const [added] = await f.docs.add(collectSources([f.file('spec.md', 'spec\n'), f.file('notes.md', 'notes\n')]), f.plans[0]);
    // A read counts only once the file has settled (a write in the same clock tick could look unchanged).
    const path = manifestPath(f.dir);
    await waitFor(() => Date.now() - statSync(path).mtimeMs > 100, { what: 'the manifest to settle' });
    const startedFrom = async (seen: Manifest) => updateManifest(f.dir, (manifest) => manifest, {}, seen);
    // Not settled: read straight after a write, it is never reused.
    await f.docs.add(collectSources([f.file('more.md', 'more\n')]), f.plans[0]);
    // Touched now, so "just written" holds however long the add's after-steps took.
    utimesSync(path, new Date(), new Date());
    const justWritten = readManifest(f.dir);
    expect(await startedFrom(justWritten)).not.toBe(justWritten);
    await waitFor(() => Date.now() - statSync(path).mtimeMs > 100, { what: 'the manifest to settle again' });
    const unchanged = readManifest(f.dir);
    expect(await startedFrom(unchanged)).toBe(unchanged);
    // Taken once: a change may have altered it without saving.
    expect(await startedFrom(unchanged)).not.toBe(unchanged);
    const stale = readManifest(f.dir);
    await f.docs.remove(added.entry.id, f.existing);
    const fresh = await startedFrom(stale);
    expect(fresh).not.toBe(stale);
    expect(fresh.get(added.entry.id)?.deleted_at).not.toBeNull();
    expect(stale.get(added.entry.id)?.deleted_at).toBeNull();
  });
});
