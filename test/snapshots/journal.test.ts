// Snapshots made from the journal of recorded patches (src/store/journal.ts) against the
// full-diff path they replace: after 1,000 random transactions (adds, edits, moves and
// deletes of tasks, plans and flows, other tools' fields) and writes that bypass flow
// (in place in another layout, or replaced by rename, with and without a new revision),
// every snapshot reads back as the file was and restores to the same bytes, whole or one
// flow or plan, as the state the old path (diff of whole states) stored.
import { copyFileSync, lstatSync, mkdirSync, readFileSync, renameSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { applyPatch, compare, escapePathComponent, type Operation } from 'fast-json-patch';
import { describe, expect, it } from 'vitest';
import { generateDocument, random } from '../../bench/fixtures.js';
import type { Flow } from '../../src/domain/schema.js';
import { createFlow } from '../../src/domain/tree.js';
import { SnapshotEngine, type SnapshotMeta, type SnapshotState } from '../../src/snapshots/engine.js';
import { prepareRestore, restoreInto, type RestoreScope } from '../../src/snapshots/restore.js';
import { wholeView } from '../../src/snapshots/view.js';
import { serialiseDocument } from '../../src/store/layout.js';
import { Store } from '../../src/store/store.js';
import { flowSync, readStore, tempDir } from '../helpers.js';
import { pick, randomChange, tasksUnder, writeStore, type Rand } from './support.js';

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

/** The old files backend's patch between two captured states (kept here as the reference). */
function diffStates(from: SnapshotState, to: SnapshotState): Operation[] {
  const ops: Operation[] = [];
  const fromDoc = from.flows as Record<string, unknown> & { flows?: Record<string, unknown> };
  const toDoc = to.flows as Record<string, unknown> & { flows?: Record<string, unknown> };
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  for (const key of new Set([...Object.keys(fromDoc), ...Object.keys(toDoc)])) {
    if (key === 'flows') continue;
    const path = `/flows/${escapePathComponent(key)}`;
    if (!(key in toDoc)) ops.push({ op: 'remove', path });
    else if (!(key in fromDoc)) ops.push({ op: 'add', path, value: toDoc[key] });
    else if (!same(fromDoc[key], toDoc[key])) ops.push({ op: 'replace', path, value: toDoc[key] });
  }
  const a = fromDoc.flows ?? {};
  const b = toDoc.flows ?? {};
  if (Object.keys(a).join('\n') !== Object.keys(b).join('\n')) {
    ops.push({ op: 'replace', path: '/flows/flows', value: b });
  } else {
    for (const id of Object.keys(b)) {
      if (same(a[id], b[id])) continue;
      const prefix = `/flows/flows/${escapePathComponent(id)}`;
      for (const op of compare(a[id] as object, b[id] as object)) ops.push({ ...op, path: prefix + op.path });
    }
  }
  for (const key of ['context', 'manifest', 'documents'] as const) {
    if (!same(from[key], to[key])) ops.push({ op: 'replace', path: `/${key}`, value: to[key] });
  }
  return ops;
}

/** What the old path captured: the files as they are. */
function captureFiles(dir: string): SnapshotState {
  const optional = (name: string) => {
    try {
      return JSON.parse(readFileSync(join(dir, name), 'utf8'));
    } catch {
      return null;
    }
  };
  return { flows: readStore(dir), context: optional('context.json'), manifest: optional('documents_manifest.json'), documents: {} };
}

/** Another tool edits flows.json without flow: in place in another layout, or by rename. */
function outsideWrite(dir: string, rand: Rand, step: number): void {
  const file = join(dir, 'flows.json');
  const doc = readStore(dir);
  const flows = Object.values<Flow>(doc.flows);
  const tasks = tasksUnder(flows);
  if (tasks.length) pick(rand, tasks).title = `edited outside at ${step}`;
  if (rand() < 0.3) delete doc.flows[pick(rand, flows).id];
  if (rand() < 0.3) doc.flows[`flow_outside${step}`] = { ...createFlow(`outside ${step}`), id: `flow_outside${step}` };
  if (rand() < 0.5) doc.meta.file_revision += 1;
  if (rand() < 0.5) {
    writeFileSync(file, JSON.stringify(doc, null, 2));
  } else {
    const { flows: all, ...header } = doc;
    writeFileSync(`${file}.outside`, serialiseDocument(header, Object.entries(all)));
    renameSync(`${file}.outside`, file);
  }
}

/** flows.json after restoring into a copy of the store as it is now; meta (a new revision and time) left out. */
async function restoredBytes(dir: string, scratch: string, prepare: () => ReturnType<typeof prepareRestore>): Promise<string> {
  mkdirSync(scratch, { recursive: true });
  copyFileSync(join(dir, 'flows.json'), join(scratch, 'flows.json'));
  try {
    const prepared = prepare();
    await new Store(scratch).transact((tx) => restoreInto(tx, prepared));
  } catch (err) {
    return `error: ${(err as Error).message}`;
  }
  return readFileSync(join(scratch, 'flows.json'), 'utf8').replace(/^ {2}"meta": .*$/m, '');
}

describe('snapshots from the journal of recorded patches', () => {
  it('1,000 random transactions and outside writes: every snapshot reads back as captured and restores like the old full-diff path', async () => {
    const rand = random(2026);
    const dir = tempDir('flow-journal-');
    writeStore(dir, generateDocument(40, 'deep', 11));
    writeFileSync(join(dir, 'context.json'), JSON.stringify({ version: 1, sessions: {} }));
    const store = new Store(dir);
    const engine = new SnapshotEngine(dir);
    const snapshots: Array<{ meta: SnapshotMeta; captured: SnapshotState; old: SnapshotState; outside: boolean }> = [];
    let old: SnapshotState | undefined;
    let outside = false;
    let outsideWrites = 0;
    for (let step = 1; step <= 1000; step++) {
      if (rand() < 0.03) {
        outsideWrite(dir, rand, step);
        outside = true;
        outsideWrites++;
      } else {
        await store.transact((tx) => randomChange(tx, rand, step));
      }
      if (rand() < 0.02) writeFileSync(join(dir, 'context.json'), JSON.stringify({ version: 1, sessions: {}, x_step: step }));
      if (step % 10 !== 0 && rand() > 0.03) continue;
      const meta = await engine.create(store, { deferRebase: rand() < 0.3, label: `step ${step}` });
      const captured = captureFiles(dir);
      // The old path: a patch from the previous snapshot's state to the captured one.
      old = old ? applyPatch(clone(old), diffStates(old, captured), false, true).newDocument : captured;
      if (outside) expect(meta.storage, `snapshot at step ${step} after a write outside flow`).toBe('base');
      snapshots.push({ meta, captured, old: clone(old), outside });
      outside = false;
    }
    expect(outsideWrites).toBeGreaterThan(10);
    const bases = snapshots.filter((s) => s.meta.storage === 'base').length;
    const patches = snapshots.filter((s) => s.meta.storage === 'patch').length;
    expect(patches).toBeGreaterThan(bases);
    console.log(`${snapshots.length} snapshots: ${bases} baselines (${snapshots.filter((s) => s.outside).length} after outside writes), ${patches} patches`);

    const reader = new SnapshotEngine(dir);
    const scratch = tempDir('flow-journal-restores-');
    let restores = 0;
    for (const [n, { meta, captured, old: expected }] of snapshots.entries()) {
      const state = reader.read(meta);
      // As the file was, byte for byte; and equal to what the old path kept.
      expect(JSON.stringify(state.flows), `snapshot ${n} flows.json`).toBe(JSON.stringify(captured.flows));
      expect(state.context, `snapshot ${n} context`).toEqual(captured.context);
      expect(expected).toEqual(captured);
      const scopes: RestoreScope[] = [{}];
      const snapshotFlows = Object.values<Flow>((captured.flows as any).flows);
      if (snapshotFlows.length) {
        const flow = pick(rand, snapshotFlows);
        scopes.push({ flowId: flow.id });
        if (flow.plans.length) scopes.push({ planId: pick(rand, flow.plans).id });
      }
      for (const scope of scopes) {
        const mine = await restoredBytes(dir, join(scratch, String(restores++)), () => prepareRestore(reader.view(meta), scope));
        const theirs = await restoredBytes(dir, join(scratch, String(restores++)), () => prepareRestore(wholeView(expected), scope));
        expect(mine, `restore of snapshot ${n} ${JSON.stringify(scope)}`).toBe(theirs);
      }
    }
    expect(restores).toBeGreaterThan(200);
  }, 180_000);
});

describe('the journal is a side file like any other (DESIGN §8)', () => {
  /** A store with a first snapshot (so the journal exists) and an outside folder with a canary. */
  function scene() {
    const root = tempDir('flow-journal-trust-');
    const dir = join(root, '.flow');
    mkdirSync(dir);
    const canary = join(root, 'canary.txt');
    writeFileSync(canary, 'canary\n');
    // Big enough that a change of one flow is stored as a patch.
    writeStore(dir, generateDocument(40, 'deep', 11));
    expect(flowSync(dir, ['snapshot', 'create']).code).toBe(0);
    return { dir, canary, journal: join(dir, 'snapshots', 'journal.jsonl') };
  }

  it('a journal that is a link to a file outside: never appended to or read; the next snapshot says so and is a full copy', () => {
    const s = scene();
    unlinkSync(s.journal);
    symlinkSync(s.canary, s.journal);
    expect(flowSync(s.dir, ['add', 'flow', 'G']).code).toBe(0);
    const r = flowSync(s.dir, ['--json', 'snapshot', 'create']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/snapshot journal .* is damaged \(a symbolic link leads outside/);
    expect(JSON.parse(r.stdout).storage).toBe('base');
    expect(readFileSync(s.canary, 'utf8')).toBe('canary\n');
    // The journal starts over as a file of flow's own, and the next snapshot is a patch again.
    expect(lstatSync(s.journal).isFile()).toBe(true);
    expect(flowSync(s.dir, ['add', 'flow', 'H']).code).toBe(0);
    expect(JSON.parse(flowSync(s.dir, ['--json', 'snapshot', 'create']).stdout).storage).toBe('patch');
  });

  it('hostile and torn lines are skipped and reported; the chain of files decides what the snapshot holds', () => {
    const s = scene();
    expect(flowSync(s.dir, ['add', 'flow', 'G']).code).toBe(0);
    const [start, entry] = readFileSync(s.journal, 'utf8').trim().split('\n');
    const forged = JSON.parse(entry);
    // An operation whose `from` is no JSON pointer, a revision of the wrong type, not JSON, torn.
    const hostile = [
      JSON.stringify({ ...forged, patch: [{ op: 'copy', path: '/flows/x', from: 'context' }] }),
      JSON.stringify({ ...forged, revision: 'two' }),
      '\u001b[2J not json',
    ];
    writeFileSync(s.journal, [start, hostile[0], entry, hostile[1], hostile[2], '{"torn'].join('\n'));
    const r = flowSync(s.dir, ['--json', 'snapshot', 'create']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('snapshots/journal.jsonl: lines 2, 4, 5, 6 damaged and skipped');
    expect(r.stderr).not.toContain('\u001b');
    const meta = JSON.parse(r.stdout);
    expect(meta.storage).toBe('patch');
    expect(JSON.stringify(new SnapshotEngine(s.dir).read(meta).flows)).toBe(JSON.stringify(readStore(s.dir)));
  });

  it('a forged entry is used only where the chain of files leads to flows.json as it is: after a write outside, the snapshot is the file', () => {
    const s = scene();
    expect(flowSync(s.dir, ['add', 'flow', 'G']).code).toBe(0);
    const lines = readFileSync(s.journal, 'utf8').trim().split('\n');
    const entry = JSON.parse(lines[1]);
    entry.patch = [{ op: 'add', path: '/flows/flow_forged00', value: { id: 'flow_forged00', name: 'forged', plans: [] } }];
    writeFileSync(s.journal, `${lines[0]}\n${JSON.stringify(entry)}\n`);
    const text = readFileSync(join(s.dir, 'flows.json'), 'utf8');
    writeFileSync(join(s.dir, 'flows.json'), text.replace('"G"', '"G2"'));
    const meta = JSON.parse(flowSync(s.dir, ['--json', 'snapshot', 'create']).stdout);
    expect(meta.storage).toBe('base');
    const flows = JSON.stringify(new SnapshotEngine(s.dir).read(meta).flows);
    expect(flows).not.toContain('forged');
    expect(flows).toContain('"G2"');
  });
});
