// The store as a library: transactions, the original API, unknown fields, dirty flag.
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createPlan, createTask, insertPlan, insertTask } from '../../src/domain/tree.js';
import { Store } from '../../src/store/store.js';
import { flowSync, json, readStore, tempDir } from '../helpers.js';

describe('Store API', () => {
  it('adds flows (new one current), deletes (next becomes current), sets current', async () => {
    const store = new Store(tempDir());
    const a = await store.addFlow('A');
    const b = await store.addFlow('B');
    const c = await store.addFlow('C');
    expect((await store.read()).currentFlowId).toBe(c.id);
    await store.setCurrent(b.id);
    expect((await store.read()).currentFlowId).toBe(b.id);
    await store.deleteFlow(b.id);
    expect((await store.read()).currentFlowId).toBe(c.id);
    await store.deleteFlow(c.id);
    expect((await store.read()).currentFlowId).toBe(a.id);
    await store.deleteFlow(a.id);
    expect((await store.read()).currentFlowId).toBeNull();
    expect(await store.flows()).toEqual([]);
    await expect(store.setCurrent('flow_nope')).rejects.toThrow(/no flow/);
  });

  it('bumps file_revision by exactly one per save and records the writer', async () => {
    const dir = tempDir();
    const store = new Store(dir, { writer: 'cli:42:s1' });
    await store.addFlow('A');
    await store.addFlow('B');
    const doc = readStore(dir);
    expect(doc.meta.file_revision).toBe(2);
    expect(doc.meta.writer).toBe('cli:42:s1');
    expect(Date.parse(doc.meta.last_saved)).toBeGreaterThan(Date.now() - 10_000);
    expect(await store.save()).toBe(3);
  });

  it('does not rewrite the file when a transaction changes nothing', async () => {
    const dir = tempDir();
    const store = new Store(dir);
    const flow = await store.addFlow('A');
    const before = statSync(join(dir, 'flows.json'));
    const commit = await store.transact((tx) => {
      const f = tx.flow(flow.id)!;
      f.name = 'A'; // same value
      return f.name;
    });
    expect(commit.changed).toBe(false);
    const after = statSync(join(dir, 'flows.json'));
    expect(after.ino).toBe(before.ino);
    expect(after.mtimeMs).toBe(before.mtimeMs);
    expect(readStore(dir).meta.file_revision).toBe(1);
  });

  it('records each change as a JSON Patch and its inverse', async () => {
    const store = new Store(tempDir());
    const flow = await store.addFlow('A');
    const commit = await store.transact((tx) => {
      const f = tx.flow(flow.id)!;
      const plan = createPlan({ title: 'P' });
      insertPlan(tx.index, f, plan);
      insertTask(tx.index, { planId: plan.id }, createTask({ title: 'T' }));
    });
    expect(commit.changes.patch.some((op) => op.path.startsWith(`/flows/${flow.id}/plans`))).toBe(true);
    expect(commit.changes.inverse.length).toBeGreaterThan(0);
  });

  it('re-reads a file another writer changed without bumping the revision', async () => {
    const dir = tempDir();
    const store = new Store(dir);
    const flow = await store.addFlow('A');
    await store.read();
    const doc = readStore(dir);
    doc.flows[flow.id].name = 'Changed by hand';
    writeFileSync(join(dir, 'flows.json'), JSON.stringify(doc, null, 2));
    const commit = await store.transact((tx) => tx.flow(flow.id)!.name);
    expect(commit.value).toBe('Changed by hand');
  });
});

describe('unknown fields', () => {
  it('survive a read-modify-write by flow at every level', () => {
    const dir = tempDir();
    const doc = {
      version: '3.0',
      tool_top: { keep: [1, 2, { deep: true }] },
      meta: { file_revision: 7, writer: 'other:1:x', meta_extra: 'm' },
      current_flow_id: 'flow_aaaaaaaa',
      flows: {
        flow_aaaaaaaa: {
          id: 'flow_aaaaaaaa',
          name: 'Ünïcødé ✅',
          flow_extra: { n: 1 },
          plans: [
            {
              id: 'plan_bbbbbbbb',
              title: 'P',
              status: 'active',
              plan_extra: null,
              tasks: [
                {
                  id: 'task_cccccccc',
                  title: 'T',
                  status: 'todo',
                  task_extra: ['x'],
                  subtasks: [{ id: 'task_dddddddd', title: 'S', sub_extra: 3.5 }],
                },
              ],
            },
          ],
        },
      },
    };
    writeFileSync(join(dir, 'flows.json'), JSON.stringify(doc, null, 2));
    expect(flowSync(dir, ['add', 'task', 'New', '--plan', 'plan_bbbbbbbb']).code).toBe(0);
    expect(flowSync(dir, ['set', 'task', 'task_cccccccc', '--title', 'T2']).code).toBe(0);
    expect(flowSync(dir, ['done', 'task', 'task_dddddddd']).code).toBe(0);
    const after = readStore(dir);
    expect(after.tool_top).toEqual(doc.tool_top);
    expect(after.meta.meta_extra).toBe('m');
    expect(after.meta.file_revision).toBe(10);
    const flow = after.flows.flow_aaaaaaaa;
    expect(flow.name).toBe('Ünïcødé ✅');
    expect(flow.flow_extra).toEqual({ n: 1 });
    expect(flow.plans[0].plan_extra).toBeNull();
    expect(flow.plans[0].tasks[0].task_extra).toEqual(['x']);
    expect(flow.plans[0].tasks[0].title).toBe('T2');
    expect(flow.plans[0].tasks[0].subtasks[0].sub_extra).toBe(3.5);
    expect(flow.plans[0].tasks[0].subtasks[0].status).toBe('done');
    expect(flow.plans[0].tasks.map((t: any) => t.title)).toEqual(['T2', 'New']);
  });
});

describe('conflicts', () => {
  it('--expect refuses a change when the field moved on (exit 3, both values named)', () => {
    const dir = tempDir();
    flowSync(dir, ['add', 'flow', 'F']);
    flowSync(dir, ['add', 'plan', 'P']);
    const task = json(flowSync(dir, ['add', 'task', 'Original', '--json']));
    expect(flowSync(dir, ['set', 'task', task.id, '--title', 'Theirs']).code).toBe(0);
    const mine = flowSync(dir, ['set', 'task', task.id, '--title', 'Mine', '--expect', 'title=Original']);
    expect(mine.code).toBe(3);
    expect(mine.stderr).toContain('"Original"');
    expect(mine.stderr).toContain('"Theirs"');
    expect(readStore(dir).flows[Object.keys(readStore(dir).flows)[0]].plans[0].tasks[0].title).toBe('Theirs');
    const ok = flowSync(dir, ['set', 'task', task.id, '--title', 'Mine', '--expect', 'title=Theirs']);
    expect(ok.code).toBe(0);
  });

  it('a change to an object another writer deleted names both revisions', async () => {
    const dir = tempDir();
    const store = new Store(dir);
    const flow = await store.addFlow('F');
    const { Services } = await import('../../src/app/services.js');
    const { CommandBus } = await import('../../src/commands/bus.js');
    const { command, createTable } = await import('../../src/commands/table.js');
    const bus = new CommandBus(createTable(), new Services({ dir, session: 's', writerKind: 'tui', interactive: false }));
    await bus.execute(command('add plan', { title: 'P' }));
    const task = (await bus.execute(command('add task', { title: 'T' }))).json as { id: string };
    const seen = readStore(dir).meta.file_revision;
    await bus.execute(command('rm task', { ref: [task.id] }));
    const attempt = bus.execute(command('set task', { ref: task.id, title: 'X' }), { baseRevision: seen });
    await expect(attempt).rejects.toMatchObject({ code: 'conflict' });
    await expect(attempt).rejects.toThrow(new RegExp(`revision ${seen}.*revision ${seen + 1}`));
    expect(flow.id).toMatch(/^flow_/);
    expect(readFileSync(join(dir, 'flows.json'), 'utf8')).not.toContain('"X"');
  });
});
