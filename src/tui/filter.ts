// The tree filter (/): words match titles, notes, tags and ids; `#tag` a tag, `status:S`
// and `priority:P` a field (a prefix is enough: status:in, priority:h; several of one
// kind mean either). Every term must match, whatever its width: the query is read in one
// form (normalise: "ｗｉｄｅ" typed through a CJK input method is "wide"), and a word also
// matches its full-width spelling in the text (fullWidth) and its spelling as typed (a
// title NFKC would rewrite, ﾃｽﾄ or Ⅳ, is found by its own copy). Normalising the text
// instead doubled a pass over 300k tasks (147 -> 289 ms); a second spelling costs 12%. Pure.
import { fullWidth, normalise } from '../domain/normalise.js';
import { PRIORITIES, TASK_STATUSES, type Priority, type Task, type TaskStatus } from '../domain/schema.js';

/** A word or tag of the query, lower case: normalised, as it is spelt full width, and as typed. */
export interface Term {
  text: string;
  wide: string;
  raw: string;
}

export interface Query {
  words: Term[];
  tags: Term[];
  statuses: TaskStatus[];
  priorities: Priority[];
  /** Terms that name no field value (status:bogus): shown to the person, never matched. */
  unknown: string[];
}

const EMPTY: Query = { words: [], tags: [], statuses: [], priorities: [], unknown: [] };

export function parseQuery(text: string): Query {
  const query: Query = { words: [], tags: [], statuses: [], priorities: [], unknown: [] };
  for (const typed of text.split(/\s+/).filter(Boolean)) {
    const term = normalise(typed);
    const field = /^(status|priority|s|p):(.*)$/.exec(term);
    if (field) {
      const [, name, value] = field;
      if (name === 'status' || name === 's') {
        const hits = TASK_STATUSES.filter((s) => value && (s.startsWith(value) || s.replace('_', ' ').startsWith(value)));
        if (hits.length) query.statuses.push(...hits);
        else query.unknown.push(term);
      } else {
        const hits = PRIORITIES.filter((p) => value && p.startsWith(value));
        if (hits.length) query.priorities.push(...hits);
        else query.unknown.push(term);
      }
    } else if (term.startsWith('#') && term.length > 1) {
      query.tags.push(asTerm(term.slice(1), typed.slice(1)));
    } else {
      query.words.push(asTerm(term, typed));
    }
  }
  return query;
}

export function isEmpty(query: Query): boolean {
  return query === EMPTY || (!query.words.length && !query.tags.length && !query.statuses.length && !query.priorities.length && !query.unknown.length);
}

/** True when only words were given: then plan and flow titles can match too. */
export function wordsOnly(query: Query): boolean {
  return !query.tags.length && !query.statuses.length && !query.priorities.length && !query.unknown.length;
}

const asTerm = (text: string, typed: string): Term => ({ text, wide: fullWidth(text), raw: typed.toLowerCase() });

/** `text` (lower-cased) found by `compare` in any spelling of `term`. */
function matches(text: string, term: Term, compare: (lower: string, spelling: string) => boolean): boolean {
  const lower = text.toLowerCase();
  return compare(lower, term.text) || (term.wide !== term.text && compare(lower, term.wide)) || (term.raw !== term.text && compare(lower, term.raw));
}

const has = (text: string, word: Term) => matches(text, word, (lower, spelling) => lower.includes(spelling));
const startsWith = (text: string, tag: Term) => matches(text, tag, (lower, spelling) => lower.startsWith(spelling));

export function taskMatches(task: Task, query: Query): boolean {
  if (query.unknown.length) return false;
  if (query.statuses.length && !query.statuses.includes(task.status)) return false;
  if (query.priorities.length && !query.priorities.includes(task.priority)) return false;
  for (const tag of query.tags) if (!task.tags.some((t) => startsWith(t, tag))) return false;
  for (const word of query.words) {
    if (!has(task.title, word) && !has(task.notes, word) && !task.tags.some((t) => has(t, word)) && !has(task.id, word)) return false;
  }
  return true;
}

/** A plan's or flow's own title matches (words only, every one). */
export function titleMatches(title: string, query: Query): boolean {
  return wordsOnly(query) && query.words.length > 0 && query.words.every((w) => has(title, w));
}
