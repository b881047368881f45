// flow search (issue 13 item 6): ranked hits over tasks, plans and documents, each with a
// snippet around the match, from an index brought up to date just before. A hit is shown
// from the store and the documents as they are: a task or plan from its flow's line of
// flows.json (read alone where the index says it is, else from the whole store), a
// document from its content.
import { closeSync, openSync, readSync } from 'node:fs';
import type { Documents } from '../documents/documents.js';
import { parseStoredFlow, type Flow } from '../domain/schema.js';
import { walkTasks } from '../domain/tree.js';
import type { StoreView } from '../store/state.js';
import type { Store } from '../store/store.js';
import { documentText, type ItemKind, type ItemRecord, type LineRange } from './corpus.js';
import { cosine, type Embedder } from './embed.js';
import { termSpecs } from './rank.js';
import { DamagedIndexError, SearchIndex, type BuildProgress, type RefreshStats, type Tuning } from './search-index.js';
import { snippet, type Snippet } from './snippet.js';

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

export interface SearchOptions {
  embedder?: Embedder;
  tuning?: Tuning;
  /** Told how a build from scratch advances. */
  progress?: BuildProgress;
}

/**
 * The whole of a search: the cached index brought up to date, then queried. A cached part
 * found damaged on the way is no reason to fail: the index is built again from the store.
 */
export async function searchStore(
  dir: string,
  store: Store,
  docs: Documents,
  query: SearchQuery,
  options: SearchOptions = {},
): Promise<{ hits: SearchHit[]; stats: RefreshStats }> {
  for (let index = SearchIndex.load(dir, options.tuning); ; index = SearchIndex.rebuild(dir, options.tuning)) {
    try {
      const stats = await index.refresh(store, docs, options.progress);
      return { hits: await search(index, store, docs, query, options.embedder), stats };
    } catch (err) {
      if (!(err instanceof DamagedIndexError) || index.rebuilt) throw err;
    } finally {
      index.close();
    }
  }
}

export async function search(index: SearchIndex, store: Store, docs: Documents, query: SearchQuery, embedder?: Embedder): Promise<SearchHit[]> {
  const specs = termSpecs(query.text);
  if (!specs.length) return [];
  const limit = query.limit ?? 20;
  const wanted = embedder ? Math.max(RERANK_CANDIDATES, limit) : limit;
  const kinds = query.kinds?.length && query.kinds.length < 3 ? new Set(query.kinds) : undefined;
  const flows = new FlowReader(store);
  const hits: SearchHit[] = [];
  try {
    for (const { item, score } of index.rank(specs)) {
      if (hits.length >= wanted) break;
      if (kinds && !kinds.has(index.kindOf(item))) continue;
      const record = index.record(item);
      if (query.plan && (record.kind === 'doc' ? !record.plans.includes(query.plan) : record.plan !== query.plan)) continue;
      const hit = record.kind === 'doc' ? documentHit(docs, record, query.text) : await treeHit(flows, record, query.text);
      if (hit) hits.push({ ...hit, score });
    }
  } finally {
    flows.close();
  }
  return embedder ? (await rerank(hits, query.text, embedder)).slice(0, limit) : hits;
}

/** The snippet of the first text the query matches in (else of the first that is not empty). */
function bestSnippet(query: string, ...texts: string[]): Snippet {
  const snippets = texts.filter((t) => t.trim()).map((t) => snippet(t, query));
  return snippets.find((s) => s.match) ?? snippets[0] ?? { text: '', match: null };
}

function documentHit(docs: Documents, record: Extract<ItemRecord, { kind: 'doc' }>, query: string): Omit<SearchHit, 'score'> {
  const text = documentText(record.media_type, docs.content.find(record.sha256)) ?? '';
  return { kind: 'doc', id: record.id, title: record.name, path: `documents/${record.path}`, snippet: bestSnippet(query, text, record.name) };
}

/** A task or plan hit, read from the store as it is now; undefined when it is gone. */
async function treeHit(flows: FlowReader, record: Exclude<ItemRecord, { kind: 'doc' }>, query: string): Promise<Omit<SearchHit, 'score'> | undefined> {
  const plan = (await flows.flow(record.flow, record.line))?.plans.find((p) => p.id === record.plan);
  if (!plan) return undefined;
  const where = { plan_id: plan.id, flow_id: record.flow };
  if (record.kind === 'plan') return { kind: 'plan', id: plan.id, title: plan.title, ...where, snippet: bestSnippet(query, plan.summary, plan.title) };
  for (const { task } of walkTasks(plan.tasks)) {
    if (task.id === record.id) return { kind: 'task', id: task.id, title: task.title, ...where, snippet: bestSnippet(query, task.notes, task.title) };
  }
  return undefined;
}

/**
 * Flows read for showing hits: the one line the index points at, checked to be that flow's
 * whole line (`    "<id>": {…}` between line breaks) and validated; when it is not (the file
 * changed meanwhile, another layout), the store as a whole.
 */
class FlowReader {
  private fd: number | undefined;
  private view: StoreView | undefined;
  private readonly read = new Map<string, Flow | undefined>();

  constructor(private readonly store: Store) {}

  async flow(id: string, line: LineRange): Promise<Flow | undefined> {
    if (!this.read.has(id)) this.read.set(id, this.fromLine(id, line) ?? (await this.fromStore(id)));
    return this.read.get(id);
  }

  private fromLine(id: string, [start, end]: LineRange): Flow | undefined {
    if (start < 1 || end <= start) return undefined;
    try {
      this.fd ??= openSync(this.store.file, 'r');
      const bytes = Buffer.allocUnsafe(end - start + 2);
      if (readSync(this.fd, bytes, 0, bytes.length, start - 1) !== bytes.length) return undefined;
      const key = Buffer.from(`\n    ${JSON.stringify(id)}: `);
      const last = bytes[bytes.length - 1];
      if (!bytes.subarray(0, key.length).equals(key) || (last !== 0x2c && last !== 0x0a)) return undefined;
      const { flow } = parseStoredFlow(JSON.parse(bytes.toString('utf8', key.length, bytes.length - 1)), `flows.${id}`);
      return flow.id === id ? flow : undefined;
    } catch {
      return undefined;
    }
  }

  private async fromStore(id: string): Promise<Flow | undefined> {
    this.view ??= await this.store.read();
    return this.view.flow(id);
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
  }
}

async function rerank(hits: SearchHit[], query: string, embedder: Embedder): Promise<SearchHit[]> {
  if (hits.length < 2) return hits;
  const [queryVector, ...vectors] = await embedder.embed([query, ...hits.map((h) => `${h.title}\n${h.snippet.text}`)]);
  const best = Math.max(...hits.map((h) => h.score));
  return hits
    .map((hit, i) => ({ ...hit, score: BM25_WEIGHT * (hit.score / best) + (1 - BM25_WEIGHT) * ((cosine(queryVector, vectors[i]) + 1) / 2) }))
    .sort((a, b) => b.score - a.score);
}
