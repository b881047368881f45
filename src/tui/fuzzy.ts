// Fuzzy matching for pickers: the query's characters in order, anywhere in the text
// (as fzf does), compared in one form (normalise: "wide" finds "ｗｉｄｅ"). Contiguous runs,
// word starts and an early first hit score higher. Pure.
import { normalise } from '../domain/normalise.js';

/** A score (higher is better), or -1 when `query` is not a subsequence of `text`. */
export function fuzzyScore(query: string, text: string): number {
  if (!query) return 0;
  const q = normalise(query);
  const t = normalise(text);
  let score = 0;
  let at = -1;
  let run = 0;
  for (const char of q) {
    if (char === ' ') continue;
    const found = t.indexOf(char, at + 1);
    if (found < 0) return -1;
    run = found === at + 1 ? run + 1 : 0;
    const wordStart = found === 0 || /[\s_\-./:]/.test(t[found - 1]);
    score += 1 + run * 2 + (wordStart ? 3 : 0);
    at = found;
  }
  // A whole-word prefix beats a scattered match; shorter texts beat longer ones.
  if (t.startsWith(q)) score += 10;
  return score - t.length / 100;
}

/** The items matching `query`, best first (ties keep their order), at most `limit`. */
export function fuzzyFilter<T>(items: readonly T[], query: string, text: (item: T) => string, limit = 500): T[] {
  if (!query.trim()) return items.slice(0, limit);
  const scored: Array<{ item: T; score: number; i: number }> = [];
  items.forEach((item, i) => {
    const score = fuzzyScore(query, text(item));
    if (score >= 0) scored.push({ item, score, i });
  });
  scored.sort((a, b) => b.score - a.score || a.i - b.i);
  return scored.slice(0, limit).map((s) => s.item);
}
