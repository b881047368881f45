// Help is generated from the same command table the parser uses (DESIGN §6): every row is
// listed, a new row brings its own help, and the CLI prints a command's flags.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as z from 'zod/mini';
import { beforeAll, describe, expect, it } from 'vitest';
import { Services } from '../../src/app/services.js';
import { CommandBus } from '../../src/commands/bus.js';
import { defineCommand, type AnyCommand } from '../../src/commands/define.js';
import { GLOBAL_FLAGS } from '../../src/commands/globals.js';
import { commandHelp, overview, usageLine } from '../../src/commands/help.js';
import { CommandTable, type ParsedCommand } from '../../src/commands/parse.js';
import { createStyle, PLAIN, terminalText } from '../../src/commands/style.js';
import { COMMANDS, createTable } from '../../src/commands/table.js';
import { flowInProcess, flowSync, tempDir } from '../helpers.js';

const table = createTable();
const rows = COMMANDS.map((spec) => [spec.name, spec as AnyCommand] as const);
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** A line of the overview: the usage, at least two spaces, the summary. */
const overviewLine = (spec: AnyCommand) => new RegExp(`^  ${escape(usageLine(spec))} {2,}${escape(spec.summary)}$`, 'm');

const widget = defineCommand({
  verb: 'frob',
  noun: 'widget',
  aliases: ['twiddle widget'],
  summary: 'frobnicate a widget (synthetic row)',
  details: 'A row that exists only in this test.\nIt has two lines of details.',
  args: () => z.object({
    ref: z.string(),
    words: z.optional(z.array(z.string())),
    size: z.optional(z.enum(['s', 'm', 'l'])),
    force: z.optional(z.boolean()),
    label: z.optional(z.array(z.string())),
    note: z.optional(z.array(z.string())),
  }),
  positionals: ['ref', 'words'],
  argv: {
    ref: { description: 'which widget' },
    words: { description: 'extra words' },
    size: { placeholder: 'N', description: 'how big' },
    force: { description: 'do it anyway' },
    label: { placeholder: 'L', description: 'labels' },
    note: { placeholder: 'VALUE', description: 'notes, verbatim', verbatim: true },
  },
  examples: ['flow frob widget 1 --size m'],
  run: (args) => ({ json: args, human: () => 'frobbed', message: 'frobbed' }),
});

const standalone = defineCommand({
  verb: 'zap',
  summary: 'a verb-only synthetic row',
  args: () => z.object({}),
  argv: {},
  run: () => ({ json: null, human: () => 'zapped', message: 'zapped' }),
});

describe('overview (flow help)', () => {
  const text = overview(table, PLAIN);

  it.each(rows)('lists %s with its usage and summary', (_name, spec) => {
    expect(text).toMatch(overviewLine(spec));
  });

  it('lists every row exactly once, and nothing else as a command', () => {
    const commandLines = text.split('\n').filter((l) => COMMANDS.some((spec) => overviewLine(spec).test(l)));
    expect(commandLines).toHaveLength(COMMANDS.length);
  });

  it('groups rows under their noun, verb-only rows under Other', () => {
    const headings = text.split('\n').filter((l) => /^[A-Z][a-z]+( flags)?:$/.test(l));
    const nouns = [...new Set(COMMANDS.map((s): string => s.noun ?? ''))];
    expect(headings).toEqual([
      ...nouns.map((n) => (n ? `${n[0].toUpperCase()}${n.slice(1)}s:` : 'Other:')),
      'Global flags:',
    ]);
  });

  it.each(Object.entries(GLOBAL_FLAGS))('lists the global flag --%s', (name, flag) => {
    expect(text).toMatch(new RegExp(`^  --${escape(name)}${flag.type === 'boolean' ? '' : ` ${flag.placeholder}`} {2,}${escape(flag.description)}$`, 'm'));
  });

  it('ends with references and exit codes', () => {
    expect(text).toContain('Exit codes: 0 ok · 1 failed · 2 usage · 3 conflict · 4 busy · 5 store unreadable or too new.');
    expect(text).toContain('Run `flow help <verb> <noun>` or add --help to any command for details.');
  });

  it('paints headings only when colour is wanted', () => {
    expect(text).not.toContain('\u001b[');
    expect(terminalText(overview(table, createStyle(true)))).toContain('\u001b[1mTasks:\u001b[0m');
  });
});

describe('help is generated from the table', () => {
  const bigger = new CommandTable([...COMMANDS, widget, standalone]);

  it('a new row adds its overview line (and a heading for a new noun)', () => {
    const before = overview(table, PLAIN);
    const after = overview(bigger, PLAIN);
    for (const spec of [widget, standalone]) {
      expect(before).not.toMatch(overviewLine(spec));
      expect(after).toMatch(overviewLine(spec));
    }
    expect(usageLine(widget)).toBe('frob widget REF [WORDS…] [--flags]');
    expect(usageLine(standalone)).toBe('zap');
    expect(before).not.toContain('Widgets:');
    expect(after).toMatch(/^Widgets:\n {2}frob widget REF/m);
    // Every real row is still there.
    for (const spec of COMMANDS) expect(after).toMatch(overviewLine(spec));
  });

  it("a new row's command help lists its arguments, flags, aliases, details and examples", () => {
    expect(commandHelp(widget, PLAIN).split('\n')).toEqual([
      'flow frob widget REF [WORDS…] [--flags]',
      '',
      '  frobnicate a widget (synthetic row)',
      '',
      '  A row that exists only in this test.',
      '  It has two lines of details.',
      '',
      'Arguments:',
      '  REF    which widget',
      '  WORDS  extra words',
      '',
      'Flags:',
      '  --size N      how big (s|m|l)',
      '  --force       do it anyway',
      '  --label L     labels (repeatable)',
      '  --note VALUE  notes, verbatim (repeatable)',
      '',
      'Also: flow twiddle widget',
      '',
      'Examples:',
      '  flow frob widget 1 --size m',
    ]);
  });

  it('the new row parses, with its alias, and the help command explains it', async () => {
    const parsed = bigger.parseLine('twiddle widget 7 a b --size m --force --label x,y --note p,q') as ParsedCommand;
    expect(parsed.command).toBe(widget);
    expect(parsed.args).toEqual({ ref: '7', words: ['a', 'b'], size: 'm', force: true, label: ['x', 'y'], note: ['p,q'] });

    const bus = new CommandBus(bigger, new Services({ dir: join(tempDir(), '.flow'), session: 'default', writerKind: 'cli', interactive: false }));
    const run = async (line: string) => (await bus.execute(bigger.commandFrom(line))).human(PLAIN);
    expect(await run('help frob widget')).toBe(commandHelp(widget, PLAIN));
    expect(await run('help zap')).toBe(commandHelp(standalone, PLAIN));
    expect(await run('help')).toBe(overview(bigger, PLAIN));
    const widgets = await run('help widget');
    expect(widgets).toMatch(overviewLine(widget));
    expect(widgets).not.toMatch(overviewLine(COMMANDS[0]));
    // The real table knows nothing of it.
    expect(() => table.parseLine('frob widget 7')).toThrow(/unknown verb "frob"/);
  });
});

describe('flow help through the CLI', () => {
  let dir: string;
  beforeAll(() => {
    dir = tempDir();
  });

  it.each([['help'], ['--help'], ['-h'], ['help', '--no-color']])('flow %s prints the overview and exits 0', (...args) => {
    const result = flowSync(dir, args);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`${overview(table, PLAIN)}\n`);
    for (const spec of COMMANDS) expect(result.stdout).toMatch(overviewLine(spec));
  });

  it('flow help add task prints its flags', () => {
    const result = flowSync(dir, ['help', 'add', 'task']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('flow add task TITLE… [--flags]');
    for (const flag of ['--plan REF', '--parent REF', '--priority P', '--status S', '--tag TAG', '--depends REF', '--notes TEXT']) {
      expect(result.stdout).toMatch(new RegExp(`^  ${escape(flag)} {2,}\\S`, 'm'));
    }
    expect(result.stdout).toMatch(/--priority P +low, medium \(default\) or high \(low\|medium\|high\)$/m);
    expect(result.stdout).toMatch(/--tag TAG +a tag \(repeat or comma-separate\) \(repeatable\)$/m);
  });

  it.each(rows)('flow help %s and its --help print the same command help', async (_name, spec) => {
    const expected = `${commandHelp(spec, PLAIN)}\n`;
    const words = spec.noun ? [spec.verb, spec.noun] : [spec.verb];
    for (const args of [['help', ...words], [...words, '--help']]) {
      const result = await flowInProcess(dir, args);
      expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(0);
      expect(result.stdout, args.join(' ')).toBe(expected);
      for (const field of spec.fields) if (field.flag) expect(result.stdout).toContain(`  --${field.flag}`);
    }
  });

  it('--help wins over missing or wrong arguments, and -h and synonyms work too', () => {
    const expected = `${commandHelp(table.get('rm task')!, PLAIN)}\n`;
    for (const args of [['rm', 'task', '--help'], ['delete', 'tasks', '-h'], ['rm', 'task', '--plan', '--help'], ['help', 'remove', 'tasks']]) {
      const result = flowSync(dir, args);
      expect(result.code, args.join(' ')).toBe(0);
      expect(result.stdout, args.join(' ')).toBe(expected);
    }
  });

  it('flow add --help is help for the verb, like flow help add', () => {
    const viaFlag = flowSync(dir, ['add', '--help']);
    const viaHelp = flowSync(dir, ['help', 'add']);
    expect(viaFlag.code).toBe(0);
    expect(viaFlag.stdout).toBe(viaHelp.stdout);
    for (const spec of COMMANDS) {
      if (spec.verb === 'add') expect(viaFlag.stdout).toMatch(overviewLine(spec));
      else expect(viaFlag.stdout).not.toMatch(overviewLine(spec));
    }
  });

  it('flow help --json lists every command', () => {
    const result = flowSync(dir, ['help', '--json']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual(COMMANDS.map((s) => ({ verb: s.verb, noun: s.noun ?? null, summary: s.summary })));
  });

  it.each<[string[], string]>([
    [['help', 'bogus'], 'flow: no help for "bogus"\n'],
    [['help', 'tsk'], 'flow: no help for "tsk"; did you mean `task`?\n'],
    [['help', 'add', 'bogus'], 'flow: no help for "add bogus"; did you mean `add`?\n'],
  ])('flow %j is a usage error (exit 2)', (args, stderr) => {
    const result = flowSync(dir, args);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(stderr);
  });

  it('help writes nothing to the data directory', () => {
    const fresh = join(tempDir(), '.flow');
    expect(flowSync(fresh, ['help', 'add', 'task']).code).toBe(0);
    expect(existsSync(join(fresh, 'flows.json'))).toBe(false);
  });
});
