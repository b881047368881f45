// Types flow from each command's one schema to its handler and to the command objects
// the TUI and MCP build. `npm run typecheck` checks this file: every @ts-expect-error
// line must be an error, so a definition or a call that no longer fails to compile
// fails the typecheck. The runtime part checks that what compiles also runs.
import { describe, expect, expectTypeOf, it } from 'vitest';
import * as z from 'zod/mini';
import { ref, type Ref } from '../../src/commands/args.js';
import { defineCommand } from '../../src/commands/define.js';
import { command, type CommandArgs, type CommandName, type TypedCommand } from '../../src/commands/table.js';

const done = () => ({ json: null, human: () => '' });
const schema = () => z.object({ title: z.string(), count: z.optional(z.number()), plan: z.optional(ref('plan')) });
const argv = { title: { description: 't' }, count: { description: 'c' }, plan: { description: 'p' } };

/** Definitions that must not compile; never called (some would also throw at run time). */
export function rowsThatMustNotCompile(): unknown[] {
  return [
    defineCommand({
      verb: 'wrong',
      summary: 's',
      args: schema,
      argv,
      // @ts-expect-error the handler says title is a number; the schema says string
      run: (args: { title: number }) => ({ json: args.title + 1, human: () => '' }),
    }),
    defineCommand({
      verb: 'wrong',
      summary: 's',
      args: schema,
      argv,
      run: (args) => {
        // @ts-expect-error count may be undefined, and is a number, never a string
        const count: string = args.count;
        return { json: count, human: () => '' };
      },
    }),
    defineCommand({
      verb: 'wrong',
      summary: 's',
      args: schema,
      // @ts-expect-error every key needs its argv description (count and plan missing)
      argv: { title: { description: 't' } },
      run: done,
    }),
    defineCommand({
      verb: 'wrong',
      summary: 's',
      args: schema,
      // @ts-expect-error argv describes a key the schema does not have
      argv: { ...argv, colour: { description: 'no such key' } },
      run: done,
    }),
    defineCommand({
      verb: 'wrong',
      summary: 's',
      args: schema,
      // @ts-expect-error a positional must be a key of the schema
      positionals: ['titel'],
      argv,
      run: done,
    }),
  ];
}

/** Command objects that must not compile. */
export function objectsThatMustNotCompile(): unknown[] {
  return [
    // @ts-expect-error "finished" is not a task status
    command('set task', { ref: 't1', status: 'finished' }),
    // @ts-expect-error set task has no field "colour"
    command('set task', { ref: 't1', colour: 'red' }),
    // @ts-expect-error add task needs a title
    command('add task', { priority: 'high' }),
    // @ts-expect-error tags is a list of strings
    command('add task', { title: 'x', tags: 'one' }),
    // @ts-expect-error no such command
    command('frob task', {}),
    // @ts-expect-error the args of another command
    { name: 'done task', args: { title: 'x' } } satisfies TypedCommand,
  ];
}

describe('command types', () => {
  it('a handler receives the schema output: branded references, numbers, enums', () => {
    const row = defineCommand({
      verb: 'typed',
      noun: 'thing',
      summary: 's',
      args: schema,
      argv,
      run: (args) => {
        expectTypeOf(args.title).toEqualTypeOf<string>();
        expectTypeOf(args.count).toEqualTypeOf<number | undefined>();
        expectTypeOf(args.plan).toEqualTypeOf<Ref<'plan'> | undefined>();
        return { json: args, human: () => args.title };
      },
    });
    expectTypeOf(row.name).toEqualTypeOf<'typed thing'>();
    expect(row.name).toBe('typed thing');
    expect(row.fields.map((f) => [f.key, f.kind, f.ref ?? null])).toEqual([
      ['title', 'text', null],
      ['count', 'number', null],
      ['plan', 'ref', 'plan'],
    ]);
  });

  it('command objects of the table are typed by name and built as written', () => {
    expectTypeOf<CommandName>().toMatchTypeOf<string>();
    expectTypeOf<'set task'>().toMatchTypeOf<CommandName>();
    expectTypeOf<CommandArgs<'add task'>>().toMatchTypeOf<{ title: string; tags?: string[] }>();
    const object = command('set task', { ref: 't1', status: 'done', expect: { title: 'Old' } });
    expect(object).toEqual({ name: 'set task', args: { ref: 't1', status: 'done', expect: { title: 'Old' } } });
    const typed: TypedCommand = command('done task', { ref: ['1', '2'] });
    expect(typed.name).toBe('done task');
  });
});
