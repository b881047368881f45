// Undo and redo (DESIGN §5 "a restore is itself a transaction, so it can be undone", §6
// sessions): the pure revert of one change (recorded as the objects it touched) on top of
// whatever happened since, and `flow undo` / `flow redo` as real processes with several
// sessions on one store.
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { objectChanges, revertChanges, type RevertConflict } from '../../src/domain/revert.js';
import { parseFlow, type Flow, type Plan, type Task } from '../../src/domain/schema.js';
import { createTask, TreeIndex } from '../../src/domain/tree.js';
import { generateDocument, random } from '../../bench/fixtures.js';
import { revertEntry, UndoLog, type UndoEntry } from '../../src/snapshots/undo.js';
import { Store } from '../../src/store/store.js';
import { flow as flowAsync, readStore, tempDir } from '../helpers.js';
import { cli, cliJson, inProcess, randomChange, withoutUpdated, writeStore } from './support.js';

// ---------------------------------------------------------------------------------------
// objectChanges + revertChanges: pure

const T0 = '2026-01-01T00:00:00.000Z';
const AT = '2026-02-02T00:00:00.000Z';

function task(id: string, title = id, subtasks: Task[] = []): Task {
  return { id, title, status: 'todo', priority: 'medium', notes: '', tags: [], depends_on: [], created: T0, updated: T0, subtasks };
}
function plan(id: string, tasks: Task[], title = id): Plan {
  return { id, title, status: 'active', summary: '', created: T0, updated: T0, tasks };
}
function flowOf(plans: Plan[], id = 'flow_1', extra: Record<string, unknown> = {}): Flow {
  return { id, name: 'F', created: T0, updated: T0, plans, ...extra };
}
const clone = <T>(v: T): T => structuredClone(v);

type RevertResult = { flow: Flow | null } | { conflict: RevertConflict };

/** Records the change `before → after` of one flow and reverts it on `now`. */
function revertChange(now: Flow | null, after: Flow | null, before: Flow | null, at: string): RevertResult {
  const changes = objectChanges(before ? [clone(before)] : [], after ? [clone(after)] : []);
  let flows = now ? [now] : [];
  const index = new TreeIndex(flows);
  const conflict = revertChanges(index, changes, at, {
    add: (flow) => {
      const parsed = parseFlow(flow);
      flows.push(parsed);
      index.addFlow(parsed);
    },
    remove: (id) => {
      flows.forEach((f) => f.id === id && index.removeFlow(f));
      flows = flows.filter((f) => f.id !== id);
    },
  });
  return conflict ? { conflict } : { flow: flows[0] ?? null };
}

/** The flow a successful revert returns, failing the test on a conflict. */
function ok(result: RevertResult): Flow | null {
  if ('conflict' in result) throw new Error(`unexpected conflict on ${result.conflict.kind} ${result.conflict.id}`);
  return result.flow;
}

/** Shape of a flow as plan → task ids (subtasks nested), for order checks. */
function shape(flow: Flow | null): unknown {
  const tasks = (list: Task[]): unknown => list.map((t) => (t.subtasks.length ? { [t.id]: tasks(t.subtasks) } : t.id));
  return flow?.plans.map((p) => ({ [p.id]: tasks(p.tasks) })) ?? null;
}

function findTask(flow: Flow | null, id: string): Task | undefined {
  const walk = (list: Task[]): Task | undefined => {
    for (const t of list) {
      if (t.id === id) return t;
      const inner = walk(t.subtasks);
      if (inner) return inner;
    }
    return undefined;
  };
  for (const p of flow?.plans ?? []) {
    const found = walk(p.tasks);
    if (found) return found;
  }
  return undefined;
}

describe('revert of recorded object changes (src/domain/revert.ts)', () => {
  it('created: removes the object the change added, keeps what others changed since', () => {
    const before = flowOf([plan('p1', [task('x')]), plan('p2', [])]);
    const after = clone(before);
    after.plans[0].tasks.push(task('n'));
    const now = clone(after);
    now.plans[1].tasks.push(task('w')); // someone else's new task
    now.plans[0].tasks[0].title = 'x edited by someone else';
    const result = ok(revertChange(now, after, before, AT));
    expect(shape(result)).toEqual([{ p1: ['x'] }, { p2: ['w'] }]);
    expect(findTask(result, 'x')?.title).toBe('x edited by someone else');
  });

  it('deleted: puts the object back in its place, subtasks included, after later additions elsewhere', () => {
    const y = task('y', 'why', [task('s')]);
    y.notes = 'kept notes';
    y.unknown_field = { from: 'another tool' };
    const before = flowOf([plan('p1', [task('x'), y, task('z')])]);
    const after = clone(before);
    after.plans[0].tasks.splice(1, 1);
    const now = clone(after);
    now.plans[0].tasks.push(task('w'));
    now.plans[0].tasks[1].title = 'z edited';
    const result = ok(revertChange(now, after, before, AT));
    expect(shape(result)).toEqual([{ p1: ['x', { y: ['s'] }, 'z', 'w'] }]);
    expect(withoutUpdated(findTask(result, 'y'))).toEqual(withoutUpdated(y));
    expect(findTask(result, 'y')?.updated).toBe(AT);
    expect(findTask(result, 'z')?.title).toBe('z edited');
  });

  it('edited: sets the fields back and leaves other objects as they are now', () => {
    const before = flowOf([plan('p1', [task('x', 'old'), task('y')])]);
    const after = clone(before);
    after.plans[0].tasks[0].title = 'new';
    after.plans[0].tasks[0].tags = ['t'];
    const now = clone(after);
    now.plans[0].tasks[1].status = 'done';
    const result = ok(revertChange(now, after, before, AT));
    expect(findTask(result, 'x')).toMatchObject({ title: 'old', tags: [], updated: AT });
    expect(findTask(result, 'y')?.status).toBe('done');
    expect(findTask(result, 'y')?.updated).toBe(T0);
  });

  it('edited: the object stays where it is now when others inserted before it since', () => {
    const before = flowOf([plan('p1', [task('x', 'old'), task('y')])]);
    const after = clone(before);
    after.plans[0].tasks[0].title = 'new';
    const now = clone(after);
    now.plans[0].tasks.unshift(task('w')); // someone else put a task first
    const result = ok(revertChange(now, after, before, AT));
    expect(shape(result)).toEqual([{ p1: ['w', 'x', 'y'] }]);
    expect(findTask(result, 'x')?.title).toBe('old');
  });

  it('moved to another plan: goes back to its old plan and position', () => {
    const before = flowOf([plan('p1', [task('x'), task('y')]), plan('p2', [task('z')])]);
    const after = clone(before);
    after.plans[1].tasks.push(after.plans[0].tasks.shift() as Task);
    const now = clone(after);
    now.plans[0].tasks.push(task('w'));
    now.plans[1].tasks[0].title = 'z edited';
    const result = ok(revertChange(now, after, before, AT));
    expect(shape(result)).toEqual([{ p1: ['x', 'y', 'w'] }, { p2: ['z'] }]);
    expect(findTask(result, 'z')?.title).toBe('z edited');
  });

  it('moved among its siblings: the old order comes back', () => {
    const before = flowOf([plan('p1', [task('x'), task('y'), task('z')])]);
    const after = clone(before);
    after.plans[0].tasks.push(after.plans[0].tasks.shift() as Task);
    const now = clone(after);
    now.plans[0].tasks.push(task('w'));
    const result = ok(revertChange(now, after, before, AT));
    expect(shape(result)).toEqual([{ p1: ['x', 'y', 'z', 'w'] }]);
  });

  it('moved under a task: comes back to the plan level', () => {
    const before = flowOf([plan('p1', [task('x'), task('y')])]);
    const after = clone(before);
    after.plans[0].tasks[0].subtasks.push(after.plans[0].tasks.pop() as Task);
    const result = ok(revertChange(clone(after), after, before, AT));
    expect(shape(result)).toEqual([{ p1: ['x', 'y'] }]);
  });

  it('moved to the top of another plan: edits to its new siblings since do not block the undo', () => {
    const before = flowOf([plan('p1', [task('x'), task('y')]), plan('p2', [task('c')])]);
    const after = clone(before);
    after.plans[0].tasks.unshift(after.plans[1].tasks.pop() as Task);
    const now = clone(after);
    now.plans[0].tasks[1].title = 'x edited since';
    const result = ok(revertChange(now, after, before, AT));
    expect(shape(result)).toEqual([{ p1: ['x', 'y'] }, { p2: ['c'] }]);
    expect(findTask(result, 'x')?.title).toBe('x edited since');
  });

  it('a created flow is removed; a deleted flow comes back whole; no change leaves the flow as it is', () => {
    const created = flowOf([plan('p1', [task('x')])]);
    expect(ok(revertChange(clone(created), created, null, AT))).toBeNull();
    const deleted = flowOf([plan('p1', [task('x', 'x', [task('s')])]), plan('p2', [task('y')])], 'flow_1', { color: 'teal' });
    const back = ok(revertChange(null, null, deleted, AT));
    expect(withoutUpdated(back)).toEqual(withoutUpdated(deleted));
    const same = flowOf([plan('p1', [])]);
    const now = flowOf([plan('p1', [task('q')])]);
    expect(ok(revertChange(now, same, clone(same), AT))).toBe(now);
  });

  it('conflict: the same object was changed again since', () => {
    const before = flowOf([plan('p1', [task('x', 'a')])]);
    const after = clone(before);
    after.plans[0].tasks[0].title = 'b';
    const now = clone(after);
    now.plans[0].tasks[0].title = 'c';
    expect(revertChange(now, after, before, AT)).toEqual({ conflict: { id: 'x', kind: 'task', title: 'c' } });
  });

  it('conflict: an object was added since under something the change created', () => {
    const before = flowOf([plan('p1', [])]);
    const after = clone(before);
    after.plans.push(plan('p_new', [], 'New plan'));
    const now = clone(after);
    now.plans[1].tasks.push(task('t_foreign', 'someone else’s'));
    expect(revertChange(now, after, before, AT)).toEqual({ conflict: { id: 't_foreign', kind: 'task', title: 'someone else’s' } });
    // The same for a created flow with a plan added since.
    const flowAfter = flowOf([]);
    const flowNow = flowOf([plan('p_since', [], 'Since')]);
    expect(revertChange(flowNow, flowAfter, null, AT)).toEqual({ conflict: { id: 'p_since', kind: 'plan', title: 'Since' } });
  });

  it('conflict: putting back an object whose parent was deleted since', () => {
    const before = flowOf([plan('p1', [task('x'), task('y')], 'Plan one'), plan('p2', [])]);
    const after = clone(before);
    after.plans[0].tasks.pop();
    const now = clone(after);
    now.plans.shift(); // plan p1 deleted by someone else
    expect(revertChange(now, after, before, AT)).toEqual({ conflict: { id: 'p1', kind: 'plan', title: 'Plan one' } });
  });

  it('conflict: a moved object was moved again, or a created one deleted, since', () => {
    const before = flowOf([plan('p1', [task('x')]), plan('p2', []), plan('p3', [])]);
    const after = clone(before);
    after.plans[1].tasks.push(after.plans[0].tasks.pop() as Task);
    const now = clone(after);
    now.plans[2].tasks.push(now.plans[1].tasks.pop() as Task);
    expect(revertChange(now, after, before, AT)).toMatchObject({ conflict: { id: 'x', kind: 'task' } });
    const added = clone(before);
    added.plans[0].tasks.push(task('n'));
    expect(revertChange(clone(before), added, before, AT)).toMatchObject({ conflict: { id: 'n', kind: 'task' } });
  });
});

// ---------------------------------------------------------------------------------------
// flow undo / redo: real processes, sessions A and B on one store

interface Setup {
  dir: string;
  flowId: string;
  p1: string;
  p2: string;
  x: string;
  y: string;
  z: string;
}

async function setup(): Promise<Setup> {
  const dir = tempDir('flow-undo-');
  const run = inProcess(dir, 'setup');
  const flowId = (await run('add flow Work')).id;
  const p1 = (await run('add plan "Plan one"')).id;
  const p2 = (await run('add plan "Plan two"')).id;
  const x = (await run(`add task "Task X" --plan ${p1} --notes "x notes"`)).id;
  const y = (await run(`add task "Task Y" --plan ${p1}`)).id;
  const z = (await run(`add task "Task Z" --plan ${p1}`)).id;
  return { dir, flowId, p1, p2, x, y, z };
}

function tasksOf(dir: string, planId: string): any[] {
  for (const flow of Object.values<any>(readStore(dir).flows)) {
    const plan = flow.plans.find((p: any) => p.id === planId);
    if (plan) return plan.tasks;
  }
  throw new Error(`no plan ${planId}`);
}
const ids = (tasks: any[]) => tasks.map((t) => t.id);
const byId = (dir: string, planId: string, id: string) => tasksOf(dir, planId).find((t) => t.id === id);

describe('flow undo / redo across sessions and processes', () => {
  let s: Setup;
  beforeEach(async () => {
    s = await setup();
  });

  it('Undo after an interleaved external change to other objects works', async () => {
    cli(s.dir, ['set', 'task', s.x, '--title', 'X by A'], { session: 'A' });
    // Another session, in other processes (two at once), changes Y and adds a task to the same plan.
    const [setY, addW] = await Promise.all([
      flowAsync(s.dir, ['set', 'task', s.y, '--status', 'done', '--title', 'Y by B'], { env: { FLOW_SESSION: 'B' } }),
      flowAsync(s.dir, ['add', 'task', 'W by B', '--plan', s.p1, '--json'], { env: { FLOW_SESSION: 'B' } }),
    ]);
    expect(setY.code, setY.stderr).toBe(0);
    expect(addW.code, addW.stderr).toBe(0);
    const w = JSON.parse(addW.stdout).id as string;

    const undo = cli(s.dir, ['undo'], { session: 'A' });
    expect(undo.stdout).toMatch(/Undid "set task"/);
    expect(byId(s.dir, s.p1, s.x).title).toBe('Task X');
    expect(byId(s.dir, s.p1, s.x).notes).toBe('x notes');
    expect(byId(s.dir, s.p1, s.y)).toMatchObject({ title: 'Y by B', status: 'done' });
    expect(ids(tasksOf(s.dir, s.p1))).toEqual([s.x, s.y, s.z, w]);
  });

  it('undo after an external change to the same object refuses with a conflict (exit 3)', () => {
    cli(s.dir, ['set', 'task', s.x, '--title', 'X by A'], { session: 'A' });
    cli(s.dir, ['set', 'task', s.x, '--title', 'X by B'], { session: 'B' });
    const file = join(s.dir, 'flows.json');
    const bytes = readFileSync(file);
    const undo = cli(s.dir, ['undo'], { session: 'A', code: 3 });
    expect(undo.stderr).toContain(s.x);
    expect(undo.stderr).toMatch(/X by B/);
    expect(readFileSync(file).equals(bytes)).toBe(true);
    const asJson = cli(s.dir, ['undo', '--json'], { session: 'A', code: 3 });
    expect(JSON.parse(asJson.stderr).error).toMatchObject({ code: 'conflict', id: s.x });
    expect(readFileSync(file).equals(bytes)).toBe(true);
  });

  it('redo after undo brings the change back; undo of the redo reverts it again', () => {
    cli(s.dir, ['set', 'task', s.x, '--title', 'Renamed', '--priority', 'high'], { session: 'A' });
    cli(s.dir, ['undo'], { session: 'A' });
    expect(byId(s.dir, s.p1, s.x)).toMatchObject({ title: 'Task X', priority: 'medium' });
    const redo = cli(s.dir, ['redo'], { session: 'A' });
    expect(redo.stdout).toMatch(/Redid "set task"/);
    expect(byId(s.dir, s.p1, s.x)).toMatchObject({ title: 'Renamed', priority: 'high' });
    expect(cli(s.dir, ['redo'], { session: 'A', code: 1 }).stderr).toMatch(/nothing to redo/);
    cli(s.dir, ['undo'], { session: 'A' });
    expect(byId(s.dir, s.p1, s.x)).toMatchObject({ title: 'Task X', priority: 'medium' });
  });

  it('undo of add task, rm task (back in its place), move task and add plan', () => {
    const before = readStore(s.dir);
    const added = cliJson(s.dir, ['add', 'task', 'New one', '--plan', s.p1], 'A');
    expect(ids(tasksOf(s.dir, s.p1))).toContain(added.id);
    cli(s.dir, ['undo'], { session: 'A' });
    expect(ids(tasksOf(s.dir, s.p1))).toEqual([s.x, s.y, s.z]);

    const y = byId(s.dir, s.p1, s.y);
    cli(s.dir, ['rm', 'task', s.y, '--plan', s.p1], { session: 'A' });
    expect(ids(tasksOf(s.dir, s.p1))).toEqual([s.x, s.z]);
    cli(s.dir, ['undo'], { session: 'A' });
    expect(ids(tasksOf(s.dir, s.p1))).toEqual([s.x, s.y, s.z]);
    expect(withoutUpdated(byId(s.dir, s.p1, s.y))).toEqual(withoutUpdated(y));

    cli(s.dir, ['move', 'task', s.x, '--plan', s.p1, '--to-plan', s.p2], { session: 'A' });
    expect(ids(tasksOf(s.dir, s.p2))).toEqual([s.x]);
    cli(s.dir, ['undo'], { session: 'A' });
    expect(ids(tasksOf(s.dir, s.p1))).toEqual([s.x, s.y, s.z]);
    expect(tasksOf(s.dir, s.p2)).toEqual([]);

    const plan = cliJson(s.dir, ['add', 'plan', 'Extra', '--flow', s.flowId], 'A');
    expect(readStore(s.dir).flows[s.flowId].plans.map((p: any) => p.id)).toEqual([s.p1, s.p2, plan.id]);
    cli(s.dir, ['undo'], { session: 'A' });
    expect(withoutUpdated(readStore(s.dir).flows)).toEqual(withoutUpdated(before.flows));
  });

  it('undo with nothing to undo fails (exit 1) and changes nothing', () => {
    const file = join(s.dir, 'flows.json');
    const bytes = readFileSync(file);
    const result = cli(s.dir, ['undo'], { session: 'fresh', code: 1 });
    expect(result.stderr).toMatch(/nothing to undo for session "fresh"/);
    expect(readFileSync(file).equals(bytes)).toBe(true);
  });

  it('undo is per session: B’s undo never reverts A’s change', () => {
    cli(s.dir, ['set', 'task', s.x, '--title', 'X by A'], { session: 'A' });
    cli(s.dir, ['set', 'task', s.y, '--title', 'Y by B'], { session: 'B' });
    cli(s.dir, ['undo'], { session: 'B' });
    expect(byId(s.dir, s.p1, s.y).title).toBe('Task Y');
    expect(byId(s.dir, s.p1, s.x).title).toBe('X by A');
    cli(s.dir, ['undo'], { session: 'B', code: 1 });
    expect(byId(s.dir, s.p1, s.x).title).toBe('X by A');
    // --session works like FLOW_SESSION.
    cli(s.dir, ['undo', '--session', 'A']);
    expect(byId(s.dir, s.p1, s.x).title).toBe('Task X');
  });

  it('undo remembers at most undo.depth changes per session', async () => {
    cli(s.dir, ['config', 'set', 'undo.depth', '2']);
    // Through the command bus in-process (what the CLI runs), to keep the test quick.
    const a = inProcess(s.dir, 'A');
    for (const title of ['one', 'two', 'three']) await a(`set task ${s.x} --title ${title}`);
    await a('undo');
    await a('undo');
    expect(byId(s.dir, s.p1, s.x).title).toBe('one');
    await expect(a('undo')).rejects.toThrow(/nothing to undo/);
    expect(cli(s.dir, ['undo'], { session: 'A', code: 1 }).stderr).toMatch(/nothing to undo/);
    expect(byId(s.dir, s.p1, s.x).title).toBe('one');

    // Past the point where the log is trimmed: still exactly `depth` changes back.
    const b = inProcess(s.dir, 'B');
    for (const title of ['b1', 'b2', 'b3', 'b4']) await b(`set task ${s.y} --title ${title}`);
    await b('undo');
    await b('undo');
    expect(byId(s.dir, s.p1, s.y).title).toBe('b2');
    await expect(b('undo')).rejects.toThrow(/nothing to undo/);
    await b('redo');
    expect(byId(s.dir, s.p1, s.y).title).toBe('b3');
  });
});

// ---------------------------------------------------------------------------------------
// The undo log records what a change touched, not the flows around it

describe('undo of recorded object changes', () => {
  it('200 random changes (adds, edits, moves, deletes of tasks, plans, flows): undo gives back the store before, redo the store after', async () => {
    const rand = random(77);
    const dir = tempDir('flow-undo-random-');
    writeStore(dir, generateDocument(12, 'deep', 3));
    const store = new Store(dir);
    const log = new UndoLog(dir, 'random');
    const flowsNow = () => withoutUpdated(readStore(dir).flows);
    let changed = 0;
    for (let step = 1; step <= 200; step++) {
      const before = flowsNow();
      const commit = await store.transact((tx) => randomChange(tx, rand, step));
      if (!commit.changed) continue;
      await log.record(commit, `step ${step}`);
      const after = flowsNow();
      const entry = log.stacks().undoable.at(-1) as UndoEntry;
      // Other tools' top-level fields and the current flow only: no object to revert.
      if (!entry.objects?.length) continue;
      changed++;
      const undo = await store.transact((tx) => revertEntry(tx, entry, 'undo'));
      expect(flowsNow(), `undo of step ${step}`).toEqual(before);
      await log.record(undo, `undo step ${step}`, 'undo', entry.revision);
      const redo = await store.transact((tx) => revertEntry(tx, log.stacks().redoable.at(-1) as UndoEntry, 'redo'));
      expect(flowsNow(), `redo of step ${step}`).toEqual(after);
      await log.record(redo, `step ${step}`, 'redo', undo.revision);
    }
    expect(changed).toBeGreaterThan(120);
  }, 120_000);

  it('done in a 2,000-task plan: the log line holds that task, not the plan; a neighbour edited since does not block the undo', async () => {
    const dir = tempDir('flow-undo-big-');
    const run = inProcess(dir, 'setup');
    await run('add flow Big');
    const plan = (await run('add plan Huge')).id;
    await new Store(dir).transact((tx) => {
      const found = tx.locate(plan);
      if (found?.kind !== 'plan') throw new Error('no plan');
      for (let i = 0; i < 2000; i++) found.plan.tasks.push(createTask({ title: `task ${i}`, notes: 'n'.repeat(100) }));
    });
    const tasks = readStore(dir).flows[Object.keys(readStore(dir).flows)[0]].plans[0].tasks;
    const [target, neighbour] = [tasks[1000].id, tasks[1001].id];
    const a = inProcess(dir, 'A');
    await a(`done task ${target} --plan ${plan}`);
    const line = readFileSync(join(dir, 'undo', 'A.jsonl'), 'utf8');
    expect(line.length).toBeLessThan(3000);
    expect(statSync(join(dir, 'flows.json')).size).toBeGreaterThan(200 * 2000);
    await inProcess(dir, 'B')(`set task ${neighbour} --plan ${plan} --title "edited by B"`);
    await a('undo');
    const now = readStore(dir).flows[Object.keys(readStore(dir).flows)[0]].plans[0].tasks;
    expect(now.find((t: Task) => t.id === target).status).toBe('todo');
    expect(now.find((t: Task) => t.id === neighbour).title).toBe('edited by B');
    expect(now).toHaveLength(2000);
  });

  it('an entry written by an earlier version (each flow whole, before and after) is still undone', async () => {
    const dir = tempDir('flow-undo-legacy-');
    const run = inProcess(dir, 'setup');
    await run('add flow Work');
    const plan = (await run('add plan P')).id;
    const task = (await run(`add task "Old title" --plan ${plan}`)).id;
    const before = readStore(dir);
    await run(`set task ${task} --plan ${plan} --title "New title"`);
    const after = readStore(dir);
    const flowId = Object.keys(after.flows)[0];
    const legacy = {
      revision: after.meta.file_revision,
      at: after.meta.last_saved,
      command: 'set task',
      kind: 'do',
      flows: { [flowId]: { before: before.flows[flowId], after: after.flows[flowId] } },
    };
    mkdirSync(join(dir, 'undo'), { recursive: true });
    writeFileSync(join(dir, 'undo', 'L.jsonl'), `${JSON.stringify(legacy)}\n`);
    cli(dir, ['undo'], { session: 'L' });
    expect(readStore(dir).flows[flowId].plans[0].tasks[0].title).toBe('Old title');
  });

  it('a removed task that turned up in another flow since is not put back twice (conflict, nothing changed)', async () => {
    const dir = tempDir('flow-undo-twice-');
    const run = inProcess(dir, 'setup');
    await run('add flow One');
    const p1 = (await run('add plan P1')).id;
    const task = (await run(`add task Wanderer --plan ${p1}`)).id;
    await run('add flow Two');
    const p2 = (await run('add plan P2')).id;
    const copy = readStore(dir).flows[Object.keys(readStore(dir).flows)[0]].plans[0].tasks[0];
    await inProcess(dir, 'A')(`rm task ${task} --plan ${p1}`);
    // Another tool puts the same task into the other flow.
    await new Store(dir).transact((tx) => {
      const found = tx.locate(p2);
      if (found?.kind !== 'plan') throw new Error('no plan');
      found.plan.tasks.push(copy);
    });
    const bytes = readFileSync(join(dir, 'flows.json'));
    const result = cli(dir, ['undo', '--json'], { session: 'A', code: 3 });
    expect(JSON.parse(result.stderr).error).toMatchObject({ code: 'conflict', id: task });
    expect(readFileSync(join(dir, 'flows.json')).equals(bytes)).toBe(true);
  });
});
