// The search index (issue 13 item 6), kept in .flow/cache/search/: a cache that is never
// needed and never believed. Two segments (segment.ts): a base holding everything as it
// was when it was written, and a small delta holding what changed since, with the base
// items it replaces. Before every search the index is brought up to date by content hash
// (a fingerprint of each flow's line of flows.json, each document's manifest entry), so
// only what changed (by flow, by an outside writer, by git) is indexed again; when
// nothing changed, bringing it up to date costs two stat calls.
//
// Cost follows the query: a search reads the headers, the dictionary parts and postings
// of its words, and the records of the hits it shows. The delta is merged into a new
// base when it grows (or the base is small enough to rewrite at once).
import { closeSync, mkdirSync, openSync, renameSync, rmSync, unlinkSync, writevSync } from 'node:fs';
import { join } from 'node:path';
import * as z from 'zod/mini';
import type { Documents } from '../documents/documents.js';
import { manifestPath } from '../documents/manifest.js';
import { removeStaleTemps, tempPathFor } from '../store/atomic-write.js';
import { fileIdentity } from '../store/identity.js';
import type { StoreView } from '../store/state.js';
import type { Store } from '../store/store.js';
import { decodeRecord, documentItem, documentKey, documentText, flowItems, NO_LINE, withLine, type ItemRecord, type LineRange } from './corpus.js';
import { rank, type Layer, type Ranking, type TermSpec } from './rank.js';
import { checksum, DamagedIndexError, KINDS, PARTS, SegmentBuilder, SegmentReader, type IndexItem, type Kind } from './segment.js';

export { DamagedIndexError } from './segment.js';

export const INDEX_DIR = join('cache', 'search');
const BASE_FILE = 'base.idx';
const DELTA_FILE = 'delta.idx';
/** Index files of earlier versions, removed when a base is written. */
const OLD_FILES = ['base.json', 'delta.json'];
/** A delta whose line shifts outgrow this is merged (another tool rewrote the file's layout). */
const MAX_SHIFTS = 1_000;

export interface Tuning {
  /** A base with fewer live items than this is rewritten at once instead of keeping a delta. */
  mergeBelow: number;
  /** A delta with more items than this is merged into the base. */
  mergeDeltaAt: number;
}

const TUNING: Tuning = { mergeBelow: 2_000, mergeDeltaAt: 2_000 };

export interface RefreshStats {
  /** True when there was no usable cache and the index was built from the store. */
  rebuilt: boolean;
  flows: number;
  documents: number;
}

/** Progress of a build from scratch: items indexed so far, of how many. */
export type BuildProgress = (done: number, total: number) => void;

const identity = z.nullable(z.string());
const count = z.int().check(z.nonnegative());
const offset = z.int().check(z.gte(-1));
const range = z.tuple([count, count]);

/** What the base was built from: per flow its line's fingerprint, line, and items; per document its key and item. */
interface BaseState {
  flows: Map<string, [hash: string, start: number, end: number, first: number, items: number]>;
  docs: Map<string, [key: string, item: number]>;
}

/**
 * The base state as stored: in columns, since a search after a change reads it in a
 * fresh process, where checking 100k records of tuples took 0.4 s and columns of
 * strings and numbers take a few milliseconds.
 */
const StoredStateSchema = z.object({
  flows: z.object({ ids: z.array(z.string()), hashes: z.array(z.string()), numbers: z.array(z.number()) }),
  docs: z.object({ ids: z.array(z.string()), keys: z.array(z.string()), items: z.array(z.number()) }),
});

function encodeState(state: BaseState): z.infer<typeof StoredStateSchema> {
  const flows = [...state.flows];
  const docs = [...state.docs];
  return {
    flows: { ids: flows.map(([id]) => id), hashes: flows.map(([, f]) => f[0]), numbers: flows.flatMap(([, f]) => f.slice(1) as number[]) },
    docs: { ids: docs.map(([id]) => id), keys: docs.map(([, d]) => d[0]), items: docs.map(([, d]) => d[1]) },
  };
}

const emptyState = (): BaseState => ({ flows: new Map(), docs: new Map() });

/** The state a base holds; DamagedIndexError when it is not in the shape written. */
function decodeState(raw: unknown): BaseState {
  const parsed = StoredStateSchema.safeParse(raw);
  const { flows, docs } = parsed.success ? parsed.data : { flows: { ids: [], hashes: [], numbers: [] }, docs: { ids: [], keys: [], items: [] } };
  const shaped =
    parsed.success &&
    flows.hashes.length === flows.ids.length &&
    flows.numbers.length === flows.ids.length * 4 &&
    docs.keys.length === docs.ids.length &&
    docs.items.length === docs.ids.length &&
    flows.numbers.every((n, i) => Number.isSafeInteger(n) && n >= (i % 4 < 2 ? -1 : 0)) &&
    docs.items.every((n) => Number.isSafeInteger(n) && n >= 0);
  if (!shaped) throw new DamagedIndexError('what the base was built from');
  const state = emptyState();
  const n = flows.numbers;
  flows.ids.forEach((id, i) => state.flows.set(id, [flows.hashes[i], n[i * 4], n[i * 4 + 1], n[i * 4 + 2], n[i * 4 + 3]]));
  docs.ids.forEach((id, i) => state.docs.set(id, [docs.keys[i], docs.items[i]]));
  return state;
}

const BaseInfoSchema = z.object({ kind: z.literal('base'), store: identity, manifest: identity });
type BaseInfo = z.infer<typeof BaseInfoSchema>;

/** What the delta overrides: flows and documents indexed again (their items in the delta), or gone (null). */
const DeltaInfoSchema = z.object({
  kind: z.literal('delta'),
  /** The base this delta belongs to. */
  base: z.string(),
  store: identity,
  manifest: identity,
  flows: z.record(z.string(), z.nullable(z.tuple([z.string(), offset, offset, count, count]))),
  docs: z.record(z.string(), z.nullable(z.tuple([z.string(), count]))),
  /** Base items the delta stands in for, as [first, count]. */
  replaced: z.array(range),
  /** How many they are and their total title and text lengths. */
  replacedTotals: z.tuple([count, count, count]),
  /** Since the base was written, flow lines from byte `from` on are `by` bytes further on: [from, by]. */
  shift: z.array(z.tuple([count, z.int()])),
});
type DeltaInfo = z.infer<typeof DeltaInfoSchema>;

interface Delta {
  reader: SegmentReader;
  info: DeltaInfo;
}

/** flows.json as the last refresh read it: fingerprints and lines of every flow. */
interface StoreRead {
  view: StoreView;
  hashes: Map<string, string>;
  lines: Map<string, LineRange>;
  stable: boolean;
  identity: string | null;
}

export class SearchIndex {
  private replacedMask: Uint8Array | undefined;

  private constructor(
    private readonly folder: string,
    private base: SegmentReader | undefined,
    private delta: Delta | undefined,
    private readonly tuning: Tuning,
  ) {}

  /** The cached index as it is on disk (its parts are read when a search needs them). */
  static load(dir: string, tuning: Tuning = TUNING): SearchIndex {
    const folder = join(dir, INDEX_DIR);
    const base = SegmentReader.open(join(folder, BASE_FILE));
    if (base && !BaseInfoSchema.safeParse(base.header.extra).success) {
      base.close();
      return new SearchIndex(folder, undefined, undefined, tuning);
    }
    return new SearchIndex(folder, base, base && openDelta(join(folder, DELTA_FILE), base), tuning);
  }

  /** An index with nothing cached: the next refresh builds it from the store. */
  static rebuild(dir: string, tuning: Tuning = TUNING): SearchIndex {
    return new SearchIndex(join(dir, INDEX_DIR), undefined, undefined, tuning);
  }

  get rebuilt(): boolean {
    return !this.base;
  }

  close(): void {
    this.base?.close();
    this.delta?.reader.close();
  }

  private identities(): { store: string | null; manifest: string | null } {
    return this.delta?.info ?? (this.base?.header.extra as BaseInfo | undefined) ?? { store: null, manifest: null };
  }

  /** Brings the index up to date with the store and the documents, by content hash. */
  async refresh(store: Store, docs: Documents, progress?: BuildProgress): Promise<RefreshStats> {
    const storeNow = fileIdentity(store.file);
    const manifestNow = fileIdentity(manifestPath(docs.dir));
    if (!this.base) return this.build(store, docs, progress);
    const known = this.identities();
    const flowsChanged = storeNow !== known.store;
    if (!flowsChanged && manifestNow === known.manifest) return { rebuilt: false, flows: 0, documents: 0 };
    const update = new Update(this.base, this.delta);
    const flows = flowsChanged ? await update.flows(await readStore(store)) : 0;
    const documents = manifestNow !== known.manifest ? update.documents(docs, manifestNow) : 0;
    const { builder, info } = update.finish();
    const live = this.base.items - info.replacedTotals[0];
    if (live < this.tuning.mergeBelow || builder.items > this.tuning.mergeDeltaAt || info.shift.length > MAX_SHIFTS) {
      this.merge(SegmentReader.fromBytes(builder.encode(null, info)), info, update.lines);
    } else {
      this.setDelta(this.writeSegment(DELTA_FILE, builder.encode(null, info)), info);
    }
    return { rebuilt: false, flows, documents };
  }

  /** Builds the index from the store and the documents. */
  private async build(store: Store, docs: Documents, progress?: BuildProgress): Promise<RefreshStats> {
    const read = await readStore(store);
    const manifest = docs.read();
    const entries = manifest.list().filter((e) => !e.deleted_at);
    const ids = read.view.flowIds();
    const total = ids.length + entries.length;
    const builder = new SegmentBuilder();
    const state = emptyState();
    let done = 0;
    const step = () => {
      if (progress && ++done % 500 === 0) progress(done, total);
    };
    for (const id of ids) {
      const flow = read.view.flow(id);
      if (!flow) continue;
      const line = read.lines.get(id) ?? NO_LINE;
      const first = builder.items;
      for (const item of flowItems(flow, line)) builder.add(item);
      state.flows.set(id, [read.stable ? (read.hashes.get(id) ?? '') : '', ...line, first, builder.items - first]);
      step();
    }
    for (const entry of entries) {
      state.docs.set(entry.id, [checksum(documentKey(entry)), builder.add(documentItem(entry, documentText(entry.media_type, docs.content.find(entry.sha256)) ?? ''))]);
      step();
    }
    progress?.(total, total);
    const manifestNow = fileIdentity(manifestPath(docs.dir));
    const info: BaseInfo = { kind: 'base', store: read.stable ? read.identity : null, manifest: manifestNow };
    this.setBase(this.writeSegment(BASE_FILE, builder.encode(encodeState(state), info)));
    return { rebuilt: true, flows: ids.length, documents: entries.length };
  }

  /** Writes a new base holding everything: the base less what the delta replaced, and the delta. */
  private merge(delta: SegmentReader, info: DeltaInfo, lines: Map<string, LineRange> | undefined): void {
    const base = this.base as SegmentReader;
    const state = decodeState(base.state());
    const replaced = replacedMask(base.items, info.replaced);
    const lineOf = (flow: string, line: LineRange): LineRange => lines?.get(flow) ?? shifted(info.shift, line);
    const builder = new SegmentBuilder();
    const fromBase = copyInto(builder, base, (id) => !replaced[id], (raw) => movedLine(raw, lineOf));
    const fromDelta = copyInto(builder, delta, () => true, (raw) => movedLine(raw, (flow, line) => lines?.get(flow) ?? line));
    const merged = emptyState();
    for (const [id, [hash, start, end, first, items]] of state.flows) {
      if (!(id in info.flows)) merged.flows.set(id, [hash, ...lineOf(id, [start, end]), renumber(fromBase, first, items), items]);
    }
    for (const [id, entry] of Object.entries(info.flows)) {
      if (entry) merged.flows.set(id, [entry[0], ...(lines?.get(id) ?? [entry[1], entry[2]]), renumber(fromDelta, entry[3], entry[4]), entry[4]]);
    }
    for (const [id, [key, item]] of state.docs) if (!(id in info.docs)) merged.docs.set(id, [key, renumber(fromBase, item, 1)]);
    for (const [id, entry] of Object.entries(info.docs)) if (entry) merged.docs.set(id, [entry[0], renumber(fromDelta, entry[1], 1)]);
    delta.close();
    const baseInfo: BaseInfo = { kind: 'base', store: info.store, manifest: info.manifest };
    this.setBase(this.writeSegment(BASE_FILE, builder.encode(encodeState(merged), baseInfo)));
  }

  private setBase(base: SegmentReader): void {
    this.close();
    this.base = base;
    this.delta = undefined;
    this.replacedMask = undefined;
    for (const name of [DELTA_FILE, ...OLD_FILES]) rmSync(join(this.folder, name), { force: true });
  }

  private setDelta(reader: SegmentReader, info: DeltaInfo): void {
    this.delta?.reader.close();
    this.delta = { reader, info };
    this.replacedMask = undefined;
  }

  /**
   * A segment written to the cache, and a reader of it. Not synced: a torn file fails its
   * checksums and is built again. A cache that cannot be written (a read-only checkout, a
   * full disk) is only slower next time.
   */
  private writeSegment(name: string, pieces: Buffer[]): SegmentReader {
    const path = join(this.folder, name);
    try {
      mkdirSync(this.folder, { recursive: true });
      removeStaleTemps(path);
      const temp = tempPathFor(path);
      const fd = openSync(temp, 'wx', 0o644);
      try {
        writeAll(fd, pieces);
      } finally {
        closeSync(fd);
      }
      try {
        renameSync(temp, path);
      } catch (err) {
        unlinkSync(temp);
        throw err;
      }
    } catch {
      rmSync(path, { force: true });
    }
    return SegmentReader.fromBytes(pieces);
  }

  /** The segments as a search reads them, and the totals of their live items. */
  private layers(): { layers: Layer[]; totals: { items: number; lengths: [number, number] } } {
    const base = this.base;
    if (!base) return { layers: [], totals: { items: 0, lengths: [0, 0] } };
    const layers: Layer[] = [{ reader: base, first: 0 }];
    const totals = { items: base.items, lengths: [...base.header.lengths] as [number, number] };
    if (this.delta) {
      const { reader, info } = this.delta;
      this.replacedMask ??= replacedMask(base.items, info.replaced);
      layers[0].replaced = this.replacedMask;
      layers.push({ reader, first: base.items });
      totals.items += reader.items - info.replacedTotals[0];
      totals.lengths = [0, 1].map((f) => totals.lengths[f] + reader.header.lengths[f] - info.replacedTotals[f + 1]) as [number, number];
    }
    return { layers, totals };
  }

  /** Items matching every word, best first (see rank.ts). */
  rank(specs: readonly TermSpec[]): Ranking {
    const { layers, totals } = this.layers();
    return rank(layers, specs, totals);
  }

  private locate(item: number): { reader: SegmentReader; id: number; inBase: boolean } {
    const base = this.base as SegmentReader;
    if (item < base.items) return { reader: base, id: item, inBase: true };
    if (!this.delta || item - base.items >= this.delta.reader.items) throw new DamagedIndexError(`item ${item}`);
    return { reader: this.delta.reader, id: item - base.items, inBase: false };
  }

  kindOf(item: number): Kind {
    const { reader, id } = this.locate(item);
    const kind = KINDS[reader.kinds()[id]];
    if (!kind) throw new DamagedIndexError(`the kind of item ${item}`);
    return kind;
  }

  /** What an item is shown from; a task's or plan's line where it should be in flows.json now. */
  record(item: number): ItemRecord {
    const { reader, id, inBase } = this.locate(item);
    const record = decodeRecord(reader.record(id));
    if (!record || record.kind !== this.kindOf(item)) throw new DamagedIndexError(`record ${item}`);
    if (record.kind !== 'doc' && inBase && this.delta) record.line = shifted(this.delta.info.shift, record.line);
    return record;
  }
}

/** Writes every piece, a batch at a time (writev takes at most 1,024 and may write less). */
function writeAll(fd: number, pieces: readonly Buffer[]): void {
  let next = 0;
  let partial: Buffer | undefined;
  while (partial || next < pieces.length) {
    const batch = partial ? [partial] : [];
    while (batch.length < 1024 && next < pieces.length) batch.push(pieces[next++]);
    let written = writevSync(fd, batch);
    partial = undefined;
    for (let i = 0; i < batch.length; i++) {
      if (written >= batch[i].length) {
        written -= batch[i].length;
        continue;
      }
      // Cut short: the rest of this piece, then the pieces of the batch after it, go again.
      partial = batch[i].subarray(written);
      next -= batch.length - i - 1;
      break;
    }
  }
}

function openDelta(path: string, base: SegmentReader): Delta | undefined {
  const reader = SegmentReader.open(path);
  if (!reader) return undefined;
  const info = DeltaInfoSchema.safeParse(reader.header.extra);
  if (info.success && info.data.base === base.id) return { reader, info: info.data };
  reader.close();
  return undefined;
}

/** The new number of the first of `items` copied items (0 for none: it names nothing). */
function renumber(numbers: Int32Array, first: number, items: number): number {
  if (!items) return 0;
  const now = numbers[first];
  if (!(now >= 0)) throw new DamagedIndexError('the items of a flow');
  return now;
}

/** One byte per base item: 1 when the delta replaced it. */
function replacedMask(items: number, ranges: ReadonlyArray<readonly [number, number]>): Uint8Array {
  const mask = new Uint8Array(items);
  for (const [first, n] of ranges) {
    if (first + n > items) throw new DamagedIndexError('the replaced items');
    mask.fill(1, first, first + n);
  }
  return mask;
}

/** A base line range moved by the shifts recorded since. */
function shifted(shift: ReadonlyArray<readonly [number, number]>, line: LineRange): LineRange {
  if (line[0] < 0 || !shift.length) return line;
  let lo = 0;
  let hi = shift.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (shift[mid][0] <= line[0]) lo = mid + 1;
    else hi = mid;
  }
  const by = lo ? shift[lo - 1][1] : 0;
  return [line[0] + by, line[1] + by];
}

/** A stored task or plan record with its flow's line where `lineOf` says it is now. */
function movedLine(raw: unknown[], lineOf: (flow: string, line: LineRange) => LineRange): unknown[] {
  const record = decodeRecord(raw);
  if (!record) throw new DamagedIndexError('a record');
  return record.kind === 'doc' ? raw : withLine(raw, lineOf(record.flow, record.line));
}

/**
 * Copies the items of `reader` that `keep` says into `builder`, numbered after what it
 * holds; returns each copied item's new number by its old one.
 */
function copyInto(builder: SegmentBuilder, reader: SegmentReader, keep: (id: number) => boolean, rewrite: (raw: unknown[]) => unknown[]): Int32Array {
  const numbers = new Int32Array(reader.items).fill(-1);
  const records = reader.records();
  const lengths = reader.lengthTable();
  const kinds = reader.kinds();
  for (let id = 0; id < reader.items; id++) {
    if (!keep(id)) continue;
    numbers[id] = builder.addRecord(kinds[id], JSON.stringify(rewrite(JSON.parse(records[id]) as unknown[])), lengths[id * 2], lengths[id * 2 + 1]);
  }
  for (let p = 0; p < PARTS; p++) {
    const part = reader.part(p);
    part.terms.forEach((term, i) => {
      reader.postings(part.entry(i)).forEach(({ ids, tf, length }, field) => {
        for (let k = 0; k < ids.length; k++) if (numbers[ids[k]] >= 0) builder.addPosting(term, field, numbers[ids[k]], tf[k], length[k]);
      });
    });
  }
  return numbers;
}

/**
 * One bringing up to date: flows and documents that changed since the index was written
 * are indexed again into a new delta, which keeps what the old delta held that did not.
 */
class Update {
  private readonly info: DeltaInfo;
  private readonly drop = new Set<number>();
  private readonly fresh: Array<{ flow?: string; doc?: string; items: IndexItem[] }> = [];
  private baseStateRead: BaseState | undefined;
  /** Where every flow's line is now, when flows.json was read. */
  lines: Map<string, LineRange> | undefined;

  constructor(
    private readonly base: SegmentReader,
    private readonly delta: Delta | undefined,
  ) {
    const extra = base.header.extra as BaseInfo;
    this.info = structuredClone(
      delta?.info ?? {
        kind: 'delta',
        base: base.id,
        store: extra.store,
        manifest: extra.manifest,
        flows: {},
        docs: {},
        replaced: [],
        replacedTotals: [0, 0, 0],
        shift: [],
      },
    );
  }

  private baseState(): BaseState {
    this.baseStateRead ??= decodeState(this.base.state());
    return this.baseStateRead;
  }

  private replace(first: number, items: number): void {
    if (items) this.info.replaced.push([first, items]);
  }

  /** The fingerprint a flow was indexed with (undefined: not indexed). */
  private flowHash(id: string): string | undefined {
    if (id in this.info.flows) return this.info.flows[id]?.[0];
    return this.baseState().flows.get(id)?.[0];
  }

  private overrideFlow(id: string, entry: [string, LineRange] | null, items: IndexItem[]): void {
    if (id in this.info.flows) {
      const old = this.info.flows[id];
      if (old) for (let i = 0; i < old[4]; i++) this.drop.add(old[3] + i);
    } else {
      const old = this.baseState().flows.get(id);
      if (old) this.replace(old[3], old[4]);
    }
    this.info.flows[id] = entry && [entry[0], ...entry[1], -1, items.length];
    if (entry) this.fresh.push({ flow: id, items });
  }

  async flows(read: StoreRead): Promise<number> {
    this.lines = read.lines;
    const indexed = new Set([...this.baseState().flows.keys(), ...Object.keys(this.info.flows)]);
    for (const id of indexed) if (this.flowHash(id) !== undefined && !read.hashes.has(id)) this.overrideFlow(id, null, []);
    let changed = 0;
    for (const [id, hash] of read.hashes) {
      if (this.flowHash(id) === hash) continue;
      const flow = read.view.flow(id);
      if (!flow) continue;
      const line = read.lines.get(id) ?? NO_LINE;
      // Read from bytes that changed meanwhile: no fingerprint, so it is indexed again next time.
      this.overrideFlow(id, [read.stable ? hash : '', line], flowItems(flow, line));
      changed++;
    }
    this.info.store = read.stable ? read.identity : null;
    // Lines of the base's flows that did not change moved with the bytes before them.
    const moves: Array<[number, number]> = [];
    for (const [id, [, start]] of this.baseState().flows) {
      const now = read.lines.get(id);
      if (start >= 0 && now && now[0] >= 0 && !(id in this.info.flows)) moves.push([start, now[0] - start]);
    }
    moves.sort((a, b) => a[0] - b[0]);
    this.info.shift = moves.filter((move, i) => i === 0 || move[1] !== moves[i - 1][1]);
    return changed;
  }

  documents(docs: Documents, identityNow: string | null): number {
    const manifest = docs.read();
    const baseDocs = this.baseState().docs;
    const keyOf = (id: string) => (id in this.info.docs ? this.info.docs[id]?.[0] : baseDocs.get(id)?.[0]);
    const override = (id: string, key: string | null, items: IndexItem[]) => {
      if (id in this.info.docs) {
        const old = this.info.docs[id];
        if (old) this.drop.add(old[1]);
      } else {
        const old = baseDocs.get(id);
        if (old) this.replace(old[1], 1);
      }
      this.info.docs[id] = key === null ? null : [key, -1];
      if (key !== null) this.fresh.push({ doc: id, items });
    };
    const wanted = new Map(manifest.list().filter((e) => !e.deleted_at).map((e) => [e.id, e]));
    for (const id of new Set([...baseDocs.keys(), ...Object.keys(this.info.docs)])) {
      if (keyOf(id) !== undefined && !wanted.has(id)) override(id, null, []);
    }
    let changed = 0;
    for (const [id, entry] of wanted) {
      const key = checksum(documentKey(entry));
      if (keyOf(id) === key) continue;
      override(id, key, [documentItem(entry, documentText(entry.media_type, docs.content.find(entry.sha256)) ?? '')]);
      changed++;
    }
    // The manifest may have changed while it was read: then it is read again next time.
    this.info.manifest = identityNow === fileIdentity(manifestPath(docs.dir)) ? identityNow : null;
    return changed;
  }

  /** The new delta: what the old one kept, then what was indexed now. */
  finish(): { builder: SegmentBuilder; info: DeltaInfo } {
    const builder = new SegmentBuilder();
    const { info } = this;
    if (this.delta) {
      const lines = this.lines;
      const numbers = copyInto(
        builder,
        this.delta.reader,
        (id) => !this.drop.has(id),
        (raw) => movedLine(raw, (flow, line) => lines?.get(flow) ?? line),
      );
      for (const entry of Object.values(info.flows)) if (entry && entry[3] >= 0) entry[3] = renumber(numbers, entry[3], entry[4]);
      for (const entry of Object.values(info.docs)) if (entry && entry[1] >= 0) entry[1] = renumber(numbers, entry[1], 1);
    }
    for (const { flow, doc, items } of this.fresh) {
      const first = builder.items;
      for (const item of items) builder.add(item);
      const flowEntry = flow !== undefined ? info.flows[flow] : undefined;
      if (flowEntry) flowEntry[3] = first;
      const docEntry = doc !== undefined ? info.docs[doc] : undefined;
      if (docEntry) docEntry[1] = first;
    }
    info.replacedTotals = [0, 0, 0];
    if (info.replaced.length) {
      const lengths = this.base.lengthTable();
      for (const [first, n] of info.replaced) {
        for (let id = first; id < first + n; id++) {
          info.replacedTotals[0]++;
          info.replacedTotals[1] += lengths[id * 2];
          info.replacedTotals[2] += lengths[id * 2 + 1];
        }
      }
    }
    return { builder, info };
  }
}

/**
 * flows.json read for indexing: a fingerprint and the line of every flow, and a view of
 * the same bytes to read changed flows from (read once: the lines are the view's).
 * `stable` is false when the file changed while it was being read.
 */
async function readStore(store: Store): Promise<StoreRead> {
  const view = await store.read();
  const hashes = new Map<string, string>();
  const lines = new Map<string, LineRange>();
  const read = store.knownIdentity() ?? null;
  const now = fileIdentity(store.file);
  if (now === null) return { view, hashes, lines, stable: true, identity: null };
  // A file in another layout is read through a copy in flow's: its lines are not the file's (FlowReader checks).
  for (const { id, start, end, bytes } of view.flowLines()) {
    hashes.set(id, checksum(bytes));
    lines.set(id, [start, end]);
  }
  return { view, hashes, lines, stable: read === now, identity: read };
}
