// Restoring a snapshot (DESIGN §5): one plan, one flow or the whole store, as a
// transaction of its own, with a pre-restore snapshot first and `flow undo` after. The
// restores run as the real `flow` process; the set-up goes through the command bus.
import { describe, expect, it } from 'vitest';
import { SnapshotEngine } from '../../src/snapshots/engine.js';
import { readStore, tempDir } from '../helpers.js';
import { cli, cliJson, inProcess, plansOf, withoutMeta, withoutUpdated } from './support.js';

interface World {
  dir: string;
  f1: string;
  f2: string;
  p1: string;
  p2: string;
  p3: string;
  q1: string;
  q2: string;
  t: Record<string, string>;
}

/** Two flows: F1 with plans P1, P2, P3 and F2 with Q1, Q2, each with tasks. */
async function world(): Promise<World> {
  const dir = tempDir('flow-restore-');
  const run = inProcess(dir);
  const t: Record<string, string> = {};
  const f1 = (await run('add flow "Flow one"')).id;
  const p1 = (await run('add plan P1')).id;
  for (const name of ['a1', 'a2', 'a3']) t[name] = (await run(`add task ${name} --plan ${p1}`)).id;
  const p2 = (await run('add plan P2')).id;
  for (const name of ['b1', 'b2']) t[name] = (await run(`add task ${name} --plan ${p2}`)).id;
  const p3 = (await run('add plan P3')).id;
  t.c1 = (await run(`add task c1 --plan ${p3}`)).id;
  t.sub = (await run(`add task sub --plan ${p1} --parent ${t.a1}`)).id;
  const f2 = (await run('add flow "Flow two"')).id;
  const q1 = (await run('add plan Q1')).id;
  for (const name of ['d1', 'd2']) t[name] = (await run(`add task ${name} --plan ${q1}`)).id;
  const q2 = (await run('add plan Q2')).id;
  t.e1 = (await run(`add task e1 --plan ${q2}`)).id;
  return { dir, f1, f2, p1, p2, p3, q1, q2, t };
}

/** Changes in the target plan, another plan of the same flow, and plans of the other flow. */
async function changeEverywhere(w: World): Promise<void> {
  const run = inProcess(w.dir, 'others');
  await run(`set task ${w.t.a1} --plan ${w.p1} --title "a1 changed"`);
  await run(`add task a4 --plan ${w.p1}`);
  await run(`rm task ${w.t.a2} --plan ${w.p1}`);
  await run(`set task ${w.t.sub} --plan ${w.p1} --status done`);
  await run(`done task ${w.t.b1} --plan ${w.p2}`);
  await run(`add task b3 --plan ${w.p2}`);
  await run(`set task ${w.t.d1} --plan ${w.q1} --title "d1 changed"`);
  await run(`rm task ${w.t.d2} --plan ${w.q1}`);
  await run(`add task e2 --plan ${w.q2}`);
}

function flowFields(doc: any, id: string): any {
  const { plans: _plans, ...fields } = doc.flows[id];
  return fields;
}

describe('scoped restore', () => {
  it('Restore of one plan leaves every other plan as it was at the time of restore', async () => {
    const w = await world();
    const snap = cliJson(w.dir, ['snapshot', 'create', '--label', 'before changes']);
    const atSnapshot = readStore(w.dir);
    await changeEverywhere(w);
    const pre = readStore(w.dir);
    // The target plan really differs from its snapshot version.
    expect(plansOf(pre).get(w.p1)?.plan).not.toEqual(plansOf(atSnapshot).get(w.p1)?.plan);

    const out = cliJson(w.dir, ['snapshot', 'restore', snap.id, '--plan', w.p1, '--yes'], 'A');
    expect(out).toMatchObject({ restored: snap.id, scope: `plan "P1" (${w.p1})` });
    const after = readStore(w.dir);
    const plans = plansOf(after);
    expect(plans.get(w.p1)).toEqual(plansOf(atSnapshot).get(w.p1));
    expect([...plans.keys()]).toEqual([...plansOf(pre).keys()]);
    for (const [id, entry] of plansOf(pre)) {
      if (id !== w.p1) expect(plans.get(id), `plan ${entry.plan.title}`).toEqual(entry);
    }
    expect(flowFields(after, w.f1)).toEqual(flowFields(pre, w.f1));
    expect(after.flows[w.f2]).toEqual(pre.flows[w.f2]);
    expect(after.current_flow_id).toBe(pre.current_flow_id);

    // A pre-restore snapshot holds the state just before.
    const engine = new SnapshotEngine(w.dir);
    const safety = engine.find(out.pre_restore);
    expect(safety.kind).toBe('pre-restore');
    expect(withoutMeta(engine.read(safety).flows)).toEqual(withoutMeta(pre));

    // Undo (same session) brings the plan back as it was before the restore.
    cli(w.dir, ['undo'], { session: 'A' });
    const undone = readStore(w.dir);
    expect(withoutUpdated(plansOf(undone).get(w.p1))).toEqual(withoutUpdated(plansOf(pre).get(w.p1)));
    for (const [id, entry] of plansOf(pre)) if (id !== w.p1) expect(plansOf(undone).get(id)).toEqual(entry);
  });

  it('Restore of one flow leaves the other flow as it was at the time of restore', async () => {
    const w = await world();
    const snap = cliJson(w.dir, ['snapshot', 'create']);
    const atSnapshot = readStore(w.dir);
    await changeEverywhere(w);
    await inProcess(w.dir, 'others')(`rename flow ${w.f1} "Flow one renamed"`);
    const pre = readStore(w.dir);

    const out = cliJson(w.dir, ['snapshot', 'restore', '1', '--flow', w.f1, '--yes'], 'A');
    expect(out.restored).toBe(snap.id);
    const after = readStore(w.dir);
    expect(after.flows[w.f1]).toEqual(atSnapshot.flows[w.f1]);
    expect(after.flows[w.f2]).toEqual(pre.flows[w.f2]);
    expect(Object.keys(after.flows)).toEqual([w.f1, w.f2]);
    expect(new SnapshotEngine(w.dir).find(out.pre_restore).kind).toBe('pre-restore');

    cli(w.dir, ['undo'], { session: 'A' });
    const undone = readStore(w.dir);
    expect(withoutUpdated(undone.flows[w.f1])).toEqual(withoutUpdated(pre.flows[w.f1]));
    expect(undone.flows[w.f2]).toEqual(pre.flows[w.f2]);
  });

  it('refuses a plan whose flow is gone, and --flow with --plan together, changing nothing', async () => {
    const w = await world();
    const snap = cliJson(w.dir, ['snapshot', 'create']);
    cli(w.dir, ['rm', 'flow', w.f2, '--yes']);
    const pre = readStore(w.dir);
    const gone = cli(w.dir, ['snapshot', 'restore', snap.id, '--plan', w.q1, '--yes'], { code: 1 });
    expect(gone.stderr).toContain(`--flow ${w.f2}`);
    cli(w.dir, ['snapshot', 'restore', snap.id, '--plan', w.p1, '--flow', w.f1, '--yes'], { code: 1 });
    expect(readStore(w.dir)).toEqual(pre);
  });
});

describe('whole restore', () => {
  it('removes flows added after the snapshot and brings back deleted ones', async () => {
    const w = await world();
    const snap = cliJson(w.dir, ['snapshot', 'create']);
    const atSnapshot = readStore(w.dir);
    const run = inProcess(w.dir, 'others');
    const f3 = (await run('add flow "Flow three"')).id;
    await run(`add plan "Plan of three" --flow ${f3}`);
    await run(`rm flow ${w.f2} --yes`);
    await run(`set task ${w.t.a3} --plan ${w.p1} --title "a3 changed"`);
    const pre = readStore(w.dir);
    expect(Object.keys(pre.flows)).toEqual([w.f1, f3]);
    expect(pre.current_flow_id).not.toBe(atSnapshot.current_flow_id);

    const out = cliJson(w.dir, ['snapshot', 'restore', snap.id, '--yes'], 'A');
    expect(out.scope).toBe('the whole store');
    const after = readStore(w.dir);
    expect(after.flows).toEqual(atSnapshot.flows);
    expect(Object.keys(after.flows)).toEqual([w.f1, w.f2]);
    expect(after.current_flow_id).toBe(atSnapshot.current_flow_id);
    expect(withoutMeta(after)).toEqual(withoutMeta(atSnapshot));
    expect(after.meta.file_revision).toBe(pre.meta.file_revision + 1);

    // Undoable like any change: the added flow comes back and the deleted one goes again.
    cli(w.dir, ['undo'], { session: 'A' });
    const undone = readStore(w.dir);
    expect(Object.keys(undone.flows).sort()).toEqual([w.f1, f3].sort());
    expect(withoutUpdated(undone.flows)).toEqual(withoutUpdated(pre.flows));
  });

  // The order of flows in the file is the order of `list flow`: a whole restore brings it
  // back too, so list numbers are as they were.
  it('brings a deleted flow back in its old place in the file (order of `list flow`)', async () => {
    const dir = tempDir('flow-restore-order-');
    const run = inProcess(dir);
    const ids = [];
    for (const name of ['One', 'Two', 'Three']) ids.push((await run(`add flow ${name}`)).id);
    const snap = cliJson(dir, ['snapshot', 'create']);
    await run(`rm flow ${ids[1]} --yes`);
    cli(dir, ['snapshot', 'restore', snap.id, '--yes']);
    expect(readStore(dir).flows[ids[1]]).toBeDefined();
    expect(Object.keys(readStore(dir).flows)).toEqual(ids);
  });
});
