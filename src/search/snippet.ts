// A snippet: the piece of a text around the first place a query matches, on one line.
import { normalise } from '../domain/normalise.js';
import { bigrams, isCjk } from './tokenize.js';

export interface Snippet {
  text: string;
  /** Where the match is in `text` ([start, end) in UTF-16 units), when there is one. */
  match: [number, number] | null;
}

const WIDTH = 90;

function firstOf(haystack: string, needles: readonly string[]): { at: number; length: number } | undefined {
  let best: { at: number; length: number } | undefined;
  for (const needle of needles) {
    const at = haystack.indexOf(needle);
    if (at >= 0 && (!best || at < best.at)) best = { at, length: needle.length };
  }
  return best;
}

export function snippet(text: string, query: string): Snippet {
  const flat = text.replace(/\s+/g, ' ').trim();
  const lower = normalise(flat);
  const words = normalise(query).split(/[\s\p{P}\p{S}]+/u).filter(Boolean);
  // The query's words as typed; failing that (a CJK word found by its pairs), its pairs.
  const found = firstOf(lower, words) ?? firstOf(lower, words.filter(isCjk).flatMap(bigrams));
  // normalise() keeps the length of almost all text; when it did not, offsets would lie.
  if (!found || lower.length !== flat.length) return { text: cut(flat, 0), match: null };
  const start = Math.max(0, found.at - Math.floor((WIDTH - found.length) / 3));
  const shown = cut(flat, start);
  const at = found.at - start + (start > 0 ? 1 : 0);
  return { text: shown, match: [at, at + found.length] };
}

function cut(text: string, start: number): string {
  const end = Math.min(text.length, start + WIDTH);
  return `${start > 0 ? '…' : ''}${text.slice(start, end)}${end < text.length ? '…' : ''}`;
}
