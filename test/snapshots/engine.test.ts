// Snapshots (DESIGN §5): incremental storage (a baseline plus RFC 6902 patches, re-based
// when a chain gets long) that reads back exactly what it captured, cheap on disk,
// retention that keeps pinned and migration snapshots, the readable diff, and the git
// backend. Bulk work (hundreds of snapshots) runs through the library in this process;
// restores, prune and diff also run as the real `flow` command.
import { spawnSync } from 'node:child_process';
import { copyFileSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { generateDocument } from '../../bench/fixtures.js';
import { localBackend } from '../../src/documents/backends.js';
import { Documents } from '../../src/documents/documents.js';
import { collectSources } from '../../src/documents/sources.js';
import { createFlow } from '../../src/domain/tree.js';
import { SnapshotEngine, type SnapshotMeta } from '../../src/snapshots/engine.js';
import { MAX_CHAIN } from '../../src/snapshots/files-backend.js';
import { Store } from '../../src/store/store.js';
import { ROOT, readStore, tempDir } from '../helpers.js';
import { cli, cliJson, inProcess, readContextFile, readJson, withoutMeta, writeStore } from './support.js';

const DAY = 86_400_000;

/** Every file under a folder with its size, for "nothing was deleted" checks. */
function listing(folder: string): Record<string, number> {
  const out: Record<string, number> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const path = join(d, name);
      const stat = statSync(path);
      if (stat.isDirectory()) walk(path);
      else out[relative(folder, path)] = stat.size;
    }
  };
  walk(folder);
  return out;
}

function bytesUnder(folder: string): number {
  return Object.values(listing(folder)).reduce((a, b) => a + b, 0);
}

/** Patches between a snapshot and its baseline. */
function chainLength(meta: SnapshotMeta, all: readonly SnapshotMeta[]): number {
  const byId = new Map(all.map((s) => [s.id, s]));
  let n = 0;
  for (let at = meta; at.storage === 'patch'; n++) at = byId.get(at.parent as string) as SnapshotMeta;
  return n;
}

/** A document's content as the content store holds it (snapshots record only its hash). */
function content(docs: Documents, hash: string): string {
  return readFileSync(docs.content.find(hash) as string, 'utf8');
}

/** Adds or replaces documents/<plan>/notes.md; the manifest keeps a field of another tool. */
async function writeNotes(docs: Documents, dir: string, plan: string, text: string): Promise<void> {
  const source = join(tempDir('flow-snap-notes-'), 'notes.md');
  writeFileSync(source, text);
  await docs.add(collectSources([source]), plan);
  const file = join(dir, 'documents_manifest.json');
  writeFileSync(file, JSON.stringify({ ...readJson(file), x_manifest: true }));
}

// ---------------------------------------------------------------------------------------

describe('incremental snapshots', () => {
  it('Restore of any snapshot in a chain of 200 reproduces the captured files exactly (deep-equal, unknown fields included)', async () => {
    const dir = tempDir('flow-snap-chain-');
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ snapshots: { keep: 1000, max_age_days: 3650 } }));
    // A store with fields other tools keep at every level.
    const doc = generateDocument(60, 'deep', 7) as Record<string, any>;
    doc.x_top = { tool: 'agent', n: 0 };
    doc.meta.x_meta = { host: 'ci', keep: [1, 2] };
    for (const flow of Object.values<any>(doc.flows)) {
      flow.x_flow = { colour: 'teal' };
      for (const plan of flow.plans) {
        plan.x_plan = 1;
        for (const task of plan.tasks) {
          task.x_task = 'τ';
          for (const sub of task.subtasks) sub.x_subtask = [null, true];
        }
      }
    }
    writeStore(dir, doc);
    const flowIds = Object.keys(doc.flows);
    const planId = doc.flows[flowIds[0]].plans[0].id as string;
    const context = {
      version: 1,
      sessions: { default: { flow_id: flowIds[0], plan_id: planId, summary: 'start', decisions: [{ time: '2026-01-01T00:00:00.000Z', text: 'd0', x_decision: true }], updated: '2026-01-01T00:00:00.000Z', x_session: 1 } },
      x_context: { a: 1 },
    };
    writeFileSync(join(dir, 'context.json'), JSON.stringify(context));
    const docPath = join(planId, 'notes.md');
    const docs = new Documents({ dir, largeBytes: 20 << 20, backend: localBackend() });
    await writeNotes(docs, dir, planId, 'notes v0\n');

    const store = new Store(dir);
    const engine = new SnapshotEngine(dir);
    const captured: Array<{ id: string; flows: any; context: any; manifest: any; document: string }> = [];
    let extraFlow: string | undefined;
    for (let i = 0; i < 200; i++) {
      if (i > 0) {
        // One small change, of a different kind now and then.
        await store.transact((tx) => {
          const flow = tx.flow(flowIds[i % flowIds.length]) as any;
          const task = flow.plans[i % 2].tasks[i % 5];
          if (i % 3 === 0) task.x_task = { changed_at: i };
          else task.title = `renamed ${i}`;
          if (i % 10 === 3) tx.setExtra('x_top', { tool: 'agent', n: i });
          if (i % 10 === 8) tx.setExtra(`x_added_${i}`, i);
          if (i % 30 === 13) tx.setCurrentFlow(flowIds[i % flowIds.length]);
          if (i === 77) {
            const added = createFlow('Added later');
            extraFlow = added.id;
            tx.addFlow(Object.assign(added, { x_flow: 'new' }));
          }
          if (i === 150) tx.deleteFlow(extraFlow as string);
          if (i === 120) flow.plans[0].tasks.splice(1, 1);
        });
        if (i % 20 === 5) writeFileSync(join(dir, 'context.json'), JSON.stringify({ ...context, x_context: { a: i } }));
        if (i % 50 === 9) await writeNotes(docs, dir, planId, `notes v${i}\n`);
      }
      const meta = await engine.create(store, { label: `#${i}` });
      captured.push({
        id: meta.id,
        flows: readStore(dir),
        context: readContextFile(dir),
        manifest: readJson(join(dir, 'documents_manifest.json')),
        document: readFileSync(join(dir, 'documents', docPath), 'utf8'),
      });
    }

    // A fresh engine: nothing comes from the writer's memory.
    const reader = new SnapshotEngine(dir);
    const metas = reader.list();
    expect(metas.map((m) => m.id)).toEqual(captured.map((c) => c.id));
    const bases = metas.filter((m) => m.storage === 'base');
    const patches = metas.filter((m) => m.storage === 'patch');
    expect(bases.length).toBeGreaterThanOrEqual(3);
    expect(patches.length).toBeGreaterThanOrEqual(150);
    const chains = metas.map((m) => chainLength(m, metas));
    // Never longer than MAX_CHAIN, and this store is big enough that the length limit (not
    // the patches' weight) is what starts a new baseline.
    expect(Math.max(...chains)).toBe(MAX_CHAIN);
    console.log(`chain of 200: ${bases.length} baselines, ${patches.length} patches, longest chain ${Math.max(...chains)} (MAX_CHAIN ${MAX_CHAIN})`);

    metas.forEach((meta, i) => {
      const state = reader.read(meta);
      const want = captured[i];
      expect(state.flows, `snapshot #${i} flows.json`).toEqual(want.flows);
      // Flows, plans, tasks and their fields in the same order, byte for byte.
      expect(JSON.stringify((state.flows as any).flows), `snapshot #${i} flows in order`).toBe(JSON.stringify(want.flows.flows));
      expect(state.context, `snapshot #${i} context.json`).toEqual(want.context);
      expect(state.manifest, `snapshot #${i} manifest`).toEqual(want.manifest);
      expect(content(docs, state.documents[docPath]), `snapshot #${i} document`).toBe(want.document);
    });

    // Through the real command: first, middle, right after a re-base, last.
    const rebased = metas.findIndex((m, i) => i > 0 && m.storage === 'base' && metas[i + 1]?.storage === 'patch');
    expect(rebased).toBeGreaterThan(0);
    for (const i of [0, 100, rebased + 1, 199]) {
      const out = cliJson(dir, ['snapshot', 'restore', String(i + 1), '--yes']);
      expect(out.restored).toBe(captured[i].id);
      const now = readStore(dir);
      const want = captured[i].flows;
      expect(withoutMeta(now), `restore of #${i}`).toEqual(withoutMeta(want));
      expect(now.flows).toEqual(want.flows);
      expect(now.current_flow_id).toBe(want.current_flow_id);
      expect(now.meta.x_meta).toEqual(want.meta.x_meta);
      expect(now.meta.file_revision).toBeGreaterThan(want.meta.file_revision);
      expect(readContextFile(dir)).toEqual(captured[i].context);
      expect(readJson(join(dir, 'documents_manifest.json'))).toEqual(captured[i].manifest);
      expect(readFileSync(join(dir, 'documents', docPath), 'utf8')).toBe(captured[i].document);
    }
    // The captured states differ from each other, so the comparisons above can fail.
    expect(captured[0].flows).not.toEqual(captured[100].flows);
    expect(captured[0].context).not.toEqual(captured[199].context);
    expect(captured[0].document).not.toBe(captured[199].document);
  }, 180_000);

  it('200 snapshots of a 1k-flow store, one small change between each, take less disk than 5 full copies', async () => {
    const dir = tempDir('flow-snap-disk-');
    const doc = generateDocument(1000);
    writeStore(dir, doc);
    const flowIds = Object.keys(doc.flows);
    const store = new Store(dir);
    const engine = new SnapshotEngine(dir);
    for (let i = 0; i < 200; i++) {
      await store.transact((tx) => {
        const flow = tx.flow(flowIds[(i * 37) % flowIds.length]) as any;
        flow.plans[0].tasks[i % 3].title = `renamed in step ${i}`;
      });
      await engine.create(store);
    }
    const storeBytes = statSync(join(dir, 'flows.json')).size;
    const snapshotBytes = bytesUnder(join(dir, 'snapshots'));
    const ratio = snapshotBytes / storeBytes;
    console.log(
      `disk: flows.json ${(storeBytes / 1024).toFixed(0)} KB, 200 snapshots ${(snapshotBytes / 1024).toFixed(0)} KB = ${ratio.toFixed(2)} full copies`,
    );
    expect(engine.list()).toHaveLength(200);
    expect(ratio).toBeLessThan(5);
    // And the newest still reads back as the store is.
    const last = engine.list().at(-1) as SnapshotMeta;
    expect(new SnapshotEngine(dir).read(last).flows).toEqual(readStore(dir));
  });
});

// ---------------------------------------------------------------------------------------

describe('retention', () => {
  it('Pruning by count and age keeps pinned and migration snapshots and leaves every kept one restorable', async () => {
    const dir = tempDir('flow-snap-prune-');
    // A 2.x store, opened once: the upgrade writes snapshots/<ts>_migration.json.
    copyFileSync(join(ROOT, 'test', 'fixtures', 'migrate', 'v2-flows.json'), join(dir, 'flows.json'));
    const store = new Store(dir);
    await store.read();
    expect(readdirSync(join(dir, 'snapshots')).filter((n) => n.endsWith('_migration.json'))).toHaveLength(1);
    const migrated = readStore(dir);
    // Enough content that small changes are stored as patches.
    const extra = generateDocument(60, 'small', 3);
    await store.transact((tx) => Object.values(extra.flows).forEach((f) => tx.addFlow(f)));
    const extraIds = Object.keys(extra.flows);

    const engine = new SnapshotEngine(dir);
    const captured = new Map<string, any>();
    const ids: string[] = [];
    for (let k = 0; k < 12; k++) {
      await store.transact((tx) => {
        (tx.flow(extraIds[k]) as any).plans[0].tasks[0].title = `step ${k}`;
      });
      const meta = await engine.create(store, { label: `s${k}` });
      ids.push(meta.id);
      captured.set(meta.id, readStore(dir));
    }
    const migration = engine.list().find((m) => m.kind === 'migration') as SnapshotMeta;
    expect(migration).toBeDefined();
    expect(engine.list().filter((m) => m.storage === 'patch').map((m) => m.id)).toEqual(ids.slice(1));

    await engine.setPinned(ids[2], true);
    await engine.setPinned(ids[7], true);
    // Ages: s_k is (12 - k) * 5 - 1 days old (59 … 4); the migration 200 days.
    const now = Date.now();
    const indexFile = join(dir, 'snapshots', 'index.json');
    const index = readJson(indexFile);
    for (const meta of index.snapshots) {
      const k = ids.indexOf(meta.id);
      const age = meta.kind === 'migration' ? 200 : (12 - k) * 5 - 1;
      meta.created = new Date(now - age * DAY).toISOString();
    }
    writeFileSync(indexFile, JSON.stringify(index, null, 2));

    const everyKeptReadsBack = () => {
      const fresh = new SnapshotEngine(dir);
      for (const meta of fresh.list()) {
        const flows = fresh.read(meta).flows as any;
        if (meta.kind === 'migration') expect(flows.flows).toEqual(migrated.flows);
        else expect(flows, `${meta.label} reads back`).toEqual(captured.get(meta.id));
      }
    };
    const folder = join(dir, 'snapshots');

    // By count, through the library: the newest 8 of the 10 that may go are kept.
    const byCount = { keep: 8, maxAgeDays: 10_000 };
    const before = listing(folder);
    const indexBytes = readFileSync(indexFile);
    expect(new Set(engine.victims(byCount).map((m) => m.id))).toEqual(new Set([ids[0], ids[1]]));
    expect(listing(folder)).toEqual(before);
    expect(readFileSync(indexFile).equals(indexBytes)).toBe(true);
    const gone = await engine.prune(byCount);
    expect(new Set(gone.map((m) => m.id))).toEqual(new Set([ids[0], ids[1]]));
    let left = engine.list();
    expect(left.map((m) => m.id)).toEqual([migration.id, ...ids.slice(2)]);
    // s2 is a patch on s1, whose baseline s0 is gone from the list: their storage is kept
    // (retired) rather than rewriting s2, so removing costs nothing whatever the store's size.
    expect(left.find((m) => m.id === ids[2])).toMatchObject({ storage: 'patch', pinned: true });
    expect(readJson(indexFile).retired.map((m: SnapshotMeta) => m.id)).toEqual([ids[0], ids[1]]);
    everyKeptReadsBack();

    // By age (snapshots.max_age_days, default 30), through the command: --dry-run first.
    const listingBefore = listing(folder);
    const indexBefore = readFileSync(indexFile);
    const dry = cliJson<SnapshotMeta[]>(dir, ['snapshot', 'prune', '--dry-run']);
    expect(new Set(dry.map((m) => m.id))).toEqual(new Set([ids[3], ids[4], ids[5]]));
    expect(listing(folder)).toEqual(listingBefore);
    expect(readFileSync(indexFile).equals(indexBefore)).toBe(true);
    expect(cli(dir, ['snapshot', 'prune', '--dry-run']).stdout).toMatch(/Would delete 3 snapshots/);

    const pruned = cliJson<SnapshotMeta[]>(dir, ['snapshot', 'prune']);
    expect(new Set(pruned.map((m) => m.id))).toEqual(new Set([ids[3], ids[4], ids[5]]));
    left = engine.list();
    expect(left.map((m) => m.id)).toEqual([migration.id, ids[2], ...ids.slice(6)]);
    expect(left.filter((m) => m.pinned).map((m) => m.id)).toEqual([ids[2], ids[7]]);
    expect(left.find((m) => m.id === ids[6])?.storage).toBe('patch');
    expect(new Set(readJson(indexFile).retired.map((m: SnapshotMeta) => m.id))).toEqual(new Set([ids[0], ids[1], ids[3], ids[4], ids[5]]));
    everyKeptReadsBack();

    // Even at a time when every one is past the age limit, pinned and migration ones stay.
    const later = engine.victims({ keep: 0, maxAgeDays: 1 }, now + 365 * DAY).map((m) => m.id);
    expect(new Set(later)).toEqual(new Set(ids.slice(6).filter((id) => id !== ids[7])));
    // A migration snapshot cannot be deleted by hand either.
    expect(cli(dir, ['snapshot', 'rm', migration.id], { code: 1 }).stderr).toMatch(/migration snapshot/);

    // One whose chain runs through retired storage restores through the command.
    const restored = cliJson(dir, ['snapshot', 'restore', ids[6], '--yes']);
    expect(restored.restored).toBe(ids[6]);
    expect(withoutMeta(readStore(dir))).toEqual(withoutMeta(captured.get(ids[6])));
    expect(engine.list().some((m) => m.id === migration.id)).toBe(true);
  });
  it('a prune interrupted before the index is saved leaves every listed snapshot readable', async () => {
    const dir = tempDir('flow-snap-crash-');
    const doc = generateDocument(40);
    writeStore(dir, doc);
    const flowIds = Object.keys(doc.flows);
    const store = new Store(dir);
    const engine = new SnapshotEngine(dir);
    const captured = new Map<string, any>();
    for (let k = 0; k < 4; k++) {
      await store.transact((tx) => {
        (tx.flow(flowIds[k]) as any).plans[0].tasks[0].title = `step ${k}`;
      });
      captured.set((await engine.create(store)).id, readStore(dir));
    }
    expect(engine.list().map((m) => m.storage)).toEqual(['base', 'patch', 'patch', 'patch']);
    // The process dies after re-basing and deleting, before index.json is replaced.
    const crash = vi.spyOn(engine as any, 'writeIndex').mockImplementationOnce(() => {
      throw new Error('simulated crash before the index is saved');
    });
    await expect(engine.prune({ keep: 2, maxAgeDays: 10_000 })).rejects.toThrow(/simulated crash/);
    crash.mockRestore();

    const fresh = new SnapshotEngine(dir);
    expect(fresh.list()).toHaveLength(4);
    for (const meta of fresh.list()) expect(fresh.read(meta).flows).toEqual(captured.get(meta.id));
    // Pruning again finishes the job; what is left reads back and no file is orphaned.
    await fresh.prune({ keep: 2, maxAgeDays: 10_000 });
    const left = new SnapshotEngine(dir).list();
    expect(left).toHaveLength(2);
    for (const meta of left) expect(new SnapshotEngine(dir).read(meta).flows).toEqual(captured.get(meta.id));
    const stored = () => Object.keys(listing(join(dir, 'snapshots'))).filter((f) => /^(base|patch)\//.test(f)).sort();
    const retired = () => readJson(join(dir, 'snapshots', 'index.json')).retired as SnapshotMeta[];
    expect(retired()).toHaveLength(2);
    expect(stored()).toEqual([...left, ...retired()].map((m) => m.file).sort());
    // Once nothing depends on retired storage, its files go too.
    await fresh.prune({ keep: 0, maxAgeDays: 10_000 });
    expect(new SnapshotEngine(dir).list()).toEqual([]);
    expect(retired()).toEqual([]);
    expect(stored()).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------

describe('flow snapshot diff', () => {
  it('lists added, removed and changed flows, plans and tasks with their field changes', async () => {
    const dir = tempDir('flow-snap-diff-');
    const run = inProcess(dir);
    const f1 = (await run('add flow One')).id;
    const p1 = (await run('add plan "Plan one"')).id;
    const a = (await run(`add task Alpha --plan ${p1}`)).id;
    const b = (await run(`add task Beta --plan ${p1}`)).id;
    const c = (await run(`add task Gamma --plan ${p1}`)).id;
    const p2 = (await run('add plan "Plan two"')).id;
    const d = (await run(`add task Delta --plan ${p2}`)).id;
    const f2 = (await run('add flow Two')).id;
    const q = (await run('add plan Q')).id;
    const e = (await run(`add task Epsilon --plan ${q}`)).id;
    const first = cliJson(dir, ['snapshot', 'create', '--label', 'before']);

    const f3 = (await run('add flow Three')).id;
    const second = cliJson(dir, ['snapshot', 'create']);
    await run(`rm flow ${f2} --yes`);
    const p3 = (await run(`add plan "Plan three" --flow ${f1}`)).id;
    await run(`rm plan ${p2} --flow ${f1} --yes`);
    await run(`set plan ${p1} --flow ${f1} --title "Plan one renamed"`);
    const f = (await run(`add task Phi --plan ${p1}`)).id;
    await run(`rm task ${b} --plan ${p1}`);
    await run(`set task ${a} --plan ${p1} --status done --title Alpha2`);
    await run(`move task ${c} --plan ${p1} --to-plan ${p3}`);

    const out = cliJson(dir, ['snapshot', 'diff', first.id]);
    expect(out).toMatchObject({ from: first.id, to: 'current' });
    const changes = out.changes as Array<{ kind: string; id: string; change: string; fields?: Array<{ field: string; from: unknown; to: unknown }> }>;
    const summary = Object.fromEntries(changes.map((ch) => [ch.id, `${ch.kind} ${ch.change}`]));
    expect(summary).toEqual({
      [f3]: 'flow added',
      [f2]: 'flow removed',
      [p3]: 'plan added',
      [p2]: 'plan removed',
      [q]: 'plan removed',
      [p1]: 'plan changed',
      [f]: 'task added',
      [b]: 'task removed',
      [d]: 'task removed',
      [e]: 'task removed',
      [a]: 'task changed',
      [c]: 'task changed',
    });
    const order = { flow: 0, plan: 1, task: 2 } as Record<string, number>;
    expect(changes.map((ch) => order[ch.kind])).toEqual([...changes.map((ch) => order[ch.kind])].sort());
    const fields = (id: string) => changes.find((ch) => ch.id === id)?.fields;
    expect(fields(p1)).toEqual([{ field: 'title', from: 'Plan one', to: 'Plan one renamed' }]);
    expect(fields(a)).toEqual(
      expect.arrayContaining([
        { field: 'title', from: 'Alpha', to: 'Alpha2' },
        { field: 'status', from: 'todo', to: 'done' },
      ]),
    );
    expect(fields(a)).toHaveLength(2);
    expect(fields(c)).toEqual([{ field: 'parent', from: p1, to: p3 }]);

    const text = cli(dir, ['snapshot', 'diff', '1']).stdout;
    expect(text).toContain(`${first.id} → now: 12 changes`);
    expect(text).toContain(`+ flow ${f3} "Three"`);
    expect(text).toContain(`- flow ${f2} "Two"`);
    expect(text).toContain(`~ task ${a} "Alpha2"`);
    expect(text).toContain('title: "Alpha" → "Alpha2"');

    // Between two snapshots.
    const between = cliJson(dir, ['snapshot', 'diff', first.id, second.id]);
    expect(between).toMatchObject({ from: first.id, to: second.id });
    expect(between.changes).toEqual([{ kind: 'flow', id: f3, title: 'Three', change: 'added' }]);
  });
});

// ---------------------------------------------------------------------------------------

const hasGit = spawnSync('git', ['--version']).status === 0;
if (!hasGit) console.warn('git backend tests skipped: the git program is not on PATH');

describe.skipIf(!hasGit)('git backend (snapshots.backend git; skipped when git is not on PATH)', () => {
  it('create, list, diff, restore and rm work as with files; restore reproduces captured content', async () => {
    const dir = tempDir('flow-snap-git-');
    const run = inProcess(dir);
    await run('add flow Alpha');
    const plan = (await run('add plan Build')).id;
    const task = (await run(`add task "Write it" --plan ${plan}`)).id;
    await run(`use plan ${plan}`);
    // One snapshot stored by the files backend before switching.
    const filesSnap = cliJson(dir, ['snapshot', 'create', '--label', 'files']);
    expect(filesSnap.storage).toBe('base');
    const atFiles = readStore(dir);

    cli(dir, ['config', 'set', 'snapshots.backend', 'git']);
    await run(`set task ${task} --title "Written"`);
    const one = cliJson(dir, ['snapshot', 'create', '--label', 'one']);
    expect(one).toMatchObject({ storage: 'git', label: 'one' });
    expect(one.commit).toMatch(/^[0-9a-f]{40}$/);
    const capturedOne = { flows: readStore(dir), context: readContextFile(dir) };

    const beta = (await run('add flow Beta')).id;
    await run(`done task ${task} --plan ${plan}`);
    const two = cliJson(dir, ['snapshot', 'create', '--label', 'two']);
    const capturedTwo = readStore(dir);

    const listed = cliJson<any[]>(dir, ['snapshot', 'list']);
    expect(listed.map((s) => [s.number, s.id, s.storage])).toEqual([
      [1, filesSnap.id, 'base'],
      [2, one.id, 'git'],
      [3, two.id, 'git'],
    ]);
    const diff = cliJson(dir, ['snapshot', 'diff', one.id, two.id]);
    expect(diff.changes.map((c: any) => `${c.kind} ${c.id} ${c.change}`)).toEqual([`flow ${beta} added`, `task ${task} changed`]);

    const restored = cliJson(dir, ['snapshot', 'restore', '2', '--yes']);
    expect(restored.restored).toBe(one.id);
    expect(withoutMeta(readStore(dir))).toEqual(withoutMeta(capturedOne.flows));
    expect(readContextFile(dir)).toEqual(capturedOne.context);
    const preRestore = cliJson<any[]>(dir, ['snapshot', 'list']).at(-1);
    expect(preRestore).toMatchObject({ id: restored.pre_restore, kind: 'pre-restore', storage: 'git' });

    // The pre-restore snapshot brings back the state before; the files one still restores.
    cli(dir, ['snapshot', 'restore', restored.pre_restore, '--yes']);
    expect(withoutMeta(readStore(dir))).toEqual(withoutMeta(capturedTwo));
    cli(dir, ['snapshot', 'restore', filesSnap.id, '--yes']);
    expect(withoutMeta(readStore(dir))).toEqual(withoutMeta(atFiles));

    cli(dir, ['snapshot', 'rm', two.id]);
    const after = cliJson<any[]>(dir, ['snapshot', 'list']);
    expect(after.map((s) => s.id)).not.toContain(two.id);
    expect(after.map((s) => s.id)).toContain(one.id);
    cli(dir, ['snapshot', 'show', two.id], { code: 1 });
    const tags = spawnSync('git', ['tag'], { cwd: join(dir, 'snapshots', 'git'), encoding: 'utf8' }).stdout.split('\n');
    expect(tags).toContain(one.id);
    expect(tags).not.toContain(two.id);
    // Still restorable after another is removed.
    cli(dir, ['snapshot', 'restore', one.id, '--yes']);
    expect(withoutMeta(readStore(dir))).toEqual(withoutMeta(capturedOne.flows));
  });
});
