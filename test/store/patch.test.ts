// The id-following JSON Patch (src/store/patch.ts): applied to the old version it gives
// the new one exactly, and a change to one task among many is one operation.
import { applyPatch, type Operation } from 'fast-json-patch';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateDocument, random } from '../../bench/fixtures.js';
import { keptInOrder } from '../../src/domain/align.js';
import type { Flow, Task } from '../../src/domain/schema.js';
import { serialiseDocument } from '../../src/store/layout.js';
import { diffJson } from '../../src/store/patch.js';
import { Store } from '../../src/store/store.js';
import { readStore, tempDir } from '../helpers.js';

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

/** A flow with `n` tasks in its first plan. */
function bigFlow(n: number): Flow {
  const flow = Object.values(generateDocument(1, 'deep', 5).flows)[0];
  const template = flow.plans[0].tasks[0];
  flow.plans[0].tasks = Array.from({ length: n }, (_, i) => ({ ...clone(template), id: `task_${String(i).padStart(10, '0')}`, subtasks: [] }));
  return flow;
}

/** The patch applied to `before`; checks on the way that its inverse gives `before` back. */
function applied(before: unknown, after: unknown): unknown {
  const undo: Operation[] = [];
  const patch = diffJson(before, after, '', [], undo);
  const result = applyPatch(clone(before), patch, true, true).newDocument;
  expect(applyPatch(clone(result), undo.reverse(), true, true).newDocument).toEqual(before);
  return result;
}

describe('diffJson', () => {
  it('one task added, removed, moved or edited among 2,000 is one or two operations', () => {
    const before = bigFlow(2000);
    const tasks = (f: Flow) => f.plans[0].tasks;
    const added = clone(before);
    tasks(added).splice(700, 0, { ...clone(tasks(before)[0]), id: 'task_new' });
    const removed = clone(before);
    tasks(removed).splice(3, 1);
    const moved = clone(before);
    tasks(moved).unshift(tasks(moved).splice(1500, 1)[0]);
    const edited = clone(before);
    tasks(edited)[1999].status = 'done';
    for (const [after, count] of [[added, 1], [removed, 1], [moved, 2], [edited, 1]] as const) {
      const ops = diffJson(before, after);
      expect(ops).toHaveLength(count);
      expect(applied(before, after)).toEqual(after);
    }
    expect(diffJson(before, moved).map((op) => op.op)).toEqual(['remove', 'add']);
  });

  it('random edits of a nested store: the patch gives the new version exactly, key order included, and its inverse the old one', () => {
    const rand = random(42);
    const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)];
    let doc = generateDocument(30, 'deep', 9) as unknown as Record<string, any>;
    for (let round = 0; round < 150; round++) {
      const before = clone(doc);
      for (let k = 0; k < 1 + Math.floor(rand() * 4); k++) {
        const flow = pick(Object.values<any>(doc.flows));
        const plan = pick(flow.plans as any[]);
        const list: Task[] = plan.tasks.length && rand() < 0.3 ? pick(plan.tasks as Task[]).subtasks : plan.tasks;
        const r = rand();
        if (r < 0.2) list.splice(Math.floor(rand() * (list.length + 1)), 0, { ...clone(pick(plan.tasks as Task[]) ?? {}), id: `task_r${round}_${k}`, subtasks: [] } as Task);
        else if (r < 0.35 && list.length) list.splice(Math.floor(rand() * list.length), 1);
        else if (r < 0.5 && list.length > 1) list.splice(Math.floor(rand() * list.length), 0, ...list.splice(Math.floor(rand() * list.length), 1));
        else if (r < 0.6 && list.length) list.reverse();
        else if (r < 0.7) flow[`x_${round % 3}`] = rand() < 0.5 ? undefined : { n: round };
        else if (r < 0.8 && list.length) pick(list).tags = Array.from({ length: Math.floor(rand() * 3) }, () => `t${round}`);
        else if (r < 0.85 && Object.keys(doc.flows).length > 10) delete doc.flows[flow.id];
        else if (r < 0.9) doc.flows[`flow_r${round}_${k}`] = { ...clone(flow), id: `flow_r${round}_${k}` };
        else if (list.length) pick(list).title = `title ${round}`;
      }
      const out = applied(before, doc);
      const after = clone(doc);
      expect(JSON.stringify(out)).toBe(JSON.stringify(after));
      // A field set to undefined is absent, as in the file; from here on it is gone.
      doc = after;
    }
  });

  it('keptInOrder keeps the longest run in order: one move marks one element', () => {
    expect([...keptInOrder(['a', 'b', 'c', 'd'], ['b', 'c', 'd', 'a'])].sort()).toEqual(['b', 'c', 'd']);
    expect([...keptInOrder(['a', 'b', 'c'], ['a', 'x', 'c'])].sort()).toEqual(['a', 'c']);
    expect(keptInOrder(['a', 'b', 'c'], ['c', 'b', 'a']).size).toBe(1);
  });
});

describe('a transaction records its patch and inverse', () => {
  it('the patch turns the file before into the file after, the inverse turns it back', async () => {
    const dir = tempDir('flow-patch-tx-');
    const doc = generateDocument(6, 'deep', 4) as unknown as Record<string, any>;
    const { flows, ...header } = doc;
    writeFileSync(join(dir, 'flows.json'), serialiseDocument(header, Object.entries(flows)));
    const [a, b, c] = Object.keys(flows);
    const before = readStore(dir);
    const commit = await new Store(dir).transact((tx) => {
      const moved = (tx.flow(a) as Flow).plans[0].tasks.shift() as Task;
      (tx.flow(b) as Flow).plans[1].tasks.unshift(moved);
      (tx.flow(b) as Flow).plans[0].title = 'renamed';
      tx.deleteFlow(c);
      tx.addFlow({ id: 'flow_new00000', name: 'New', plans: [] });
      tx.setCurrentFlow(b);
    });
    const after = readStore(dir);
    const strip = ({ meta: _meta, ...rest }: Record<string, unknown>) => rest;
    expect(applyPatch(clone(strip(before)), commit.changes.patch, true, true).newDocument).toEqual(strip(after));
    expect(applyPatch(clone(strip(after)), commit.changes.inverse, true, true).newDocument).toEqual(strip(before));
  });
});
