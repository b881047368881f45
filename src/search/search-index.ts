// The search index (issue 13 item 6): MiniSearch (BM25+, prefix, fuzzy), kept in
// .flow/cache/search/, a cache that is never needed and never trusted. Before every
// search it is brought up to date by content hash: a fingerprint of each flow's line of
// flows.json and each document's content hash, so only what changed since (by flow, by an
// outside writer, by git) is indexed again. A cache that does not read back whole (a torn
// write, another version, a checksum that does not match) is rebuilt from the store.
//
// Cost follows the query, not the store: the base index is saved in parts by the first
// character of each term, and a search reads only the parts its words need. What changed
// since the base was written lives in a small delta index beside it, searched too; when
// the delta grows, or the base is small enough to rewrite at once, the two are merged.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import MiniSearch, { type AsPlainObject, type Options, type Query, type SearchOptions, type SearchResult } from 'minisearch';
import * as z from 'zod/mini';
import type { Documents } from '../documents/documents.js';
import { manifestPath, type DocumentEntry, type Manifest } from '../documents/manifest.js';
import { writeFileAtomic } from '../store/atomic-write.js';
import { fileIdentity } from '../store/identity.js';
import { Image } from '../store/layout.js';
import type { StoreView } from '../store/state.js';
import type { Store } from '../store/store.js';
import { documentItem, documentText, flowItems, itemId, type Item } from './corpus.js';
import { indexTerms } from './tokenize.js';

export const INDEX_DIR = join('cache', 'search');
const BASE_FILE = 'base.json';
const DELTA_FILE = 'delta.json';
const INDEX_VERSION = 3;
/** Parts of the base index, by the first character of a term. */
const PARTS = 64;

export interface Tuning {
  /** A base with fewer items than this is rewritten at once instead of keeping a delta. */
  mergeBelow: number;
  /** A delta with more items than this is merged into the base. */
  mergeDeltaAt: number;
}

const TUNING: Tuning = { mergeBelow: 2_000, mergeDeltaAt: 2_000 };

export const MINISEARCH_OPTIONS: Options<Item> = {
  fields: ['title', 'text'],
  // Nothing is stored beside the terms: hits are shown from the store and the documents
  // as they are now, and every byte kept here is read back by searches.
  tokenize: indexTerms,
  // Terms come out of indexTerms normalised already.
  processTerm: (term) => term,
  autoVacuum: false,
};

/**
 * What the index was built from. Per flow: the fingerprint of its line and its item ids,
 * as one JSON text (`[hash, ...ids]`), decoded only for flows that changed.
 */
const StateSchema = z.object({
  flows: z.record(z.string(), z.string()),
  /** Document id → what its entry was indexed from (`<sha256>:<name>`). */
  docs: z.record(z.string(), z.string()),
});
type State = z.infer<typeof StateSchema>;

const Range = z.tuple([z.number(), z.number(), z.string()]);
const BaseHeaderSchema = z.object({
  version: z.literal(INDEX_VERSION),
  /** Identities of flows.json and the manifest the index reflects (null: none, or unknown). */
  store: z.nullable(z.string()),
  manifest: z.nullable(z.string()),
  /** [start, end, checksum] (bytes) in the body of: the state, MiniSearch's document table, each term part. */
  state: Range,
  shared: Range,
  parts: z.array(Range),
});
type BaseHeader = z.infer<typeof BaseHeaderSchema>;

/** What the delta overrides since the base: flows and documents indexed again, or gone (null). */
const DeltaSchema = z.object({
  version: z.literal(INDEX_VERSION),
  /** The base this delta belongs to (its header's checksum). */
  base: z.string(),
  store: z.optional(z.nullable(z.string())),
  manifest: z.optional(z.nullable(z.string())),
  flows: z.record(z.string(), z.nullable(z.string())),
  docs: z.record(z.string(), z.nullable(z.string())),
  /** Item ids of the base that the delta's flows and documents stand in for. */
  replaced: z.array(z.string()),
  index: z.unknown(),
});

export interface RefreshStats {
  /** True when there was no usable cache and the index was built from the store. */
  rebuilt: boolean;
  flows: number;
  documents: number;
}

const checksum = (text: string) => createHash('sha1').update(text).digest('base64');
const partOf = (term: string) => (term.codePointAt(0) ?? 0) % PARTS;

type Shared = Omit<AsPlainObject, 'index'>;

interface Base {
  header: BaseHeader;
  body: Buffer;
  /** Checksum of the header: names this base for its delta. */
  id: string;
  shared?: Shared;
  state?: State;
}

interface Delta {
  mini: MiniSearch<Item>;
  flows: Record<string, string | null>;
  docs: Record<string, string | null>;
  replaced: string[];
  /** Unset until a refresh since the base read them. */
  store?: string | null;
  manifest?: string | null;
}

export class SearchIndex {
  /** The store as the last refresh read it (or will, when a hit needs it), to show hits from. */
  private view: StoreView | undefined;
  private store: Store | undefined;
  private manifestRead: Manifest | undefined;
  private docs: Documents | undefined;
  private deltaChanged = false;
  /** Items indexed by this process, by `flow:<id>` or `doc:<id>`, so a merge need not read them again. */
  private readonly fresh = new Map<string, Item[]>();

  private constructor(
    private readonly folder: string,
    private base: Base | undefined,
    private delta: Delta,
    private readonly tuning: Tuning,
  ) {}

  /** The cached index as it is on disk (parts are read when a search needs them). */
  static load(dir: string, tuning: Tuning = TUNING): SearchIndex {
    const folder = join(dir, INDEX_DIR);
    const base = readBase(join(folder, BASE_FILE));
    return new SearchIndex(folder, base, (base && readDelta(join(folder, DELTA_FILE), base)) ?? emptyDelta(), tuning);
  }

  /** An index with nothing cached: the next refresh builds it from the store. */
  static rebuild(dir: string, tuning: Tuning = TUNING): SearchIndex {
    return new SearchIndex(join(dir, INDEX_DIR), undefined, emptyDelta(), tuning);
  }

  get rebuilt(): boolean {
    return !this.base;
  }

  /** The store as it is now: read only once a hit needs to be shown from it. */
  async storeView(): Promise<StoreView | undefined> {
    this.view ??= await this.store?.read();
    return this.view;
  }

  /** The documents service the last refresh used. */
  documents(): Documents | undefined {
    return this.docs;
  }

  /** The manifest as it is now (read once per refresh, when a search needs it). */
  manifest(): Manifest | undefined {
    this.manifestRead ??= this.docs?.read();
    return this.manifestRead;
  }

  private identities(): { store: string | null; manifest: string | null } {
    const header = this.base?.header;
    return {
      store: this.delta.store !== undefined ? this.delta.store : (header?.store ?? null),
      manifest: this.delta.manifest !== undefined ? this.delta.manifest : (header?.manifest ?? null),
    };
  }

  /** What the index holds: the base's state with the delta's overrides. */
  private state(): State {
    const base = this.base ? baseState(this.base) : { flows: {}, docs: {} };
    return { flows: overlay(base.flows, this.delta.flows), docs: overlay(base.docs, this.delta.docs) };
  }

  /**
   * Runs a MiniSearch query over the base (only the parts holding `terms`) and the delta,
   * leaving out base items the delta has replaced, best first.
   */
  query(query: Query, options: SearchOptions, terms: readonly string[]): SearchResult[] {
    const replaced = new Set(this.delta.replaced);
    const filter = options.filter;
    const base = this.base
      ? loadParts(this.base, new Set(terms.map(partOf))).search(query, {
          ...options,
          filter: (r) => !replaced.has(String(r.id)) && (!filter || filter(r)),
        })
      : [];
    const delta = this.delta.mini.documentCount ? this.delta.mini.search(query, options) : [];
    return delta.length ? [...base, ...delta].sort((a, b) => b.score - a.score) : base;
  }

  /** Brings the index up to date with the store and the documents, by content hash. */
  async refresh(store: Store, docs: Documents): Promise<RefreshStats> {
    const rebuilt = !this.base;
    this.docs = docs;
    this.store = store;
    this.manifestRead = undefined;
    const known = this.identities();
    const storeNow = fileIdentity(store.file);
    const manifestNow = fileIdentity(manifestPath(docs.dir));
    let flows = 0;
    let documents = 0;
    if (rebuilt || storeNow !== known.store) flows = await this.refreshFlows(store);
    else this.view = undefined;
    if (rebuilt || manifestNow !== known.manifest) documents = this.refreshDocuments(docs, manifestNow);
    const baseItems = this.base ? loadShared(this.base).documentCount : 0;
    if (!this.base || (this.deltaChanged && (baseItems < this.tuning.mergeBelow || this.delta.mini.documentCount > this.tuning.mergeDeltaAt))) {
      await this.merge(docs);
    } else if (this.deltaChanged) {
      this.saveDelta();
    }
    return { rebuilt, flows, documents };
  }

  private async refreshFlows(store: Store): Promise<number> {
    const current = this.state().flows;
    const { view, hashes, stable, read } = await fingerprints(store);
    this.view = view;
    let count = 0;
    for (const id of Object.keys(current)) if (!hashes.has(id)) this.overrideFlow(id, null, []);
    for (const [id, hash] of hashes) {
      if (decodeFlow(current[id]).hash === hash) continue;
      const flow = view.flow(id);
      if (!flow) continue;
      const items = flowItems(flow);
      // Read from bytes that changed meanwhile: no fingerprint, so it is indexed again next time.
      this.overrideFlow(id, JSON.stringify([stable ? hash : '', ...items.map((i) => i.id)]), items);
      count++;
    }
    this.delta.store = stable ? read : null;
    this.deltaChanged = true;
    return count;
  }

  private refreshDocuments(docs: Documents, identity: string | null): number {
    const current = this.state().docs;
    const manifest = this.manifest() ?? docs.read();
    const wanted = new Map<string, DocumentEntry>();
    for (const entry of manifest.list()) if (!entry.deleted_at) wanted.set(entry.id, entry);
    let count = 0;
    for (const id of Object.keys(current)) if (!wanted.has(id)) this.overrideDocument(id, null, []);
    for (const [id, entry] of wanted) {
      const key = `${entry.sha256}:${entry.name}`;
      if (current[id] === key) continue;
      this.overrideDocument(id, key, [documentItem(entry, documentText(entry, docs.content.find(entry.sha256)) ?? '')]);
      count++;
    }
    // The manifest may have changed while it was read: then it is read again next time.
    this.delta.manifest = identity === fileIdentity(manifestPath(docs.dir)) ? identity : null;
    this.deltaChanged = true;
    return count;
  }

  /** Puts a flow's new items (or, with null, its absence) in the delta. */
  private overrideFlow(id: string, entry: string | null, items: Item[]): void {
    if (!(id in this.delta.flows) && this.base) this.delta.replaced.push(...decodeFlow(baseState(this.base).flows[id]).items);
    this.replaceInDelta(decodeFlow(this.delta.flows[id] ?? undefined).items, items, `flow:${id}`);
    this.delta.flows[id] = entry;
  }

  private overrideDocument(id: string, key: string | null, items: Item[]): void {
    const item = itemId({ kind: 'doc', id });
    if (!(id in this.delta.docs) && this.base && baseState(this.base).docs[id]) this.delta.replaced.push(item);
    this.replaceInDelta(id in this.delta.docs ? [item] : [], items, `doc:${id}`);
    this.delta.docs[id] = key;
  }

  private replaceInDelta(old: string[], items: Item[], key: string): void {
    this.delta.mini.discardAll(old.filter((item) => this.delta.mini.has(item)));
    this.delta.mini.addAll(items);
    this.fresh.set(key, items);
    this.deltaChanged = true;
  }

  /** Writes a new base holding everything (the old base, less what the delta replaced, plus the delta). */
  private async merge(docs: Documents): Promise<void> {
    const state = this.state();
    const mini = this.base ? loadParts(this.base, 'all') : new MiniSearch<Item>(MINISEARCH_OPTIONS);
    mini.discardAll(this.delta.replaced.filter((id) => mini.has(id)));
    // The delta's items: those this process indexed, else read again (a delta from disk).
    for (const id of Object.keys(this.delta.flows)) {
      const flow = state.flows[id] && !this.fresh.has(`flow:${id}`) ? (await this.storeView())?.flow(id) : undefined;
      mini.addAll(this.fresh.get(`flow:${id}`) ?? (flow ? flowItems(flow) : []));
    }
    for (const id of Object.keys(this.delta.docs)) {
      const entry = state.docs[id] && !this.fresh.has(`doc:${id}`) ? this.manifest()?.get(id) : undefined;
      mini.addAll(this.fresh.get(`doc:${id}`) ?? (entry ? [documentItem(entry, documentText(entry, docs.content.find(entry.sha256)) ?? '')] : []));
    }
    this.fresh.clear();
    if (mini.dirtCount > 0) await mini.vacuum({ batchSize: Number.MAX_SAFE_INTEGER, batchWait: 0 });
    this.base = writeBase(join(this.folder, BASE_FILE), mini, state, this.identities());
    this.delta = emptyDelta();
    this.saveDelta();
  }

  private saveDelta(): void {
    if (!this.base) return;
    const { mini, ...rest } = this.delta;
    write(join(this.folder, DELTA_FILE), [Buffer.from(JSON.stringify({ version: INDEX_VERSION, base: this.base.id, ...rest, index: mini }))]);
    this.deltaChanged = false;
  }
}

function overlay(base: Record<string, string>, changes: Record<string, string | null>): Record<string, string> {
  const out = { ...base };
  for (const [id, value] of Object.entries(changes)) {
    if (value === null) delete out[id];
    else out[id] = value;
  }
  return out;
}

/** A flow's entry of the state: its fingerprint and item ids. */
function decodeFlow(entry: string | undefined): { hash: string | undefined; items: string[] } {
  if (!entry) return { hash: undefined, items: [] };
  let parts: unknown;
  try {
    parts = JSON.parse(entry);
  } catch {
    parts = undefined;
  }
  // An entry that does not decode counts as never indexed: the flow is indexed again.
  if (!Array.isArray(parts) || !parts.every((p) => typeof p === 'string')) return { hash: undefined, items: [] };
  const [hash, ...items] = parts;
  return { hash, items };
}

function emptyDelta(): Delta {
  return { mini: new MiniSearch<Item>(MINISEARCH_OPTIONS), flows: {}, docs: {}, replaced: [] };
}

function readBase(path: string): Base | undefined {
  try {
    const bytes = readFileSync(path);
    const newline = bytes.indexOf(0x0a);
    const headerText = bytes.toString('utf8', 0, newline);
    const base: Base = { header: BaseHeaderSchema.parse(JSON.parse(headerText)), body: bytes.subarray(newline + 1), id: checksum(headerText) };
    // The parts every search reads are checked now; a term part when it is read.
    slice(base, base.header.shared);
    return base;
  } catch {
    return undefined;
  }
}

/** A part of the cache that does not match what was written: the index is built again. */
export class DamagedIndexError extends Error {
  constructor() {
    super('search index part does not match its checksum');
  }
}

function readDelta(path: string, base: Base): Delta | undefined {
  try {
    const delta = DeltaSchema.parse(JSON.parse(readFileSync(path, 'utf8')));
    if (delta.base !== base.id || !isPlainIndex(delta.index)) return undefined;
    const { version: _version, base: _base, index, ...rest } = delta;
    return { mini: MiniSearch.loadJS<Item>(index, MINISEARCH_OPTIONS), ...rest };
  } catch {
    return undefined;
  }
}

/** One slice of the base's body, checked against its checksum. */
function slice(base: Base, [start, end, sum]: readonly [number, number, string]): string {
  const bytes = base.body.subarray(start, end);
  if (end > base.body.length || createHash('sha1').update(bytes).digest('base64') !== sum) throw new DamagedIndexError();
  return bytes.toString('utf8');
}

// The shapes MiniSearch reads back. Only their outline is checked: a part whose bytes are
// not what was written fails its checksum first, and hits are read from the store anyway.
function isPlainIndex(value: unknown): value is AsPlainObject {
  return typeof value === 'object' && value !== null && 'index' in value && Array.isArray(value.index);
}

function isShared(value: unknown): value is Shared {
  return typeof value === 'object' && value !== null && 'documentCount' in value && typeof value.documentCount === 'number';
}

function isTermList(value: unknown): value is AsPlainObject['index'] {
  return Array.isArray(value);
}

function baseState(base: Base): State {
  base.state ??= StateSchema.parse(JSON.parse(slice(base, base.header.state)));
  return base.state;
}

function loadShared(base: Base): Shared {
  if (base.shared) return base.shared;
  const shared: unknown = JSON.parse(slice(base, base.header.shared));
  if (!isShared(shared)) throw new Error('search index is not in the expected shape');
  base.shared = shared;
  return shared;
}

/** A MiniSearch holding every document but only the terms of the given parts. */
function loadParts(base: Base, parts: ReadonlySet<number> | 'all'): MiniSearch<Item> {
  const index: AsPlainObject['index'] = [];
  base.header.parts.forEach((range, i) => {
    if (parts !== 'all' && !parts.has(i)) return;
    const terms: unknown = JSON.parse(slice(base, range));
    if (!isTermList(terms)) throw new Error('search index is not in the expected shape');
    for (const entry of terms) index.push(entry);
  });
  return MiniSearch.loadJS<Item>({ ...loadShared(base), index }, MINISEARCH_OPTIONS);
}

function writeBase(path: string, mini: MiniSearch<Item>, state: State, identities: { store: string | null; manifest: string | null }): Base {
  const { index, ...shared } = mini.toJSON();
  const buckets: AsPlainObject['index'][] = Array.from({ length: PARTS }, () => []);
  for (const entry of index) buckets[partOf(entry[0])].push(entry);
  const pieces = [JSON.stringify(state), JSON.stringify(shared), ...buckets.map((b) => JSON.stringify(b))].map((p) => Buffer.from(p));
  const ranges: Array<[number, number, string]> = [];
  let at = 0;
  for (const piece of pieces) {
    ranges.push([at, at + piece.length, createHash('sha1').update(piece).digest('base64')]);
    at += piece.length;
  }
  const header: BaseHeader = { version: INDEX_VERSION, ...identities, state: ranges[0], shared: ranges[1], parts: ranges.slice(2) };
  const headerText = JSON.stringify(header);
  write(path, [Buffer.from(`${headerText}\n`), ...pieces]);
  return { header, body: Buffer.concat(pieces), id: checksum(headerText), shared, state };
}

function write(path: string, pieces: readonly Buffer[]): void {
  try {
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileAtomic(path, pieces);
  } catch {
    // A cache that cannot be written (a read-only checkout, a full disk) is built again next time.
  }
}

/**
 * A fingerprint of every flow's line of flows.json, and a view of the same bytes to read
 * changed flows from. `stable` is false when the file changed while it was being read.
 */
async function fingerprints(store: Store): Promise<{ view: StoreView; hashes: Map<string, string>; stable: boolean; read: string | null }> {
  const view = await store.read();
  const hashes = new Map<string, string>();
  const before = fileIdentity(store.file);
  if (before === null) return { view, hashes, stable: true, read: null };
  const bytes = readFileSync(store.file);
  const stable = before === fileIdentity(store.file) && before === store.knownIdentity();
  const image = Image.fromBytes(bytes);
  const hash = (data: Buffer | string) => createHash('sha1').update(data).digest('base64');
  if (image) {
    for (const [id, member] of image.members()) hashes.set(id, hash(image.raw(member)));
  } else {
    for (const flow of view.allFlows()) hashes.set(flow.id, hash(JSON.stringify(flow)));
  }
  return { view, hashes, stable, read: before };
}
