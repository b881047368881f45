// Every list command takes --fields, --limit and --offset (DESIGN §6 "Agents"), in text
// and JSON, and keeps its JSON shape: an array of the same objects, fewer and narrower.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/commands/table.js';
import { flowInProcess, tempDir } from '../helpers.js';

const LISTS = COMMANDS.filter((c) => ['list', 'ready', 'conflicts', 'search'].includes(c.verb));
/** The words that run a list: a search needs its query. */
const wordsOf = (name: string) => (name === 'search' ? ['search', 'task'] : name.split(' '));
let dir: string;

async function ok(args: string[]) {
  const r = await flowInProcess(dir, args);
  expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
  return r;
}
const rows = async (args: string[]) => JSON.parse((await ok([...args, '--json'])).stdout) as Record<string, unknown>[];

beforeAll(async () => {
  dir = tempDir();
  for (const name of ['F1', 'F2', 'F3']) await ok(['add', 'flow', name]);
  for (const title of ['P1', 'P2', 'P3']) await ok(['add', 'plan', title]);
  for (const title of ['a', 'b', 'c', 'd']) await ok(['add', 'task', `task ${title}`, '--tag', `t-${title}`]);
  for (const label of ['s1', 's2', 's3']) await ok(['snapshot', 'create', '--label', label]);
  const files = tempDir();
  for (const name of ['a.md', 'b.md', 'c.md']) writeFileSync(join(files, name), `# ${name}\n`);
  await ok(['add', 'doc', ...['a.md', 'b.md', 'c.md'].map((name) => join(files, name))]);
  for (const session of ['agent-1', 'agent-2']) await ok(['--session', session, 'context', 'set', '--summary', `${session} at work`]);
  // Conflicts a merge would have recorded on three of the tasks.
  const file = join(dir, 'flows.json');
  const doc = JSON.parse(readFileSync(file, 'utf8'));
  const tasks = Object.values(doc.flows as Record<string, { plans: { tasks: Record<string, unknown>[] }[] }>).flatMap((f) => f.plans.flatMap((p) => p.tasks));
  tasks.slice(0, 3).forEach((task, i) => {
    task.conflicts = [{ kind: 'field', field: 'title', mine: { writer: 'cli:1:alice', value: task.title }, theirs: { writer: 'cli:2:bob', value: `theirs ${i}` } }];
  });
  writeFileSync(file, JSON.stringify(doc, null, 2));
});

it('the lists are the list verbs, ready, conflicts and search, and each takes the three flags', () => {
  expect(LISTS.map((c) => c.name).sort()).toEqual([
    'conflicts',
    'list config',
    'list context',
    'list doc',
    'list flow',
    'list plan',
    'list snapshot',
    'list task',
    'ready task',
    'search',
  ]);
  for (const list of LISTS) {
    const flags = list.fields.map((f) => f.flag);
    expect(flags, list.name).toEqual(expect.arrayContaining(['fields', 'limit', 'offset']));
    expect(list.fields.find((f) => f.key === 'fields')?.suggest?.length, list.name).toBeGreaterThan(2);
  }
});

describe.each(LISTS.map((c) => [c.name, c] as const))('%s', (name, list) => {
  const words = wordsOf(name);

  it('--limit and --offset page the JSON rows, which keep their shape', async () => {
    const all = await rows(words);
    expect(all.length, 'the fixture has rows for every list').toBeGreaterThanOrEqual(3);
    expect(await rows([...words, '--limit', '2'])).toEqual(all.slice(0, 2));
    expect(await rows([...words, '--offset', '1', '--limit', '1'])).toEqual(all.slice(1, 2));
    expect(await rows([...words, '--offset', '1'])).toEqual(all.slice(1));
    expect(await rows([...words, '--offset', String(all.length)])).toEqual([]);
  });

  it('--fields keeps only those fields, in that order, in JSON and in text columns', async () => {
    const all = await rows(words);
    const fields = (list.fields.find((f) => f.key === 'fields')?.suggest ?? []).filter((f) => typeof all[0][f] === 'string').slice(0, 2);
    expect(fields).toHaveLength(2);
    const narrow = await rows([...words, '--fields', fields.join(',')]);
    expect(narrow).toEqual(all.map((row) => ({ [fields[0]]: row[fields[0]], [fields[1]]: row[fields[1]] })));
    expect(Object.keys(narrow[0])).toEqual(fields);
    const text = (await ok([...words, '--fields', fields.join(','), '--limit', '2'])).stdout.trimEnd().split('\n');
    expect(text).toHaveLength(3);
    for (const [i, row] of all.slice(0, 2).entries()) {
      expect(text[i].split(/\s{2,}/)).toEqual([String(row[fields[0]]) || '-', String(row[fields[1]]) || '-']);
    }
    // A search looks for one hit past the page, so it knows there are more, not how many.
    expect(text[2]).toBe(`(1–2 of ${name === 'search' ? '3+' : all.length}; --offset 2 for more)`);
  });

  it('text says which rows it shows when some are left out, and nothing when none are', async () => {
    const all = await rows(words);
    const full = (await ok(words)).stdout;
    expect(full).not.toMatch(/ of \d+(; --offset|\))/);
    const last = (await ok([...words, '--offset', String(all.length - 1)])).stdout;
    expect(last.trimEnd().split('\n').at(-1)).toBe(`(${all.length}–${all.length} of ${all.length})`);
  });

  it('an unknown field is a usage error naming the fields, with the nearest one', async () => {
    const known = list.fields.find((f) => f.key === 'fields')?.suggest ?? [];
    const typo = `${known[1]}x`;
    const r = await flowInProcess(dir, [...words, '--fields', `${known[0]},${typo}`]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`--fields: no field "${typo}" (fields: ${known.join(', ')}); did you mean \`${known[1]}\`?`);
    const bad = await flowInProcess(dir, [...words, '--limit', '0']);
    expect(bad.code).toBe(2);
  });
});
