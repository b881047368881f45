// Migration fixtures for every rule of DESIGN §3: 1.x workflows, 2.x flow lists and
// newer formats, with unicode names and unknown fields, round-tripped with nothing
// dropped. Real files in temp dirs; the CLI runs as a real process (npm test builds it).
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { FlowError } from '../../src/domain/errors.js';
import { documentSchema, parseWith } from '../../src/domain/schema.js';
import { Image, serialiseDocument } from '../../src/store/layout.js';
import { readAnyFormat } from '../../src/store/migrate/import.js';
import { detectFormat, upgrade } from '../../src/store/migrate/index.js';
import { IdRegistry } from '../../src/store/migrate/normalize.js';
import { writeMigrationSnapshot } from '../../src/store/migrate/snapshot.js';
import { Store } from '../../src/store/store.js';
import { flowSync, json, readStore, tempDir } from '../helpers.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/migrate/', import.meta.url));
const AT = '2026-03-04T05:06:07.089Z';
const NEW_ID = {
  flow: /^flow_[a-z2-7]{8,}$/,
  plan: /^plan_[a-z2-7]{8,}$/,
  task: /^task_[a-z2-7]{8,}$/,
};
const SNAPSHOT_NAME = /^\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\.\d{3}Z(-\d+)?_migration\.json$/;

/** Every fixture of an older format, with what it upgrades from. */
const OLDER: Array<[file: string, from: '1.x' | '2.x']> = [
  ['v1-workflow.json', '1.x'],
  ['v1-flows.json', '1.x'],
  ['v2-flows.json', '2.x'],
  ['v2-unversioned.json', '2.x'],
  ['v2-dangling.json', '2.x'],
  ['v2-empty.json', '2.x'],
];

type Json = any;

function fixturePath(name: string): string {
  return join(FIXTURES, name);
}

/** A fresh parse each time, so a test that mutates it cannot affect another. */
function fixture(name: string): Json {
  return JSON.parse(readFileSync(fixturePath(name), 'utf8'));
}

function migrate(raw: unknown): Json {
  return upgrade(raw, AT).document;
}

/** Every task of a task list, depth first, in document order. */
function allTasks(tasks: Json[]): Json[] {
  return tasks.flatMap((t) => [t, ...allTasks(t.subtasks ?? [])]);
}

function tasksOf(doc: Json): Json[] {
  return Object.values(doc.flows as Record<string, Json>).flatMap((f) =>
    f.plans.flatMap((p: Json) => allTasks(p.tasks)),
  );
}

function plansOf(doc: Json): Json[] {
  return Object.values(doc.flows as Record<string, Json>).flatMap((f) => f.plans);
}

/** Every id in a 3.0 document: flows, plans and tasks at any depth. */
function idsOf(doc: Json): string[] {
  return [
    ...Object.values(doc.flows as Record<string, Json>).map((f) => f.id),
    ...plansOf(doc).map((p) => p.id),
    ...tasksOf(doc).map((t) => t.id),
  ];
}

function byOldId(tasks: Json[], oldId: unknown): Json {
  const found = tasks.filter((t) => t.old_id === oldId);
  expect(found, `exactly one task with old_id ${JSON.stringify(oldId)}`).toHaveLength(1);
  return found[0];
}

/** Leaf values (strings, numbers, booleans) of a JSON value, typed so 1 ≠ "1". */
function leaves(value: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const v of value) leaves(v, out);
  else if (value !== null && typeof value === 'object') for (const v of Object.values(value)) leaves(v, out);
  else if (value !== null) out.add(`${typeof value}:${JSON.stringify(value)}`);
  return out;
}

/** Leaves of the original that appear nowhere in the migrated document. */
function droppedLeaves(original: unknown, migrated: unknown): string[] {
  const kept = leaves(migrated);
  return [...leaves(original)].filter((leaf) => !kept.has(leaf));
}

function expectNothingDropped(original: unknown, migrated: unknown, label: string): void {
  expect(droppedLeaves(original, migrated), `${label}: leaves of the original missing after migration`).toEqual([]);
}

/**
 * The original without the save bookkeeping every save replaces (DESIGN §2:
 * file_revision goes up by one, last_saved and writer name the new save); the
 * migration snapshot keeps the former values.
 */
function withoutBookkeeping(original: Json): Json {
  if (!original.meta || typeof original.meta !== 'object') return original;
  const { file_revision, last_saved, writer, ...meta } = original.meta;
  return { ...original, meta };
}

function snapshotFiles(dir: string): string[] {
  const folder = join(dir, 'snapshots');
  return existsSync(folder) ? readdirSync(folder).filter((n) => n.endsWith('_migration.json')) : [];
}

function readSnapshot(dir: string, name: string): Json {
  return JSON.parse(readFileSync(join(dir, 'snapshots', name), 'utf8'));
}

/** A data dir holding `fixture` as `file` (flows.json or workflow.json). */
function storeWith(name: string, file = 'flows.json'): string {
  const dir = tempDir('flow-migrate-');
  copyFileSync(fixturePath(name), join(dir, file));
  return dir;
}

// ---------------------------------------------------------------------------------------

describe('the nothing-dropped check itself', () => {
  it('finds a leaf that went missing, and tells numbers from strings', () => {
    const original = { a: [1, 'x', { b: true, c: null }], d: 'ü', e: false };
    expect(droppedLeaves(original, { moved: { here: [false, true, 'x', 1, 'ü'] } })).toEqual([]);
    expect(droppedLeaves(original, { a: ['1', 'x', true], d: 'ü', e: false })).toEqual(['number:1']);
    expect(droppedLeaves(original, { a: [1, 'x', true], d: 'u\u0308', e: false })).toEqual(['string:"ü"']);
    expect(droppedLeaves(original, { a: [1, 'x', true], d: 'ü', e: 'false' })).toEqual(['boolean:false']);
  });
});

describe('format detection', () => {
  it('recognises 1.x workflows: a top-level tasks list and no flows', () => {
    for (const raw of [fixture('v1-workflow.json'), fixture('v1-flows.json'), { tasks: [] }, { version: '1.x', tasks: [] }]) {
      const detected = detectFormat(raw);
      expect(detected.kind).toBe('older');
      expect(detected.kind === 'older' && detected.migration.from).toBe('1.x');
    }
  });

  it('recognises 2.x flow lists with version "2.x", "2.1", 2 or none', () => {
    for (const version of ['2.x', '2.1', '2', 2, undefined]) {
      const detected = detectFormat({ version, flows: [] });
      expect(detected.kind, String(version)).toBe('older');
      expect(detected.kind === 'older' && detected.migration.from).toBe('2.x');
    }
  });

  it('takes 3.0, and a versionless flows object, as current', () => {
    expect(detectFormat({ version: '3.0', flows: {} })).toEqual({ kind: 'current' });
    expect(detectFormat({ flows: {} })).toEqual({ kind: 'current' });
  });

  it('calls any higher major version newer, even when it looks like an older format', () => {
    expect(detectFormat(fixture('v4-newer.json'))).toEqual({ kind: 'newer', version: '4.0' });
    expect(detectFormat({ version: '10.2', flows: {} })).toEqual({ kind: 'newer', version: '10.2' });
    // Shaped like 1.x and 2.x, but from the future: never "upgraded" (i.e. downgraded).
    expect(detectFormat({ version: '4.0', tasks: [{ id: 1, title: 'x' }] })).toEqual({ kind: 'newer', version: '4.0' });
    expect(detectFormat({ version: '20.1', flows: [] })).toEqual({ kind: 'newer', version: '20.1' });
  });

  it('rejects what is no flow file', () => {
    for (const raw of [[], 'text', null, {}, { version: '3.0' }, { version: '2.x', flows: {} }, { version: '1.x', flows: [] }]) {
      expect(detectFormat(raw).kind, JSON.stringify(raw)).toBe('unknown');
    }
  });

  it('upgrades each older fixture in exactly one step to a valid 3.0 document', () => {
    for (const [name, from] of OLDER) {
      const { document, steps } = upgrade(fixture(name), AT);
      expect(steps, name).toEqual([from]);
      expect(detectFormat(document), name).toEqual({ kind: 'current' });
      expect(document.version, name).toBe('3.0');
      // Every field 3.0 defaults is filled in by the migration itself.
      expect(parseWith(documentSchema(), document, ''), name).toEqual(document);
    }
  });

  it('leaves the input object untouched', () => {
    for (const [name] of OLDER) {
      const raw = fixture(name);
      upgrade(raw, AT);
      expect(raw, name).toEqual(fixture(name));
    }
  });
});

describe('1.x workflow', () => {
  const raw = fixture('v1-workflow.json');
  const doc = migrate(raw);
  const flows = Object.values(doc.flows) as Json[];
  const tasks = tasksOf(doc);

  it('puts every task into one "Legacy plan" (old_id plan_legacy) of one flow, made current', () => {
    expect(flows).toHaveLength(1);
    const [flow] = flows;
    expect(Object.keys(doc.flows)).toEqual([flow.id]);
    expect(flow.id).toMatch(NEW_ID.flow);
    expect(doc.current_flow_id).toBe(flow.id);
    expect(flow.name).toBe('Werkstatt 🛠️');
    expect(flow).toMatchObject({ created: AT, updated: AT });
    expect(flow.plans).toHaveLength(1);
    const [plan] = flow.plans;
    expect(plan).toMatchObject({ title: 'Legacy plan', old_id: 'plan_legacy', status: 'active', created: AT, updated: AT });
    expect(plan.id).toMatch(NEW_ID.plan);
    expect(plan.tasks.map((t: Json) => t.old_id)).toEqual([1, 2, 't3', 't3x', 6]);
  });

  it('gives every task a new id and keeps the old one, numbers as numbers and strings as strings', () => {
    expect(tasks.map((t) => t.old_id)).toEqual([1, 2, 't3', 't3a', 4, 5, 't3x', 6]);
    for (const task of tasks) expect(task.id).toMatch(NEW_ID.task);
    const ids = idsOf(doc);
    expect(new Set(ids).size).toBe(ids.length);
    expect(typeof byOldId(tasks, 1).old_id).toBe('number');
    expect(typeof byOldId(tasks, 't3').old_id).toBe('string');
  });

  it('keeps subtasks nested as they were', () => {
    const review = byOldId(tasks, 't3');
    expect(review.subtasks.map((t: Json) => t.old_id)).toEqual(['t3a', 4]);
    expect(review.subtasks[1].subtasks.map((t: Json) => t.old_id)).toEqual([5]);
    expect(review.subtasks[1].subtasks[0].subtasks).toEqual([]);
  });

  it('uses name as the title when title is missing, and keeps both when both exist', () => {
    const db = byOldId(tasks, 2);
    expect(db.title).toBe('设计数据库');
    expect(db).not.toHaveProperty('name');
    expect(byOldId(tasks, 4).title).toBe('Approve 👍🏽');
    const both = migrate({ tasks: [{ id: 1, title: 'Title', name: 'Name' }] });
    expect(tasksOf(both)[0]).toMatchObject({ title: 'Title', name: 'Name' });
    const neither = migrate({ tasks: [{ id: 1 }] });
    expect(tasksOf(neither)[0].title).toBe('(untitled)');
  });

  it('maps status and priority synonyms, keeping the original in old_<field>', () => {
    const expected: Array<[unknown, string, string | undefined]> = [
      [1, 'done', undefined],
      [2, 'in_progress', 'in progress'],
      ['t3', 'in_progress', 'WIP'],
      ['t3a', 'done', 'completed'],
      [4, 'blocked', 'waiting'],
      [5, 'cancelled', 'canceled'],
      ['t3x', 'todo', undefined],
      [6, 'todo', 'someday'],
    ];
    for (const [oldId, status, oldStatus] of expected) {
      const task = byOldId(tasks, oldId);
      expect(task.status, String(oldId)).toBe(status);
      if (oldStatus === undefined) expect(task, String(oldId)).not.toHaveProperty('old_status');
      else expect(task.old_status, String(oldId)).toBe(oldStatus);
    }
    expect(byOldId(tasks, 1)).toMatchObject({ priority: 'high' });
    expect(byOldId(tasks, 1)).not.toHaveProperty('old_priority');
    expect(byOldId(tasks, 2)).toMatchObject({ priority: 'high', old_priority: '1' });
    expect(byOldId(tasks, 't3x')).toMatchObject({ priority: 'high', old_priority: 'urgent' });
    expect(byOldId(tasks, 6)).toMatchObject({ priority: 'medium', old_priority: 'whenever' });
    expect(byOldId(tasks, 't3')).toMatchObject({ priority: 'medium' });
  });

  it('rewrites depends_on to the new ids and keeps the former list when it changed form', () => {
    const id = (oldId: unknown) => byOldId(tasks, oldId).id;
    expect(byOldId(tasks, 1).depends_on).toEqual([]);
    expect(byOldId(tasks, 2)).toMatchObject({ depends_on: [id(1)], old_depends_on: [1] });
    expect(byOldId(tasks, 't3')).toMatchObject({ depends_on: [id(2), id('t3x')], old_depends_on: [2, 't3x'] });
    expect(byOldId(tasks, 4).depends_on).toEqual([id('t3a'), id(1)]);
    expect(byOldId(tasks, 5).depends_on).toEqual([id(4)]);
    expect(byOldId(tasks, 't3x').depends_on).toEqual([id('t3'), id(4)]);
    // A dependency on a task that is not in the file stays as it was.
    const dangling = migrate({ tasks: [{ id: 'a', title: 'A', depends_on: ['nowhere'] }] });
    expect(tasksOf(dangling)[0].depends_on).toEqual(['nowhere']);
  });

  it('turns a comma-separated tags string into a list and numeric timestamps into ISO text', () => {
    expect(byOldId(tasks, 't3')).toMatchObject({ tags: ['review', 'qa'], old_tags: 'review, qa' });
    expect(byOldId(tasks, 1).tags).toEqual(['parser', 'core']);
    expect(byOldId(tasks, 1)).toMatchObject({ created: '2023-11-14T22:13:20.000Z', old_created: 1700000000 });
  });

  it('keeps unknown fields on tasks, unchanged', () => {
    const rawTasks = allTasks(raw.tasks);
    const known = new Set(['id', 'title', 'name', 'status', 'priority', 'notes', 'tags', 'depends_on', 'created', 'updated', 'subtasks']);
    let checked = 0;
    for (const rawTask of rawTasks) {
      const task = byOldId(tasks, rawTask.id);
      for (const [key, value] of Object.entries(rawTask)) {
        if (known.has(key)) continue;
        expect(task[key], `${rawTask.id}.${key}`).toEqual(value);
        checked++;
      }
    }
    expect(checked).toBe(5); // estimate, assignee, flagged, custom, score
    expect(byOldId(tasks, 2).flagged).toBe(false);
    expect(byOldId(tasks, 't3a').custom).toEqual({ nested: [1, 2, { deep: 'yes' }] });
  });

  it('keeps unknown top-level fields and records the step in meta.migrated_from', () => {
    expect(doc.owner).toEqual(raw.owner);
    expect(doc.settings).toEqual(raw.settings);
    expect(doc.name).toBe('Werkstatt 🛠️');
    expect(doc).not.toHaveProperty('tasks');
    expect(doc.meta.migrated_from).toEqual({ format: '1.x', version: '1.4', at: AT });
    expect(doc.meta.file_revision).toBe(0);
  });

  it('keeps unicode exactly: emoji with modifiers, CJK, combining marks (not normalised)', () => {
    expect(byOldId(tasks, 1).title).toBe('Write the parser ✍️');
    expect(byOldId(tasks, 4).title).toBe('Approve 👍🏽');
    const notes = byOldId(tasks, 2).notes;
    expect(notes).toBe(raw.tasks[1].notes);
    expect(notes).toContain('Ame\u0301lie');
    expect(notes).not.toBe(notes.normalize('NFC'));
    expect(byOldId(tasks, 2).title).toBe('设计数据库');
  });

  it('reads a flows.json with tasks and no flows the same way, without a version', () => {
    const legacy = fixture('v1-flows.json');
    const out = migrate(legacy);
    const [flow] = Object.values(out.flows) as Json[];
    expect(flow.name).toBe('Imported workflow');
    expect(flow.plans).toHaveLength(1);
    expect(flow.plans[0]).toMatchObject({ title: 'Legacy plan', old_id: 'plan_legacy' });
    const list = tasksOf(out);
    expect(list.map((t) => t.old_id)).toEqual(['a', 10, 'b']);
    expect(list.map((t) => t.title)).toEqual(['Α-task (Ελληνικά)', 'Zehn ✓', 'Kein Titel']);
    expect(list.map((t) => [t.status, t.old_status])).toEqual([
      ['todo', 'open'],
      ['done', 'Closed'],
      ['done', 'DONE'],
    ]);
    expect(list[2].depends_on).toEqual([list[0].id, list[1].id]);
    expect(list[1].extra).toEqual({ why: 'because' });
    expect(out).toMatchObject({ generator: 'todo-cli 0.3', stats: { count: 3, ok: true } });
    expect(out.meta.migrated_from).toEqual({ format: '1.x', version: null, at: AT });
  });

  it('keeps a meta the 3.0 schema would reject under old_<field> instead of failing', () => {
    const odd = migrate({ meta: 'from a shell script', tasks: [] });
    expect(odd.meta).toMatchObject({ old_meta: 'from a shell script', file_revision: 0 });
    const bad = migrate({ meta: { file_revision: '7', last_saved: 1700000000, writer: 42, tool: 'x' }, tasks: [] });
    expect(bad.meta).toMatchObject({
      file_revision: 0,
      old_file_revision: '7',
      old_last_saved: 1700000000,
      old_writer: 42,
      tool: 'x',
    });
    expect(bad.meta).not.toHaveProperty('last_saved');
    for (const document of [odd, bad]) expect(() => parseWith(documentSchema(), document, '')).not.toThrow();
  });
});

describe('2.x flow list', () => {
  const raw = fixture('v2-flows.json');
  const doc = migrate(raw);
  const flows = doc.flows as Record<string, Json>;
  const keys = Object.keys(flows);

  it('turns the list into an object keyed by id, in list order', () => {
    expect(Array.isArray(doc.flows)).toBe(false);
    expect(keys).toHaveLength(5);
    for (const [key, flow] of Object.entries(flows)) expect(flow.id).toBe(key);
    expect(keys.map((k) => flows[k].name)).toEqual([
      'Alpha 🚀',
      'Pre-existing alpha_dup 🧩',
      'Second alpha 二',
      'Third alpha ☃',
      'No id 🆔',
    ]);
  });

  it('lets the first holder of a duplicate id keep it; later ones get _dup, _dup2, … until unique', () => {
    // "alpha_dup" is already taken by a listed flow, so the second duplicate skips to _dup2.
    expect(keys.slice(0, 4)).toEqual(['alpha', 'alpha_dup', 'alpha_dup2', 'alpha_dup3']);
    expect(flows.alpha).not.toHaveProperty('old_id');
    expect(flows.alpha_dup).not.toHaveProperty('old_id');
    expect(flows.alpha_dup2).toMatchObject({ name: 'Second alpha 二', old_id: 'alpha' });
    expect(flows.alpha_dup3).toMatchObject({ name: 'Third alpha ☃', old_id: 'alpha' });
  });

  it('keeps ids unique in the whole file: duplicate plan and task ids get _dup too', () => {
    const ids = idsOf(doc);
    expect(new Set(ids).size).toBe(ids.length);
    expect(flows.alpha.plans[0]).toMatchObject({ id: 'p1' });
    expect(flows.alpha.plans[0]).not.toHaveProperty('old_id');
    expect(flows.alpha_dup2.plans[0]).toMatchObject({ id: 'p1_dup', old_id: 'p1', title: 'Same plan id' });
    expect(flows.alpha.plans[0].tasks[0]).toMatchObject({ id: 't1', title: 'Naïve café — e\u0301 vs é' });
    expect(flows.alpha_dup2.plans[0].tasks[0]).toMatchObject({ id: 't1_dup', old_id: 't1', title: 'dup task' });
    // Tasks keep their ids in 2.x; dependencies still point at them.
    expect(flows.alpha.plans[0].tasks[1]).toMatchObject({ id: 't2', depends_on: ['t1'] });
    expect(flows.alpha.plans[0].tasks[1].subtasks[0]).toMatchObject({ id: 't2a', status: 'in_progress', old_status: 'Doing' });
  });

  it('gives a flow without an id a new one, and a flow without plans an empty list', () => {
    const unnamed = flows[keys[4]];
    expect(keys[4]).toMatch(NEW_ID.flow);
    expect(unnamed).not.toHaveProperty('old_id');
    expect(unnamed.plans).toEqual([]);
    expect(flows.alpha_dup3.plans).toEqual([]);
  });

  it('drops the duplicated current_flow object and keeps current_flow_id', () => {
    expect(doc).not.toHaveProperty('current_flow');
    expect(doc.current_flow_id).toBe('alpha_dup');
    expect(doc).not.toHaveProperty('old_current_flow_id');
    expect(Object.values(flows).filter((f) => f.name === 'Pre-existing alpha_dup 🧩')).toHaveLength(1);
  });

  it('keeps unknown fields on flows, plans, tasks, meta and the top level', () => {
    expect(flows.alpha).toMatchObject({ owner: 'ana', created: '2024-01-01T00:00:00.000Z' });
    expect(flows.alpha_dup2.color).toBe('red');
    expect(flows[keys[4]]).toMatchObject({ archived: false, updated: '2024-06-01T12:00:00.000Z' });
    expect(flows.alpha.plans[0]).toMatchObject({ budget: 1200, status: 'active', old_status: 'open' });
    expect(flows.alpha_dup2.plans[0]['x-ray']).toBe(7);
    expect(flows.alpha.plans[0].tasks[0].custom_field).toEqual({ x: [1, true] });
    expect(doc.workspace).toEqual({ color: 'teal', pinned: ['alpha'] });
    expect(doc.meta).toMatchObject({ file_revision: 41, last_saved: '2025-01-02T03:04:05.000Z', tool: 'flow 2.3' });
    expect(doc.meta.migrated_from).toEqual({ format: '2.x', version: '2.x', at: AT });
  });

  it('keeps unicode names byte for byte', () => {
    const rawFlows = raw.flows as Json[];
    expect(flows.alpha.name).toBe(rawFlows[0].name);
    expect(flows.alpha.plans[0].title).toBe('计划一');
    const combining = flows.alpha.plans[0].tasks[0].title;
    expect(Buffer.from(combining)).toEqual(Buffer.from(rawFlows[0].plans[0].tasks[0].title));
    expect(combining.normalize('NFC')).not.toBe(combining);
    const other = migrate(fixture('v2-unversioned.json'));
    expect(other.flows.f2.name).toBe('Zweiter Fluß — 𝔘𝔫𝔦𝔠𝔬𝔡𝔢');
    expect(other.flows.f1).toMatchObject({ name: '日本語のフロー' });
    expect(other.flows.f1.plans[0]).toMatchObject({ title: '計画 A', summary: '要約' });
  });

  it('takes current_flow_id from current_flow.id when it is absent (version absent too)', () => {
    const out = migrate(fixture('v2-unversioned.json'));
    expect(Object.keys(out.flows)).toEqual(['f1', 'f2']);
    expect(out.current_flow_id).toBe('f2');
    expect(out).not.toHaveProperty('current_flow');
    expect(out.extra_top).toEqual([1, 'two', { three: 3 }]);
    expect(out.flows.f2.plans[0]).toMatchObject({ status: 'draft', old_status: 'planned' });
    expect(out.meta.migrated_from.version).toBeNull();
  });

  it('falls back to the first flow when current_flow_id names none, keeping what it named', () => {
    const out = migrate(fixture('v2-dangling.json'));
    expect(Object.keys(out.flows)).toEqual(['one', 'two']);
    expect(out.current_flow_id).toBe('one');
    expect(out.old_current_flow_id).toBe('ghost');
  });

  it('has no current flow when there are no flows', () => {
    const out = migrate(fixture('v2-empty.json'));
    expect(out.flows).toEqual({});
    expect(out.current_flow_id).toBeNull();
  });

  it('keeps a current_flow that is not a copy of a listed flow as a flow of its own', () => {
    const out = migrate({ flows: [{ id: 'a', name: 'A' }], current_flow: { id: 'b', name: 'Only here', note: 'x' } });
    expect(Object.keys(out.flows)).toEqual(['a', 'b']);
    expect(out.flows.b).toMatchObject({ name: 'Only here', note: 'x', plans: [] });
    expect(out.current_flow_id).toBe('b');
  });

  it('keys numeric ids by their text, keeping the number in old_id', () => {
    const out = migrate({ version: '2.x', current_flow_id: 8, flows: [{ id: 7, name: 'seven' }, { id: 8, name: 'eight' }] });
    expect(Object.keys(out.flows)).toEqual(['7', '8']);
    expect(out.flows['8']).toMatchObject({ id: '8', old_id: 8 });
    expect(out.current_flow_id).toBe('8');
    expect(out.old_current_flow_id).toBe(8);
  });

  it('treats ids that are names of Object.prototype members as plain ids', () => {
    const raw2 = JSON.parse('{"current_flow_id":"toString","flows":[{"id":"__proto__","name":"P"},{"id":"constructor","name":"C"}]}');
    const out = migrate(raw2);
    expect(Object.keys(out.flows)).toEqual(['__proto__', 'constructor']);
    expect(Object.getOwnPropertyDescriptor(out.flows, '__proto__')?.value).toMatchObject({ name: 'P' });
    expect(out.current_flow_id).toBe('__proto__');
    expect(out.old_current_flow_id).toBe('toString');
  });

  it('keeps a file_revision the schema would reject under meta.old_file_revision', () => {
    for (const revision of [-3, 1.5, '12', null]) {
      const out = migrate({ meta: { file_revision: revision }, flows: [] });
      expect(out.meta.file_revision, String(revision)).toBe(0);
      expect(out.meta.old_file_revision, String(revision)).toEqual(revision);
      expect(() => parseWith(documentSchema(), out, '')).not.toThrow();
    }
  });
});

describe('IdRegistry', () => {
  it('keeps the first holder, then _dup, _dup2, … skipping names already taken', () => {
    const ids = new IdRegistry();
    expect(ids.keep('x')).toBe('x');
    expect(ids.claim('x_dup2')).toBe(true);
    expect(ids.keep('x')).toBe('x_dup');
    expect(ids.keep('x')).toBe('x_dup3');
    expect(ids.keep('x_dup')).toBe('x_dup_dup');
    expect(ids.fresh('task')).toMatch(NEW_ID.task);
  });
});

describe('round-trip with nothing dropped', () => {
  for (const [name] of OLDER) {
    it(`${name}: every leaf of the original survives upgrade, store and a later save`, async () => {
      const original = fixture(name);
      expectNothingDropped(original, migrate(original), `${name} in memory`);

      const dir = storeWith(name, name === 'v1-workflow.json' ? 'workflow.json' : 'flows.json');
      await new Store(dir).read();
      expectNothingDropped(withoutBookkeeping(original), readStore(dir), `${name} in flows.json`);
      const [snapshot] = snapshotFiles(dir);
      expectNothingDropped(original, readSnapshot(dir, snapshot).result, `${name} in the snapshot's result`);

      // Unknown fields are written back unchanged by later transactions too.
      const before = readStore(dir).flows;
      await new Store(dir).addFlow('Later ✓');
      const after = readStore(dir);
      for (const [id, flow] of Object.entries(before)) expect(after.flows[id], `${name}: ${id}`).toEqual(flow);
      expectNothingDropped(withoutBookkeeping(original), after, `${name} after another save`);
    });
  }
});

describe('upgrading through the Store', () => {
  const cases: Array<{ name: string; file: string; from: string; revision: number }> = [
    { name: 'v1-workflow.json', file: 'workflow.json', from: '1.x', revision: 1 },
    { name: 'v1-flows.json', file: 'flows.json', from: '1.x', revision: 1 },
    { name: 'v2-flows.json', file: 'flows.json', from: '2.x', revision: 42 },
    { name: 'v2-unversioned.json', file: 'flows.json', from: '2.x', revision: 1 },
  ];

  for (const { name, file, from, revision } of cases) {
    it(`${name} as ${file}: saves original and result in one migration snapshot, once`, async () => {
      const dir = storeWith(name, file);
      const bytes = readFileSync(join(dir, file));
      const view = await new Store(dir).read();

      const stored = readStore(dir);
      expect(stored.version).toBe('3.0');
      expect(stored.meta.file_revision).toBe(revision);
      expect(stored.meta.migrated_from).toMatchObject({ format: from });
      expect(Image.fromBytes(readFileSync(join(dir, 'flows.json'))), 'written in flow’s layout').toBeDefined();
      expect(view.header.version).toBe('3.0');
      expect(view.flowIds()).toEqual(Object.keys(stored.flows));

      const names = snapshotFiles(dir);
      expect(names).toHaveLength(1);
      expect(names[0]).toMatch(SNAPSHOT_NAME);
      const snapshot = readSnapshot(dir, names[0]);
      expect(snapshot).toMatchObject({ kind: 'migration', from: [from], source_file: file });
      expect(snapshot.original).toEqual(fixture(name));
      expect(snapshot.result.flows).toEqual(stored.flows);
      expect(snapshot.result.current_flow_id).toBe(stored.current_flow_id);
      expect(snapshot.result.version).toBe('3.0');
      expect(statSync(join(dir, 'snapshots', names[0])).mtimeMs).toBeLessThanOrEqual(
        statSync(join(dir, 'flows.json')).mtimeMs,
      );
      if (file === 'workflow.json') {
        expect(readFileSync(join(dir, file)), 'workflow.json is only ever read').toEqual(bytes);
      }

      // Opening again reads 3.0: no second migration, the same ids, nothing rewritten.
      const after = readFileSync(join(dir, 'flows.json'));
      const again = await new Store(dir).read();
      const third = await new Store(dir).readAll();
      expect(snapshotFiles(dir)).toEqual(names);
      expect(readFileSync(join(dir, 'flows.json'))).toEqual(after);
      expect(again.flowIds()).toEqual(view.flowIds());
      expect(idsOf({ flows: Object.fromEntries(third.flows.map((f) => [f.id, f])) })).toEqual(idsOf(stored));
    });
  }

  it('a 1.x workflow.json next to a 3.0 flows.json is ignored', async () => {
    const dir = storeWith('v1-workflow.json', 'workflow.json');
    writeFileSync(join(dir, 'flows.json'), JSON.stringify({ version: '3.0', flows: { f: { id: 'f', name: 'F' } } }));
    const view = await new Store(dir).read();
    expect(view.flowIds()).toEqual(['f']);
    expect(snapshotFiles(dir)).toEqual([]);
  });

  it('an upgrade refused by a pre_save hook leaves the old file and writes no snapshot', async () => {
    const dir = storeWith('v2-flows.json');
    const bytes = readFileSync(join(dir, 'flows.json'));
    const store = new Store(dir, {
      hooks: {
        preSave() {
          throw new FlowError('vetoed', 'not now');
        },
      },
    });
    await expect(store.read()).rejects.toMatchObject({ code: 'vetoed' });
    expect(readFileSync(join(dir, 'flows.json'))).toEqual(bytes);
    expect(snapshotFiles(dir)).toEqual([]);
  });

  it('migration snapshots made at the same instant never overwrite each other', () => {
    const dir = tempDir('flow-migrate-');
    const at = new Date(AT);
    const record = { from: ['2.x'], source_file: 'flows.json', original: { a: 1 }, result: { b: 2 } };
    const first = writeMigrationSnapshot(dir, record, at);
    const second = writeMigrationSnapshot(dir, { ...record, original: { a: 2 } }, at);
    expect(first).not.toBe(second);
    expect(snapshotFiles(dir).sort()).toEqual(['2026-03-04T05-06-07.089Z-1_migration.json', '2026-03-04T05-06-07.089Z_migration.json']);
    expect(JSON.parse(readFileSync(first, 'utf8')).original).toEqual({ a: 1 });
    expect(JSON.parse(readFileSync(second, 'utf8'))).toMatchObject({ kind: 'migration', created: AT, original: { a: 2 } });
  });
});

describe('a newer format', () => {
  const FUTURE = 'flow_aaaaaaaa';

  async function expectReadOnly(dir: string): Promise<void> {
    const bytes = readFileSync(join(dir, 'flows.json'));
    const warnings: string[] = [];
    const store = new Store(dir, { warn: (m) => warnings.push(m) });

    const view = await store.read();
    expect(view.header.version).toBe('4.0');
    expect(view.currentFlowId).toBe(FUTURE);
    expect(view.flow(FUTURE)).toMatchObject({ name: 'Future ✨', quantum: { state: 'superposed' } });
    expect(warnings.join('\n')).toMatch(/4\.0.*read-only/);

    const attempts: Array<[string, () => Promise<unknown>]> = [
      ['transact', () => store.transact((tx) => tx.setCurrentFlow(null))],
      ['addFlow', () => store.addFlow('nope')],
      ['save', () => store.save()],
    ];
    for (const [what, attempt] of attempts) {
      const error = await attempt().then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(error, what).toBeInstanceOf(FlowError);
      expect((error as FlowError).code, what).toBe('too_new');
    }
    expect(readFileSync(join(dir, 'flows.json')), 'bytes unchanged').toEqual(bytes);
    expect(readdirSync(dir)).toEqual(['flows.json']);
  }

  it('opens read-only and is never rewritten (hand-formatted file)', async () => {
    await expectReadOnly(storeWith('v4-newer.json'));
  });

  it('opens read-only and is never rewritten (file in flow’s own layout)', async () => {
    const { flows, ...header } = fixture('v4-newer.json');
    const dir = tempDir('flow-migrate-');
    writeFileSync(join(dir, 'flows.json'), serialiseDocument(header, Object.entries(flows)));
    expect(Image.fromBytes(readFileSync(join(dir, 'flows.json')))).toBeDefined();
    await expectReadOnly(dir);
  });

  it('is never upgraded even when it looks like a 1.x or 2.x file', async () => {
    for (const doc of [
      { version: '4.0', tasks: [{ id: 1, title: 'future task' }] },
      { version: '20.1', flows: [{ id: 'a', name: 'A' }] },
    ]) {
      const dir = tempDir('flow-migrate-');
      const text = JSON.stringify(doc, null, 2);
      writeFileSync(join(dir, 'flows.json'), text);
      const store = new Store(dir, { warn: () => {} });
      await store.read().catch(() => undefined);
      await expect(store.addFlow('nope'), doc.version).rejects.toBeDefined();
      expect(readFileSync(join(dir, 'flows.json'), 'utf8'), doc.version).toBe(text);
      expect(snapshotFiles(dir), doc.version).toEqual([]);
    }
  });

  it('is refused for import with a too_new error', () => {
    expect(() => readAnyFormat(fixturePath('v4-newer.json'))).toThrow(
      expect.objectContaining({ code: 'too_new' }),
    );
  });

  it('through the CLI: listing works, changing exits 5 with too_new, the file stays as it was', () => {
    const dir = storeWith('v4-newer.json');
    const bytes = readFileSync(join(dir, 'flows.json'));
    const list = json(flowSync(dir, ['list', 'flow', '--json']));
    expect(list.map((f: Json) => f.name)).toEqual(['Future ✨']);
    const add = flowSync(dir, ['add', 'flow', 'Nope', '--json']);
    expect(add.code).toBe(5);
    expect(add.stderr).toContain('"code":"too_new"');
    expect(readFileSync(join(dir, 'flows.json'))).toEqual(bytes);
    expect(snapshotFiles(dir)).toEqual([]);
  });
});

describe('readAnyFormat (the reader behind flow migrate --from)', () => {
  it('upgrades and validates every older fixture without writing anything', () => {
    for (const [name, from] of OLDER) {
      const dir = tempDir('flow-migrate-');
      const path = join(dir, name);
      copyFileSync(fixturePath(name), path);
      const file = readAnyFormat(path);
      expect(file.steps, name).toEqual([from]);
      expect(file.original, name).toEqual(fixture(name));
      expect(file.header.version, name).toBe('3.0');
      expectNothingDropped(file.original, { ...file.header, flows: file.flows }, name);
      expect(readdirSync(dir), name).toEqual([name]);
    }
  });

  it('reports unreadable and foreign files as invalid', () => {
    const dir = tempDir('flow-migrate-');
    writeFileSync(join(dir, 'bad.json'), '{"tasks": [');
    writeFileSync(join(dir, 'other.json'), '{"hello": "world"}');
    for (const name of ['bad.json', 'other.json', 'missing.json']) {
      expect(() => readAnyFormat(join(dir, name)), name).toThrow(expect.objectContaining({ code: 'invalid' }));
    }
  });
});

describe('flow migrate --from FILE', () => {
  /** A 3.0 store whose ids collide with v2-flows.json's. */
  function existingStore(): { dir: string; flow: Json } {
    const dir = tempDir('flow-migrate-');
    const flow = {
      id: 'alpha',
      name: 'Mine',
      mine: true,
      plans: [{ id: 'p1', title: 'My plan', status: 'active', summary: '', tasks: [{ id: 't1', title: 'Mine', status: 'todo', priority: 'medium', notes: '', tags: [], depends_on: [], subtasks: [] }] }],
    };
    writeFileSync(
      join(dir, 'flows.json'),
      JSON.stringify({ version: '3.0', meta: { file_revision: 5 }, current_flow_id: 'alpha', flows: { alpha: flow } }, null, 2),
    );
    return { dir, flow };
  }

  it('--dry-run shows the upgraded document and writes nothing (no store yet)', () => {
    const dir = join(tempDir('flow-migrate-'), 'store');
    const result = flowSync(dir, ['migrate', '--from', fixturePath('v1-workflow.json'), '--dry-run', '--json']);
    const doc = json(result);
    expect(doc.version).toBe('3.0');
    const [flow] = Object.values(doc.flows) as Json[];
    expect(flow.plans[0]).toMatchObject({ title: 'Legacy plan', old_id: 'plan_legacy' });
    expect(tasksOf(doc).map((t) => t.old_id)).toEqual([1, 2, 't3', 't3a', 4, 5, 't3x', 6]);
    expectNothingDropped(fixture('v1-workflow.json'), doc, 'dry run');
    expect(existsSync(dir)).toBe(false);
  });

  it('--dry-run leaves an existing store byte for byte and makes no snapshot', () => {
    const { dir } = existingStore();
    const bytes = readFileSync(join(dir, 'flows.json'));
    const result = flowSync(dir, ['migrate', '--from', fixturePath('v2-flows.json'), '--dry-run']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Would import 5 flows/);
    expect(readFileSync(join(dir, 'flows.json'))).toEqual(bytes);
    expect(readdirSync(dir)).toEqual(['flows.json']);
  });

  it('imports the flows, renames colliding ids with _dup and saves a migration snapshot', () => {
    const { dir, flow: mine } = existingStore();
    const imported = json(flowSync(dir, ['migrate', '--from', fixturePath('v2-flows.json'), '--json']));
    expect(imported).toHaveLength(5);

    const stored = readStore(dir);
    expect(stored.version).toBe('3.0');
    expect(stored.meta.file_revision).toBe(6);
    expect(Object.keys(stored.flows)).toHaveLength(6);
    expect(stored.flows.alpha).toEqual(mine);
    expect(stored.current_flow_id).toBe('alpha');
    const ids = idsOf(stored);
    expect(new Set(ids).size, 'ids unique in the whole file').toBe(ids.length);

    // The file's first "alpha" meets the store's "alpha": it becomes alpha_dup, and so on.
    const first = stored.flows.alpha_dup;
    expect(first).toMatchObject({ name: 'Alpha 🚀', old_id: 'alpha', owner: 'ana' });
    expect(first.plans[0]).toMatchObject({ id: 'p1_dup', old_id: 'p1', title: '计划一', budget: 1200 });
    expect(first.plans[0].tasks[0]).toMatchObject({ id: 't1_dup', old_id: 't1', custom_field: { x: [1, true] } });
    for (const flow of imported) expect(stored.flows[flow.id]).toEqual(flow);
    const names = imported.map((f: Json) => f.name);
    expect(names).toEqual(['Alpha 🚀', 'Pre-existing alpha_dup 🧩', 'Second alpha 二', 'Third alpha ☃', 'No id 🆔']);
    for (const flow of imported.slice(0, 4)) expect(flow.id === flow.old_id).toBe(false);

    const [snapshot, ...more] = snapshotFiles(dir);
    expect(more).toEqual([]);
    const record = readSnapshot(dir, snapshot);
    expect(record).toMatchObject({ kind: 'migration', from: ['2.x'], source_file: fixturePath('v2-flows.json') });
    expect(record.original).toEqual(fixture('v2-flows.json'));
    expectNothingDropped(fixture('v2-flows.json'), record.result, 'import snapshot');
    // The imported flows keep every value of the file too (top-level fields stay in the snapshot).
    const { workspace, meta, ...body } = fixture('v2-flows.json');
    expect(workspace && meta).toBeTruthy();
    expectNothingDropped(body.flows, stored.flows, 'imported flows');
  });

  it('imports a 1.x workflow into an empty data dir', () => {
    const dir = join(tempDir('flow-migrate-'), 'fresh');
    mkdirSync(dir);
    const result = flowSync(dir, ['migrate', '--from', fixturePath('v1-flows.json')]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Imported 1 flows, 1 plans, 3 tasks/);
    const stored = readStore(dir);
    const tasks = tasksOf(stored);
    expect(tasks.map((t) => t.old_id)).toEqual(['a', 10, 'b']);
    for (const task of tasks) expect(task.id).toMatch(NEW_ID.task);
    expect(snapshotFiles(dir)).toHaveLength(1);
  });

  it('refuses a newer file with exit 5 and a file that is no flow file with exit 1, writing nothing', () => {
    const { dir } = existingStore();
    const bytes = readFileSync(join(dir, 'flows.json'));
    const newer = flowSync(dir, ['migrate', '--from', fixturePath('v4-newer.json'), '--json']);
    expect(newer.code).toBe(5);
    expect(newer.stderr).toContain('"code":"too_new"');
    const foreign = join(dir, 'foreign.json');
    writeFileSync(foreign, '{"hello": "world"}');
    const invalid = flowSync(dir, ['migrate', '--from', foreign, '--json']);
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toContain('"code":"invalid"');
    expect(readFileSync(join(dir, 'flows.json'))).toEqual(bytes);
    expect(snapshotFiles(dir)).toEqual([]);
  });

  it('without --from upgrades an older store in place, with its snapshot', () => {
    const dir = storeWith('v2-dangling.json');
    const result = flowSync(dir, ['migrate', '--json']);
    expect(json(result).version).toBe('3.0');
    const stored = readStore(dir);
    expect(stored).toMatchObject({ version: '3.0', current_flow_id: 'one', old_current_flow_id: 'ghost' });
    expect(snapshotFiles(dir)).toHaveLength(1);
  });
});
