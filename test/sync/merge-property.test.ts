// Property: random edit sequences on both sides that do not conflict (no object field
// changed on both, nothing deleted that the other side changed, no object moved on
// both) merge cleanly, and every edit of either side is in the result.
import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { Flow, FlowDocument, Plan, Task } from '../../src/domain/schema.js';
import { moveTask, removeTask, TreeIndex, insertTask, movePlan, removePlan, insertPlan } from '../../src/domain/tree.js';
import { readSide } from '../../src/sync/side.js';
import { random } from '../../bench/fixtures.js';
import { bytes, clone, doc, merge, plan, task } from './support.js';

type SideKey = 'ours' | 'theirs';
const FIELDS: Record<'flow' | 'plan' | 'task', Array<{ name: string; value: (rand: () => number, n: number) => unknown }>> = {
  flow: [
    { name: 'name', value: (_, n) => `name ${n}` },
    { name: 'colour', value: (_, n) => ({ rgb: [n, n + 1] }) },
  ],
  plan: [
    { name: 'title', value: (_, n) => `plan title ${n}` },
    { name: 'summary', value: (_, n) => `summary ${n}\nline two` },
    { name: 'board', value: (_, n) => n },
  ],
  task: [
    { name: 'title', value: (_, n) => `title ${n} ✅` },
    { name: 'notes', value: (_, n) => `notes ${n}` },
    { name: 'status', value: (rand) => (['todo', 'in_progress', 'blocked', 'done', 'cancelled'] as const)[Math.floor(rand() * 5)] },
    { name: 'priority', value: (rand) => (['low', 'medium', 'high'] as const)[Math.floor(rand() * 3)] },
    { name: 'tags', value: (_, n) => [`t${n}`, 'shared'] },
    { name: 'estimate', value: (_, n) => ({ hours: n, by: ['x'] }) },
  ],
};

function baseDocument(rand: () => number): FlowDocument {
  let n = 0;
  const tasks = (depth: number): Task[] =>
    Array.from({ length: Math.floor(rand() * (depth ? 3 : 5)) }, () => {
      const t = task(`task_b${++n}`, { estimate: { hours: n } });
      if (depth < 2 && rand() < 0.3) t.subtasks = tasks(depth + 1);
      return t;
    });
  const flows = Array.from({ length: 2 + Math.floor(rand() * 3) }, () => ({
    id: `flow_b${++n}`,
    colour: 'grey',
    plans: Array.from({ length: 1 + Math.floor(rand() * 3) }, () => plan(`plan_b${++n}`, tasks(0), { board: 0 } as Partial<Plan>)),
  }));
  return { ...doc(flows, 5), tool: { kept: true } } as FlowDocument;
}

class SideState {
  readonly doc: FlowDocument;
  readonly index: TreeIndex;
  /** (object id, field) → value this side set last. */
  readonly edits = new Map<string, { id: string; field: string; value: unknown }>();
  /** Objects whose fields this side changed. */
  readonly edited = new Set<string>();
  /** Objects this side moved, added, or added or moved something under. */
  readonly structure = new Set<string>();
  readonly deleted = new Set<string>();
  readonly added = new Set<string>();

  constructor(
    base: FlowDocument,
    readonly key: SideKey,
  ) {
    this.doc = clone(base);
    this.index = new TreeIndex(Object.values(this.doc.flows));
  }

  /** Every id under an object (itself included) on this side. */
  subtree(id: string): string[] {
    const found = this.index.get(id);
    if (!found) return [];
    const out: string[] = [];
    const walkTasks = (tasks: Task[]) => tasks.forEach((t) => (out.push(t.id), walkTasks(t.subtasks)));
    if (found.kind === 'flow') {
      out.push(id);
      for (const p of found.flow.plans) (out.push(p.id), walkTasks(p.tasks));
    } else if (found.kind === 'plan') (out.push(id), walkTasks(found.plan.tasks));
    else (out.push(id), walkTasks(found.task.subtasks));
    return out;
  }
}

/** Applies random edits to both sides, each refusing what would conflict with the other's so far. */
function generate(seed: number) {
  const rand = random(seed);
  const base = baseDocument(rand);
  const sides = { ours: new SideState(base, 'ours'), theirs: new SideState(base, 'theirs') };
  let serial = 0;
  const pick = <T>(list: readonly T[]): T | undefined => (list.length ? list[Math.floor(rand() * list.length)] : undefined);
  const steps = 1 + Math.floor(rand() * 14);
  for (let step = 0; step < steps * 2; step++) {
    const side = step % 2 ? sides.theirs : sides.ours;
    const other = step % 2 ? sides.ours : sides.theirs;
    const ids = [...side.index.ids()];
    const ofKind = (kind: string) => ids.filter((id) => side.index.get(id)?.kind === kind);
    const free = (id: string) => !other.deleted.has(id);
    const op = Math.floor(rand() * 7);
    if (op <= 1) {
      // Change a field no other side changed.
      const id = pick(ids.filter((i) => free(i)));
      if (!id) continue;
      const kind = side.index.get(id)?.kind as 'flow' | 'plan' | 'task';
      const field = pick(FIELDS[kind]) as (typeof FIELDS)['task'][number];
      if (other.edits.has(`${id} ${field.name}`)) continue;
      const value = field.value(rand, ++serial);
      const location = side.index.get(id);
      const object = (location?.kind === 'flow' ? location.flow : location?.kind === 'plan' ? location.plan : location?.task) as Record<string, unknown>;
      object[field.name] = value;
      side.edits.set(`${id} ${field.name}`, { id, field: field.name, value });
      side.edited.add(id);
    } else if (op === 2) {
      // Add a task to a plan or under a task, at a random place.
      const parent = pick([...ofKind('plan'), ...ofKind('task')].filter(free));
      if (!parent) continue;
      const id = `task_${side.key[0]}${++serial}`;
      const location = side.index.get(parent);
      const siblings = location?.kind === 'plan' ? location.plan.tasks : location?.kind === 'task' ? location.task.subtasks : [];
      const target = location?.kind === 'plan' ? { planId: parent } : { parentId: parent };
      insertTask(side.index, target, task(id, { title: `new ${serial}` }), { at: 'index', index: Math.floor(rand() * (siblings.length + 1)) });
      side.added.add(id);
      side.structure.add(parent);
    } else if (op === 3) {
      // Delete a task or a plan nobody else touched anything inside of.
      const id = pick([...ofKind('task'), ...(rand() < 0.3 ? ofKind('plan') : [])]);
      if (!id) continue;
      const inside = side.subtree(id);
      if (inside.some((i) => other.edited.has(i) || other.structure.has(i))) continue;
      if (side.index.get(id)?.kind === 'plan') removePlan(side.index, id);
      else removeTask(side.index, id);
      for (const i of inside) side.deleted.add(i);
    } else if (op <= 5) {
      // Move a task (to another parent, or within its list) nobody else moved, to a
      // place the other side did not move or delete.
      const id = pick(ofKind('task').filter((i) => !other.structure.has(i) && free(i)));
      if (!id) continue;
      const inside = new Set(side.subtree(id));
      const parent = pick([...ofKind('plan'), ...ofKind('task')].filter((p) => !inside.has(p) && free(p) && !other.structure.has(p)));
      if (!parent) continue;
      const location = side.index.get(parent);
      const count = location?.kind === 'plan' ? location.plan.tasks.length : location?.kind === 'task' ? location.task.subtasks.length : 0;
      const target = location?.kind === 'plan' ? { planId: parent } : { parentId: parent };
      moveTask(side.index, id, target, { at: 'index', index: Math.floor(rand() * (count + 1)) });
      side.structure.add(id);
      side.structure.add(parent);
    } else {
      // Add a plan to a flow, or move a plan to another flow.
      const flowId = pick(ofKind('flow').filter(free));
      if (!flowId) continue;
      const flow = (side.index.get(flowId) as { flow: Flow }).flow;
      if (rand() < 0.5) {
        const id = `plan_${side.key[0]}${++serial}`;
        insertPlan(side.index, flow, plan(id, [task(`task_${side.key[0]}${++serial}`)]));
        side.added.add(id);
        side.added.add(`task_${side.key[0]}${serial}`);
        side.structure.add(flowId);
      } else {
        const id = pick(ofKind('plan').filter((p) => !other.structure.has(p) && free(p)));
        if (!id || other.structure.has(flowId)) continue;
        movePlan(side.index, id, flowId, { at: 'end' });
        side.structure.add(id);
        side.structure.add(flowId);
      }
    }
  }
  if (rand() < 0.3) {
    const id = `flow_${'o'}${++serial}`;
    sides.ours.doc.flows[id] = { id, name: 'added', plans: [] } as unknown as Flow;
    sides.ours.index.addFlow(sides.ours.doc.flows[id]);
    sides.ours.added.add(id);
  }
  sides.ours.doc.meta = { ...sides.ours.doc.meta, file_revision: 9, writer: 'cli:1:ours' };
  sides.theirs.doc.meta = { ...sides.theirs.doc.meta, file_revision: 7, writer: 'cli:2:theirs' };
  return { base, ...sides };
}

function locate(document: FlowDocument) {
  const index = new TreeIndex(Object.values(document.flows));
  const parentOf = (id: string): string | null => {
    const found = index.get(id);
    if (!found || found.kind === 'flow') return null;
    if (found.kind === 'plan') return found.flow.id;
    return found.parent?.id ?? found.plan.id;
  };
  const childrenOf = (id: string): string[] => {
    const found = index.get(id);
    if (!found) return [];
    if (found.kind === 'flow') return found.flow.plans.map((p) => p.id);
    if (found.kind === 'plan') return found.plan.tasks.map((t) => t.id);
    return found.task.subtasks.map((t) => t.id);
  };
  const object = (id: string) => {
    const found = index.get(id);
    return (found?.kind === 'flow' ? found.flow : found?.kind === 'plan' ? found.plan : found?.task) as Record<string, unknown> | undefined;
  };
  return { index, parentOf, childrenOf, object };
}

describe('merge property: non-conflicting edits on both sides', () => {
  it('keeps every edit of both sides, with no conflict, for 400 random cases', () => {
    // Plain checks collected per case: thousands of expect() calls would dominate the run.
    const problems: string[] = [];
    for (let seed = 1; seed <= 400; seed++) {
      const { base, ours, theirs } = generate(seed);
      const result = merge(base, ours.doc, theirs.doc);
      const check = (ok: boolean, what: string) => ok || problems.push(`seed ${seed}: ${what}`);
      check(result.conflicts.length === 0, `conflicts ${JSON.stringify(result.conflicts)}`);
      // The result reads back as a store: layout, schema, unique ids.
      check(readSide('ours', Buffer.from(result.text)) !== null, 'reads back');
      const merged = locate(result.doc);
      const O = locate(ours.doc);
      const T = locate(theirs.doc);
      const B = locate(base);
      check(result.doc.meta.file_revision === 10, 'revision above both');
      check(isDeepStrictEqual((result.doc as unknown as { tool: unknown }).tool, { kept: true }), 'top-level field kept');

      for (const s of [ours, theirs]) {
        for (const { id, field, value } of s.edits.values()) {
          if (!s.deleted.has(id)) check(isDeepStrictEqual(merged.object(id)?.[field], value), `${s.key}'s ${id}.${field}`);
        }
        for (const id of s.deleted) check(!merged.index.has(id), `${s.key} deleted ${id}`);
      }
      const all = new Set([...O.index.ids(), ...T.index.ids()]);
      for (const id of all) {
        if (ours.deleted.has(id) || theirs.deleted.has(id)) continue;
        if (!check(merged.index.has(id), `kept ${id}`)) continue;
        // Where it is: where the side that moved or added it put it, else where it was.
        const mover = [O, T].find((tree) => tree.index.has(id) && tree.parentOf(id) !== B.parentOf(id));
        check(merged.parentOf(id) === (mover ?? B).parentOf(id), `parent of ${id}`);
        // Fields neither side changed are the ancestor's (or the adding side's).
        const from = B.index.has(id) ? B : O.index.has(id) ? O : T;
        for (const [field, value] of Object.entries(from.object(id) ?? {})) {
          if (['plans', 'tasks', 'subtasks', 'updated'].includes(field)) continue;
          if (ours.edits.has(`${id} ${field}`) || theirs.edits.has(`${id} ${field}`)) continue;
          check(isDeepStrictEqual(merged.object(id)?.[field], value), `${id}.${field} unchanged`);
        }
      }
      for (const id of merged.index.ids()) check(all.has(id), `nothing invented: ${id}`);
      // Order: each side's additions keep their order; a list only one side changed is that side's.
      for (const id of merged.index.ids()) {
        const children = merged.childrenOf(id);
        for (const [s, tree] of [[ours, O], [theirs, T]] as const) {
          const mine = tree.childrenOf(id).filter((c) => s.added.has(c));
          check(isDeepStrictEqual(children.filter((c) => mine.includes(c)), mine), `order of ${s.key}'s additions under ${id}`);
        }
        const baseList = B.childrenOf(id);
        const untouched = (list: string[]) => isDeepStrictEqual(list, baseList);
        if (untouched(T.childrenOf(id)) && O.index.has(id)) check(isDeepStrictEqual(children, O.childrenOf(id)), `ours' list under ${id}`);
        if (untouched(O.childrenOf(id)) && T.index.has(id)) check(isDeepStrictEqual(children, T.childrenOf(id)), `theirs' list under ${id}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('the generator makes real edits: most cases change fields, places and lists on both sides', () => {
    let fields = 0;
    let moves = 0;
    let deletes = 0;
    let adds = 0;
    for (let seed = 1; seed <= 100; seed++) {
      const { ours, theirs } = generate(seed);
      for (const s of [ours, theirs]) {
        fields += s.edits.size;
        moves += [...s.structure].filter((id) => !s.added.has(id)).length;
        deletes += s.deleted.size;
        adds += s.added.size;
      }
    }
    expect(Math.min(fields, moves, deletes, adds)).toBeGreaterThan(100);
  });
});

describe('merge conflicts', () => {
  it('records every field changed to different values on both sides, and loses neither value', () => {
    for (let seed = 1; seed <= 100; seed++) {
      const rand = random(seed);
      const base = baseDocument(rand);
      const ours = clone(base);
      const theirs = clone(base);
      const O = locate(ours);
      const T = locate(theirs);
      const ids = [...O.index.ids()];
      const chosen = ids.filter(() => rand() < 0.3);
      for (const id of chosen) {
        const kind = O.index.get(id)?.kind as 'flow' | 'plan' | 'task';
        const field = FIELDS[kind][0].name;
        (O.object(id) as Record<string, unknown>)[field] = `ours ${id}`;
        (T.object(id) as Record<string, unknown>)[field] = `theirs ${id}`;
      }
      const result = merge(bytes(base), bytes(ours), bytes(theirs));
      const merged = locate(result.doc);
      expect(result.conflicts.map((c) => c.id).sort(), `seed ${seed}`).toEqual([...chosen].sort());
      for (const id of chosen) {
        const object = merged.object(id) as Record<string, unknown>;
        const field = FIELDS[merged.index.get(id)?.kind as 'task'][0].name;
        expect(object[field]).toBe(`ours ${id}`);
        expect(object.conflicts).toMatchObject([{ kind: 'field', field, mine: { value: `ours ${id}` }, theirs: { value: `theirs ${id}` } }]);
      }
    }
  });
});
