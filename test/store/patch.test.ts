// The id-following JSON Patch (src/store/patch.ts): applied to the old version it gives
// the new one exactly, and a change to one task among many is one operation.
import { applyPatch } from 'fast-json-patch';
import { describe, expect, it } from 'vitest';
import { generateDocument, random } from '../../bench/fixtures.js';
import { keptInOrder } from '../../src/domain/align.js';
import type { Flow, Task } from '../../src/domain/schema.js';
import { diffJson } from '../../src/store/patch.js';

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

/** A flow with `n` tasks in its first plan. */
function bigFlow(n: number): Flow {
  const flow = Object.values(generateDocument(1, 'deep', 5).flows)[0];
  const template = flow.plans[0].tasks[0];
  flow.plans[0].tasks = Array.from({ length: n }, (_, i) => ({ ...clone(template), id: `task_${String(i).padStart(10, '0')}`, subtasks: [] }));
  return flow;
}

function applied(before: unknown, after: unknown): unknown {
  return applyPatch(clone(before), diffJson(before, after), true, true).newDocument;
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

  it('random edits of a nested store: the patch gives the new version exactly, key order included', () => {
    const rand = random(42);
    const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)];
    let doc = generateDocument(30, 'deep', 9) as unknown as Record<string, any>;
    for (let round = 0; round < 300; round++) {
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
