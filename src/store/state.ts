// What a command sees of the store: a read view that parses and validates flows only
// when they are asked for, and the transaction that also records what it changed.
import { escapePathComponent, type Operation } from 'fast-json-patch';
import { FlowError } from '../domain/errors.js';
import { idKind } from '../domain/ids.js';
import {
  flowTaskDepth,
  MAX_TASK_DEPTH,
  parseStoredFlow,
  SchemaError,
  TooDeepWriteError,
  type Flow,
  type Header,
} from '../domain/schema.js';
import { TreeIndex, type Location } from '../domain/tree.js';
import { DuplicateFlowError, LayoutError, type Image } from './layout.js';
import { timed } from './metrics.js';
import { diffJson } from './patch.js';
import { SCAN_FROM_BYTES, summariseFlow, summaryOf, type FlowSummary } from './summary.js';
import type { SummaryCache } from './summary-cache.js';

/** A flow or the header failed validation while being read: the store is unreadable. */
export class CorruptStoreError extends Error {
  constructor(
    readonly reason: string,
    /** False when reading the file whole would hide the damage (a flow appearing twice). */
    readonly wholeReadMayHelp = true,
  ) {
    super(reason);
    this.name = 'CorruptStoreError';
  }
}

/**
 * Runs a read of part of the file, reporting any way the bytes can be bad (broken JSON,
 * wrong schema, a broken line, nesting too deep to process) as an unreadable store.
 */
export function unreadableAs<T>(where: string, tooNew: string | undefined, read: () => T): T {
  try {
    return read();
  } catch (err) {
    // A newer format may hold what this version cannot read: that is not damage.
    if (tooNew && (err instanceof SchemaError || err instanceof LayoutError || err instanceof SyntaxError)) {
      throw new FlowError('too_new', `${where} is of format ${tooNew}, which this flow cannot read: ${(err as Error).message}`);
    }
    if (err instanceof DuplicateFlowError) throw new CorruptStoreError(err.message, false);
    if (err instanceof SchemaError || err instanceof LayoutError) throw new CorruptStoreError(err.message);
    if (err instanceof SyntaxError) throw new CorruptStoreError(`${where}: not valid JSON: ${err.message}`);
    if (err instanceof RangeError) throw new CorruptStoreError(`${where}: nested too deeply to process`);
    throw err;
  }
}

interface LoadedFlow {
  flow: Flow;
  /** JSON of the flow as read and validated; null for a flow added in this transaction. */
  baseline: string | null;
}

/** A flow nested deeper than flow writes (written by another program): read, never written. */
export class TooDeepFlowError extends FlowError {
  constructor(id: string, hidden: number) {
    super(
      'too_deep',
      `flow ${id} nests tasks more than ${MAX_TASK_DEPTH} levels deep (written by another program): flow shows it ` +
        `without the ${hidden} deepest tasks and does not change it, so nothing was saved`,
      { id, hidden_tasks: hidden, max_depth: MAX_TASK_DEPTH },
    );
  }
}

export class StoreView {
  protected readonly loaded = new Map<string, LoadedFlow>();
  /** Flows read cut short at MAX_TASK_DEPTH, with how many tasks were left out: read-only. */
  protected readonly cut = new Map<string, number>();
  /** Index of every loaded flow's objects. */
  readonly index = new TreeIndex();
  protected currentFlow: string | null;

  constructor(
    protected readonly image: Image,
    readonly header: Header,
    /** Set for a store of a newer format: readable where it fits this version, never written. */
    readonly tooNew?: string,
    /** Told once about each flow read cut short (too deep). */
    private readonly warn?: (message: string) => void,
    /** Summaries kept for this very file, when the read may trust them (list flow). */
    private readonly summaries?: SummaryCache,
  ) {
    this.currentFlow = header.current_flow_id;
  }

  get revision(): number {
    return this.header.meta.file_revision;
  }

  get currentFlowId(): string | null {
    return this.currentFlow;
  }

  /** Flow ids in file order. */
  flowIds(): string[] {
    return unreadableAs('flows', this.tooNew, () => [...this.image.members().keys()]);
  }

  /** Every flow's line of the bytes read and where it is (the search index fingerprints flows by them). */
  *flowLines(): Generator<{ id: string; start: number; end: number; bytes: Buffer }> {
    for (const [id, member] of this.image.members()) yield { id, start: member.start, end: member.end, bytes: this.image.raw(member) };
  }

  hasFlow(id: string): boolean {
    return this.loaded.has(id) || this.image.member(id) !== undefined;
  }

  flow(id: string): Flow | undefined {
    const cached = this.loaded.get(id);
    if (cached) return cached.flow;
    const member = this.image.member(id);
    if (!member) return undefined;
    return unreadableAs(`flows.${id}`, this.tooNew, () => {
      const value = timed('parse', () => this.image.value(member));
      const { flow, hidden } = timed('validate', () => parseStoredFlow(value, `flows.${id}`));
      if (flow.id !== id) throw new SchemaError(`flows.${id}.id is ${JSON.stringify(flow.id)}, not its key`, id);
      if (hidden > 0) {
        this.cut.set(id, hidden);
        this.warn?.(
          `flow ${id} nests tasks more than ${MAX_TASK_DEPTH} levels deep; its ${hidden} deepest tasks are not shown ` +
            'and the flow is read-only',
        );
      }
      const baseline = JSON.stringify(flow);
      this.index.addFlow(flow);
      this.loaded.set(id, { flow, baseline });
      return flow;
    });
  }

  /**
   * Every flow's own fields and counts, in file order, read from the flow lines' bytes
   * without building plans and tasks (summary.ts): what `list flow` and look-ups by name
   * need. A flow loaded already, or one the scan cannot vouch for, is read in full.
   */
  flowSummaries(): FlowSummary[] {
    // Only a read view has kept summaries: what it holds is the file's, unchanged.
    const kept = this.summaries?.read();
    // Believed only for the flows the file holds, in its order (its key is stat data anyone can copy).
    if (kept && this.image.holdsInOrder(kept.keys())) return [...kept.values()];
    const parse = this.image.blockEnd - this.image.blockStart < SCAN_FROM_BYTES;
    const fresh = new Map<string, FlowSummary>();
    for (const id of this.flowIds()) {
      const member = this.loaded.has(id) ? undefined : this.image.member(id);
      const quick = member && summariseFlow(id, this.image.buf, member.valueStart, member.end, parse);
      fresh.set(id, quick || summaryOf(this.flow(id) as Flow));
    }
    this.summaries?.write(fresh);
    return [...fresh.values()];
  }

  /** Every flow, parsed and validated; the cost grows with the store. */
  allFlows(): Flow[] {
    return this.flowIds().map((id) => this.flow(id) as Flow);
  }

  /**
   * Finds any object (flow, plan, task) by its full id, loading only the flows whose
   * line mentions the id.
   */
  locate(id: string): Location | undefined {
    const known = this.index.get(id);
    if (known) return known;
    // A plan_/task_ id is never a flow's key: skip that search of the whole file.
    const kind = idKind(id);
    if ((kind === undefined || kind === 'flow') && this.flow(id)) return this.index.get(id);
    const members = this.image.membersContaining(JSON.stringify(id));
    for (;;) {
      const next = unreadableAs('flows', this.tooNew, () => members.next());
      if (next.done) return undefined;
      if (!this.loaded.has(next.value.id)) this.flow(next.value.id);
      const found = this.index.get(id);
      if (found) return found;
    }
  }

  /** Flows whose line contains `text`, loaded (parsed and validated), in file order. */
  flowsContaining(text: string): Flow[] {
    const members = unreadableAs('flows', this.tooNew, () => [...this.image.membersContaining(text)]);
    return members.map((member) => this.flow(member.id)).filter((flow) => flow !== undefined);
  }

  /** Ids of objects that start with `prefix` (full ids included), loading candidates. */
  idsStartingWith(prefix: string): string[] {
    const needle = JSON.stringify(prefix).slice(0, -1);
    for (const member of unreadableAs('flows', this.tooNew, () => [...this.image.membersContaining(needle)])) {
      if (!this.loaded.has(member.id)) this.flow(member.id);
    }
    const out: string[] = [];
    for (const id of this.index.ids()) if (id.startsWith(prefix)) out.push(id);
    return out;
  }

  /**
   * Loads every flow holding an object with one of these ids, in one pass over the file
   * (a search per id would be one pass each): what a scoped restore or an undo that puts
   * objects back must know, since ids are unique in the whole file.
   */
  loadFlowsHolding(ids: Iterable<string>): void {
    const wanted = new Set([...ids].map((id) => JSON.stringify(id)));
    if (!wanted.size) return;
    unreadableAs('flows', this.tooNew, () => {
      for (const [flowId, member] of this.image.members()) {
        if (this.loaded.has(flowId) || !this.hasFlow(flowId)) continue;
        const line = this.image.raw(member);
        for (let at = line.indexOf(ID_KEY); at >= 0; at = line.indexOf(ID_KEY, at + 1)) {
          const start = at + ID_KEY.length - 1;
          if (wanted.has(line.toString('utf8', start, jsonStringEnd(line, start)))) {
            this.flow(flowId);
            break;
          }
        }
      }
    });
  }
}

/** `"id":` as JSON.stringify writes it before an object's id. */
const ID_KEY = Buffer.from('"id":"');

/** The offset just past the JSON string that starts with the quote at `start`. */
function jsonStringEnd(buf: Buffer, start: number): number {
  for (let i = start + 1; i < buf.length; i++) {
    if (buf[i] === 0x5c) i++;
    else if (buf[i] === 0x22) return i + 1;
  }
  return buf.length;
}

export interface FlowChange {
  /** The flow after the transaction, or null when it was deleted. */
  after: Flow | null;
  /** The flow before, or null when it was added. */
  before: Flow | null;
}

export interface TransactionChanges {
  flows: Map<string, FlowChange>;
  currentFlowId: { before: string | null; after: string | null } | undefined;
  patch: Operation[];
  inverse: Operation[];
  /** A new order of the flows in the file, when setFlowOrder changed it. */
  order?: string[];
  /** Top-level fields set (undefined: removed) by setExtra. */
  extras: Record<string, unknown>;
  /** Write even though nothing changed (Store.save). */
  forced: boolean;
}

export class Transaction extends StoreView {
  private readonly removed = new Map<string, string | null>();
  private readonly order: string[] = [];
  private forced = false;
  private desiredOrder: string[] | undefined;
  private readonly extras = new Map<string, unknown>();

  forceWrite(): void {
    this.forced = true;
  }

  setCurrentFlow(id: string | null): void {
    if (id !== null && !this.hasFlow(id)) throw new FlowError('not_found', `no flow ${JSON.stringify(id)}`);
    this.currentFlow = id;
  }

  override flowIds(): string[] {
    const ids = super.flowIds().filter((id) => !this.removed.has(id));
    const inFile = new Set(ids);
    for (const id of this.order) if (!inFile.has(id)) ids.push(id);
    return ids;
  }

  override hasFlow(id: string): boolean {
    return !this.removed.has(id) && super.hasFlow(id);
  }

  override flow(id: string): Flow | undefined {
    return this.removed.has(id) ? undefined : super.flow(id);
  }

  addFlow(flow: Flow): void {
    if (this.hasFlow(flow.id)) throw new FlowError('invalid', `flow ${flow.id} already exists`);
    this.index.addFlow(flow);
    this.loaded.set(flow.id, { flow, baseline: null });
    this.order.push(flow.id);
  }

  deleteFlow(id: string): Flow {
    const flow = this.flow(id);
    if (!flow) throw new FlowError('not_found', `no flow ${JSON.stringify(id)}`);
    const entry = this.loaded.get(id) as LoadedFlow;
    this.index.removeFlow(flow);
    this.loaded.delete(id);
    this.removed.set(id, entry.baseline);
    const i = this.order.indexOf(id);
    if (i >= 0) this.order.splice(i, 1);
    return flow;
  }

  /**
   * Puts each flow in place of the flow with its id (keeping its place in the file), or
   * adds it when there is none. Used by restore and undo, which bring whole flows back.
   * All are taken out of the index before any is put in, so an object that moved
   * between two of them is never in both at once.
   */
  replaceFlows(given: readonly Flow[]): void {
    // A flow whose line already holds exactly this JSON stays as it is, unparsed: a
    // restore of a big store then only pays for the flows that differ.
    const flows = given.filter((flow) => {
      if (this.loaded.has(flow.id) || this.removed.has(flow.id)) return true;
      const member = this.image.member(flow.id);
      return !member || this.image.raw(member).subarray(member.valueStart - member.start).toString('utf8') !== JSON.stringify(flow);
    });
    const existing = flows.map((flow) => this.flow(flow.id));
    existing.forEach((old) => old && this.index.removeFlow(old));
    flows.forEach((flow, i) => {
      const old = existing[i];
      if (old) {
        const entry = this.loaded.get(flow.id) as LoadedFlow;
        this.loaded.set(flow.id, { flow, baseline: entry.baseline });
      } else if (this.removed.has(flow.id)) {
        // Deleted earlier in this transaction: bring it back as the same line.
        this.loaded.set(flow.id, { flow, baseline: this.removed.get(flow.id) ?? null });
        this.removed.delete(flow.id);
      } else {
        this.loaded.set(flow.id, { flow, baseline: null });
        this.order.push(flow.id);
      }
    });
    flows.forEach((flow) => this.index.addFlow(flow));
  }

  /** Puts the flows in this order in the file (restoring a snapshot's order). */
  setFlowOrder(ids: readonly string[]): void {
    const present = this.flowIds();
    const wanted = new Set(ids);
    if (wanted.size !== ids.length || ids.length !== present.length || !present.every((id) => wanted.has(id))) {
      throw new FlowError('invalid', 'a flow order must name every flow exactly once');
    }
    this.desiredOrder = [...ids];
  }

  /** Sets (or, with undefined, removes) a top-level field other tools keep in the file. */
  setExtra(key: string, value: unknown): void {
    if (['version', 'meta', 'current_flow_id', 'flows'].includes(key)) {
      throw new FlowError('invalid', `"${key}" is not a free top-level field`);
    }
    this.extras.set(key, value);
  }

  /** What changed, as per-flow before/after and as a JSON Patch with its inverse. */
  changes(): TransactionChanges {
    const flows = new Map<string, FlowChange>();
    const patch: Operation[] = [];
    const inverse: Operation[] = [];
    const prefix = (id: string) => `/flows/${escapePathComponent(id)}`;
    for (const [id, { flow, baseline }] of this.loaded) {
      if (baseline === null) {
        // flow never writes a file it would refuse to read (DESIGN §2).
        if (flowTaskDepth(flow, MAX_TASK_DEPTH) > MAX_TASK_DEPTH) throw new TooDeepWriteError(`flow ${id}`);
        flows.set(id, { before: null, after: flow });
        patch.push({ op: 'add', path: prefix(id), value: structuredClone(flow) });
        inverse.push({ op: 'remove', path: prefix(id) });
        continue;
      }
      if (JSON.stringify(flow) === baseline) continue;
      const hidden = this.cut.get(id);
      if (hidden !== undefined) throw new TooDeepFlowError(id, hidden);
      if (flowTaskDepth(flow, MAX_TASK_DEPTH) > MAX_TASK_DEPTH) throw new TooDeepWriteError(`flow ${id}`);
      const before = JSON.parse(baseline) as Flow;
      flows.set(id, { before, after: flow });
      // The flow's inverse operations, in the order of its patch: reversed with the rest below.
      diffJson(before, flow, prefix(id), patch, inverse);
    }
    for (const [id, baseline] of this.removed) {
      if (baseline === null) continue; // added and removed in the same transaction
      const hidden = this.cut.get(id);
      if (hidden !== undefined) throw new TooDeepFlowError(id, hidden);
      const before = JSON.parse(baseline) as Flow;
      flows.set(id, { before, after: null });
      patch.push({ op: 'remove', path: prefix(id) });
      inverse.push({ op: 'add', path: prefix(id), value: before });
    }
    let currentFlowId: TransactionChanges['currentFlowId'];
    const before = this.header.current_flow_id;
    let after = this.currentFlow;
    if (after !== null && !this.hasFlow(after)) after = null;
    if (before !== after) {
      currentFlowId = { before, after };
      patch.push({ op: 'replace', path: '/current_flow_id', value: after });
      inverse.push({ op: 'replace', path: '/current_flow_id', value: before });
    }
    const extras: Record<string, unknown> = {};
    for (const [key, value] of this.extras) {
      const old = (this.header as Record<string, unknown>)[key];
      if (JSON.stringify(old) === JSON.stringify(value)) continue;
      extras[key] = value;
      const path = `/${escapePathComponent(key)}`;
      patch.push(value === undefined ? { op: 'remove', path } : { op: old === undefined ? 'add' : 'replace', path, value });
      inverse.push(old === undefined ? { op: 'remove', path } : { op: value === undefined ? 'add' : 'replace', path, value: old });
    }
    // Only a transaction that asked for an order pays for listing every flow.
    const natural = this.desiredOrder ? this.flowIds() : [];
    const order = this.desiredOrder?.some((id, i) => natural[i] !== id) ? this.desiredOrder : undefined;
    // Built back to front (push, then one reverse: unshift per operation is quadratic).
    inverse.reverse();
    return { flows, currentFlowId, extras, order, patch, inverse, forced: this.forced };
  }
}
