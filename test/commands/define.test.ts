// One definition per command: the argv view (fields) and the JSON Schema are derived from
// its one schema, the bus executes command objects against it, and definitions that a
// command line could not give are refused when their fields are first derived (schemas
// are built on first use; this file derives every command's).
import { join } from 'node:path';
import * as z from 'zod/mini';
import { describe, expect, it } from 'vitest';
import { Services } from '../../src/app/services.js';
import { ref } from '../../src/commands/args.js';
import { CommandBus } from '../../src/commands/bus.js';
import { defineCommand } from '../../src/commands/define.js';
import { COMMANDS, command, createTable } from '../../src/commands/table.js';
import { readStore, tempDir } from '../helpers.js';

const table = createTable();
const done = () => ({ json: null, human: () => '' });

describe.each(COMMANDS.map((c) => [c.name, c] as const))('%s', (_name, row) => {
  it('has a JSON Schema of its input with exactly its fields, the required ones required', () => {
    const schema = z.toJSONSchema(row.args, { io: 'input' }) as { type: string; properties: Record<string, unknown>; required?: string[] };
    expect(schema.type).toBe('object');
    expect(Object.keys(schema.properties).sort()).toEqual(row.fields.map((f) => f.key).sort());
    expect([...(schema.required ?? [])].sort()).toEqual(row.fields.filter((f) => f.required).map((f) => f.key).sort());
    // Domain shapes, not argv shapes: no key spelled like a flag.
    for (const key of Object.keys(schema.properties)) expect(key).toMatch(/^[a-z][a-z_]*$/);
  });
});

describe('fields derived from the schema', () => {
  it('add task: a rest-of-line title, references by kind, choices, repeatable tags spelled --tag', () => {
    const fields = table.get('add task')!.fields.map((f) => ({
      key: f.key,
      flag: f.flag ?? null,
      kind: f.kind,
      list: f.list,
      required: f.required,
      ref: f.ref ?? null,
      values: f.values ?? null,
    }));
    expect(fields).toEqual([
      { key: 'title', flag: null, kind: 'text', list: false, required: true, ref: null, values: null },
      { key: 'plan', flag: 'plan', kind: 'ref', list: false, required: false, ref: 'plan', values: null },
      { key: 'parent', flag: 'parent', kind: 'ref', list: false, required: false, ref: 'task', values: null },
      { key: 'priority', flag: 'priority', kind: 'choice', list: false, required: false, ref: null, values: ['low', 'medium', 'high'] },
      {
        key: 'status',
        flag: 'status',
        kind: 'choice',
        list: false,
        required: false,
        ref: null,
        values: ['todo', 'in_progress', 'blocked', 'done', 'cancelled'],
      },
      { key: 'tags', flag: 'tag', kind: 'text', list: true, required: false, ref: null, values: null },
      { key: 'depends_on', flag: 'depends', kind: 'ref', list: true, required: false, ref: 'task', values: null },
      { key: 'notes', flag: 'notes', kind: 'text', list: false, required: false, ref: null, values: null },
    ]);
  });

  it('keys with underscores are flags with dashes; FIELD=VALUE records are pairs', () => {
    expect(table.get('move task')!.fields.find((f) => f.key === 'to_plan')?.flag).toBe('to-plan');
    expect(table.get('migrate')!.fields.find((f) => f.key === 'dry_run')).toMatchObject({ flag: 'dry-run', kind: 'switch' });
    expect(table.get('set task')!.fields.find((f) => f.key === 'expect')).toMatchObject({ kind: 'pair', list: true, commas: false });
  });

  it.each<[string, () => unknown, RegExp]>([
    [
      'a rest positional that is not last',
      () =>
        defineCommand({
          verb: 'x',
          summary: 's',
          args: () => z.object({ a: z.array(z.string()), b: z.string() }),
          positionals: ['a', 'b'],
          argv: { a: { description: 'a' }, b: { description: 'b' } },
          run: done,
        }).fields,
      /takes the rest but is not last/,
    ],
    [
      'a positional switch',
      () =>
        defineCommand({ verb: 'x', summary: 's', args: () => z.object({ on: z.boolean() }), positionals: ['on'], argv: { on: { description: 'o' } }, run: done }).fields,
      /cannot be positional/,
    ],
    [
      'a type no command line can give',
      () =>
        defineCommand({ verb: 'x', summary: 's', args: () => z.object({ deep: z.object({ a: z.string() }) }), argv: { deep: { description: 'd' } }, run: done }).fields,
      /has a object, which a command line cannot give/,
    ],
  ])('refuses %s when its fields are derived', (_what, define, message) => {
    expect(define).toThrow(message);
  });
});

describe('the bus executes command objects', () => {
  const open = () => {
    const dir = join(tempDir(), '.flow');
    return { dir, bus: new CommandBus(table, new Services({ dir, session: 'default', writerKind: 'tui', interactive: false })) };
  };

  it('typed objects with domain-shaped arguments, as the TUI and MCP build them', async () => {
    const { dir, bus } = open();
    await bus.execute(command('add flow', { name: 'F' }));
    await bus.execute(command('add plan', { title: '  Spaced  ' }));
    const first = (await bus.execute(command('add task', { title: 'one', tags: ['a', 'b'], priority: 'high' }))).json as { id: string };
    await bus.execute(command('add task', { title: 'two', depends_on: ['1'] }));
    await bus.execute(command('set task', { ref: first.id, status: 'done', expect: { title: 'one' } }));
    const plan = Object.values(readStore(dir).flows as Record<string, { plans: any[] }>)[0].plans[0];
    expect(plan.title).toBe('Spaced');
    expect(plan.tasks.map((t: any) => [t.title, t.status, t.priority, t.tags, t.depends_on])).toEqual([
      ['one', 'done', 'high', ['a', 'b'], []],
      ['two', 'todo', 'medium', [], [first.id]],
    ]);
  });

  it.each<[string, { name: string; args: Record<string, unknown> }, string, string?]>([
    ['an unknown command, with the nearest name', { name: 'add tsak', args: { title: 'x' } }, 'unknown command "add tsak"', 'add task'],
    ['an unknown key, with the nearest one', { name: 'add task', args: { title: 'x', tag: ['a'] } }, '"add task" takes no argument tag', 'tags'],
    ['a value of the wrong type, by key', { name: 'add task', args: { title: 'x', tags: 'a' } }, 'tags: expected a list'],
    ['a value not among the allowed ones', { name: 'set task', args: { ref: '1', status: 'finished' } }, 'status: "finished" is not one of todo, in_progress, blocked, done, cancelled'],
    ['a missing required key', { name: 'add task', args: {} }, '"add task" needs title (the task title (quotes optional))'],
    ['an empty title', { name: 'add flow', args: { name: '   ' } }, 'name: must not be empty'],
  ])('refuses %s as a usage error (exit 2) and writes nothing', async (_what, object, message, suggestion) => {
    const { dir, bus } = open();
    const error = await bus.execute(object).catch((err: unknown) => err);
    expect(error).toMatchObject({ code: 'usage', suggestion });
    expect((error as Error).message.startsWith(message)).toBe(true);
    expect(() => readStore(dir)).toThrow(/ENOENT/);
  });
});

describe('references of every kind', () => {
  it('a reference schema carries its kind, and the same kind twice is the same schema', () => {
    expect(ref('plan')).toBe(ref('plan'));
    expect(ref('plan')).not.toBe(ref('task'));
    expect(ref('task').safeParse('').success).toBe(false);
  });
});
