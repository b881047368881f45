// Ranking (issue 13 item 6): BM25+ as MiniSearch computes it (k 1.2, b 0.7, d 0.5; the
// title weighs twice the text), with a query's words found by prefix and with typos
// (after the first character), and every word required. It runs over the segments of
// the cache directly: only the dictionary parts and the postings of the terms a query
// matches are read.
import { partOf, type FieldPostings, type SegmentReader, type TermEntry } from './segment.js';
import { queryGroups } from './tokenize.js';

/** One word of a query: its term, whether longer terms starting with it count, how many typos. */
export interface TermSpec {
  term: string;
  prefix: boolean;
  typos: number;
}

/** A segment as a search sees it: where its items are numbered from, and which are still live. */
export interface Layer {
  reader: SegmentReader;
  first: number;
  /** Items replaced since the segment was written (1 = replaced), absent when none are. */
  replaced?: Uint8Array;
}

export interface Totals {
  items: number;
  lengths: [number, number];
}

const K = 1.2;
const B = 0.7;
const D = 0.5;
const FIELD_BOOST = [2, 1];
const PREFIX_WEIGHT = 0.375;
const FUZZY_WEIGHT = 0.45;
const MAX_TYPOS = 6;

/**
 * The words of a query as terms that must all match: an ordinary word by prefix and,
 * from four characters on, with a typo per five characters; a CJK word is each of its
 * character pairs, exactly (by prefix only when it is a single character or pair).
 */
export function termSpecs(query: string): TermSpec[] {
  return queryGroups(query).flatMap((group) =>
    group.cjk
      ? group.terms.map((term) => ({ term, prefix: group.terms.length === 1, typos: 0 }))
      : group.terms.map((term) => ({ term, prefix: true, typos: term.length > 3 ? Math.min(MAX_TYPOS, Math.round(term.length * 0.2)) : 0 })),
  );
}

function lowerBound(terms: readonly string[], term: string): number {
  let lo = 0;
  let hi = terms.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (terms[mid] < term) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

let rows = [new Int32Array(64), new Int32Array(64)];

/** The edit distance of a and b when it is at most `max`, else max + 1. */
export function editDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  if (rows[0].length <= b.length) rows = [new Int32Array(b.length * 2 + 2), new Int32Array(b.length * 2 + 2)];
  let [previous, row] = rows;
  for (let j = 0; j <= b.length; j++) previous[j] = j;
  for (let i = 1; i <= a.length; i++) {
    row[0] = i;
    let best = i;
    const code = a.charCodeAt(i - 1);
    for (let j = 1; j <= b.length; j++) {
      const value = Math.min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (code === b.charCodeAt(j - 1) ? 0 : 1));
      row[j] = value;
      if (value < best) best = value;
    }
    if (best > max) return max + 1;
    [previous, row] = [row, previous];
  }
  return previous[b.length];
}

/** The terms of one segment a word matches, with the weight of each (exact 1, prefix and typo less). */
function matchesIn(reader: SegmentReader, spec: TermSpec): Array<{ entry: TermEntry; weight: number }> {
  const part = reader.part(partOf(spec.term));
  const { terms } = part;
  const out: Array<{ entry: TermEntry; weight: number }> = [];
  const { term } = spec;
  for (let i = lowerBound(terms, term); i < terms.length && terms[i].startsWith(term); i++) {
    const length = terms[i].length;
    if (terms[i] === term) out.push({ entry: part.entry(i), weight: 1 });
    else if (spec.prefix) out.push({ entry: part.entry(i), weight: (PREFIX_WEIGHT * length) / (length + 0.3 * (length - term.length)) });
  }
  if (spec.typos) {
    // Typos after the first character only: the part read holds the terms that start
    // with it (and a few others that share its part, which are skipped so the rule holds).
    const first = term.codePointAt(0);
    for (let i = 0; i < terms.length; i++) {
      const candidate = terms[i];
      if (Math.abs(candidate.length - term.length) > spec.typos || candidate === term || (spec.prefix && candidate.startsWith(term))) continue;
      if (candidate.codePointAt(0) !== first) continue;
      const distance = editDistance(term, candidate, spec.typos);
      if (distance <= spec.typos) out.push({ entry: part.entry(i), weight: (FUZZY_WEIGHT * candidate.length) / (candidate.length + distance) });
    }
  }
  return out;
}

/** Items with their scores, given out best first (sorted a batch at a time: a search mostly needs the top few). */
export class Ranking {
  private readonly order: Float64Array;
  private taken = 0;

  constructor(
    private readonly items: Int32Array,
    private readonly scores: Float64Array,
  ) {
    this.order = Float64Array.from(scores).sort();
  }

  get size(): number {
    return this.items.length;
  }

  *[Symbol.iterator](): Generator<{ item: number; score: number }> {
    const n = this.items.length;
    let upper = Infinity;
    for (let batch = 64; this.taken < n; batch *= 4) {
      const take = Math.min(n, this.taken + batch);
      const lower = this.order[n - take];
      const chosen: number[] = [];
      for (let i = 0; i < n; i++) if (this.scores[i] >= lower && this.scores[i] < upper) chosen.push(i);
      chosen.sort((a, b) => this.scores[b] - this.scores[a] || this.items[a] - this.items[b]);
      for (const i of chosen) yield { item: this.items[i], score: this.scores[i] };
      this.taken += chosen.length;
      upper = lower;
    }
  }
}

/**
 * The items that match every word, each with its score. Scores use the totals of all
 * live items (`totals`), so the segments' items rank as if in one index.
 */
export function rank(layers: readonly Layer[], specs: readonly TermSpec[], totals: Totals): Ranking {
  const size = layers.reduce((max, l) => Math.max(max, l.first + l.reader.items), 0);
  if (!specs.length || !totals.items || !size) return new Ranking(new Int32Array(0), new Float64Array(0));
  const score = new Float64Array(size);
  const matched = new Uint16Array(size);
  const touched = new Int32Array(size).fill(-1);
  let candidates = new Int32Array(256);
  let found = 0;
  /** B / the average length of each field. */
  const relative = totals.lengths.map((sum) => (sum ? (B * totals.items) / sum : 0));
  for (let s = 0; s < specs.length; s++) {
    // The same term in several segments is one term: its frequencies add up.
    const byTerm = new Map<string, { weight: number; lists: Array<{ layer: Layer; fields: [FieldPostings, FieldPostings] }> }>();
    for (const layer of layers) {
      for (const { entry, weight } of matchesIn(layer.reader, specs[s])) {
        let term = byTerm.get(entry.term);
        if (!term) byTerm.set(entry.term, (term = { weight, lists: [] }));
        term.lists.push({ layer, fields: layer.reader.postings(entry) });
      }
    }
    for (const { weight, lists } of byTerm.values()) {
      for (let field = 0; field < 2; field++) {
        let df = 0;
        for (const { layer, fields } of lists) df += live(fields[field].ids, layer.replaced);
        if (!df) continue;
        const idf = Math.log(1 + (totals.items - df + 0.5) / (df + 0.5));
        const factor = weight * FIELD_BOOST[field] * idf;
        const perLength = relative[field];
        for (const { layer, fields } of lists) {
          const { ids, tf, length } = fields[field];
          const { first, replaced } = layer;
          for (let p = 0; p < ids.length; p++) {
            if (replaced !== undefined && replaced[ids[p]]) continue;
            const item = first + ids[p];
            if (touched[item] !== s) {
              if (matched[item] !== s) continue;
              touched[item] = s;
              matched[item] = s + 1;
              if (s === 0) {
                if (found === candidates.length) {
                  const grown = new Int32Array(found * 2);
                  grown.set(candidates);
                  candidates = grown;
                }
                candidates[found++] = item;
              }
            }
            const f = tf[p];
            score[item] += factor * (D + (f * (K + 1)) / (f + K * (1 - B + perLength * length[p])));
          }
        }
      }
    }
  }
  let kept = 0;
  for (let i = 0; i < found; i++) if (matched[candidates[i]] === specs.length) candidates[kept++] = candidates[i];
  const items = candidates.slice(0, kept);
  return new Ranking(items, Float64Array.from(items, (item) => score[item]));
}

/** How many of `ids` are not replaced. */
function live(ids: Uint32Array, replaced: Uint8Array | undefined): number {
  if (!replaced) return ids.length;
  let n = 0;
  for (let p = 0; p < ids.length; p++) if (!replaced[ids[p]]) n++;
  return n;
}
