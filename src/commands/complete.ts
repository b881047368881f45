// Tab completion for the prompt, from the parser's word classes (words.ts). Pure: object
// ids come from a callback, so the TUI supplies what it has loaded.
import { CONFIG_KEYS } from '../config/config.js';
import type { RefKind } from './args.js';
import type { Field } from './define.js';
import type { CommandTable } from './parse.js';
import { quoteWord } from './tokenize.js';
import { classifyLine, type Expectation } from './words.js';

export interface CompletionResult {
  /** Offset in the line where the word being completed starts. */
  from: number;
  /** Full replacement words (already quoted for the prompt). */
  candidates: string[];
}

/** Ids of objects of a kind that start with a prefix, from whatever the caller has loaded. */
export type IdSource = (kind: RefKind, prefix: string) => string[];

function startsWith(prefix: string) {
  return (word: string) => word.toLowerCase().startsWith(prefix.toLowerCase());
}

function valuesFor(table: CommandTable, field: Field, prefix: string, ids: IdSource): string[] {
  if (field.values) return field.values.filter(startsWith(prefix));
  if (field.complete === 'config-key') return Object.keys(CONFIG_KEYS).filter(startsWith(prefix));
  if (field.complete === 'verb') return [...table.verbs, ...table.nouns].filter(startsWith(prefix));
  if (field.complete === 'noun') return [...table.nouns].filter(startsWith(prefix));
  if (field.ref) return ids(field.ref, prefix);
  return [];
}

function candidates(table: CommandTable, expectation: Expectation, prefix: string, ids: IdSource): string[] {
  switch (expectation.what) {
    case 'verb':
    case 'noun':
      return expectation.words.filter(startsWith(prefix));
    case 'flag':
      return prefix.startsWith('-') ? expectation.flags.filter(startsWith(prefix)) : [];
    case 'value':
      return valuesFor(table, expectation.field, prefix, ids);
  }
}

export function complete(table: CommandTable, line: string, ids: IdSource): CompletionResult {
  const words = classifyLine(table, line);
  const found = words.expects.flatMap((e) => candidates(table, e, words.prefix, ids));
  return { from: words.from, candidates: [...new Set(found)].sort().map(quoteWord) };
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
