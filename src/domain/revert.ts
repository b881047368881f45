// Reverting one earlier change to a flow on top of whatever happened since (undo, redo).
// Pure. The change is known as the flow before and after it; the flow now may have moved
// on. Objects are compared by id: what the change touched goes back to how it was, as
// long as nobody touched those objects since; everything else stays as it is now.
import type { Flow, Plan, Task } from './schema.js';
import { ownFields } from './tree.js';

type Kind = 'flow' | 'plan' | 'task';

interface Node {
  id: string;
  kind: Kind;
  /** Own fields as JSON, children and `updated` left out. */
  fields: string;
  parent: string | null;
  object: Flow | Plan | Task;
}

interface Tree {
  nodes: Map<string, Node>;
  /** parent id → ordered child ids */
  children: Map<string, string[]>;
}

const CHILDREN: Record<Kind, 'plans' | 'tasks' | 'subtasks'> = { flow: 'plans', plan: 'tasks', task: 'subtasks' };

/** Own fields as JSON, `updated` left out: a touch is not a change of its own. */
function fieldsOf(object: object): string {
  const { updated: _updated, ...fields } = ownFields(object);
  return JSON.stringify(fields);
}

function index(flow: Flow | null): Tree {
  const tree: Tree = { nodes: new Map(), children: new Map() };
  if (!flow) return tree;
  const add = (object: Flow | Plan | Task, kind: Kind, parent: string | null) => {
    tree.nodes.set(object.id, { id: object.id, kind, fields: fieldsOf(object), parent, object });
    const list = (object as unknown as Record<string, Array<Plan | Task>>)[CHILDREN[kind]] ?? [];
    tree.children.set(object.id, list.map((c) => c.id));
    const childKind: Kind = kind === 'flow' ? 'plan' : 'task';
    for (const child of list) add(child, childKind, object.id);
  };
  add(flow, 'flow', null);
  return tree;
}

/** Position of `id` among the siblings both trees have, or -1. */
function rank(tree: Tree, parent: string | null, id: string, common: Set<string>): number {
  if (parent === null) return 0;
  return (tree.children.get(parent) ?? []).filter((c) => common.has(c)).indexOf(id);
}

export interface RevertConflict {
  id: string;
  kind: Kind;
  title: string;
}

export type RevertResult = { flow: Flow | null } | { conflict: RevertConflict };

function title(node: Node): string {
  const object = node.object as { title?: string; name?: string };
  return object.title ?? object.name ?? node.id;
}

/**
 * Undoes the change `before → after` on `now` (each a version of one flow, null when it
 * did not exist). Returns the flow to write (null: remove it), or the first object that
 * was changed by someone else since, which makes the revert unsafe.
 */
export function revertChange(now: Flow | null, after: Flow | null, before: Flow | null, at: string): RevertResult {
  const A = index(after);
  const B = index(before);
  const C = index(now);
  const ids = new Set([...A.nodes.keys(), ...B.nodes.keys()]);
  // Which objects did the change touch: created, deleted, edited, or moved.
  const touched = new Set<string>();
  /** Touched objects the change put somewhere else (another parent or place among siblings). */
  const moved = new Set<string>();
  const commonByParent = new Map<string, Set<string>>();
  for (const id of ids) {
    const a = A.nodes.get(id);
    const b = B.nodes.get(id);
    if (!a || !b) {
      touched.add(id);
      continue;
    }
    if (a.fields !== b.fields) touched.add(id);
    if (a.parent !== b.parent) {
      touched.add(id);
      moved.add(id);
      continue;
    }
    if (a.parent === null) continue;
    let common = commonByParent.get(a.parent);
    if (!common) {
      // Siblings under this parent both before and after: an object moved in from
      // elsewhere must not make its new siblings look reordered.
      const parent = a.parent;
      common = new Set((A.children.get(parent) ?? []).filter((c) => B.nodes.get(c)?.parent === parent));
      commonByParent.set(parent, common);
    }
    if (rank(A, a.parent, id, common) !== rank(B, b.parent, id, common)) {
      touched.add(id);
      moved.add(id);
    }
  }
  // Safe only if each touched object is, now, as the change left it.
  for (const id of touched) {
    const a = A.nodes.get(id);
    const c = C.nodes.get(id);
    const same = a ? !!c && c.fields === a.fields && c.parent === a.parent : !c;
    if (!same) {
      const node = (c ?? a ?? B.nodes.get(id)) as Node;
      return { conflict: { id, kind: node.kind, title: title(node) } };
    }
  }
  if (touched.size === 0) return { flow: now };
  const conflictAt = (id: string): RevertResult => {
    const node = (C.nodes.get(id) ?? B.nodes.get(id)) as Node;
    return { conflict: { id, kind: node.kind, title: title(node) } };
  };
  // Removing what the change created must not take anything added since with it.
  const descendants = (id: string): string[] =>
    (C.children.get(id) ?? []).flatMap((child) => [child, ...descendants(child)]);
  for (const id of touched) {
    if (B.nodes.has(id) || !C.nodes.has(id)) continue;
    const foreign = descendants(id).find((d) => !touched.has(d));
    if (foreign) return conflictAt(foreign);
  }
  // Putting back what the change removed needs the place it was in.
  for (const id of touched) {
    const parent = B.nodes.get(id)?.parent;
    if (parent && !C.nodes.has(parent) && !(touched.has(parent) && B.nodes.has(parent))) return conflictAt(parent);
  }

  // Result: the current objects, with touched ones set back to their `before` state.
  const result = new Map<string, Node>(C.nodes);
  const children = new Map<string, string[]>([...C.children].map(([k, v]) => [k, [...v]]));
  const detach = (id: string) => {
    const node = result.get(id);
    if (node?.parent) children.set(node.parent, (children.get(node.parent) ?? []).filter((c) => c !== id));
  };
  const removeSubtree = (id: string) => {
    for (const child of children.get(id) ?? []) removeSubtree(child);
    detach(id);
    result.delete(id);
    children.delete(id);
  };
  // First removals (objects the change created), then restores, so positions resolve.
  for (const id of touched) if (!B.nodes.has(id) && result.has(id)) removeSubtree(id);
  if (!before) return { flow: null };
  for (const id of touched) {
    const b = B.nodes.get(id);
    if (!b) continue;
    // Only edited: it is where the change left it (checked above), so it keeps its
    // place now, which others may have shifted by adding or moving siblings.
    if (moved.has(id)) detach(id);
    result.set(id, { ...b });
    if (!children.has(id)) children.set(id, []);
  }
  for (const id of touched) {
    const b = B.nodes.get(id);
    if (!b?.parent) continue;
    const list = children.get(b.parent) ?? [];
    if (list.includes(id)) continue;
    // Place it after the nearest earlier sibling it had before that still exists.
    const siblings = B.children.get(b.parent) ?? [];
    let at = 0;
    for (let i = siblings.indexOf(id) - 1; i >= 0; i--) {
      const k = list.indexOf(siblings[i]);
      if (k >= 0) {
        at = k + 1;
        break;
      }
    }
    list.splice(at, 0, id);
    children.set(b.parent, list);
  }
  const rootId = (before as Flow).id;
  const build = (id: string): Flow | Plan | Task => {
    const node = result.get(id) as Node;
    const { plans: _p, tasks: _t, subtasks: _s, ...fields } = node.object as unknown as Record<string, unknown>;
    const built: Record<string, unknown> = { ...fields };
    if (touched.has(id)) built.updated = at;
    built[CHILDREN[node.kind]] = (children.get(id) ?? []).filter((c) => result.has(c)).map(build);
    return built as unknown as Flow | Plan | Task;
  };
  return { flow: build(rootId) as Flow };
}
