// DESIGN §2 depth: tasks nest at most 256 levels. A deeper write is refused (exit 1); a
// deeper file written by someone else is read (read-only, exit 5 for writes), never
// quarantined; flow never writes a file it would refuse to read.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAX_TASK_DEPTH, parseFlow, type Flow, type Task } from '../../src/domain/schema.js';
import { createFlow, createPlan, createTask } from '../../src/domain/tree.js';
import { serialiseDocument } from '../../src/store/layout.js';
import { Store } from '../../src/store/store.js';
import { flowSync, json, tempDir } from '../helpers.js';

/** A flow whose one plan holds a chain of `levels` nested tasks; returns it and the ids by level. */
function chainFlow(levels: number, name = 'Deep'): { flow: Flow; ids: string[] } {
  const flow = createFlow(name);
  const plan = createPlan({ title: 'Chain' });
  flow.plans.push(plan);
  const ids: string[] = [];
  let list: Task[] = plan.tasks;
  for (let level = 1; level <= levels; level++) {
    const task = createTask({ title: `level ${level}` });
    list.push(task);
    ids.push(task.id);
    list = task.subtasks;
  }
  return { flow, ids };
}

/** flows.json written by another program, in flow's layout (one flow per line). */
function writeStore(flows: Flow[], options: { pretty?: boolean } = {}): string {
  const dir = join(tempDir('flow-depth-'), '.flow');
  mkdirSync(dir, { recursive: true });
  const header = { version: '3.0', meta: { file_revision: 7 }, current_flow_id: flows[0].id };
  const entries = flows.map((f) => [f.id, f] as [string, Flow]);
  // JSON.stringify recurses: a chain this deep is written the way a streaming writer would.
  const text = options.pretty
    ? `{\n  "version": "3.0",\n  "meta": {"file_revision": 7},\n  "current_flow_id": ${JSON.stringify(flows[0].id)},\n  "flows": {\n${entries.map(([id, f]) => `    ${JSON.stringify(id)}:\n      ${deepJson(f)}`).join(',\n')}\n  }\n}\n`
    : serialiseDocumentDeep(header, entries);
  writeFileSync(join(dir, 'flows.json'), text);
  return dir;
}

/** JSON of a chain flow without recursion on the JS stack (JSON.stringify gives up near 10,000 levels). */
function deepJson(flow: Flow): string {
  const plan = flow.plans[0];
  let open = '';
  let close = '';
  for (let task: Task | undefined = plan.tasks[0]; task; task = task.subtasks[0]) {
    // `…,"subtasks":[]}` without its `[]}`: the next level goes in between.
    open += `${JSON.stringify({ ...task, subtasks: [] }).slice(0, -3)}[`;
    close = `]}${close}`;
  }
  const planJson = JSON.stringify({ ...plan, tasks: [] }).replace('"tasks":[]', `"tasks":[${open}${close}]`);
  return JSON.stringify({ ...flow, plans: [] }).replace('"plans":[]', `"plans":[${planJson}]`);
}

function serialiseDocumentDeep(header: Record<string, unknown>, flows: Array<[string, Flow]>): string {
  const shallow = flows.map(([id]) => [id, { marker: id }] as [string, unknown]);
  let text = serialiseDocument(header, shallow);
  for (const [id, f] of flows) text = text.replace(JSON.stringify({ marker: id }), f.plans.length === 1 ? deepJson(f) : JSON.stringify(f));
  return text;
}

const quarantined = (dir: string) => readdirSync(dir).filter((n) => n.includes('.corrupt.'));

describe(`at most ${MAX_TASK_DEPTH} levels of tasks`, () => {
  it('level 256 can be added, level 257 is refused with a clear message (exit 1) and nothing changes', () => {
    const { flow, ids } = chainFlow(255);
    const dir = writeStore([flow]);
    const deepest = ids[254];
    const added = flowSync(dir, ['--json', 'add', 'task', 'level 256', '--parent', deepest]);
    expect(added.code, added.stderr).toBe(0);
    const level256 = json(added).id;
    const before = readFileSync(join(dir, 'flows.json'));
    const refused = flowSync(dir, ['add', 'task', 'level 257', '--parent', level256]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/tasks nest at most 256 levels deep: under task \S+ \(level 256\) this would reach level 257/);
    const asJson = flowSync(dir, ['--json', 'add', 'task', 'level 257', '--parent', level256]);
    expect(JSON.parse(asJson.stderr).error.code).toBe('invalid');
    expect(readFileSync(join(dir, 'flows.json')).equals(before), 'nothing was written').toBe(true);
    // The 256-deep store reads everywhere: listing, showing, JSON.
    const listed = flowSync(dir, ['--json', 'list', 'task']);
    expect(json(listed)).toHaveLength(256);
    expect(json(flowSync(dir, ['--json', 'show', 'task', level256])).title).toBe('level 256');
    expect(quarantined(dir)).toEqual([]);
  });

  it('moving a subtree under a task where it would go past level 256 is refused before anything moves', () => {
    const { flow, ids } = chainFlow(250);
    const other = chainFlow(10, 'Other');
    flow.plans.push(other.flow.plans[0]);
    const dir = writeStore([flow]);
    const before = readFileSync(join(dir, 'flows.json'));
    const r = flowSync(dir, ['move', 'task', other.ids[0], '--parent', ids[249]]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/would reach level 260/);
    expect(readFileSync(join(dir, 'flows.json')).equals(before)).toBe(true);
    expect(flowSync(dir, ['move', 'task', other.ids[4], '--parent', ids[249]]).code, 'six levels fit').toBe(0);
  });

  it('a transaction that would write a deeper flow in any other way (a restore, an import) is refused', async () => {
    const dir = writeStore([chainFlow(3).flow]);
    const store = new Store(dir);
    const deep = chainFlow(257, 'Too deep').flow;
    await expect(store.transact((tx) => tx.addFlow(deep))).rejects.toMatchObject({ code: 'invalid' });
    expect(() => parseFlow(JSON.parse(deepJson(deep)))).toThrow(/more than 256 levels/);
  });
});

describe('a deeper file written by someone else', () => {
  const LEVELS = 10_000;

  it(`(${LEVELS.toLocaleString('en')} levels) is read, read-only, never quarantined`, () => {
    const { flow } = chainFlow(LEVELS);
    const neighbour = chainFlow(2, 'Neighbour');
    const dir = writeStore([flow, neighbour.flow]);
    const file = join(dir, 'flows.json');
    const bytes = readFileSync(file);

    const listed = flowSync(dir, ['--json', 'list', 'flow']);
    expect(listed.code, listed.stderr).toBe(0);
    expect(json(listed).map((f: { name: string }) => f.name)).toEqual(['Deep', 'Neighbour']);
    const tasks = flowSync(dir, ['list', 'task']);
    expect(tasks.code, tasks.stderr).toBe(0);
    expect(tasks.stdout).toContain('level 256');
    expect(tasks.stdout).not.toContain('level 257');
    expect(tasks.stderr).toMatch(/nests tasks more than 256 levels deep; its 9744 deepest tasks are not shown and the flow is read-only/);
    expect(flowSync(dir, ['show', 'flow']).code).toBe(0);

    for (const args of [['add', 'task', 'more'], ['rename', 'flow', flow.id, 'Renamed'], ['rm', 'flow', flow.id, '--yes']]) {
      const r = flowSync(dir, ['--json', ...args]);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(5);
      const error = JSON.parse(r.stderr.trim().split('\n').pop() as string).error;
      expect(error.code).toBe('too_deep');
      expect(error.message).toMatch(/more than 256 levels deep .* does not change it, so nothing was saved|nests too deeply/);
    }
    expect(readFileSync(file).equals(bytes), 'the deep flow is never written').toBe(true);
    expect(quarantined(dir)).toEqual([]);

    // The rest of the store stays writable: the deep line is kept byte for byte.
    const deepLine = bytes.toString('utf8').split('\n').find((l) => l.includes('"level 10000"')) as string;
    expect(flowSync(dir, ['add', 'task', 'beside', '--plan', neighbour.flow.plans[0].id]).code).toBe(0);
    expect(readFileSync(file, 'utf8')).toContain(deepLine);
    expect(quarantined(dir)).toEqual([]);
  });

  it('read whole (not in flow layout), it makes the whole store read-only', () => {
    const dir = writeStore([chainFlow(1000).flow], { pretty: true });
    const bytes = readFileSync(join(dir, 'flows.json'));
    expect(flowSync(dir, ['list', 'flow']).code).toBe(0);
    const r = flowSync(dir, ['--json', 'add', 'flow', 'New']);
    expect(r.code).toBe(5);
    expect(r.stderr).toContain('"too_deep"');
    expect(readFileSync(join(dir, 'flows.json')).equals(bytes)).toBe(true);
    expect(quarantined(dir)).toEqual([]);
  });

  it('in an older format (2.x) it is left as it is (exit 5), not upgraded and not quarantined', () => {
    const dir = join(tempDir('flow-depth-'), '.flow');
    mkdirSync(dir);
    const v2 = deepJson(chainFlow(1000).flow);
    writeFileSync(join(dir, 'flows.json'), `{"version":"2.0","flows":[${v2}]}`);
    const r = flowSync(dir, ['list', 'flow']);
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(/cannot upgrade it and leaves it as it is/);
    expect(quarantined(dir)).toEqual([]);
    expect(existsSync(join(dir, 'snapshots'))).toBe(false);
  });
});
