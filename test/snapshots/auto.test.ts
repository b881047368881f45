// Automatic snapshots (DESIGN §5: before destructive commands; every K revisions) and
// recovery (DESIGN §4: an unreadable flows.json is moved aside and the store starts again
// from the newest good snapshot). Real `flow` processes on real files.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SnapshotEngine, type SnapshotMeta } from '../../src/snapshots/engine.js';
import { ROOT, readStore, tempDir } from '../helpers.js';
import { cli, cliJson, inProcess, plansOf, withoutMeta } from './support.js';

describe('automatic snapshots', () => {
  it('rm flow --yes snapshots first; restoring that snapshot brings the flow back', async () => {
    const dir = tempDir('flow-auto-rmflow-');
    const run = inProcess(dir);
    const keep = (await run('add flow Keep')).id;
    const doomed = (await run('add flow Doomed')).id;
    const plan = (await run('add plan "Doomed plan"')).id;
    await run(`add task "Doomed task" --plan ${plan} --notes "worth keeping" --tag x`);
    const before = readStore(dir);
    expect(new SnapshotEngine(dir).list()).toHaveLength(0);

    cli(dir, ['rm', 'flow', doomed, '--yes']);
    expect(readStore(dir).flows[doomed]).toBeUndefined();
    const snaps = cliJson<Array<SnapshotMeta & { number: number }>>(dir, ['snapshot', 'list']);
    expect(snaps).toHaveLength(1);
    expect(snaps[0]).toMatchObject({ kind: 'auto', label: `before rm flow ${doomed}`, file_revision: before.meta.file_revision });
    expect(withoutMeta(new SnapshotEngine(dir).read(snaps[0]).flows)).toEqual(withoutMeta(before));

    cli(dir, ['snapshot', 'restore', String(snaps[0].number), '--flow', doomed, '--yes']);
    const after = readStore(dir);
    expect(after.flows[doomed]).toEqual(before.flows[doomed]);
    expect(after.flows[keep]).toEqual(before.flows[keep]);
  });

  it('rm plan --yes snapshots first; restoring that snapshot brings the plan back in its place', async () => {
    const dir = tempDir('flow-auto-rmplan-');
    const run = inProcess(dir);
    const flowId = (await run('add flow Work')).id;
    const plans = [];
    for (const title of ['First', 'Second', 'Third']) {
      const id = (await run(`add plan ${title}`)).id;
      plans.push(id);
      await run(`add task "${title} task" --plan ${id}`);
    }
    const before = readStore(dir);

    cli(dir, ['rm', 'plan', plans[1], '--flow', flowId, '--yes']);
    expect(plansOf(readStore(dir)).has(plans[1])).toBe(false);
    const [auto] = cliJson<SnapshotMeta[]>(dir, ['snapshot', 'list']);
    expect(auto).toMatchObject({ kind: 'auto', label: `before rm plan ${plans[1]}` });

    cli(dir, ['snapshot', 'restore', auto.id, '--plan', plans[1], '--yes']);
    // Every plan as it was, the restored one in its old place (the flow's own `updated`
    // stays at the rm, which a plan-scoped restore leaves alone).
    expect(readStore(dir).flows[flowId].plans).toEqual(before.flows[flowId].plans);
  });

  it('migrate --from snapshots the store before importing, also when there is no store yet', async () => {
    const fixture = join(ROOT, 'test', 'fixtures', 'migrate', 'v2-flows.json');
    const dir = tempDir('flow-auto-import-');
    const mine = (await inProcess(dir)('add flow Mine')).id;
    const before = readStore(dir);
    cli(dir, ['migrate', '--from', fixture]);
    const auto = new SnapshotEngine(dir).list().find((m) => m.kind === 'auto') as SnapshotMeta;
    expect(auto.label).toBe(`before importing ${fixture}`);
    expect(withoutMeta(new SnapshotEngine(dir).read(auto).flows)).toEqual(withoutMeta(before));
    expect(Object.keys(readStore(dir).flows).length).toBeGreaterThan(1);
    cli(dir, ['snapshot', 'restore', auto.id, '--yes']);
    expect(Object.keys(readStore(dir).flows)).toEqual([mine]);

    // An empty data dir: the snapshot is of the empty store.
    const empty = join(tempDir('flow-auto-import-empty-'), '.flow');
    cli(empty, ['migrate', '--from', fixture]);
    const first = new SnapshotEngine(empty).list().find((m) => m.kind === 'auto') as SnapshotMeta;
    expect((new SnapshotEngine(empty).read(first).flows as any).flows).toEqual({});
    expect(Object.keys(readStore(empty).flows).length).toBeGreaterThan(1);
  });

  it('snapshots.every K takes a snapshot each time the revision reaches a multiple of K', async () => {
    const dir = tempDir('flow-auto-every-');
    cli(dir, ['config', 'set', 'snapshots.every', '3']);
    const run = inProcess(dir);
    const states = new Map<number, any>();
    const record = () => states.set(readStore(dir).meta.file_revision, readStore(dir));
    await run('add flow Counting');
    record();
    const plan = (await run('add plan Steps')).id;
    record();
    for (let i = 0; i < 6; i++) {
      await run(`add task "step ${i}" --plan ${plan}`);
      record();
    }
    // Revision 9 is made by a real process.
    cli(dir, ['add', 'task', 'from the CLI', '--plan', plan]);
    record();
    const revisions = [...states.keys()];
    expect(revisions).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    // Read-only commands make none.
    cli(dir, ['list', 'task', '--plan', plan]);

    const engine = new SnapshotEngine(dir);
    const auto = engine.list();
    expect(auto.map((m) => [m.kind, m.label, m.file_revision])).toEqual([
      ['auto', 'every 3 revisions', 3],
      ['auto', 'every 3 revisions', 6],
      ['auto', 'every 3 revisions', 9],
    ]);
    for (const meta of auto) expect(withoutMeta(engine.read(meta).flows)).toEqual(withoutMeta(states.get(meta.file_revision)));

    cli(dir, ['config', 'set', 'snapshots.every', '0']);
    for (let i = 0; i < 4; i++) await run(`add task "quiet ${i}" --plan ${plan}`);
    expect(new SnapshotEngine(dir).list()).toHaveLength(3);
  });
});

describe('recovery from snapshots', () => {
  it('a corrupt flows.json is quarantined and the store restarts from the newest good snapshot (exit 5)', async () => {
    const dir = tempDir('flow-recover-');
    const run = inProcess(dir);
    const f1 = (await run('add flow One')).id;
    await run('add plan "Plan one"');
    const f2 = (await run('add flow Two')).id;
    const older = cliJson(dir, ['snapshot', 'create', '--label', 'older']);
    const atOlder = readStore(dir);
    const f3 = (await run('add flow Three')).id;
    const newest = cliJson(dir, ['snapshot', 'create', '--label', 'newest']);
    const atNewest = readStore(dir);
    await run('add flow "Four, never snapshotted"');
    const lastRevision = readStore(dir).meta.file_revision;

    // Truncated mid-write by something that ignored the lock.
    const file = join(dir, 'flows.json');
    const whole = readFileSync(file);
    const torn = whole.subarray(0, Math.floor(whole.length / 2));
    writeFileSync(file, torn);

    const failed = cli(dir, ['list', 'flow'], { code: 5 });
    expect(failed.stderr).toContain(`restored from snapshot ${newest.id}`);
    const quarantined = readdirSync(dir).filter((n) => n.startsWith('flows.json.corrupt.'));
    expect(quarantined).toHaveLength(1);
    expect(failed.stderr).toContain(quarantined[0]);
    expect(readFileSync(join(dir, quarantined[0])).equals(torn)).toBe(true);

    const listed = cliJson<any[]>(dir, ['list', 'flow']);
    expect(listed.map((f) => f.id)).toEqual([f1, f2, f3]);
    const recovered = readStore(dir);
    expect(recovered.flows).toEqual(atNewest.flows);
    expect(recovered.current_flow_id).toBe(atNewest.current_flow_id);
    expect(recovered.meta.file_revision).toBeGreaterThan(lastRevision);

    // If the newest snapshot cannot be read, the one before it is used.
    const broken = new SnapshotEngine(dir).find(newest.id);
    writeFileSync(join(dir, 'snapshots', broken.file as string), 'not a snapshot');
    writeFileSync(file, '{"version": "3.0", "flows": {');
    const again = cli(dir, ['list', 'flow'], { code: 5 });
    expect(again.stderr).toContain(`restored from snapshot ${older.id}`);
    expect(readdirSync(dir).filter((n) => n.startsWith('flows.json.corrupt.'))).toHaveLength(2);
    expect(cliJson<any[]>(dir, ['list', 'flow']).map((f) => f.id)).toEqual([f1, f2]);
    expect(readStore(dir).flows).toEqual(atOlder.flows);
  });
});
