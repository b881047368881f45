// Words for the search index. Text is split at spaces and punctuation (as MiniSearch
// does), then runs of CJK script, which are written without spaces (Chinese, Japanese)
// or with particles glued to the word (Korean), are also cut into overlapping pairs of
// characters: "데이터베이스를" is found by "데이터베이스", "数据库设计" by "数据库".
// Korean words are kept whole too, so a prefix of one finds it.
import { normalise } from '../domain/normalise.js';

const SEPARATOR = /[\s\p{P}\p{S}\p{Z}]+/u;
const CJK_RUN = /([\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]+)/u;
const CJK_CHAR = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;
const HANGUL = /^\p{Script=Hangul}+$/u;

export function isCjk(term: string): boolean {
  return CJK_CHAR.test(term);
}

/** Pairs of neighbouring characters of a CJK run (the run itself when it is one character). */
export function bigrams(run: string): string[] {
  const chars = [...run];
  if (chars.length < 2) return chars;
  const out: string[] = [];
  for (let i = 0; i < chars.length - 1; i++) out.push(chars[i] + chars[i + 1]);
  return out;
}

/** The terms of a text as the index stores them. */
export function indexTerms(text: string): string[] {
  const out: string[] = [];
  for (const word of normalise(text).split(SEPARATOR)) {
    if (!word) continue;
    if (!isCjk(word)) {
      out.push(word);
      continue;
    }
    for (const part of word.split(CJK_RUN)) {
      if (!part) continue;
      if (!isCjk(part)) out.push(part);
      else {
        if (HANGUL.test(part) && [...part].length > 1) out.push(part);
        out.push(...bigrams(part));
      }
    }
  }
  return out;
}

/**
 * The words of a query, each a group of terms that must all match: an ordinary word is
 * one term (found by prefix and, when long enough, with a typo); a CJK run is its pairs.
 */
export function queryGroups(query: string): Array<{ terms: string[]; cjk: boolean }> {
  const groups: Array<{ terms: string[]; cjk: boolean }> = [];
  for (const word of normalise(query).split(SEPARATOR)) {
    if (!word) continue;
    for (const part of word.split(CJK_RUN)) {
      if (!part) continue;
      if (isCjk(part)) groups.push({ terms: bigrams(part), cjk: true });
      else groups.push({ terms: [part], cjk: false });
    }
  }
  return groups;
}
