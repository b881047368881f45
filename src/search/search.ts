// flow search (issue 13 item 6): ranked hits over tasks, plans and documents, each with a
// snippet around the match, from an index brought up to date just before.
import type { Query } from 'minisearch';
import { walkTasks } from '../domain/tree.js';
import type { StoreView } from '../store/state.js';
import { documentText, itemRef, type ItemKind, type ItemRef } from './corpus.js';
import { cosine, type Embedder } from './embed.js';
import { DamagedIndexError, SearchIndex, type RefreshStats, type Tuning } from './search-index.js';
import type { Documents } from '../documents/documents.js';
import type { Store } from '../store/store.js';
import { snippet, type Snippet } from './snippet.js';
import { queryGroups } from './tokenize.js';

export interface SearchQuery {
  text: string;
  kinds?: readonly ItemKind[];
  /** Only what belongs to this plan (documents: the ones it references). */
  plan?: string;
  limit?: number;
}

export interface SearchHit {
  kind: ItemKind;
  id: string;
  title: string;
  score: number;
  plan_id?: string;
  flow_id?: string;
  /** A document's readable file, under documents/. */
  path?: string;
  snippet: Snippet;
}

/** BM25 candidates ranked again when an embedder is set. */
const RERANK_CANDIDATES = 50;
/** The weight of the BM25 score in the mix with the embedding's cosine. */
const BM25_WEIGHT = 0.5;

/**
 * The whole of a search: the cached index brought up to date, then queried. A cached part
 * found damaged on the way is no reason to fail: the index is built again from the store.
 */
export async function searchStore(
  dir: string,
  store: Store,
  docs: Documents,
  query: SearchQuery,
  options: { embedder?: Embedder; tuning?: Tuning } = {},
): Promise<{ hits: SearchHit[]; stats: RefreshStats }> {
  for (let index = SearchIndex.load(dir, options.tuning); ; index = SearchIndex.rebuild(dir, options.tuning)) {
    try {
      const stats = await index.refresh(store, docs);
      return { hits: await search(index, query, options.embedder), stats };
    } catch (err) {
      if (!(err instanceof DamagedIndexError) || index.rebuilt) throw err;
    }
  }
}

/** A query as MiniSearch reads it: every word must match (a CJK word: each of its pairs). */
export function miniQuery(text: string): Query | undefined {
  const groups = queryGroups(text);
  if (!groups.length) return undefined;
  return {
    combineWith: 'AND',
    queries: groups.map((g) =>
      g.cjk ? { combineWith: 'AND', queries: g.terms, prefix: g.terms.length === 1, fuzzy: false } : { queries: g.terms, fuzzy: g.terms[0].length > 3 ? 0.2 : false },
    ),
  };
}

export async function search(index: SearchIndex, query: SearchQuery, embedder?: Embedder): Promise<SearchHit[]> {
  const q = miniQuery(query.text);
  if (!q) return [];
  const limit = query.limit ?? 20;
  const kinds = query.kinds?.length ? new Set(query.kinds) : undefined;
  const results = index.query(
    q,
    {
      prefix: true,
      boost: { title: 2 },
      tokenize: (term) => [term],
      processTerm: (term) => term,
      filter: (result) => {
        const ref = itemRef(String(result.id));
        if (!ref || (kinds && !kinds.has(ref.kind))) return false;
        if (ref.kind !== 'doc') return !query.plan || ref.plan === query.plan;
        const entry = index.manifest()?.get(ref.id);
        return !!entry && !entry.deleted_at && (!query.plan || entry.plans.includes(query.plan));
      },
    },
    queryGroups(query.text).flatMap((g) => g.terms),
  );
  const hits: SearchHit[] = [];
  const shown = results.slice(0, embedder ? Math.max(RERANK_CANDIDATES, limit) : limit);
  const view = shown.some((r) => !String(r.id).startsWith('["doc"')) ? await index.storeView() : undefined;
  for (const result of shown) {
    const ref = itemRef(String(result.id));
    const hit = ref && (ref.kind === 'doc' ? documentHit(index, ref.id, query.text) : treeHit(view, ref, query.text));
    if (hit) hits.push({ ...hit, score: result.score });
  }
  return embedder ? (await rerank(hits, query.text, embedder)).slice(0, limit) : hits;
}

/** The snippet of the first text the query matches in (else of the first that is not empty). */
function bestSnippet(query: string, ...texts: string[]): Snippet {
  const snippets = texts.filter((t) => t.trim()).map((t) => snippet(t, query));
  return snippets.find((s) => s.match) ?? snippets[0] ?? { text: '', match: null };
}

function documentHit(index: SearchIndex, id: string, query: string): Omit<SearchHit, 'score'> | undefined {
  const entry = index.manifest()?.get(id);
  const docs = index.documents();
  if (!entry || !docs) return undefined;
  const text = documentText(entry, docs.content.find(entry.sha256)) ?? '';
  return { kind: 'doc', id: entry.id, title: entry.name, path: `documents/${entry.path}`, snippet: bestSnippet(query, text, entry.name) };
}

/** A task or plan hit, read from the store as it is now. */
function treeHit(view: StoreView | undefined, ref: Exclude<ItemRef, { kind: 'doc' }>, query: string): Omit<SearchHit, 'score'> | undefined {
  const plan = view?.flow(ref.flow)?.plans.find((p) => p.id === ref.plan);
  if (!plan) return undefined;
  const where = { plan_id: plan.id, flow_id: ref.flow };
  if (ref.kind === 'plan') return { kind: 'plan', id: plan.id, title: plan.title, ...where, snippet: bestSnippet(query, plan.summary, plan.title) };
  for (const { task } of walkTasks(plan.tasks)) {
    if (task.id === ref.id) return { kind: 'task', id: task.id, title: task.title, ...where, snippet: bestSnippet(query, task.notes, task.title) };
  }
  return undefined;
}

async function rerank(hits: SearchHit[], query: string, embedder: Embedder): Promise<SearchHit[]> {
  if (hits.length < 2) return hits;
  const [queryVector, ...vectors] = await embedder.embed([query, ...hits.map((h) => `${h.title}\n${h.snippet.text}`)]);
  const best = Math.max(...hits.map((h) => h.score));
  return hits
    .map((hit, i) => ({ ...hit, score: BM25_WEIGHT * (hit.score / best) + (1 - BM25_WEIGHT) * ((cosine(queryVector, vectors[i]) + 1) / 2) }))
    .sort((a, b) => b.score - a.score);
}
