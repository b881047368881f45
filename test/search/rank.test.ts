// The ranking is BM25+ as MiniSearch 7 computes it (the library the index used before it
// had its own layout): the same items found, with the same scores, for the same queries.
import MiniSearch from 'minisearch';
import { describe, expect, it } from 'vitest';
import { rank, termSpecs, type Layer } from '../../src/search/rank.js';
import { SegmentBuilder, SegmentReader, type IndexItem } from '../../src/search/segment.js';
import { indexTerms, queryGroups } from '../../src/search/tokenize.js';

/** A deterministic generator (mulberry32). */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Words that all start with the same letter and differ by a letter or two, so prefixes
// and typos match many of them (typos count after the first letter: see rank.ts).
const rand = random(7);
const vocabulary = Array.from({ length: 300 }, () => `q${Array.from({ length: 2 + Math.floor(rand() * 5) }, () => 'abcde'[Math.floor(rand() * 5)]).join('')}`);
const words = (n: number) => Array.from({ length: n }, () => vocabulary[Math.floor(rand() ** 2 * vocabulary.length)]).join(' ');
const items: IndexItem[] = Array.from({ length: 600 }, (_, i) => ({ kind: 'task', record: ['item', i], title: words(1 + Math.floor(rand() * 4)), text: words(Math.floor(rand() * 60)) }));

const mini = new MiniSearch<{ id: number; title: string; text: string }>({ fields: ['title', 'text'], tokenize: indexTerms, processTerm: (t) => t });
mini.addAll(items.map((item, id) => ({ id, title: item.title, text: item.text })));

/** MiniSearch over the same items, queried as flow queried it. */
function miniSearchScores(query: string): Map<number, number> {
  const groups = queryGroups(query);
  const results = mini.search(
    { combineWith: 'AND', queries: groups.map((g) => ({ queries: g.terms, fuzzy: g.terms[0].length > 3 ? 0.2 : false })) },
    { prefix: true, boost: { title: 2 }, tokenize: (t) => [t], processTerm: (t) => t },
  );
  // MiniSearch multiplies every score by the number of query words matched: all of them here.
  const words = new Set(groups.flatMap((g) => g.terms)).size;
  return new Map(results.map((r) => [r.id as number, r.score / words]));
}

function layers(...parts: IndexItem[][]): Layer[] {
  let first = 0;
  return parts.map((part) => {
    const builder = new SegmentBuilder();
    for (const item of part) builder.add(item);
    const layer = { reader: SegmentReader.fromBytes(builder.encode(null, {})), first };
    first += part.length;
    return layer;
  });
}

function totals(of: Layer[]) {
  return {
    items: of.reduce((n, l) => n + l.reader.items, 0),
    lengths: [0, 1].map((f) => of.reduce((n, l) => n + l.reader.header.lengths[f], 0)) as [number, number],
  };
}

const queries = ['qab', 'qabc', 'qcdea', 'qe', 'qab qcd', 'qbacd qeed', 'qdddd'];

describe('ranking', () => {
  for (const split of [items.length, 400]) {
    it(`scores as MiniSearch does${split < items.length ? ', over a base and a second segment' : ''}`, () => {
      const segments = layers(items.slice(0, split), items.slice(split));
      let compared = 0;
      for (const query of queries) {
        const expected = miniSearchScores(query);
        const ranking = [...rank(segments, termSpecs(query), totals(segments))];
        expect(new Set(ranking.map((r) => r.item)), query).toEqual(new Set(expected.keys()));
        for (const { item, score } of ranking) expect(score, `${query}: item ${item}`).toBeCloseTo(expected.get(item) as number, 9);
        // Best first.
        expect(ranking.map((r) => r.score)).toEqual([...ranking.map((r) => r.score)].sort((a, b) => b - a));
        compared += ranking.length;
      }
      expect(compared).toBeGreaterThan(100);
    });
  }
});
