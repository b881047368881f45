// Text or argv → a command object, or a usage error that says what was expected where
// and suggests the nearest word. Pure: no I/O, no store.
import { FlowError } from '../domain/errors.js';
import {
  commandName,
  GLOBAL_FLAGS,
  type CommandSpec,
  type FlagSpec,
  type GlobalOptions,
} from './spec.js';
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

export interface ParsedCommand {
  spec: CommandSpec;
  args: Record<string, unknown>;
  globals: GlobalOptions;
}

/** No command words at all (just global flags, or nothing). */
export interface ParsedNothing {
  spec: undefined;
  globals: GlobalOptions;
}

export const VERB_SYNONYMS: Readonly<Record<string, string>> = {
  ls: 'list',
  new: 'add',
  remove: 'rm',
  delete: 'rm',
  del: 'rm',
  mv: 'move',
  edit: 'set',
  complete: 'done',
  finish: 'done',
  '?': 'help',
};

export const NOUN_SYNONYMS: Readonly<Record<string, string>> = {
  flows: 'flow',
  plans: 'plan',
  tasks: 'task',
  docs: 'doc',
  document: 'doc',
  documents: 'doc',
  snapshots: 'snapshot',
  snap: 'snapshot',
  cfg: 'config',
  ctx: 'context',
};

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

export class CommandTable {
  private readonly byName = new Map<string, CommandSpec>();
  readonly verbs = new Set<string>();
  readonly nouns = new Set<string>();

  constructor(readonly commands: readonly CommandSpec[]) {
    for (const spec of commands) {
      const names = [commandName(spec), ...(spec.aliases ?? [])];
      for (const name of names) {
        if (this.byName.has(name)) throw new Error(`internal: command ${name} defined twice`);
        this.byName.set(name, spec);
      }
      this.verbs.add(spec.verb);
      if (spec.noun) this.nouns.add(spec.noun);
      for (const alias of spec.aliases ?? []) this.verbs.add(alias.split(' ')[0]);
    }
  }

  lookup(verb: string, noun?: string): CommandSpec | undefined {
    return this.byName.get(noun ? `${verb} ${noun}` : verb);
  }

  /** Nouns that go with a verb, for messages and completion. */
  nounsFor(verb: string): string[] {
    const out: string[] = [];
    for (const name of this.byName.keys()) {
      const [v, n] = name.split(' ');
      if (v === verb && n && !out.includes(n)) out.push(n);
    }
    return out;
  }

  /** Verbs that go with a noun. */
  verbsFor(noun: string): string[] {
    const out: string[] = [];
    for (const name of this.byName.keys()) {
      const [v, n] = name.split(' ');
      if (n === noun && !out.includes(v)) out.push(v);
    }
    return out;
  }

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

  private verb(word: string): string {
    const lower = word.toLowerCase();
    return VERB_SYNONYMS[lower] ?? lower;
  }

  private noun(word: string): string {
    const lower = word.toLowerCase();
    return NOUN_SYNONYMS[lower] ?? lower;
  }

  /** prompt: the words were typed at the prompt, where `/flow` or `flow` may lead. */
  parseTokens(tokens: readonly Token[], prompt = false): ParsedCommand | ParsedNothing {
    const globals: GlobalOptions = {};
    const rest: Array<Token & { index: number }> = [];
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
      const value = takeValue(spec, name, flag.value, tokens, i);
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
    // A leading "flow" is the program's name only when a whole command follows it
    // ("flow add task x"); "flow list" is the noun-first form of "list flow".
    if (
      prompt &&
      rest.length > 1 &&
      !rest[0].quoted &&
      rest[0].text === 'flow' &&
      this.verbs.has(this.verb(rest[1].text)) &&
      (rest.length > 2 || this.lookup(this.verb(rest[1].text)))
    ) {
      rest.shift();
    }
    if (rest.length === 0) return { spec: undefined, globals };

    if (asFlag(rest[0])) {
      throw new UsageError(`expected a verb before ${rest[0].text}`, rest[0].index);
    }
    // "config list", "task add": the noun first is understood too.
    if (
      rest.length > 1 &&
      !this.verbs.has(this.verb(rest[0].text)) &&
      this.nouns.has(this.noun(rest[0].text)) &&
      this.lookup(this.verb(rest[1].text), this.noun(rest[0].text))
    ) {
      rest.splice(0, 2, rest[1], rest[0]);
    }
    const first = rest[0];
    const verb = this.verb(first.text);
    if (!this.verbs.has(verb)) {
      throw new UsageError(
        `unknown verb "${first.text}" (expected one of: ${[...this.verbs].join(', ')})`,
        first.index,
        nearest(verb, [...this.verbs, ...Object.keys(VERB_SYNONYMS)]),
      );
    }
    let spec: CommandSpec | undefined;
    let argStart = 1;
    const second = rest[1];
    const nouns = this.nounsFor(verb);
    if (second && !asFlag(second) && nouns.includes(this.noun(second.text))) {
      spec = this.lookup(verb, this.noun(second.text));
      argStart = 2;
    } else {
      spec = this.lookup(verb);
      if (!spec) {
        if (!second || asFlag(second)) {
          // `flow add --help` is `flow help add`; the flag is used up, or the caller would show
          // help for the help command itself.
          if (globals.help) return { spec: this.lookup('help') as CommandSpec, args: { verb }, globals: { ...globals, help: false } };
          throw new UsageError(
            `"${verb}" needs a noun (one of: ${nouns.join(', ')})`,
            second?.index ?? tokens.length,
          );
        }
        const noun = this.noun(second.text);
        const suggestion = nearest(noun, nouns);
        const hint = this.nouns.has(noun)
          ? `"${verb} ${noun}" is not a command (${noun} takes: ${this.verbsFor(noun).join(', ')})`
          : `unknown noun "${second.text}" after "${verb}" (expected one of: ${nouns.join(', ')})`;
        throw new UsageError(hint, second.index, suggestion ? `${verb} ${suggestion}` : undefined);
      }
    }
    if (!spec) throw new Error('internal: no command resolved');
    if (globals.help) return { spec, args: {}, globals };
    const args = this.bindArguments(spec, rest.slice(argStart), tokens.length);
    const parsed = spec.args.safeParse(args);
    if (!parsed.success) throw usageFromIssues(spec, parsed.error.issues, args);
    return { spec, args: parsed.data as Record<string, unknown>, globals };
  }

  private bindArguments(
    spec: CommandSpec,
    words: ReadonlyArray<Token & { index: number }>,
    end: number,
  ): Record<string, unknown> {
    const args: Record<string, unknown> = {};
    const flags = spec.flags ?? {};
    const positionals = spec.positionals ?? [];
    const values: Array<Token & { index: number }> = [];
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
      const flagSpec = flags[name];
      if (!flagSpec) {
        const known = Object.keys(flags);
        // As typed: `-y` is not `--y`.
        const given = token.text.split('=')[0];
        throw new UsageError(
          known.length
            ? `unknown flag ${given} for "${commandName(spec)}" (it takes: ${known.map((k) => `--${k}`).join(' ')})`
            : `"${commandName(spec)}" takes no flags (got ${given})`,
          token.index,
          nearest(flag.name, known) ? `--${nearest(flag.name, known)}` : undefined,
        );
      }
      const value = takeValue(flagSpec, name, flag.value, words.map((w) => w), i, token.index);
      i += value.consumed;
      if (flagSpec.type === 'list' || flagSpec.type === 'multi') {
        const list = (args[name] as string[] | undefined) ?? [];
        const raw = String(value.value);
        if (flagSpec.type === 'multi') list.push(raw);
        else list.push(...raw.split(',').map((s) => s.trim()).filter(Boolean));
        args[name] = list;
      } else {
        if (name in args) throw new UsageError(`--${name} given twice`, token.index);
        args[name] = value.value;
      }
    }
    let next = 0;
    for (const positional of positionals) {
      if (positional.variadic) {
        const taken = values.slice(next);
        next = values.length;
        if (taken.length) args[positional.name] = taken.map((t) => t.text);
      } else if (next < values.length) {
        args[positional.name] = values[next++].text;
      }
      if (positional.required && args[positional.name] === undefined) {
        throw new UsageError(
          `"${commandName(spec)}" needs ${positional.name.toUpperCase()} (${positional.description})`,
          end,
        );
      }
    }
    if (next < values.length) {
      const extra = values[next];
      throw new UsageError(
        `unexpected argument "${extra.text}" for "${commandName(spec)}"` +
          (positionals.length ? ` (it takes ${positionals.map((p) => p.name.toUpperCase()).join(' ')})` : ''),
        extra.index,
      );
    }
    return args;
  }
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

function takeValue(
  spec: FlagSpec,
  name: string,
  inline: string | undefined,
  tokens: readonly Token[],
  i: number,
  index = i,
): { value: unknown; consumed: number } {
  if (spec.type === 'boolean') {
    if (inline === undefined) return { value: true, consumed: 0 };
    if (/^(true|yes|1)$/i.test(inline)) return { value: true, consumed: 0 };
    if (/^(false|no|0)$/i.test(inline)) return { value: false, consumed: 0 };
    throw new UsageError(`--${name} is a switch; it takes true or false, not "${inline}"`, index);
  }
  if (inline !== undefined) return { value: inline, consumed: 0 };
  const next = tokens[i + 1];
  if (!next || asFlag(next)) {
    const placeholder = spec.placeholder ?? 'VALUE';
    throw new UsageError(
      `--${name} needs a value (${placeholder}${spec.values ? `: one of ${spec.values.join(', ')}` : ''})`,
      index + 1,
    );
  }
  return { value: next.text, consumed: 1 };
}

interface Issue {
  path: PropertyKey[];
  message: string;
  code?: string;
  values?: unknown[];
  input?: unknown;
  expected?: string;
}

/** zod/mini gives no messages of its own ("Invalid input"), so say what was expected. */
const EXPECTED: Readonly<Record<string, string>> = { number: 'a number', int: 'a whole number' };

function usageFromIssues(spec: CommandSpec, issues: readonly Issue[], args: Record<string, unknown>): UsageError {
  const issue = issues[0];
  const key = String(issue.path[0] ?? '');
  const isFlag = !!spec.flags?.[key];
  const label = isFlag ? `--${key}` : key.toUpperCase();
  // A list flag's issue points at the bad element: --status done,bogus.
  const at = issue.path[1];
  const given = typeof at === 'number' && Array.isArray(args[key]) ? (args[key] as unknown[])[at] : args[key];
  const allowed =
    spec.flags?.[key]?.values ?? spec.positionals?.find((p) => p.name === key)?.values ?? (issue.values as string[] | undefined);
  if (allowed && typeof given === 'string') {
    return new UsageError(
      `${label}: "${given}" is not one of ${allowed.join(', ')}`,
      undefined,
      nearest(given, allowed),
    );
  }
  if (issue.code === 'invalid_type' && issue.expected && typeof given === 'string') {
    return new UsageError(`${label}: expected ${EXPECTED[issue.expected] ?? issue.expected}, not "${given}"`);
  }
  return new UsageError(`${label}: ${issue.message}`);
}
