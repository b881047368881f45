// Tab completion for the prompt, from the parser's word classes (candidates.ts). Pure:
// object ids come from a callback, so the TUI supplies what it has loaded.
import { CONFIG_KEYS } from '../config/config.js';
import type { RefKind } from './args.js';
import { candidatesAt } from './candidates.js';
import type { CommandTable } from './parse.js';
import { quoteWord } from './tokenize.js';

export interface CompletionResult {
  /** Offset in the line where the word being completed starts. */
  from: number;
  /** Full replacement words (already quoted for the prompt). */
  candidates: string[];
}

/** Ids of objects of a kind that start with a prefix, from whatever the caller has loaded. */
export type IdSource = (kind: RefKind, prefix: string) => string[];

export function complete(table: CommandTable, line: string, ids: IdSource): CompletionResult {
  const found = candidatesAt(table, line, (kind, prefix) =>
    kind === 'config-key'
      ? Object.keys(CONFIG_KEYS)
          .filter((key) => key.startsWith(prefix))
          .map((value) => ({ value }))
      : ids(kind, prefix).map((value) => ({ value })),
  );
  return { from: found.from, candidates: found.items.map((c) => c.value).sort().map(quoteWord) };
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
