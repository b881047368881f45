// Reverting one earlier change on top of whatever happened since (undo, redo). Pure.
//
// A change is recorded as the objects it touched, by id: their own fields before and
// after, and for an object it removed or put elsewhere, where it was (parent, previous
// sibling, index). Reverting checks and sets back only those objects, so it costs what
// the change touched, not the size of the plan around them. Everything else stays as it
// is now; a touched object that someone changed again since makes the revert refuse.
import { keptInOrder } from './align.js';
import type { Flow } from './schema.js';
import { ownFields, type Location, type TreeIndex } from './tree.js';

export type Kind = 'flow' | 'plan' | 'task';
/** Any object of the tree: a flow, plan or task (children are read by their key). */
export type TreeObject = { id: string; [field: string]: unknown };
type Fields = Record<string, unknown>;

/** Where an object was among its siblings. */
export interface Place {
  parent: string | null;
  /** Kind and title of the parent, to name it if it is gone when the change is reverted. */
  parentKind: Kind | null;
  parentTitle: string;
  /** The sibling right before it, or null when it was first. */
  prev: string | null;
  index: number;
}

export type ObjectChange =
  /** Created by the change (each object of a created subtree has its own record). */
  | { change: 'created'; id: string; kind: Kind; after: Fields; parent: string | null }
  /** Removed by the change: the object as it was, without what survived elsewhere. */
  | { change: 'removed'; id: string; kind: Kind; object: TreeObject; from: Place }
  /** Edited, or put somewhere else (`from` set), or both. */
  | { change: 'changed'; id: string; kind: Kind; before: Fields; after: Fields; parent: string | null; from?: Place };

const CHILDREN: Record<Kind, 'plans' | 'tasks' | 'subtasks'> = { flow: 'plans', plan: 'tasks', task: 'subtasks' };
const CHILD_KIND: Record<Kind, Kind> = { flow: 'plan', plan: 'task', task: 'task' };

function childrenOf(object: TreeObject, kind: Kind): TreeObject[] {
  const children = object[CHILDREN[kind]];
  return Array.isArray(children) ? children : [];
}

function titleOf(object: object): string {
  const { title, name, id } = object as { title?: unknown; name?: unknown; id?: unknown };
  return String(title ?? name ?? id);
}

interface Node {
  object: TreeObject;
  kind: Kind;
  parent: TreeObject | null;
  parentKind: Kind | null;
  index: number;
}

/** Every object under these roots (themselves included) by id, with its parent and place. */
function nodesOf(roots: ReadonlyArray<{ object: TreeObject; kind: Kind }>): Map<string, Node> {
  const nodes = new Map<string, Node>();
  const stack: Node[] = roots.map(({ object, kind }, index) => ({ object, kind, parent: null, parentKind: null, index }));
  for (let node = stack.pop(); node; node = stack.pop()) {
    nodes.set(node.object.id, node);
    const kind = CHILD_KIND[node.kind];
    const parent = node;
    childrenOf(node.object, node.kind).forEach((child, index) => stack.push({ object: child, kind, parent: parent.object, parentKind: parent.kind, index }));
  }
  return nodes;
}

/** Ids of an object and of everything under it. */
export function idsUnder(object: TreeObject, kind: Kind): string[] {
  return [...nodesOf([{ object, kind }]).keys()];
}

const flowRoots = (flows: readonly Flow[]) => flows.map((object) => ({ object, kind: 'flow' as const }));

const parentId = (node: Node) => node.parent?.id ?? null;

function placeOf(node: Node): Place {
  const siblings = node.parent ? childrenOf(node.parent, node.parentKind as Kind) : [];
  return {
    parent: parentId(node),
    parentKind: node.parentKind,
    parentTitle: node.parent ? titleOf(node.parent) : '',
    prev: node.index > 0 && node.parent ? siblings[node.index - 1].id : null,
    index: node.index,
  };
}

/** Own fields equal, children and `updated` left out: a touch is not a change of its own. */
export function sameFields(x: Fields, y: Fields): boolean {
  const skip = (key: string) => key === 'updated' || key === 'plans' || key === 'tasks' || key === 'subtasks';
  let count = 0;
  for (const key of Object.keys(x)) {
    if (skip(key) || x[key] === undefined) continue;
    count++;
    const v = x[key];
    const w = y[key];
    if (v === w) continue;
    if (typeof v !== 'object' || typeof w !== 'object' || v === null || w === null || JSON.stringify(v) !== JSON.stringify(w)) return false;
  }
  for (const key of Object.keys(y)) if (!skip(key) && y[key] !== undefined) count--;
  return count === 0;
}

/** A copy of an object (fields and children) without the objects still there after the change. */
function withoutSurvivors(object: TreeObject, kind: Kind, after: Map<string, Node>): TreeObject {
  const children = childrenOf(object, kind).filter((c) => !after.has(c.id)).map((c) => withoutSurvivors(c, CHILD_KIND[kind], after));
  return { ...object, [CHILDREN[kind]]: children };
}

/**
 * The objects a change touched, from the flows it changed before and after (a flow it
 * created or removed is missing on one side). Linear in the size of those flows.
 */
export function objectChanges(before: readonly Flow[], after: readonly Flow[]): ObjectChange[] {
  const B = nodesOf(flowRoots(before));
  const A = nodesOf(flowRoots(after));
  // Objects that kept their parent but not their place among the siblings both sides have.
  const reordered = new Set<string>();
  for (const [id, b] of B) {
    const a = A.get(id);
    if (!a) continue;
    const wasList = childrenOf(b.object, b.kind);
    const isList = childrenOf(a.object, a.kind);
    if (wasList.length === isList.length && wasList.every((c, i) => c.id === isList[i].id)) continue;
    const was = wasList.map((c) => c.id);
    const is = isList.map((c) => c.id);
    const stayed = (c: string) => A.get(c)?.parent?.id === id && B.get(c)?.parent?.id === id;
    const common = was.filter(stayed);
    const kept = keptInOrder(common, is.filter(stayed));
    for (const c of common) if (!kept.has(c)) reordered.add(c);
  }
  const out: ObjectChange[] = [];
  for (const [id, b] of B) {
    const a = A.get(id);
    if (!a) {
      // Inside a removed subtree: recorded with the subtree's root.
      if (b.parent && !A.has(b.parent.id)) continue;
      out.push({ change: 'removed', id, kind: b.kind, object: withoutSurvivors(b.object, b.kind, A), from: placeOf(b) });
      continue;
    }
    const moved = parentId(a) !== parentId(b) || reordered.has(id);
    if (!moved && sameFields(a.object, b.object)) continue;
    const change: ObjectChange = { change: 'changed', id, kind: a.kind, before: ownFields(b.object), after: ownFields(a.object), parent: parentId(a) };
    if (moved) change.from = placeOf(b);
    out.push(change);
  }
  for (const [id, a] of A) if (!B.has(id)) out.push({ change: 'created', id, kind: a.kind, after: ownFields(a.object), parent: parentId(a) });
  return out;
}

export interface RevertConflict {
  id: string;
  kind: Kind;
  title: string;
}

/** What a revert needs of the store besides its index: flows come and go as a whole. */
export interface FlowSet {
  add(flow: TreeObject): void;
  remove(id: string): void;
}

function objectAt(location: Location): TreeObject {
  return location.kind === 'flow' ? location.flow : location.kind === 'plan' ? location.plan : location.task;
}

function parentAt(location: Location): { object: TreeObject; kind: Kind } | null {
  if (location.kind === 'flow') return null;
  if (location.kind === 'plan') return { object: location.flow, kind: 'flow' };
  return location.parent ? { object: location.parent, kind: 'task' } : { object: location.plan, kind: 'plan' };
}

/** Sets an object's own fields to `fields` (in their order, children last), `updated` to `at`. */
function setFields(object: TreeObject, kind: Kind, fields: Fields, at: string): void {
  const children = childrenOf(object, kind);
  for (const key of Object.keys(object)) delete object[key];
  Object.assign(object, fields, { updated: at, [CHILDREN[kind]]: children });
}

/**
 * The list with each object inserted after the sibling it followed before, or where it
 * was when that sibling is gone; objects that followed each other come back in that order.
 */
function placeAmong(list: readonly TreeObject[], items: ReadonlyArray<{ object: TreeObject; from: Place }>): TreeObject[] {
  const START = '';
  const present = new Set(list.map((o) => o.id));
  const following = new Map<string, TreeObject[]>();
  for (const { object, from } of [...items].sort((x, y) => x.from.index - y.from.index)) {
    let anchor = START;
    if (from.prev !== null && present.has(from.prev)) anchor = from.prev;
    else if (from.prev !== null) {
      const k = Math.min(from.index, list.length);
      if (k > 0) anchor = list[k - 1].id;
    }
    following.set(anchor, [...(following.get(anchor) ?? []), object]);
    present.add(object.id);
  }
  const out: TreeObject[] = [];
  const emit = (anchor: string) => {
    const stack = [...(following.get(anchor) ?? [])].reverse();
    for (let next = stack.pop(); next; next = stack.pop()) {
      out.push(next);
      stack.push(...[...(following.get(next.id) ?? [])].reverse());
    }
  };
  emit(START);
  for (const object of list) {
    out.push(object);
    emit(object.id);
  }
  return out;
}

/**
 * Reverts the recorded changes on the objects of `index` (the flows the change touched,
 * loaded). Returns the first object that makes it unsafe, having changed nothing; else
 * changes those flows in place, and removes or puts back whole flows through `flows`.
 */
export function revertChanges(index: TreeIndex, changes: readonly ObjectChange[], at: string, flows: FlowSet): RevertConflict | undefined {
  const conflict = findConflict(index, changes);
  if (conflict) return conflict;
  const created = new Set(changes.filter((c) => c.change === 'created').map((c) => c.id));
  /** Flows whose objects move: indexed again at the end. */
  const touched = new Set<Flow>();
  /** Per parent, the ids to take out of its list: created objects, and moved ones. */
  const takeOut = new Map<TreeObject, { kind: Kind; ids: Set<string> }>();
  /** Per parent id, the objects to put in its list. */
  const placements = new Map<string, Array<{ object: TreeObject; from: Place }>>();
  /** Objects that come back in this revert, so a placement can find a parent among them. */
  const comingBack = new Map<string, { object: TreeObject; kind: Kind }>();
  const detach = (location: Location) => {
    const parent = parentAt(location);
    if (!parent) return;
    const entry = takeOut.get(parent.object) ?? { kind: parent.kind, ids: new Set<string>() };
    entry.ids.add(objectAt(location).id);
    takeOut.set(parent.object, entry);
  };
  const place = (object: TreeObject, from: Place) => {
    const parent = from.parent as string;
    placements.set(parent, [...(placements.get(parent) ?? []), { object, from }]);
    const location = index.get(parent);
    if (location) touched.add(location.flow);
  };
  const createdRemoved: TreeObject[] = [];
  for (const change of changes) {
    const location = index.get(change.id);
    if (change.change === 'created') {
      // The top of a created subtree goes, and everything under it with it.
      if (change.parent !== null && created.has(change.parent)) continue;
      if (change.kind === 'flow') flows.remove(change.id);
      else if (location) {
        touched.add(location.flow);
        detach(location);
        createdRemoved.push(objectAt(location));
      }
    } else if (change.change === 'changed') {
      if (!location) continue;
      const current = location;
      if (change.kind !== 'flow') touched.add(current.flow);
      setFields(objectAt(current), change.kind, change.before, at);
      if (change.from) {
        detach(current);
        place(objectAt(current), change.from);
      }
    } else {
      const object = { ...change.object, updated: at };
      for (const [id, node] of nodesOf([{ object, kind: change.kind }])) comingBack.set(id, node);
      if (change.kind === 'flow') flows.add(object);
      else place(object, change.from);
    }
  }
  for (const [parent, { kind, ids }] of takeOut) parent[CHILDREN[kind]] = childrenOf(parent, kind).filter((o) => !ids.has(o.id));
  for (const object of createdRemoved) {
    const location = index.get(object.id);
    if (location?.kind === 'plan') index.removePlan(location.plan);
    else if (location?.kind === 'task') index.removeTask(location.task);
  }
  for (const [parentIdValue, items] of placements) {
    const location = index.get(parentIdValue);
    const parent = location ? { object: objectAt(location), kind: location.kind } : (comingBack.get(parentIdValue) as { object: TreeObject; kind: Kind });
    parent.object[CHILDREN[parent.kind]] = placeAmong(childrenOf(parent.object, parent.kind), items);
  }
  for (const flow of touched) {
    index.removeFlow(flow);
    index.addFlow(flow);
  }
  return undefined;
}

function findConflict(index: TreeIndex, changes: readonly ObjectChange[]): RevertConflict | undefined {
  const named = (object: object, kind: Kind): RevertConflict => ({ id: (object as { id: string }).id, kind, title: titleOf(object) });
  const created = new Set(changes.filter((c) => c.change === 'created').map((c) => c.id));
  // Besides what the change created, what it moved under a created object: the revert
  // moves that back out, with everything under it.
  const movedIn = new Set(changes.filter((c) => c.change === 'changed' && c.from).map((c) => c.id));
  const comingBack = new Set<string>();
  for (const change of changes) {
    if (change.change === 'removed') for (const id of idsUnder(change.object, change.kind)) comingBack.add(id);
    if (change.change === 'changed') comingBack.add(change.id);
  }
  for (const change of changes) {
    const location = index.get(change.id);
    if (change.change === 'removed') {
      // Nothing it held may exist now: ids are unique in the whole store.
      for (const id of idsUnder(change.object, change.kind)) {
        const now = index.get(id);
        if (now) return named(objectAt(now), now.kind);
      }
    } else {
      // As the change left it: the same fields and the same parent.
      if (!location || location.kind !== change.kind) return named({ ...change.after, id: change.id }, change.kind);
      const object = objectAt(location);
      if (!sameFields(object, change.after) || (parentAt(location)?.object.id ?? null) !== change.parent) return named(object, change.kind);
      // Removing what the change created must not take anything added since with it.
      if (change.change === 'created') {
        const stack = [{ object, kind: change.kind }];
        for (let next = stack.pop(); next; next = stack.pop()) {
          const kind = CHILD_KIND[next.kind];
          for (const child of childrenOf(next.object, next.kind)) {
            if (created.has(child.id)) stack.push({ object: child, kind });
            else if (!movedIn.has(child.id)) return named(child, kind);
          }
        }
      }
    }
    // Putting back what the change removed or moved needs the place it was in.
    const from = change.change === 'created' ? undefined : change.from;
    if (from?.parent && !index.has(from.parent) && !comingBack.has(from.parent)) {
      return { id: from.parent, kind: from.parentKind as Kind, title: from.parentTitle };
    }
  }
  return undefined;
}
