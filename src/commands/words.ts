// What the words of a partial line are, in the parser's own terms: the verb and noun
// (either order), the command they name, and what the word being typed can be — a verb,
// a noun, a flag, or the value of a positional or a flag, with its kind (reference kind,
// allowed values). Pure; completion and the TUI's suggestions are built on it.
import type { CommandWords } from './command-words.js';
import type { CommandShape, Field } from './define.js';
import { GLOBAL_FLAGS } from './globals.js';
import { tokenize, TokenizeError, type Token } from './tokenize.js';

export type Expectation =
  | { what: 'verb'; words: readonly string[] }
  | { what: 'noun'; words: readonly string[] }
  /** Flags of the command and the global ones, as typed: `--plan`. */
  | { what: 'flag'; flags: readonly string[] }
  | { what: 'value'; field: Field };

export interface LineWords<C extends CommandShape = CommandShape> {
  /** Offset in the line where the word being typed starts. */
  from: number;
  /** What of that word is typed so far. */
  prefix: string;
  /** The command the words before it name, once they name one. */
  command?: C;
  /** What the word being typed can be; empty when nothing fits. */
  expects: Expectation[];
}

/** A flag as the tokenizer gives it, or undefined for a plain word. */
function flagName(token: Token): { name: string; inline: boolean } | undefined {
  if (token.quoted) return undefined;
  if (token.text === '-h') return { name: 'help', inline: false };
  if (token.text === '-y') return { name: 'yes', inline: false };
  if (!token.text.startsWith('--') || token.text.length <= 2) return undefined;
  const eq = token.text.indexOf('=');
  return { name: token.text.slice(2, eq < 0 ? undefined : eq), inline: eq >= 0 };
}

/** Where the words name a command, how the remaining words bind, and what comes next. */
export function classifyLine<C extends CommandShape>(table: CommandWords<C>, line: string): LineWords<C> {
  let tokens: Token[];
  try {
    tokens = tokenize(line);
  } catch (err) {
    if (err instanceof TokenizeError) return { from: line.length, prefix: '', expects: [] };
    throw err;
  }
  const endsInSpace = line.length === 0 || /\s$/.test(line);
  const current: Token = endsInSpace ? { text: '', start: line.length, quoted: false } : tokens[tokens.length - 1];
  const words = endsInSpace ? tokens : tokens.slice(0, -1);
  if (words[0] && !words[0].quoted && words[0].text === '/flow') words.shift();
  if (table.programName([...words, current])) words.shift();
  const at = { from: current.start, prefix: current.text };

  const head: string[] = [];
  let command: C | undefined;
  let positionals = 0;
  // The field whose value the word being typed is, when the word before is its flag.
  let valueOf: Field | 'global' | undefined;
  for (let i = 0; i < words.length; i++) {
    const flag = flagName(words[i]);
    if (flag) {
      const global = GLOBAL_FLAGS[flag.name];
      const field = command ? table.flags(command).get(flag.name) : undefined;
      const takesValue = global ? global.type !== 'boolean' : !!field && field.kind !== 'switch';
      if (takesValue && !flag.inline) {
        if (i === words.length - 1) valueOf = field ?? 'global';
        i++;
      }
      continue;
    }
    if (command) {
      positionals++;
      continue;
    }
    head.push(words[i].text);
    command = identify(table, head);
    // `help add`: a verb-only command whose first positional followed it.
    if (command && head.length === 2 && !command.noun) positionals++;
  }

  if (valueOf) return { ...at, command, expects: valueOf === 'global' ? [] : [{ what: 'value', field: valueOf }] };
  if (!command) return { ...at, expects: commandWords(table, head) };
  const flags: Expectation = {
    what: 'flag',
    flags: [...table.flags(command).keys(), ...Object.keys(GLOBAL_FLAGS)].map((f) => `--${f}`),
  };
  if (at.prefix.startsWith('-')) return { ...at, command, expects: [flags] };
  const fields = command.fields.filter((f) => f.position !== undefined);
  const next = fields[Math.min(positionals, fields.length - 1)];
  const open = next && (positionals < fields.length || next.rest);
  return { ...at, command, expects: open ? [{ what: 'value', field: next }, flags] : [flags] };
}

/** The command the first words name, verb first or noun first, if they name one yet. */
function identify<C extends CommandShape>(table: CommandWords<C>, head: readonly string[]): C | undefined {
  const [first, second] = head;
  const verb = table.verb(first);
  if (head.length === 1) return table.nounsFor(verb).length ? undefined : table.lookup(verb);
  if (table.nounFirst(first, second)) return table.lookup(table.verb(second), table.noun(first));
  const noun = table.noun(second);
  return table.nounsFor(verb).includes(noun) ? table.lookup(verb, noun) : table.lookup(verb);
}

/** Before a command is named: a verb, or the noun after a verb, or the verb after a noun. */
function commandWords(table: CommandWords, head: readonly string[]): Expectation[] {
  if (head.length === 0) return [{ what: 'verb', words: [...table.verbs] }];
  if (head.length > 1) return [];
  const verb = table.verb(head[0]);
  if (table.verbs.has(verb)) return [{ what: 'noun', words: table.nounsFor(verb) }];
  const noun = table.noun(head[0]);
  if (!table.nouns.has(noun)) return [];
  // "flow" is the noun and also the program's name, after which any verb may come.
  return [{ what: 'verb', words: noun === 'flow' ? [...table.verbs] : table.verbsFor(noun) }];
}
