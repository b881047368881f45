// Text or argv → a command object, or a usage error that says what was expected where
// and suggests the nearest word. Pure: no I/O, no store.
import { FlowError } from '../domain/errors.js';
import type * as z from 'zod/mini';
import { CommandWords, VERB_SYNONYMS } from './command-words.js';
import { type AnyCommand, type CommandObject, type Field } from './define.js';
import { GLOBAL_FLAGS, type GlobalOptions } from './globals.js';
import { tokenize, TokenizeError, type Token } from './tokenize.js';

export class UsageError extends FlowError {
  constructor(
    message: string,
    /** Index of the offending word (0-based), or the input length for "missing". */
    readonly word?: number,
    readonly suggestion?: string,
  ) {
    super('usage', suggestion ? `${message}; did you mean \`${suggestion}\`?` : message, {
      word,
      suggestion,
    });
  }
}

/** A command line that names a command: the row, its checked arguments, the global flags. */
export interface ParsedCommand {
  command: AnyCommand;
  args: Record<string, unknown>;
  globals: GlobalOptions;
}

/** No command words at all (just global flags, or nothing). */
export interface ParsedNothing {
  command: undefined;
  globals: GlobalOptions;
}

/** The command object a parsed line stands for, as the bus executes it. */
export function commandObject(parsed: ParsedCommand): CommandObject {
  return { name: parsed.command.name, args: parsed.args };
}

/** Edit distance with transpositions, for "did you mean". */
export function distance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array(b.length).fill(0)]);
  for (let j = 0; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.length][b.length];
}

export function nearest(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestScore = Infinity;
  const lower = word.toLowerCase();
  for (const candidate of candidates) {
    const score = candidate.startsWith(lower) && lower.length >= 2 ? 0.5 : distance(lower, candidate);
    if (score < bestScore) {
      best = candidate;
      bestScore = score;
    }
  }
  // Allow about one typo in three letters.
  return best !== undefined && bestScore <= Math.max(1, Math.floor(word.length / 3)) ? best : undefined;
}

type Word = Token & { index: number };

export class CommandTable extends CommandWords<AnyCommand> {
  /** Parses text typed at the prompt (an optional leading `/flow`). */
  parseLine(line: string): ParsedCommand | ParsedNothing {
    let tokens: Token[];
    try {
      tokens = tokenize(line);
    } catch (err) {
      if (err instanceof TokenizeError) throw new UsageError(err.message);
      throw err;
    }
    return this.parseTokens(tokens, true);
  }

  /** Parses process arguments (already split by the shell). */
  parseArgv(argv: readonly string[]): ParsedCommand | ParsedNothing {
    return this.parseTokens(argv.map((text, i) => ({ text, start: i, quoted: false })));
  }

  /** A prompt line that must name a command, as the object the bus executes. */
  commandFrom(line: string): CommandObject {
    const parsed = this.parseLine(line);
    if (!parsed.command) throw new UsageError('expected a command');
    return commandObject(parsed);
  }

  /** prompt: the words were typed at the prompt, where `/flow` or `flow` may lead. */
  parseTokens(tokens: readonly Token[], prompt = false): ParsedCommand | ParsedNothing {
    const globals: GlobalOptions = {};
    const rest: Word[] = [];
    // Global flags are taken out wherever they stand.
    for (let i = 0; i < tokens.length; i++) {
      const token = tokens[i];
      const flag = asFlag(token);
      if (flag === '--') {
        for (let k = i; k < tokens.length; k++) rest.push({ ...tokens[k], index: k });
        break;
      }
      const name = flag?.name === 'h' ? 'help' : flag?.name;
      const spec = name ? GLOBAL_FLAGS[name] : undefined;
      if (!flag || !spec || !name) {
        rest.push({ ...token, index: i });
        continue;
      }
      const value = takeValue({ isSwitch: spec.type === 'boolean', name, placeholder: spec.placeholder }, flag.value, tokens, i);
      const previous = (globals as Record<string, unknown>)[name];
      if (spec.type !== 'boolean' && previous !== undefined && previous !== value.value) {
        throw new UsageError(`--${name} given twice ("${previous}" and "${value.value}")`, i);
      }
      i += value.consumed;
      (globals as Record<string, unknown>)[name] = value.value;
    }
    // Dropped from the words rather than the tokens, so word indices still point into the line
    // and "flow --json add task x" works like "flow add task x --json".
    if (prompt && rest[0]?.index === 0 && !rest[0].quoted && rest[0].text === '/flow') rest.shift();
    if (prompt && this.programName(rest)) rest.shift();
    if (rest.length === 0) return { command: undefined, globals };

    if (asFlag(rest[0])) {
      throw new UsageError(`expected a verb before ${rest[0].text}`, rest[0].index);
    }
    if (rest.length > 1 && this.nounFirst(rest[0].text, rest[1].text)) rest.splice(0, 2, rest[1], rest[0]);
    const first = rest[0];
    const verb = this.verb(first.text);
    if (!this.verbs.has(verb)) {
      throw new UsageError(
        `unknown verb "${first.text}" (expected one of: ${[...this.verbs].join(', ')})`,
        first.index,
        nearest(verb, [...this.verbs, ...Object.keys(VERB_SYNONYMS)]),
      );
    }
    let command: AnyCommand | undefined;
    let argStart = 1;
    const second = rest[1];
    const nouns = this.nounsFor(verb);
    if (second && !asFlag(second) && nouns.includes(this.noun(second.text))) {
      command = this.lookup(verb, this.noun(second.text));
      argStart = 2;
    } else {
      command = this.lookup(verb);
      if (!command) {
        if (!second || asFlag(second)) {
          // `flow add --help` is `flow help add`; the flag is used up, or the caller would show
          // help for the help command itself.
          const help = this.lookup('help');
          if (globals.help && help) return { command: help, args: { verb }, globals: { ...globals, help: false } };
          throw new UsageError(`"${verb}" needs a noun (one of: ${nouns.join(', ')})`, second?.index ?? tokens.length);
        }
        const noun = this.noun(second.text);
        const suggestion = nearest(noun, nouns);
        const hint = this.nouns.has(noun)
          ? `"${verb} ${noun}" is not a command (${noun} takes: ${this.verbsFor(noun).join(', ')})`
          : `unknown noun "${second.text}" after "${verb}" (expected one of: ${nouns.join(', ')})`;
        throw new UsageError(hint, second.index, suggestion ? `${verb} ${suggestion}` : undefined);
      }
    }
    if (!command) throw new Error('internal: no command resolved');
    if (globals.help) return { command, args: {}, globals };
    const input = this.bindArguments(command, rest.slice(argStart), tokens.length);
    const checked = command.args.safeParse(input);
    if (!checked.success) throw argumentError(command, checked.error.issues, input, 'argv');
    return { command, args: checked.data, globals };
  }

  /** Maps the words after the command name onto its schema's keys, by the schema's types. */
  private bindArguments(command: AnyCommand, words: readonly Word[], end: number): Record<string, unknown> {
    const input: Record<string, unknown> = {};
    const lists = new Map<string, unknown[]>();
    const pairs = new Map<string, Record<string, string>>();
    const flags = this.flags(command);
    const values: Word[] = [];
    let onlyPositionals = false;
    for (let i = 0; i < words.length; i++) {
      const token = words[i];
      const flag = onlyPositionals ? undefined : asFlag(token);
      if (flag === '--') {
        onlyPositionals = true;
        continue;
      }
      if (!flag) {
        values.push(token);
        continue;
      }
      const name = flag.name === 'y' ? 'yes' : flag.name;
      const field = flags.get(name);
      if (!field) {
        const known = [...flags.keys()];
        // As typed: `-y` is not `--y`.
        const given = token.text.split('=')[0];
        const near = nearest(flag.name, known);
        throw new UsageError(
          known.length
            ? `unknown flag ${given} for "${command.name}" (it takes: ${known.map((k) => `--${k}`).join(' ')})`
            : `"${command.name}" takes no flags (got ${given})`,
          token.index,
          near ? `--${near}` : undefined,
        );
      }
      const label = `--${name}`;
      const value = takeValue({ isSwitch: field.kind === 'switch', name, placeholder: field.placeholder, values: field.values }, flag.value, words, i, token.index);
      i += value.consumed;
      if (field.kind === 'pair') {
        const given = pairs.get(field.key) ?? {};
        pairs.set(field.key, given);
        const text = String(value.value);
        const eq = text.indexOf('=');
        if (eq < 1) throw new UsageError(`${label}: "${text}" needs ${field.placeholder}, e.g. ${label} title=Old`, token.index);
        const key = text.slice(0, eq);
        if (key in given) throw new UsageError(`${label}: ${key} given twice`, token.index);
        given[key] = text.slice(eq + 1);
      } else if (field.list) {
        const list = lists.get(field.key) ?? [];
        lists.set(field.key, list);
        const text = String(value.value);
        const items = field.commas ? text.split(',').map((s) => s.trim()).filter(Boolean) : [text];
        list.push(...items.map((item) => convert(field, item, label)));
      } else {
        if (field.key in input) throw new UsageError(`${label} given twice`, token.index);
        input[field.key] = typeof value.value === 'string' ? convert(field, value.value, label) : value.value;
      }
    }
    for (const [key, list] of lists) input[key] = list;
    for (const [key, given] of pairs) input[key] = given;
    const positionals = command.fields.filter((f) => f.position !== undefined);
    let next = 0;
    for (const field of positionals) {
      const label = field.key.toUpperCase();
      if (field.rest) {
        const taken = values.slice(next);
        next = values.length;
        if (taken.length) {
          input[field.key] = field.list ? taken.map((t) => convert(field, t.text, label)) : taken.map((t) => t.text).join(' ');
        }
      } else if (next < values.length) {
        input[field.key] = convert(field, values[next++].text, label);
      }
      if (field.required && input[field.key] === undefined) {
        throw new UsageError(`"${command.name}" needs ${label} (${field.description})`, end);
      }
    }
    if (next < values.length) {
      const extra = values[next];
      throw new UsageError(
        `unexpected argument "${extra.text}" for "${command.name}"` +
          (positionals.length ? ` (it takes ${positionals.map((p) => p.key.toUpperCase()).join(' ')})` : ''),
        extra.index,
      );
    }
    return input;
  }
}

/** A word given for a field, as its type: numbers become numbers; the schema checks the rest. */
function convert(field: Field, text: string, label: string): unknown {
  if (field.kind !== 'number') return text;
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value)) throw new UsageError(`${label}: expected a number, not "${text}"`);
  return value;
}

function asFlag(token: Token): { name: string; value?: string } | '--' | undefined {
  if (token.quoted) return undefined;
  const text = token.text;
  if (text === '--') return '--';
  if (text.startsWith('--') && text.length > 2) {
    const eq = text.indexOf('=');
    return eq < 0 ? { name: text.slice(2) } : { name: text.slice(2, eq), value: text.slice(eq + 1) };
  }
  if (text === '-h' || text === '-y') return { name: text.slice(1) };
  return undefined;
}

interface FlagShape {
  isSwitch: boolean;
  name: string;
  placeholder?: string;
  values?: readonly string[];
}

function takeValue(
  flag: FlagShape,
  inline: string | undefined,
  tokens: readonly Token[],
  i: number,
  index = i,
): { value: string | boolean; consumed: number } {
  const { name } = flag;
  if (flag.isSwitch) {
    if (inline === undefined) return { value: true, consumed: 0 };
    if (/^(true|yes|1)$/i.test(inline)) return { value: true, consumed: 0 };
    if (/^(false|no|0)$/i.test(inline)) return { value: false, consumed: 0 };
    throw new UsageError(`--${name} is a switch; it takes true or false, not "${inline}"`, index);
  }
  if (inline !== undefined) return { value: inline, consumed: 0 };
  const next = tokens[i + 1];
  if (!next || asFlag(next)) {
    const placeholder = flag.placeholder || 'VALUE';
    throw new UsageError(
      `--${name} needs a value (${placeholder}${flag.values ? `: one of ${flag.values.join(', ')}` : ''})`,
      index + 1,
    );
  }
  return { value: next.text, consumed: 1 };
}

/** zod/mini gives no messages of its own ("Invalid input"), so say what was expected. */
const EXPECTED: Readonly<Record<string, string>> = { number: 'a number', int: 'a whole number', string: 'a text', boolean: 'true or false', array: 'a list' };

/**
 * Arguments the schema refused, said in the words of the caller: flags and positionals
 * for a command line, keys for a command object (the TUI, MCP).
 */
export function argumentError(
  command: AnyCommand,
  issues: readonly z.core.$ZodIssue[],
  input: Record<string, unknown>,
  via: 'argv' | 'object',
): UsageError {
  const issue = issues[0];
  const key = String(issue.path[0] ?? '');
  const field = command.fields.find((f) => f.key === key);
  if (!field) {
    const unknown = issue.code === 'unrecognized_keys' ? issue.keys.join(', ') : key;
    return new UsageError(`"${command.name}" takes no argument ${unknown} (it takes: ${command.fields.map((f) => f.key).join(', ')})`);
  }
  const label = via === 'object' ? key : field.flag ? `--${field.flag}` : key.toUpperCase();
  // A list's issue points at the bad element: --status done,bogus.
  const at = issue.path[1];
  const value: unknown = input[key];
  const given: unknown = typeof at === 'number' && Array.isArray(value) ? value[at] : value;
  const shown = typeof given === 'string' || typeof given === 'number' ? String(given) : undefined;
  if (field.values && typeof given === 'string') {
    return new UsageError(`${label}: "${given}" is not one of ${field.values.join(', ')}`, undefined, nearest(given, field.values));
  }
  if (issue.code === 'invalid_type' && value === undefined) {
    return new UsageError(`"${command.name}" needs ${label}${field.flag && via === 'argv' ? ` ${field.placeholder}` : ''} (${field.description})`);
  }
  if (issue.code === 'invalid_type') {
    const expected = EXPECTED[issue.expected] ?? issue.expected;
    return new UsageError(`${label}: expected ${expected}${shown === undefined ? '' : `, not "${shown}"`}`);
  }
  return new UsageError(`${label}: ${issue.message}`);
}
