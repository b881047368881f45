// The three-way merge of flows.json by id, at field level (issue 16 item 2). Pure: bytes
// in, bytes out.
//
// Flows whose lines are the same bytes on both sides are copied as they are, unparsed:
// the cost follows the change, not the store. The flows that differ are merged object by
// object (flow, plan, task), so a plan or task that moved to another flow is still one
// object:
// - fields: a field changed on one side takes that value; changed on both to different
//   values, ours stays in place and theirs is recorded (`updated` takes the later time;
//   `conflicts` lists are merged as sets);
// - place: a move on one side applies; moves on both to different parents keep ours and
//   record theirs; order among siblings is merged by order.ts;
// - existence: an object deleted on one side is deleted, unless the other side changed
//   it or anything inside it: then it is kept, whole, and the deletion is recorded.
import { FlowError } from '../domain/errors.js';
import { parseFlow, type Flow, type Header, type Plan, type Task } from '../domain/schema.js';
import { ownFields } from '../domain/tree.js';
import { spliceImage } from '../store/layout.js';
import { CONFLICTS_FIELD, type ConflictKind, type ConflictRecord, type ConflictSide } from './conflict-record.js';
import { mergeOrder } from './order.js';
import { flowBytes, flowOf, MAX_TASK_DEPTH, MergeRefusedError, originOf, readSide, type Side, type SideName } from './side.js';

type Kind = 'flow' | 'plan' | 'task';
const CHILDREN = { flow: 'plans', plan: 'tasks', task: 'subtasks' } as const;
const FIXED_HEADER = new Set(['version', 'meta', 'current_flow_id', 'flows']);

interface Node {
  kind: Kind;
  /** Own fields (children left out), in the object's key order. */
  fields: Record<string, unknown>;
  parent: string | null;
  children: string[];
}

export interface MergeOptions {
  /** meta.writer of the merged revision. */
  writer: string;
  /** When the merge happens (meta.last_saved, records' `at`). */
  at: string;
}

/** A conflict recorded by this merge, with what it is about. */
export interface RecordedConflict {
  /** The object's id; null for a top-level field. */
  id: string | null;
  object: Kind | 'file';
  /** Title or name of the object, as it is in the result. */
  title: string;
  record: ConflictRecord;
}

export interface MergeResult {
  /** The merged flows.json, in flow's layout. */
  bytes: Buffer[];
  revision: number;
  conflicts: RecordedConflict[];
}

/** Merges three versions of flows.json. A bad side throws MergeRefusedError. */
export function mergeFiles(base: Buffer, ours: Buffer, theirs: Buffer, options: MergeOptions): MergeResult {
  return mergeSides(
    readSide('base', base),
    readSide('ours', ours) as Side,
    readSide('theirs', theirs) as Side,
    options,
  );
}

/** One side's objects in the flows being merged. */
class Tree {
  readonly nodes = new Map<string, Node>();

  constructor(readonly side: SideName) {}

  add(flow: Flow): void {
    this.claim(flow.id, 'flow', flow, null, flow.plans);
    for (const plan of flow.plans) {
      this.claim(plan.id, 'plan', plan, flow.id, plan.tasks);
      this.addTasks(plan.tasks, plan.id, 1);
    }
  }

  private addTasks(tasks: readonly Task[], parent: string, depth: number): void {
    if (tasks.length && depth > MAX_TASK_DEPTH) {
      throw new MergeRefusedError(this.side, `tasks nest deeper than ${MAX_TASK_DEPTH} levels`);
    }
    for (const task of tasks) {
      this.claim(task.id, 'task', task, parent, task.subtasks);
      this.addTasks(task.subtasks, task.id, depth + 1);
    }
  }

  private claim(id: string, kind: Kind, object: Flow | Plan | Task, parent: string | null, children: ReadonlyArray<{ id: string }>): void {
    if (this.nodes.has(id)) throw new MergeRefusedError(this.side, `id ${JSON.stringify(id)} appears twice`);
    this.nodes.set(id, { kind, fields: ownFields(object), parent, children: children.map((c) => c.id) });
  }
}

export function mergeSides(base: Side | null, ours: Side, theirs: Side, options: MergeOptions): MergeResult {
  const changed = changedFlows(ours, theirs);
  const B = new Tree('base');
  const O = new Tree('ours');
  const T = new Tree('theirs');
  for (const id of changed) {
    for (const [side, tree] of [[base, B], [ours, O], [theirs, T]] as const) {
      const flow = side && flowOf(side, id);
      if (flow) tree.add(flow);
    }
  }
  if (base) addBaseOfMoved(base, changed, B, O, T);
  refuseDuplicates(ours, changed, O, T);
  const merge = new ObjectMerge(B, O, T, originOf(ours), originOf(theirs), options.at);
  const flows = merge.run();

  const resultFlows = new Set<string>([...ours.members.keys()].filter((id) => !changed.has(id)));
  for (const id of flows.keys()) resultFlows.add(id);
  const order = mergeOrder({
    base: base ? [...base.members.keys()] : [],
    ours: [...ours.members.keys()],
    theirs: [...theirs.members.keys()],
    keep: resultFlows,
  });
  const header = mergeHeader(base?.header, ours.header, theirs.header, merge, order, options);
  return {
    bytes: spliceImage(ours.image, header, { put: flows, removed: new Set(), order }),
    revision: header.meta.file_revision,
    conflicts: merge.recorded,
  };
}

/** Flows that are not the same bytes on both sides. */
function changedFlows(ours: Side, theirs: Side): Set<string> {
  const changed = new Set<string>();
  for (const id of ours.members.keys()) {
    const mine = flowBytes(ours, id) as Buffer;
    const other = flowBytes(theirs, id);
    if (!other || !mine.equals(other)) changed.add(id);
  }
  for (const id of theirs.members.keys()) if (!ours.members.has(id)) changed.add(id);
  return changed;
}

/**
 * An object both sides have in the flows being merged but the ancestor had elsewhere
 * (both moved it out of a flow that ended up the same on both sides): its ancestor
 * version is needed to tell edits from the other side's values. Rare; one search each.
 */
function addBaseOfMoved(base: Side, changed: ReadonlySet<string>, B: Tree, O: Tree, T: Tree): void {
  const loaded = new Set(changed);
  for (const id of O.nodes.keys()) {
    if (!T.nodes.has(id) || B.nodes.has(id)) continue;
    for (const member of base.image.membersContaining(`"id":${JSON.stringify(id)}`)) {
      if (loaded.has(member.id)) continue;
      loaded.add(member.id);
      const flow = flowOf(base, member.id);
      if (flow) B.add(flow);
    }
  }
}

/**
 * Ids must stay unique in the whole file. Theirs' objects in the merged flows that ours
 * does not have there must not be objects of the flows copied unparsed (which both sides
 * share): that would be theirs holding one object twice. One pass over the file's id fields.
 */
function refuseDuplicates(ours: Side, changed: ReadonlySet<string>, O: Tree, T: Tree): void {
  const candidates = new Set<string>();
  for (const id of T.nodes.keys()) if (!O.nodes.has(id)) candidates.add(id);
  if (!candidates.size) return;
  const starts: number[] = [];
  const ids: string[] = [];
  for (const [id, member] of ours.members) {
    starts.push(member.start);
    ids.push(id);
  }
  const suspects = new Set<string>();
  const buf = ours.image.buf;
  const needle = Buffer.from('"id":"');
  for (let at = buf.indexOf(needle); at >= 0; at = buf.indexOf(needle, at + needle.length)) {
    const start = at + needle.length - 1;
    const end = stringEnd(buf, start);
    if (end < 0) break;
    const flowId = ids[lastAtOrBefore(starts, at)];
    if (flowId === undefined || changed.has(flowId)) continue;
    // Plain ids are read as bytes; anything escaped is decoded as the JSON string it is.
    const raw = buf.toString('latin1', start + 1, end);
    const value = /^[\x20-\x7e]*$/.test(raw) && !raw.includes('\\') ? raw : (JSON.parse(buf.toString('utf8', start, end + 1)) as string);
    if (candidates.has(value)) suspects.add(flowId);
  }
  for (const flowId of suspects) {
    const tree = new Tree('ours');
    tree.add(flowOf(ours, flowId) as Flow);
    for (const id of tree.nodes.keys()) {
      if (candidates.has(id)) throw new MergeRefusedError('theirs', `id ${JSON.stringify(id)} appears twice`);
    }
  }
}

/** Offset of the quote that closes the JSON string opening at `start`, or -1. */
function stringEnd(buf: Buffer, start: number): number {
  for (let i = start + 1; i < buf.length; i++) {
    if (buf[i] === 0x5c) i++;
    else if (buf[i] === 0x22) return i;
  }
  return -1;
}

function lastAtOrBefore(sorted: readonly number[], value: number): number {
  let lo = 0;
  let hi = sorted.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] <= value) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

class ObjectMerge {
  /** Conflicts recorded by this merge, in the order found. */
  readonly recorded: RecordedConflict[] = [];
  private readonly records = new Map<string, ConflictRecord[]>();
  private readonly exists = new Set<string>();
  /** Objects deleted on one side and kept because the other side changed them. */
  private readonly keptDeleted = new Map<string, SideName>();
  private readonly fields = new Map<string, Record<string, unknown>>();
  private readonly parents = new Map<string, string | null>();
  /** Parents taken from theirs where ours had another: a cycle is broken there. */
  private readonly theirsMoves = new Set<string>();
  private readonly touched: Record<'ours' | 'theirs', Set<string>>;

  constructor(
    private readonly B: Tree,
    private readonly O: Tree,
    private readonly T: Tree,
    private readonly mine: { writer?: string; revision: number },
    private readonly theirs: { writer?: string; revision: number },
    private readonly at: string,
  ) {
    this.touched = { ours: this.subtreesTouched(O), theirs: this.subtreesTouched(T) };
  }

  /** The merged flows, built whole, by id. */
  run(): Map<string, Flow> {
    const ids = new Set([...this.O.nodes.keys(), ...this.T.nodes.keys()]);
    for (const id of ids) this.decideExistence(id);
    for (const id of this.exists) this.mergeObject(id);
    this.breakCycles();
    const children = this.mergeChildren();
    const flows = new Map<string, Flow>();
    for (const id of this.exists) {
      if (this.kindOf(id) !== 'flow') continue;
      // Validated as any flow read is, which also puts its keys in the store's order.
      flows.set(id, parseFlow(this.build(id, children, 0), `flows.${id}`));
    }
    return flows;
  }

  private kindOf(id: string): Kind {
    return ((this.O.nodes.get(id) ?? this.T.nodes.get(id)) as Node).kind;
  }

  /** Ids whose subtree on this side holds a change from the ancestor (an edit, a move in, an addition). */
  private subtreesTouched(tree: Tree): Set<string> {
    const out = new Set<string>();
    for (const [id, node] of tree.nodes) {
      const before = this.B.nodes.get(id);
      if (before && before.parent === node.parent && sameFields(before.fields, node.fields)) continue;
      for (let at: string | null = id; at !== null && !out.has(at); at = tree.nodes.get(at)?.parent ?? null) out.add(at);
    }
    return out;
  }

  private decideExistence(id: string): void {
    const o = this.O.nodes.get(id);
    const t = this.T.nodes.get(id);
    const b = this.B.nodes.get(id);
    if (new Set([o, t, b].filter((n) => n !== undefined).map((n) => n.kind)).size > 1) {
      throw new MergeRefusedError('theirs', `${JSON.stringify(id)} is a ${t?.kind ?? b?.kind} there but a ${o?.kind ?? b?.kind} here`);
    }
    if (o && t) this.exists.add(id);
    else if (!b) this.exists.add(id);
    else if (this.keepDeleted(id, o ? 'ours' : 'theirs')) this.exists.add(id);
  }

  /** Deleted on one side, present on `keeper`: kept when the keeper changed it or it sits in a kept object. */
  private keepDeleted(id: string, keeper: 'ours' | 'theirs'): boolean {
    const known = this.keptDeleted.get(id);
    if (known) return true;
    const tree = keeper === 'ours' ? this.O : this.T;
    const deleter = keeper === 'ours' ? this.T : this.O;
    const parent = (tree.nodes.get(id) as Node).parent;
    const parentKept =
      parent !== null && !deleter.nodes.has(parent) && this.B.nodes.has(parent) && this.keepDeleted(parent, keeper);
    if (!parentKept && !this.touched[keeper].has(id)) return false;
    this.keptDeleted.set(id, keeper);
    // One record, on the outermost object kept: everything inside it comes with it.
    if (!parentKept) {
      const deletedBy = keeper === 'ours' ? 'theirs' : 'ours';
      this.record(id, 'deleted', undefined, {
        mine: { ...this.mine, deleted: deletedBy === 'ours' },
        theirs: { ...this.theirs, deleted: deletedBy === 'theirs' },
      });
    }
    return true;
  }

  private mergeObject(id: string): void {
    const o = this.O.nodes.get(id);
    const t = this.T.nodes.get(id);
    const b = this.B.nodes.get(id);
    if (!o || !t) {
      const only = (o ?? t) as Node;
      this.fields.set(id, only.fields);
      this.parents.set(id, only.parent);
      return;
    }
    this.fields.set(id, this.mergeFields(id, b?.fields, o.fields, t.fields));
    this.parents.set(id, this.mergeParent(id, b, o, t));
  }

  private mergeFields(
    id: string | null,
    base: Record<string, unknown> | undefined,
    ours: Record<string, unknown>,
    theirs: Record<string, unknown>,
  ): Record<string, unknown> {
    const out: Array<[string, unknown]> = [];
    const keys = [...new Set([...Object.keys(ours), ...Object.keys(theirs), ...Object.keys(base ?? {})])];
    for (const key of keys) {
      const value = this.mergeField(id, key, base?.[key], ours[key], theirs[key]);
      if (value !== undefined) out.push([key, value]);
    }
    return Object.fromEntries(out);
  }

  private mergeField(id: string | null, key: string, base: unknown, ours: unknown, theirs: unknown): unknown {
    if (same(ours, theirs)) return ours;
    if (same(ours, base)) return theirs;
    if (same(theirs, base)) return ours;
    // A touch is not a change of its own: the later time stands.
    if (key === 'updated' && typeof ours === 'string' && typeof theirs === 'string') return ours > theirs ? ours : theirs;
    if (key === CONFLICTS_FIELD && [base, ours, theirs].every((v) => v === undefined || Array.isArray(v))) {
      const merged = mergeSets((base ?? []) as unknown[], (ours ?? []) as unknown[], (theirs ?? []) as unknown[]);
      return merged.length ? merged : undefined;
    }
    this.record(id, 'field', key, {
      mine: { ...this.mine, ...(ours === undefined ? {} : { value: ours }) },
      theirs: { ...this.theirs, ...(theirs === undefined ? {} : { value: theirs }) },
      ...(base === undefined ? {} : { base }),
    });
    return ours;
  }

  private mergeParent(id: string, b: Node | undefined, o: Node, t: Node): string | null {
    if (o.parent === t.parent) return o.parent;
    if (b && o.parent === b.parent) {
      this.theirsMoves.add(id);
      return t.parent;
    }
    if (b && t.parent === b.parent) return o.parent;
    this.recordPlace(id, o.parent, t.parent);
    return o.parent;
  }

  private recordPlace(id: string, mine: string | null, theirs: string | null): void {
    this.record(id, 'place', undefined, {
      mine: { ...this.mine, ...(mine === null ? {} : { parent: mine }) },
      theirs: { ...this.theirs, ...(theirs === null ? {} : { parent: theirs }) },
    });
  }

  /**
   * Moves on both sides can each be fine and still close a loop (ours put A under B,
   * theirs B under A). Each loop holds a move taken from theirs: undo it and record it.
   */
  private breakCycles(): void {
    const done = new Set<string>();
    for (const start of this.exists) {
      const path: string[] = [];
      const onPath = new Set<string>();
      let at: string | null = start;
      while (at !== null && !done.has(at)) {
        if (onPath.has(at)) {
          const loop = path.slice(path.indexOf(at));
          const undo = loop.find((id) => this.theirsMoves.has(id)) as string;
          const mine = (this.O.nodes.get(undo) as Node).parent;
          this.recordPlace(undo, mine, this.parents.get(undo) ?? null);
          this.parents.set(undo, mine);
          this.theirsMoves.delete(undo);
          return this.breakCycles();
        }
        path.push(at);
        onPath.add(at);
        at = this.parents.get(at) ?? null;
      }
      for (const id of path) done.add(id);
    }
  }

  /** Each object's children in merged order. */
  private mergeChildren(): Map<string, string[]> {
    const byParent = new Map<string, Set<string>>();
    for (const id of this.exists) {
      const parent = this.parents.get(id);
      if (parent === null || parent === undefined) continue;
      if (!this.exists.has(parent)) throw new FlowError('failed', `internal: ${id} was merged under ${parent}, which is gone`);
      let set = byParent.get(parent);
      if (!set) byParent.set(parent, (set = new Set()));
      set.add(id);
    }
    const out = new Map<string, string[]>();
    for (const [parent, keep] of byParent) {
      out.set(
        parent,
        mergeOrder({
          base: this.B.nodes.get(parent)?.children ?? [],
          ours: this.O.nodes.get(parent)?.children ?? [],
          theirs: this.T.nodes.get(parent)?.children ?? [],
          keep,
        }),
      );
    }
    return out;
  }

  private build(id: string, children: Map<string, string[]>, depth: number): Record<string, unknown> {
    const kind = this.kindOf(id);
    if (kind === 'task' && depth > MAX_TASK_DEPTH) {
      throw new FlowError('invalid', `the merge would nest tasks deeper than ${MAX_TASK_DEPTH} levels (under ${JSON.stringify(id)})`);
    }
    const fields = { ...(this.fields.get(id) as Record<string, unknown>) };
    const added = this.records.get(id);
    if (added) {
      const existing = Array.isArray(fields[CONFLICTS_FIELD]) ? (fields[CONFLICTS_FIELD] as unknown[]) : [];
      fields[CONFLICTS_FIELD] = [...existing, ...added];
    }
    const childDepth = kind === 'flow' ? 0 : depth + 1;
    const list = (children.get(id) ?? []).map((child) => this.build(child, children, childDepth));
    return Object.fromEntries([...Object.entries(fields), [CHILDREN[kind], list]]);
  }

  private record(
    id: string | null,
    kind: ConflictKind,
    field: string | undefined,
    sides: { mine: ConflictSide; theirs: ConflictSide; base?: unknown },
  ): void {
    const record: ConflictRecord = { kind, ...(field === undefined ? {} : { field }), ...sides, at: this.at };
    const key = id ?? '';
    const list = this.records.get(key) ?? [];
    list.push(record);
    this.records.set(key, list);
    const node = id === null ? undefined : (this.O.nodes.get(id) ?? this.T.nodes.get(id));
    const title = node ? String(node.fields.title ?? node.fields.name ?? id) : '';
    this.recorded.push({ id, object: node?.kind ?? 'file', title, record });
  }

  /** Top-level fields other tools keep (all but version, meta, current_flow_id, flows). */
  mergeExtras(base: Header | undefined, ours: Header, theirs: Header): Record<string, unknown> {
    const pick = (header: Header | undefined) =>
      header && Object.fromEntries(Object.entries(header).filter(([key]) => !FIXED_HEADER.has(key)));
    const merged = this.mergeFields(null, pick(base), pick(ours) as Record<string, unknown>, pick(theirs) as Record<string, unknown>);
    const added = this.records.get('');
    if (added) {
      const existing = Array.isArray(merged[CONFLICTS_FIELD]) ? (merged[CONFLICTS_FIELD] as unknown[]) : [];
      merged[CONFLICTS_FIELD] = [...existing, ...added];
    }
    return merged;
  }
}

function mergeHeader(
  base: Header | undefined,
  ours: Header,
  theirs: Header,
  merge: ObjectMerge,
  order: readonly string[],
  options: MergeOptions,
): Header {
  const flows = new Set(order);
  const extras = merge.mergeExtras(base, ours, theirs);
  // The current flow is a pointer, not data: theirs' choice applies only if ours kept the ancestor's.
  const candidates = [
    ours.current_flow_id === base?.current_flow_id ? theirs.current_flow_id : ours.current_flow_id,
    ours.current_flow_id,
    theirs.current_flow_id,
  ];
  const current = candidates.find((id) => id !== null && flows.has(id)) ?? order[0] ?? null;
  return {
    version: ours.version,
    meta: {
      ...ours.meta,
      last_saved: options.at,
      file_revision: Math.max(ours.meta.file_revision, theirs.meta.file_revision) + 1,
      writer: options.writer,
    },
    current_flow_id: current,
    ...extras,
  };
}

/** Records kept by both, or added by either (ancestor's records removed by either side go). */
function mergeSets(base: readonly unknown[], ours: readonly unknown[], theirs: readonly unknown[]): unknown[] {
  const key = (value: unknown) => canonical(value);
  const inBase = new Set(base.map(key));
  const inOurs = new Set(ours.map(key));
  const inTheirs = new Set(theirs.map(key));
  const out = ours.filter((value) => inTheirs.has(key(value)) || !inBase.has(key(value)));
  for (const value of theirs) if (!inOurs.has(key(value)) && !inBase.has(key(value))) out.push(value);
  return out;
}

function sameFields(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  const { updated: _a, ...restA } = a;
  const { updated: _b, ...restB } = b;
  return same(restA, restB);
}

/** JSON values equal whatever the order of object keys. */
function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const other = b as unknown[];
    return a.length === other.length && a.every((value, i) => same(value, other[i]));
  }
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  const keys = Object.keys(x);
  if (keys.length !== Object.keys(y).length) return false;
  return keys.every((key) => Object.hasOwn(y, key) && same(x[key], y[key]));
}

/** JSON with object keys sorted: one text per value whatever its key order. */
function canonical(value: unknown): string {
  if (typeof value !== 'object' || value === null) return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  const entries = Object.keys(value)
    .sort()
    .map((key) => `${JSON.stringify(key)}:${canonical((value as Record<string, unknown>)[key])}`);
  return `{${entries.join(',')}}`;
}
