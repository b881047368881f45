// flow resolve and flow conflicts on records a merge left in flows.json.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { flowInProcess, tempDir } from '../helpers.js';
import { HOSTILE } from '../hostile.js';
import { bytes, doc, plan, task } from './support.js';

const mine = { writer: 'cli:1:alice', revision: 4 };
const theirs = { writer: 'cli:2:bob', revision: 3 };

function storeWith(records: Record<string, unknown[]>): string {
  const dir = join(tempDir(), '.flow');
  mkdirSync(dir);
  const conflicted = (id: string, fields: Record<string, unknown> = {}) => task(id, { ...fields, ...(records[id] ? { conflicts: records[id] } : {}) });
  const document = doc([
    {
      id: 'flow_main',
      plans: [
        plan('plan_a', [conflicted('task_title', { title: 'alice' }), conflicted('task_tags', { tags: ['x'] }), conflicted('task_gone'), conflicted('task_moved')]),
        plan('plan_b', [task('task_other')]),
      ],
    },
  ]);
  writeFileSync(join(dir, 'flows.json'), bytes(document));
  return dir;
}

const titleRecord = { kind: 'field', field: 'title', mine: { ...mine, value: 'alice' }, theirs: { ...theirs, value: 'bob' }, base: 'old' };
const tagsRecord = { kind: 'field', field: 'tags', mine: { ...mine, value: ['x'] }, theirs: { ...theirs, value: ['y'] } };
const statusRecord = { kind: 'field', field: 'status', mine: { ...mine, value: 'todo' }, theirs: { ...theirs, value: 'done' } };
const deletedRecord = { kind: 'deleted', mine: { ...mine, deleted: false }, theirs: { ...theirs, deleted: true } };
const placeRecord = { kind: 'place', mine: { ...mine, parent: 'plan_a' }, theirs: { ...theirs, parent: 'plan_b' } };

async function tasks(dir: string) {
  const listed = await flowInProcess(dir, ['list', 'task', '--all', '--json']);
  return JSON.parse(listed.stdout) as Array<{ id: string; title: string; tags: string[]; plan_id: string; conflicts?: unknown[] }>;
}

describe('flow resolve', () => {
  it('takes theirs, mine, or a VALUE of the field kind (a list from commas)', async () => {
    const dir = storeWith({ task_title: [titleRecord], task_tags: [tagsRecord] });
    expect((await flowInProcess(dir, ['resolve', 'task', 'task_title', '--take', 'theirs'])).code).toBe(0);
    expect((await flowInProcess(dir, ['resolve', 'task', 'task_tags', '--take', 'b, c'])).code).toBe(0);
    const byId = new Map((await tasks(dir)).map((t) => [t.id, t]));
    expect(byId.get('task_title')).toMatchObject({ title: 'bob' });
    expect(byId.get('task_title')?.conflicts).toBeUndefined();
    expect(byId.get('task_tags')).toMatchObject({ tags: ['b', 'c'] });
  });

  it('refuses a VALUE the field cannot hold, changing nothing (exit 1)', async () => {
    const dir = storeWith({ task_title: [statusRecord] });
    const before = readFileSync(join(dir, 'flows.json'));
    const refused = await flowInProcess(dir, ['resolve', 'task', 'task_title', '--take', 'exploded']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/does not fit: task\.status/);
    expect(readFileSync(join(dir, 'flows.json')).equals(before)).toBe(true);
  });

  it('settles a deletion: the deleting side deletes, the other keeps', async () => {
    const dir = storeWith({ task_gone: [deletedRecord], task_title: [deletedRecord] });
    expect((await flowInProcess(dir, ['resolve', 'task', 'task_gone', '--take', 'theirs'])).code).toBe(0);
    expect((await flowInProcess(dir, ['resolve', 'task', 'task_title', '--take', 'mine'])).code).toBe(0);
    const ids = (await tasks(dir)).map((t) => t.id);
    expect(ids).not.toContain('task_gone');
    expect(ids).toContain('task_title');
    const value = await flowInProcess(dir, ['resolve', 'task', 'task_title', '--take', 'x']);
    expect(value.code).toBe(1);
  });

  it('settles a place: theirs moves it where theirs had it', async () => {
    const dir = storeWith({ task_moved: [placeRecord] });
    const usage = await flowInProcess(dir, ['resolve', 'task', 'task_moved', '--take', 'plan_b']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/use --take mine or --take theirs/);
    expect((await flowInProcess(dir, ['resolve', 'task', 'task_moved', '--take', 'theirs'])).code).toBe(0);
    expect((await tasks(dir)).find((t) => t.id === 'task_moved')).toMatchObject({ plan_id: 'plan_b' });
  });

  it('says when there is nothing recorded, and can be undone', async () => {
    const dir = storeWith({ task_title: [titleRecord] });
    const none = await flowInProcess(dir, ['resolve', 'task', 'task_other', '--take', 'mine']);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/no conflict/);
    expect((await flowInProcess(dir, ['resolve', 'task', 'task_title', '--take', 'theirs'])).code).toBe(0);
    expect((await flowInProcess(dir, ['undo'])).code).toBe(0);
    expect((await tasks(dir)).find((t) => t.id === 'task_title')).toMatchObject({ title: 'alice', conflicts: [titleRecord] });
  });
});

describe('flow conflicts', () => {
  it('lists every record with both sides and writers; --json gives the records', async () => {
    const dir = storeWith({ task_title: [titleRecord], task_gone: [deletedRecord], task_moved: [placeRecord] });
    const listed = await flowInProcess(dir, ['conflicts']);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain('task task_title "alice" title: mine "alice" (cli:1:alice, rev 4) · theirs "bob" (cli:2:bob, rev 3)');
    expect(listed.stdout).toContain('task task_gone "task_gone" deleted: mine changed it (cli:1:alice, rev 4) · theirs deleted it');
    expect(listed.stdout).toContain('place: mine under plan_a');
    const json = JSON.parse((await flowInProcess(dir, ['conflicts', '--json'])).stdout);
    expect(json).toHaveLength(3);
    expect(json[0]).toMatchObject({ id: 'task_title', object: 'task', kind: 'field', field: 'title' });
  });

  it('shows hostile values and writers as visible escapes', async () => {
    const hostile = Object.values(HOSTILE).join(' ');
    const record = { kind: 'field', field: 'notes', mine: { writer: hostile, value: hostile }, theirs: { value: hostile } };
    const dir = storeWith({ task_title: [record] });
    const listed = await flowInProcess(dir, ['conflicts']);
    expect(listed.code).toBe(0);
    expect(listed.stdout.replace(/\n/g, '')).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
  });

  it('leaves alone a `conflicts` field another tool uses for something else', async () => {
    const dir = storeWith({ task_title: ['not a record', { kind: 'other tool' }] });
    const listed = await flowInProcess(dir, ['conflicts', '--json']);
    expect(JSON.parse(listed.stdout)).toEqual([]);
  });
});
