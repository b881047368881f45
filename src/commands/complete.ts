// Tab completion for the prompt, from the same command table the parser uses. Pure:
// object ids come from a callback, so the TUI supplies what it has loaded.
import { CONFIG_KEYS } from '../config/config.js';
import type { CommandTable } from './parse.js';
import { NOUN_SYNONYMS, VERB_SYNONYMS } from './parse.js';
import { GLOBAL_FLAGS, type Completion, type FlagSpec } from './spec.js';
import { quoteWord, tokenize, TokenizeError } from './tokenize.js';

export interface CompletionResult {
  /** Offset in the line where the word being completed starts. */
  from: number;
  /** Full replacement words (already quoted for the prompt). */
  candidates: string[];
}

export type IdSource = (kind: Completion, prefix: string) => string[];

function startsWith(prefix: string) {
  return (word: string) => word.toLowerCase().startsWith(prefix.toLowerCase());
}

function valuesFor(
  table: CommandTable,
  spec: { values?: readonly string[]; complete?: Completion },
  prefix: string,
  ids: IdSource,
): string[] {
  if (spec.values) return spec.values.filter(startsWith(prefix));
  if (spec.complete === 'config-key') return Object.keys(CONFIG_KEYS).filter(startsWith(prefix));
  if (spec.complete === 'verb') return [...table.verbs, ...table.nouns].filter(startsWith(prefix));
  if (spec.complete === 'noun') return [...table.nouns].filter(startsWith(prefix));
  if (spec.complete) return ids(spec.complete, prefix);
  return [];
}

export function complete(table: CommandTable, line: string, ids: IdSource): CompletionResult {
  let tokens;
  try {
    tokens = tokenize(line);
  } catch (err) {
    if (err instanceof TokenizeError) return { from: line.length, candidates: [] };
    throw err;
  }
  const endsInSpace = line.length === 0 || /\s$/.test(line);
  const current = endsInSpace ? { text: '', start: line.length } : tokens[tokens.length - 1];
  const before = (endsInSpace ? tokens : tokens.slice(0, -1)).map((t) => t.text);
  while (before[0] === '/flow' || (before[0] === 'flow' && before.length > 1)) before.shift();
  const words = before.filter((w) => !w.startsWith('--'));
  const prefix = current.text;
  const result = (candidates: string[]) => ({
    from: current.start,
    candidates: [...new Set(candidates)].sort().map(quoteWord),
  });

  const verb = words[0] ? (VERB_SYNONYMS[words[0]] ?? words[0]) : undefined;
  if (!verb) return result([...table.verbs].filter(startsWith(prefix)));
  const nouns = table.nounsFor(verb);
  const nounWord = words[1] ? (NOUN_SYNONYMS[words[1]] ?? words[1]) : undefined;
  if (words.length === 1 && nouns.length && !prefix.startsWith('--')) {
    return result(nouns.filter(startsWith(prefix)));
  }
  const spec = (nounWord && table.lookup(verb, nounWord)) || table.lookup(verb);
  if (!spec) return result([]);
  const flags: Record<string, FlagSpec> = { ...(spec.flags ?? {}), ...GLOBAL_FLAGS };

  // A value for the flag just before?
  const last = before[before.length - 1];
  if (last?.startsWith('--') && !last.includes('=')) {
    const flag = flags[last.slice(2)];
    if (flag && flag.type !== 'boolean') return result(valuesFor(table, flag, prefix, ids));
  }
  if (prefix.startsWith('-')) {
    return result(Object.keys(flags).map((f) => `--${f}`).filter(startsWith(prefix)));
  }
  // Positionals: count the words after the command name that are not flag values.
  let index = 0;
  const afterName = before.slice(spec.noun ? 2 : 1);
  for (let i = 0; i < afterName.length; i++) {
    const word = afterName[i];
    if (word.startsWith('--')) {
      const flag = flags[word.slice(2).split('=')[0]];
      if (flag && flag.type !== 'boolean' && !word.includes('=')) i++;
      continue;
    }
    index++;
  }
  const positionals = spec.positionals ?? [];
  const positional = positionals[Math.min(index, positionals.length - 1)];
  if (!positional || (index >= positionals.length && !positional.variadic)) return result([]);
  return result(valuesFor(table, positional, prefix, ids));
}

/** The longest prefix all candidates share (what Tab inserts when there are several). */
export function commonPrefix(words: readonly string[]): string {
  if (!words.length) return '';
  let prefix = words[0];
  for (const word of words) {
    while (!word.startsWith(prefix)) prefix = prefix.slice(0, -1);
  }
  return prefix;
}
