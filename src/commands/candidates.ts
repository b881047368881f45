// What may come next on a partial line, for the prompt's Tab and the shells' completion:
// the parser's word classes (words.ts) turned into candidates. Pure: values that live in
// the store or in settings come from the caller, which knows what it has loaded.
import type { RefKind } from './args.js';
import type { CommandWords } from './command-words.js';
import type { CommandShape, Field } from './define.js';
import { classifyLine, type Expectation } from './words.js';

export interface Candidate {
  value: string;
  /** A few words about it (a task's title beside its number), for shells that show them. */
  description?: string;
}

/** Values of a kind the caller has: references, or the names of settings. */
export type ValueSource = (kind: RefKind | 'config-key', prefix: string) => readonly Candidate[];

export interface Candidates {
  /** Offset in the line where the word being completed starts. */
  from: number;
  /** What of that word is typed so far (unquoted). */
  prefix: string;
  items: Candidate[];
}

const startsWith = (prefix: string) => (word: string) => word.toLowerCase().startsWith(prefix.toLowerCase());
const words = (list: Iterable<string>, prefix: string): Candidate[] => [...list].filter(startsWith(prefix)).map((value) => ({ value }));

function values(table: CommandWords, field: Field, prefix: string, source: ValueSource): readonly Candidate[] {
  if (field.values) return words(field.values, prefix);
  if (field.suggest) return words(field.suggest, prefix);
  if (field.complete === 'config-key') return source('config-key', prefix);
  if (field.complete === 'verb') return words([...table.verbs, ...table.nouns], prefix);
  if (field.complete === 'noun') return words(table.nouns, prefix);
  if (field.ref) return source(field.ref, prefix);
  return [];
}

/** A comma-separated list completes its last item: `todo,bl` → `todo,blocked`, not again what it has. */
function listValues(table: CommandWords, field: Field, prefix: string, source: ValueSource): readonly Candidate[] {
  const comma = prefix.lastIndexOf(',');
  if (!field.commas || comma < 0) return values(table, field, prefix, source);
  const head = prefix.slice(0, comma + 1);
  const given = new Set(head.split(','));
  return values(table, field, prefix.slice(comma + 1), source)
    .filter((c) => !given.has(c.value))
    .map((c) => ({ ...c, value: head + c.value }));
}

function forExpectation(table: CommandWords, expectation: Expectation, prefix: string, source: ValueSource): readonly Candidate[] {
  switch (expectation.what) {
    case 'verb':
    case 'noun':
      return words(expectation.words, prefix);
    case 'flag':
      return prefix.startsWith('-') ? words(expectation.flags, prefix) : [];
    case 'value':
      return listValues(table, expectation.field, prefix, source);
  }
}

export function candidatesAt<C extends CommandShape>(table: CommandWords<C>, line: string, source: ValueSource): Candidates {
  const classified = classifyLine(table, line);
  const seen = new Set<string>();
  const items = classified.expects
    .flatMap((e) => forExpectation(table, e, classified.prefix, source))
    .filter((c) => !seen.has(c.value) && !!seen.add(c.value));
  return { from: classified.from, prefix: classified.prefix, items };
}
