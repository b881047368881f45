// The command language (DESIGN §6), driven by the command table itself: every row and
// every flag of COMMANDS is parsed in every form, so a new row is covered automatically.
import * as z from 'zod/mini';
import { beforeAll, describe, expect, it } from 'vitest';
import { EXIT_CODES } from '../../src/cli/main.js';
import { count } from '../../src/commands/args.js';
import { defineCommand, type AnyCommand, type Field } from '../../src/commands/define.js';
import { GLOBAL_FLAGS } from '../../src/commands/globals.js';
import { NOUN_SYNONYMS, VERB_SYNONYMS } from '../../src/commands/command-words.js';
import { CommandTable, UsageError, type ParsedCommand, type ParsedNothing } from '../../src/commands/parse.js';
import { COMMANDS, createTable } from '../../src/commands/table.js';
import { quoteWord } from '../../src/commands/tokenize.js';
import { flowInProcess, flowSync, tempDir } from '../helpers.js';

type CommandSpec = AnyCommand;
const table = createTable();
const rows = COMMANDS.map((spec) => [spec.name, spec as CommandSpec] as const);
const flagRows = COMMANDS.flatMap((spec) =>
  spec.fields.flatMap((field) => (field.flag ? [[`${spec.name} --${field.flag}`, spec as CommandSpec, field.flag, field] as const] : [])),
);
/** How a flag is written: one value, a number, a switch, a comma-separated list, or FIELD=VALUE pairs. */
const FORMS = {
  string: (f: Field) => !f.list && f.kind !== 'switch' && f.kind !== 'number',
  number: (f: Field) => !f.list && f.kind === 'number',
  boolean: (f: Field) => f.kind === 'switch',
  list: (f: Field) => f.list && f.commas,
  multi: (f: Field) => f.kind === 'pair',
};
const ofType = (type: keyof typeof FORMS) => flagRows.filter((row) => FORMS[type](row[3]));
const positionalsOf = (spec: CommandSpec) => spec.fields.filter((f) => f.position !== undefined);
const flagsOf = (spec: CommandSpec) => spec.fields.filter((f) => f.flag !== undefined);

function parsedCommand(result: ParsedCommand | ParsedNothing): ParsedCommand {
  expect(result.command).toBeDefined();
  return result as ParsedCommand;
}
const argv = (words: readonly string[]) => parsedCommand(table.parseArgv(words));
const line = (text: string) => parsedCommand(table.parseLine(text));
/** Words as a person types them at the prompt: --flag='a b' keeps the flag bare. */
const asLine = (words: readonly string[]) =>
  words
    .map((word) => {
      const inline = /^(--[\w-]+=)(.*)$/s.exec(word);
      return inline ? inline[1] + quoteWord(inline[2]) : quoteWord(word);
    })
    .join(' ');

function usageError(run: () => unknown): UsageError {
  let error: unknown;
  try {
    run();
  } catch (err) {
    error = err;
  }
  expect(error, 'expected a usage error').toBeInstanceOf(UsageError);
  return error as UsageError;
}

const sample = (p: Field) => p.values?.[0] ?? `${p.key}1`;
/** Required flags as one word each (but `except`, the one a test gives itself). */
const requiredFlags = (spec: CommandSpec, except?: Field) =>
  flagsOf(spec)
    .filter((f) => f.required && f !== except)
    .map((f) => `--${f.flag}=${valueFor(f)}`);
/** The command's name, then its required flags. */
const commandWords = (spec: CommandSpec, except?: Field) => [...(spec.noun ? [spec.verb, spec.noun] : [spec.verb]), ...requiredFlags(spec, except)];
const requiredWords = (spec: CommandSpec) => positionalsOf(spec).filter((p) => p.required).map(sample);
/** The shortest argv that runs the command. */
const minimal = (spec: CommandSpec, except?: Field) => [...commandWords(spec, except), ...requiredWords(spec)];
/** A value for a flag: an allowed one where the flag has a list, else one with a space. */
// A value each flag accepts: one of its values, FIELD=VALUE where that is the form, else text.
const valueFor = (flag: Field, which = 0) =>
  FORMATTED[flag.key] ??
  flag.values?.[which % flag.values.length] ??
  (flag.kind === 'pair' ? `title=value ${which} x` : flag.kind === 'number' ? String(which + 2) : `value ${which} x`);
/** Text flags whose schema checks a format: a value in it. */
const FORMATTED: Readonly<Record<string, string>> = { lease: '90s' };
/** What a handler receives for a value given as text: a number flag's is a number. */
const received = (flag: Field, value: string): unknown => (flag.kind === 'number' ? Number(value) : value);
/** A flag name that is not one of the command's flags nor a global one. */
const UNKNOWN = 'zzz-unknown';

/** Positional values come back as a string, or a list for variadic refs. */
function expectPositionals(spec: CommandSpec, args: Record<string, unknown>): void {
  for (const p of positionalsOf(spec).filter((q) => q.required)) {
    expect([args[p.key]].flat(), p.key).toEqual([sample(p)]);
  }
}

describe('the table', () => {
  it('has rows, and every flag has a form the parser knows', () => {
    expect(COMMANDS.length).toBeGreaterThan(20);
    for (const [name, , , flag] of flagRows) expect(Object.values(FORMS).filter((is) => is(flag)), name).toHaveLength(1);
  });

  it('has a command for every noun the parser knows, and every noun in the design that has rows', () => {
    expect([...table.nouns].sort()).toEqual([...new Set(COMMANDS.flatMap((s): string[] => (s.noun ? [s.noun] : [])))].sort());
    for (const noun of table.nouns) expect(['flow', 'plan', 'task', 'doc', 'snapshot', 'config', 'context', 'hooks']).toContain(noun);
  });

  it('refuses a table that defines a command twice', () => {
    expect(() => new CommandTable([...COMMANDS, COMMANDS[0]])).toThrow(/defined twice/);
  });
});

describe.each(rows)('%s', (_name, spec) => {
  it('parses from argv and from a prompt line, with or without /flow or flow in front', () => {
    const words = minimal(spec);
    const fromArgv = argv(words);
    expect(fromArgv.command).toBe(spec);
    expect(fromArgv.globals).toEqual({});
    expectPositionals(spec, fromArgv.args);
    for (const prefix of ['', '/flow ', 'flow ', '/flow flow ', '  /flow\t', 'flow --json ', '/flow --quiet flow ']) {
      const parsed = line(prefix + asLine(words));
      expect(parsed.command, prefix).toBe(spec);
      expect(parsed.args, prefix).toEqual(fromArgv.args);
    }
    expect(line(`flow --json ${asLine(words)}`).globals).toEqual({ json: true });
  });

  it('ignores the case of the verb and noun', () => {
    const words = minimal(spec);
    const shouted = [spec.verb.toUpperCase(), ...(spec.noun ? [spec.noun.toUpperCase()] : []), ...requiredFlags(spec), ...requiredWords(spec)];
    expect(argv(shouted).command).toBe(spec);
    expect(argv(shouted).args).toEqual(argv(words).args);
  });

  it('accepts every synonym of its verb and noun', () => {
    const verbs = [spec.verb, ...Object.keys(VERB_SYNONYMS).filter((s) => VERB_SYNONYMS[s] === spec.verb)];
    const nouns = spec.noun ? [spec.noun, ...Object.keys(NOUN_SYNONYMS).filter((s) => NOUN_SYNONYMS[s] === spec.noun)] : [];
    for (const verb of verbs) {
      const words = [verb, ...(spec.noun ? [nouns[0]] : [])];
      expect(argv([...words, ...requiredFlags(spec), ...requiredWords(spec)]).command, words.join(' ')).toBe(spec);
    }
    for (const noun of nouns) {
      expect(argv([spec.verb, noun, ...requiredFlags(spec), ...requiredWords(spec)]).command, noun).toBe(spec);
    }
    for (const alias of spec.aliases) expect(argv([...alias.split(' '), ...requiredFlags(spec), ...requiredWords(spec)]).command).toBe(spec);
  });

  it('takes global flags anywhere, in both forms', () => {
    const flagWords = flagsOf(spec)
      .filter((flag) => !flag.required)
      .flatMap((flag) => (flag.kind === 'switch' ? [`--${flag.flag}`] : [`--${flag.flag}`, valueFor(flag)]));
    const words = [...commandWords(spec), ...flagWords.slice(0, 2), ...requiredWords(spec)];
    const plain = argv(words);
    const forms: Array<[string[], Record<string, unknown>]> = [
      [['--json'], { json: true }],
      [['--json=true'], { json: true }],
      [['--json=false'], { json: false }],
      [['--dir', '/tmp/some dir'], { dir: '/tmp/some dir' }],
      [['--dir=/tmp/x=y'], { dir: '/tmp/x=y' }],
      [['--session', 'agent-7'], { session: 'agent-7' }],
      [['--session=S'], { session: 'S' }],
      [['--quiet'], { quiet: true }],
      [['--no-color'], { 'no-color': true }],
      [['--theme', 'light'], { theme: 'light' }],
      [['--json', '--quiet', '--dir', 'D', '--session', 'S', '--no-color'], { json: true, quiet: true, dir: 'D', session: 'S', 'no-color': true }],
    ];
    for (const [global, expected] of forms) {
      for (let at = 0; at <= words.length; at++) {
        const withGlobal = [...words.slice(0, at), ...global, ...words.slice(at)];
        const parsed = argv(withGlobal);
        expect(parsed.command, withGlobal.join(' ')).toBe(spec);
        expect(parsed.args, withGlobal.join(' ')).toEqual(plain.args);
        expect(parsed.globals, withGlobal.join(' ')).toEqual(expected);
      }
    }
  });

  it('--help and -h ask for its help without checking its arguments', () => {
    for (const words of [
      [...minimal(spec), '--help'],
      ['--help', ...minimal(spec)],
      [...commandWords(spec), '-h'],
      [...commandWords(spec), '--help', `--${UNKNOWN}`],
    ]) {
      const parsed = argv(words);
      expect(parsed.command, words.join(' ')).toBe(spec);
      expect(parsed.globals.help, words.join(' ')).toBe(true);
      expect(parsed.args).toEqual({});
    }
    expect(argv([...minimal(spec), '--help=false']).globals.help).toBe(false);
  });

  it('-- ends the flags: what follows is positional', () => {
    const positionals = positionalsOf(spec);
    if (positionals.length === 0) {
      const error = usageError(() => argv([...commandWords(spec), '--', `--${UNKNOWN}`]));
      expect(error.message).toBe(`unexpected argument "--${UNKNOWN}" for "${spec.name}"`);
      expect(error.word).toBe(commandWords(spec).length + 1);
      expect(argv([...commandWords(spec), '--']).command).toBe(spec);
      return;
    }
    const [first, ...others] = positionals;
    if (first.values) {
      // A positional with a list of values: the word after -- is checked as that value, not as a flag.
      const error = usageError(() => argv([...commandWords(spec), '--', `--${UNKNOWN}`]));
      expect(error.message).toBe(`${first.key.toUpperCase()}: "--${UNKNOWN}" is not one of ${first.values.join(', ')}`);
      return;
    }
    const words = [...commandWords(spec), '--', `--${UNKNOWN}`, ...others.filter((p) => p.required).map(sample)];
    for (const parsed of [argv(words), line(asLine(words))]) {
      expect(parsed.command).toBe(spec);
      expect([parsed.args[first.key]].flat()).toEqual([`--${UNKNOWN}`]);
    }
    // A global flag after -- is a word too.
    const json = argv([...commandWords(spec), '--', '--json', ...others.filter((p) => p.required).map(sample)]);
    expect(json.globals.json).toBeUndefined();
    expect([json.args[first.key]].flat()).toEqual(['--json']);
  });

  it('refuses an unknown flag, listing the flags it takes', () => {
    const words = [...minimal(spec), `--${UNKNOWN}`];
    const error = usageError(() => argv(words));
    const known = flagsOf(spec).map((f) => f.flag);
    expect(error.message).toBe(
      known.length
        ? `unknown flag --${UNKNOWN} for "${spec.name}" (it takes: ${known.map((k) => `--${k}`).join(' ')})`
        : `"${spec.name}" takes no flags (got --${UNKNOWN})`,
    );
    expect(error.word).toBe(words.length - 1);
    expect(EXIT_CODES[error.code]).toBe(2);
  });

  it('says which argument is missing, pointing past the end', () => {
    const required = positionalsOf(spec).filter((p) => p.required);
    for (let given = 0; given < required.length; given++) {
      const words = [...commandWords(spec), ...required.slice(0, given).map(sample)];
      const missing = required[given];
      const error = usageError(() => argv(words));
      expect(error.message).toBe(`"${spec.name}" needs ${missing.key.toUpperCase()} (${missing.description})`);
      expect(error.word).toBe(words.length);
    }
  });

  it('refuses one argument too many unless the last positional takes them all', () => {
    const positionals = positionalsOf(spec);
    const words = [...commandWords(spec), ...positionals.map(sample), 'extra'];
    const last = positionals.at(-1);
    if (last?.rest) {
      const parsed = argv(words);
      expect([parsed.args[last.key]].flat().join(' ')).toContain('extra');
      return;
    }
    const error = usageError(() => argv(words));
    expect(error.message).toContain(`unexpected argument "extra" for "${spec.name}"`);
    if (positionals.length) expect(error.message).toContain(`(it takes ${positionals.map((p) => p.key.toUpperCase()).join(' ')})`);
    expect(error.word).toBe(words.length - 1);
  });
});

describe.each(ofType('string'))('string flag %s', (_name, spec, name, flag) => {
  const value = valueFor(flag, 1);

  it('takes --flag VALUE, --flag=VALUE, before or after the positionals, and quoted at the prompt', () => {
    for (const words of [
      [...minimal(spec, flag), `--${name}`, value],
      [...minimal(spec, flag), `--${name}=${value}`],
      [...commandWords(spec, flag), `--${name}`, value, ...requiredWords(spec)],
    ]) {
      const parsed = argv(words);
      expect(parsed.args[flag.key], words.join(' ')).toBe(received(flag, value));
      expectPositionals(spec, parsed.args);
      expect(line(asLine(words)).args).toEqual(parsed.args);
    }
  });

  it('takes a value that starts with a dash, or a flag-like value when quoted at the prompt', () => {
    if (flag.values || FORMATTED[flag.key] || flag.kind === 'number') return;
    expect(argv([...minimal(spec, flag), `--${name}`, '-1']).args[flag.key]).toBe('-1');
    expect(argv([...minimal(spec, flag), `--${name}=--json`]).args[flag.key]).toBe('--json');
    expect(line(`${asLine(minimal(spec, flag))} --${name} "--json"`).args[flag.key]).toBe('--json');
    expect(line(`${asLine(minimal(spec, flag))} --${name} "--json"`).globals.json).toBeUndefined();
  });

  it('needs a value at the end, and before another flag', () => {
    const atEnd = [...minimal(spec, flag), `--${name}`];
    const expected = `--${name} needs a value (${flag.placeholder}${flag.values ? `: one of ${flag.values.join(', ')}` : ''})`;
    const error = usageError(() => argv(atEnd));
    expect(error.message).toBe(expected);
    expect(error.word).toBe(atEnd.length);
    expect(EXIT_CODES[error.code]).toBe(2);

    const other = flagsOf(spec).map((f) => f.flag).find((n) => n !== name) ?? UNKNOWN;
    const beforeFlag = [...commandWords(spec, flag), `--${name}`, `--${other}`, ...requiredWords(spec)];
    const error2 = usageError(() => argv(beforeFlag));
    expect(error2.message).toBe(expected);
    expect(error2.word).toBe(commandWords(spec, flag).length + 1);
  });

  it('may be given once only', () => {
    const words = [...minimal(spec, flag), `--${name}`, value, `--${name}=${value}`];
    const error = usageError(() => argv(words));
    expect(error.message).toBe(`--${name} given twice`);
    expect(error.word).toBe(words.length - 1);
  });

  it('suggests the flag for a near miss of its name', () => {
    if (name.length < 4) return;
    const typo = name.slice(0, 1) + name[2] + name[1] + name.slice(3);
    const error = usageError(() => argv([...minimal(spec, flag), `--${typo}`, value]));
    expect(error.message).toContain(`unknown flag --${typo}`);
    expect(error.suggestion).toBe(`--${name}`);
    expect(error.message).toMatch(new RegExp(`did you mean \`--${name}\`\\?$`));
  });

  it('with a list of values: refuses others, suggesting the nearest', () => {
    if (!flag.values) return;
    for (const allowed of flag.values) expect(argv([...minimal(spec, flag), `--${name}`, allowed]).args[flag.key]).toBe(allowed);
    const wrong = usageError(() => argv([...minimal(spec, flag), `--${name}`, 'zzzzzz']));
    expect(wrong.message).toBe(`--${name}: "zzzzzz" is not one of ${flag.values.join(', ')}`);
    expect(EXIT_CODES[wrong.code]).toBe(2);
    for (const allowed of flag.values) {
      const near = allowed.slice(0, -1);
      const error = usageError(() => argv([...minimal(spec, flag), `--${name}=${near}`]));
      expect(error.message).toBe(`--${name}: "${near}" is not one of ${flag.values.join(', ')}; did you mean \`${allowed}\`?`);
    }
  });
});

describe.each(ofType('number'))('number flag %s', (_name, spec, name, flag) => {
  it('takes --flag N and --flag=N, before or after the positionals, as a number', () => {
    for (const words of [
      [...minimal(spec, flag), `--${name}`, '7'],
      [...minimal(spec, flag), `--${name}=7`],
      [...commandWords(spec, flag), `--${name}`, '7', ...requiredWords(spec)],
    ]) {
      const parsed = argv(words);
      expect(parsed.args[flag.key], words.join(' ')).toBe(7);
      expectPositionals(spec, parsed.args);
      expect(line(asLine(words)).args).toEqual(parsed.args);
    }
  });

  it('refuses what is not a number, and a number given twice', () => {
    expect(usageError(() => argv([...minimal(spec, flag), `--${name}`, 'many'])).message).toBe(`--${name}: expected a number, not "many"`);
    expect(usageError(() => argv([...minimal(spec, flag), `--${name}`, '1.5'])).message).toBe(`--${name}: expected a whole number, not "1.5"`);
    expect(usageError(() => argv([...minimal(spec, flag), `--${name}`, '-1'])).message).toMatch(new RegExp(`^--${name}: must be a whole number ≥ [01]$`));
    const twice = [...minimal(spec, flag), `--${name}`, '1', `--${name}=2`];
    expect(usageError(() => argv(twice)).message).toBe(`--${name} given twice`);
  });
});

describe.each(ofType('boolean'))('switch %s', (_name, spec, name, flag) => {
  it.each<[string, boolean]>([
    ['', true],
    ['=true', true],
    ['=TRUE', true],
    ['=yes', true],
    ['=1', true],
    ['=false', false],
    ['=False', false],
    ['=no', false],
    ['=0', false],
  ])('--%s%s', (suffix, expected) => {
    expect(argv([...minimal(spec, flag), `--${name}${suffix}`]).args[flag.key]).toBe(expected);
  });

  it('does not swallow the next word', () => {
    const parsed = argv([...commandWords(spec, flag), `--${name}`, ...requiredWords(spec)]);
    expect(parsed.args[flag.key]).toBe(true);
    expectPositionals(spec, parsed.args);
  });

  it('refuses a value that is not true or false', () => {
    for (const bad of ['maybe', '2', '', 'on']) {
      const words = [...minimal(spec, flag), `--${name}=${bad}`];
      const error = usageError(() => argv(words));
      expect(error.message).toBe(`--${name} is a switch; it takes true or false, not "${bad}"`);
      expect(error.word).toBe(words.length - 1);
    }
  });

  it('may be given once only', () => {
    const error = usageError(() => argv([...minimal(spec, flag), `--${name}`, `--${name}=false`]));
    expect(error.message).toBe(`--${name} given twice`);
  });

  it('-y is --yes', () => {
    if (name !== 'yes') return;
    expect(argv([...minimal(spec, flag), '-y']).args.yes).toBe(true);
  });
});

describe.each(ofType('list'))('list flag %s', (_name, spec, name, flag) => {
  const [a, b, c] = flag.values ? [flag.values[0], flag.values[1], flag.values[2]] : ['alpha', 'beta', 'gamma'];

  it.each<[string, (n: string) => string[]]>([
    ['repeated', (n) => [`--${n}`, a, `--${n}`, b, `--${n}`, c]],
    ['comma-separated', (n) => [`--${n}`, `${a},${b},${c}`]],
    ['mixed with =', (n) => [`--${n}=${a},${b}`, `--${n}`, c]],
    ['with spaces and empty items', (n) => [`--${n}`, ` ${a} ,, ${b},`, `--${n}=${c}`]],
  ])('%s', (_form, words) => {
    const parsed = argv([...minimal(spec, flag), ...words(name)]);
    expect(parsed.args[flag.key]).toEqual([a, b, c]);
    expect(line(asLine([...minimal(spec, flag), ...words(name)])).args[flag.key]).toEqual([a, b, c]);
  });

  it('an empty value gives an empty list (to clear)', () => {
    if (flag.values) return;
    expect(argv([...minimal(spec, flag), `--${name}`, '']).args[flag.key]).toEqual([]);
    expect(line(`${asLine(minimal(spec, flag))} --${name} ""`).args[flag.key]).toEqual([]);
  });

  it('needs a value', () => {
    const error = usageError(() => argv([...minimal(spec, flag), `--${name}`]));
    expect(error.message).toContain(`--${name} needs a value (${flag.placeholder ?? 'VALUE'}`);
  });

  it('with a list of values: names the item that is not allowed', () => {
    if (!flag.values) return;
    const error = usageError(() => argv([...minimal(spec, flag), `--${name}`, `${a},zzzzzz`]));
    expect(error.message).toBe(`--${name}: "zzzzzz" is not one of ${flag.values.join(', ')}`);
    const near = usageError(() => argv([...minimal(spec, flag), `--${name}`, a, `--${name}`, b.slice(0, -1)]));
    expect(near.suggestion).toBe(b);
  });
});

describe.each(ofType('multi'))('FIELD=VALUE flag %s', (_name, spec, name, flag) => {
  it('is repeatable and never split on commas', () => {
    const words = [...minimal(spec, flag), `--${name}`, 'title=a, b', `--${name}=status=done`, `--${name}`, 'x=1,y=2'];
    expect(argv(words).args[flag.key]).toEqual({ title: 'a, b', status: 'done', x: '1,y=2' });
    expect(line(asLine(words)).args[flag.key]).toEqual({ title: 'a, b', status: 'done', x: '1,y=2' });
  });

  it('refuses an entry without =, and a field given twice', () => {
    expect(usageError(() => argv([...minimal(spec, flag), `--${name}`, 'title'])).message).toBe(
      `--${name}: "title" needs FIELD=VALUE, e.g. --${name} title=Old`,
    );
    expect(usageError(() => argv([...minimal(spec, flag), `--${name}`, 'a=1', `--${name}`, 'a=2'])).message).toBe(`--${name}: a given twice`);
  });

  it('needs a value', () => {
    const error = usageError(() => argv([...minimal(spec, flag), `--${name}`]));
    expect(error.message).toBe(`--${name} needs a value (FIELD=VALUE)`);
  });
});

describe('specific commands', () => {
  it.each<[string, string, Record<string, unknown>, Record<string, unknown>?]>([
    ['add task "Write tests" --priority high --tag storage', 'add task', { title: 'Write tests', priority: 'high', tags: ['storage'] }],
    ['add task Fix lock --parent 2', 'add task', { title: 'Fix lock', parent: '2' }],
    ['add task   Fix    the   lock  ', 'add task', { title: 'Fix the lock' }],
    ["add task 'two  spaces' kept", 'add task', { title: 'two  spaces kept' }],
    ['new task x', 'add task', { title: 'x' }],
    ['ls tasks --all', 'list task', { all: true }],
    ['ls --help', 'help', { verb: 'list' }, { help: false }],
    ['add task x --notes="two words" --tag=\'a b\',c', 'add task', { title: 'x', notes: 'two words', tags: ['a b', 'c'] }],
    ['add task x "--notes=two words"', 'add task', { title: 'x --notes=two words' }],
    ['rm tasks 1 2 3', 'rm task', { ref: ['1', '2', '3'] }],
    ['remove task 1', 'rm task', { ref: ['1'] }],
    ['delete plan p --yes', 'rm plan', { ref: 'p', yes: true }],
    ['del flows f -y', 'rm flow', { ref: 'f', yes: true }],
    ['mv task 3 --to-plan 2 --top', 'move task', { ref: '3', to_plan: '2', top: true }],
    ['edit task 3 --status blocked --notes "waiting for review"', 'set task', { ref: '3', status: 'blocked', notes: 'waiting for review' }],
    ['complete task 1', 'done task', { ref: ['1'] }],
    ['finish tasks 1 task_ab', 'done task', { ref: ['1', 'task_ab'] }],
    ['set cfg snapshots.keep 50', 'set config', { key: 'snapshots.keep', value: '50' }],
    [`set config hooks.pre_save '["./check.sh"]'`, 'set config', { key: 'hooks.pre_save', value: '["./check.sh"]' }],
    ['set config theme high contrast', 'set config', { key: 'theme', value: 'high contrast' }],
    ['get config theme', 'get config', { key: 'theme' }],
    ['use plans 2', 'use plan', { ref: '2' }],
    ['show flow', 'show flow', {}],
    ['rename flow 1 New name --expect name=Old', 'rename flow', { ref: '1', name: 'New name', expect: { name: 'Old' } }],
    ['help', 'help', {}],
    ['help add task', 'help', { verb: 'add', noun: 'task' }],
    ['? add', 'help', { verb: 'add' }],
    ['help tasks', 'help', { verb: 'tasks' }],
    ['schema', 'schema', {}],
    ['migrate --from old.json --dry-run', 'migrate', { from: 'old.json', dry_run: true }],
    ['add task x -- --tag y', 'add task', { title: 'x --tag y' }],
    ['add task x "--tag" y', 'add task', { title: 'x --tag y' }],
    ['set task 1 --tag ""', 'set task', { ref: '1', tags: [] }],
    ['list task --status=todo --status blocked,done', 'list task', { status: ['todo', 'blocked', 'done'] }],
    ['set task 1 --expect a=1,b=2 --expect c=3', 'set task', { ref: '1', expect: { a: '1,b=2', c: '3' } }],
    ['add task x \\\n  --priority low', 'add task', { title: 'x', priority: 'low' }],
  ])('%j → %s', (input, name, args, globals = {}) => {
    const parsed = line(input);
    expect(parsed.command.name).toBe(name);
    expect(parsed.args).toEqual(args);
    expect(parsed.globals).toEqual(globals);
  });

  it('a verb without a noun but with --help is help for the verb, with the flag used up', () => {
    const parsed = argv(['add', '--help']);
    expect(parsed.command.name).toBe('help');
    expect(parsed.args).toEqual({ verb: 'add' });
    expect(parsed.globals.help).toBeFalsy();
  });

  it.each<[string, Record<string, unknown>]>([
    ['', {}],
    ['   ', {}],
    ['/flow', {}],
    ['--json', { json: true }],
    ['/flow --json --session s', { json: true, session: 's' }],
    ['-h', { help: true }],
    ['--help --dir "my dir"', { help: true, dir: 'my dir' }],
  ])('%j parses to no command', (input, globals) => {
    const parsed = table.parseLine(input);
    expect(parsed.command).toBeUndefined();
    expect(parsed.globals).toEqual(globals);
  });

  it('/flow is a prefix only at the prompt, only first, and only unquoted', () => {
    expect(usageError(() => table.parseArgv(['/flow', 'list', 'flow'])).message).toContain('unknown verb "/flow"');
    expect(usageError(() => table.parseLine('"/flow" list flow')).message).toContain('unknown verb "/flow"');
    expect(usageError(() => table.parseLine("\\/flow list flow")).message).toContain('unknown verb "/flow"');
    expect(usageError(() => table.parseLine('list /flow flow')).message).toContain('unknown noun "/flow" after "list"');
    // "flow" before a word that is not a verb is not a prefix.
    expect(usageError(() => table.parseLine('flow tasks')).message).toContain('unknown verb "flow"');
  });

  it('word indices point into the line, after a /flow prefix too', () => {
    expect(usageError(() => table.parseLine('show task 1 2')).word).toBe(3);
    expect(usageError(() => table.parseLine('/flow show task 1 2')).word).toBe(4);
    expect(usageError(() => table.parseLine('/flow flow --json show task 1 2')).word).toBe(6);
    expect(usageError(() => table.parseLine('/flow add task')).word).toBe(3);
  });
});

// A row that takes numbers: none of the real rows does yet, but args.ts offers count().
const counting = new CommandTable([
  ...COMMANDS,
  defineCommand({
    verb: 'take',
    noun: 'thing',
    summary: 'a synthetic row with numbers',
    args: () => z.object({ n: count(), limit: z.optional(count()) }),
    positionals: ['n'],
    argv: { n: { description: 'how many' }, limit: { description: 'at most N' } },
    run: () => ({ json: null, human: () => '', message: '' }),
  }),
]);

describe('numbers', () => {
  it('converts whole numbers', () => {
    expect((counting.parseLine('take thing 3 --limit 12') as ParsedCommand).args).toEqual({ n: 3, limit: 12 });
  });

  it.each<[string, string]>([
    ['take thing 3 --limit abc', '--limit: expected a number, not "abc"'],
    ['take thing 3 --limit 1.5', '--limit: expected a whole number, not "1.5"'],
    ['take thing 3 --limit 0', '--limit: must be a whole number ≥ 1'],
    ['take thing 3 --limit -2', '--limit: must be a whole number ≥ 1'],
    ['take thing many', 'N: expected a number, not "many"'],
  ])('%j → %s', (input, message) => {
    const error = usageError(() => counting.parseLine(input));
    expect(error.message).toBe(message);
    expect(EXIT_CODES[error.code]).toBe(2);
  });
});

interface Malformed {
  input: string | string[];
  message: string;
  /** Exact message when it has no "did you mean"; fragments otherwise via contains. */
  exact?: boolean;
  word?: number;
  suggestion?: string;
}

// Lists the messages quote come from the table, so a new row does not break these tests.
const VERBS = [...table.verbs].join(', ');
const NOUNS_OF = (verb: string) => table.nounsFor(verb).join(', ');
const ADD_TASK_FLAGS = '--plan --parent --priority --status --tag --depends --notes';

const MALFORMED: Malformed[] = [
  // Quoting (prompt only).
  { input: 'add task "Write tests', message: 'unclosed " quote (opened at column 10)' },
  { input: "add task 'Write tests", message: "unclosed ' quote (opened at column 10)" },
  { input: 'add task "say \\"hi\\"', message: 'unclosed " quote (opened at column 10)' },
  { input: 'add task x\\', message: 'a backslash at the end has nothing to escape' },
  // Verbs and nouns.
  { input: ['ad', 'task', 'x'], message: `unknown verb "ad" (expected one of: ${VERBS})`, word: 0, suggestion: 'add' },
  { input: ['lsit', 'task'], message: 'unknown verb "lsit"', word: 0, suggestion: 'list' },
  { input: ['dnoe', 'task', '1'], message: 'unknown verb "dnoe"', word: 0, suggestion: 'done' },
  { input: ['frobnicate'], message: `unknown verb "frobnicate" (expected one of: ${VERBS})`, exact: true, word: 0 },
  { input: '"--json" list flow', message: 'unknown verb "--json"', word: 0 },
  { input: ['--plan', 'x', 'add', 'task', 'y'], message: 'expected a verb before --plan', exact: true, word: 0 },
  { input: ['--', 'add', 'task', 'y'], message: 'expected a verb before --', exact: true, word: 0 },
  { input: ['add', 'tsk', 'x'], message: `unknown noun "tsk" after "add" (expected one of: ${NOUNS_OF('add')})`, word: 1, suggestion: 'add task' },
  { input: ['add', 'widget', 'x'], message: `unknown noun "widget" after "add" (expected one of: ${NOUNS_OF('add')})`, exact: true, word: 1 },
  // A noun that exists without that verb says what the noun takes.
  { input: ['add', 'context', 'x'], message: '"add context" is not a command (context takes: show, set, note, list, rm, export)', exact: true, word: 1 },
  { input: ['done', '1'], message: 'unknown noun "1" after "done" (expected one of: task)', exact: true, word: 1 },
  { input: ['add'], message: `"add" needs a noun (one of: ${NOUNS_OF('add')})`, exact: true, word: 1 },
  { input: ['list', '--all'], message: `"list" needs a noun (one of: ${NOUNS_OF('list')})`, exact: true, word: 1 },
  { input: ['add', 'config', 'theme'], message: '"add config" is not a command (config takes: get, set, list)', exact: true, word: 1 },
  { input: ['get', 'task', '1'], message: '"get task" is not a command (task takes: add, list, show, set, done, start, block, cancel, move, rm, ready, claim, release, resolve)', exact: true, word: 1 },
  { input: ['done', 'plans', 'p'], message: '"done plan" is not a command (plan takes: add, list, show, use, set, move, rm, resolve)', exact: true, word: 1 },
  // Positionals.
  { input: ['add', 'task'], message: '"add task" needs TITLE (the task title (quotes optional))', exact: true, word: 2 },
  { input: ['done', 'task'], message: '"done task" needs REF (task id, id prefix or list number)', exact: true, word: 2 },
  { input: ['use', 'plan', '--json'], message: '"use plan" needs REF (plan id, id prefix, list number or title)', exact: true, word: 3 },
  { input: ['set', 'config', 'theme'], message: '"set config" needs VALUE (its new value)', exact: true, word: 3 },
  { input: ['rename', 'flow', 'f1'], message: '"rename flow" needs NAME (the new name)', exact: true, word: 3 },
  { input: ['show', 'task', '1', '2'], message: 'unexpected argument "2" for "show task" (it takes REF)', exact: true, word: 3 },
  { input: ['list', 'flow', 'extra'], message: 'unexpected argument "extra" for "list flow"', exact: true, word: 2 },
  { input: ['schema', 'now'], message: 'WHAT: "now" is not one of flows, hook', exact: true },
  { input: ['schema', 'hook', 'now'], message: 'unexpected argument "now" for "schema" (it takes WHAT)', exact: true, word: 2 },
  { input: ['help', 'add', 'task', 'now'], message: 'unexpected argument "now" for "help" (it takes VERB NOUN)', exact: true, word: 3 },
  // Empty texts.
  { input: 'add task ""', message: 'TITLE: must not be empty', exact: true },
  { input: "add task '   '", message: 'TITLE: must not be empty', exact: true },
  { input: 'add flow ""', message: 'NAME: must not be empty', exact: true },
  { input: 'set task 1 --title ""', message: '--title: must not be empty', exact: true },
  { input: ['set', 'plan', '1', '--title='], message: '--title: must not be empty', exact: true },
  // Values.
  { input: ['add', 'task', 'x', '--priority', 'urgent'], message: '--priority: "urgent" is not one of low, medium, high', exact: true },
  { input: ['add', 'task', 'x', '--priority', 'hgih'], message: '--priority: "hgih" is not one of low, medium, high', suggestion: 'high' },
  { input: ['add', 'task', 'x', '--priority='], message: '--priority: "" is not one of low, medium, high', exact: true },
  { input: ['set', 'plan', '1', '--status', 'actve'], message: '--status: "actve" is not one of draft, active, done, archived', suggestion: 'active' },
  { input: ['list', 'task', '--status', 'done,bogus'], message: '--status: "bogus" is not one of todo, in_progress, blocked, done, cancelled', exact: true },
  { input: ['list', 'task', '--status', 'todo', '--status', 'blokced'], message: '--status: "blokced" is not one of', suggestion: 'blocked' },
  // Flags.
  { input: ['add', 'task', 'x', '--notes'], message: '--notes needs a value (TEXT)', exact: true, word: 4 },
  { input: ['add', 'task', 'x', '--priority'], message: '--priority needs a value (P: one of low, medium, high)', exact: true, word: 4 },
  { input: ['add', 'task', 'x', '--notes', '--tag', 'a'], message: '--notes needs a value (TEXT)', exact: true, word: 4 },
  { input: ['add', 'task', '--plan', '--', 'x'], message: '--plan needs a value (REF)', exact: true, word: 3 },
  { input: ['list', 'flow', '--dir'], message: '--dir needs a value (PATH)', exact: true, word: 3 },
  { input: ['--session', '--json', 'list', 'flow'], message: '--session needs a value (NAME)', exact: true, word: 1 },
  { input: ['add', 'task', 'x', '--pririty', 'high'], message: `unknown flag --pririty for "add task" (it takes: ${ADD_TASK_FLAGS})`, word: 3, suggestion: '--priority' },
  { input: ['add', 'task', 'x', '--colour', 'red'], message: `unknown flag --colour for "add task" (it takes: ${ADD_TASK_FLAGS})`, exact: true, word: 3 },
  { input: ['rm', 'task', '1', '-y'], message: 'unknown flag -y for "rm task" (it takes: --plan)', exact: true, word: 3 },
  { input: ['schema', '--all'], message: '"schema" takes no flags (got --all)', exact: true, word: 1 },
  { input: ['list', 'flow', '--all'], message: 'unknown flag --all for "list flow" (it takes: --fields --limit --offset)', exact: true, word: 2 },
  { input: ['rm', 'flow', 'f', '--yes=maybe'], message: '--yes is a switch; it takes true or false, not "maybe"', exact: true, word: 3 },
  { input: ['move', 'task', '1', '--top=2'], message: '--top is a switch; it takes true or false, not "2"', exact: true, word: 3 },
  { input: ['--json=perhaps', 'list', 'flow'], message: '--json is a switch; it takes true or false, not "perhaps"', exact: true, word: 0 },
  { input: ['add', 'task', 'x', '--notes', 'a', '--notes', 'b'], message: '--notes given twice', exact: true, word: 5 },
  { input: ['rm', 'plan', 'p', '--yes', '-y'], message: '--yes given twice', exact: true, word: 4 },
  { input: ['move', 'plan', '1', '--top', '--top'], message: '--top given twice', exact: true, word: 4 },
];

const label = (m: Malformed) => (typeof m.input === 'string' ? JSON.stringify(m.input) : m.input.join(' '));
const parseMalformed = (m: Malformed) => (typeof m.input === 'string' ? table.parseLine(m.input) : table.parseArgv(m.input));

describe('malformed input', () => {
  it('has at least 30 cases', () => {
    expect(MALFORMED.length).toBeGreaterThanOrEqual(30);
  });

  it.each(MALFORMED.map((m) => [label(m), m] as const))('%s', (_label, m) => {
    const error = usageError(() => parseMalformed(m));
    expect(error.code).toBe('usage');
    expect(EXIT_CODES[error.code]).toBe(2);
    if (m.exact) expect(error.message).toBe(m.message);
    else expect(error.message.startsWith(m.message), error.message).toBe(true);
    expect(error.word).toBe(m.word);
    expect(error.suggestion).toBe(m.suggestion);
    if (m.suggestion) expect(error.message.endsWith(`; did you mean \`${m.suggestion}\`?`)).toBe(true);
    else expect(error.message).not.toContain('did you mean');
    // The same text typed at the prompt fails the same way.
    if (Array.isArray(m.input)) expect(usageError(() => table.parseLine(asLine(m.input as string[]))).message).toBe(error.message);
  });
});

describe('malformed input through the real CLI', () => {
  let dir: string;
  beforeAll(() => {
    dir = tempDir();
  });
  const argvCases = MALFORMED.filter((m): m is Malformed & { input: string[] } => Array.isArray(m.input));

  // A few through the real binary; all of them through the same code in process.
  it.each(argvCases.map((m, i) => [label(m), m, i % 8 === 0] as const))('%s exits 2 with the message', async (_label, m, real) => {
    const flowCli = (args: string[]) => (real ? Promise.resolve(flowSync(dir, args)) : flowInProcess(dir, args));
    const expected = usageError(() => table.parseArgv(m.input)).message;
    if (!m.input.includes('--json')) {
      const human = await flowCli(m.input);
      expect(human.code).toBe(2);
      expect(human.stdout).toBe('');
      expect(human.stderr).toBe(`flow: ${expected}\n`);
    }
    // --json: one error document; word indices count the --dir DIR --json in front.
    const json = await flowCli(['--json', ...m.input]);
    expect(json.code).toBe(2);
    expect(json.stdout).toBe('');
    const { error } = JSON.parse(json.stderr);
    expect(error.code).toBe('usage');
    expect(error.message).toBe(expected);
    expect(error.word).toBe(m.word === undefined ? undefined : m.word + 3);
  });
});

describe('GLOBAL_FLAGS', () => {
  it('are the flags of DESIGN §6 (and --help, --version, --theme)', () => {
    expect(Object.keys(GLOBAL_FLAGS).sort()).toEqual(['dir', 'help', 'json', 'no-color', 'quiet', 'session', 'theme', 'version']);
  });

  it('no command has a flag of the same name (it could never be reached)', () => {
    for (const [name, spec, flag] of flagRows.map((r) => [r[2], r[1], r[3]] as const)) {
      expect(GLOBAL_FLAGS[name], `${spec.name} --${name} (${flag.description})`).toBeUndefined();
    }
  });
});
