// JSON Patch (RFC 6902) between two versions of a value, following objects by id: a list
// of objects with ids (plans, tasks, subtasks) changes by removing and inserting whole
// elements, so adding or deleting one task among 20,000 is one operation. An index-wise
// diff (fast-json-patch's compare) would instead rewrite every later task field by field.
import { escapePathComponent, type Operation } from 'fast-json-patch';
import { keptInOrder } from '../domain/align.js';

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/** A copy that shares nothing with the live tree (the patch outlives the transaction). */
function copy(value: unknown): unknown {
  return typeof value === 'object' && value !== null ? JSON.parse(JSON.stringify(value)) : value;
}

/** The ids of a list whose elements are all objects with distinct string ids, else undefined. */
function idsOf(list: readonly unknown[]): string[] | undefined {
  const ids: string[] = [];
  const seen = new Set<string>();
  for (const item of list) {
    const id = isObject(item) ? item.id : undefined;
    if (typeof id !== 'string' || seen.has(id)) return undefined;
    seen.add(id);
    ids.push(id);
  }
  return ids;
}

/** Operations that turn `before` into `after`, appended to `out`, paths under `path`. */
export function diffJson(before: unknown, after: unknown, path = '', out: Operation[] = []): Operation[] {
  if (before === after) return out;
  if (isObject(before) && isObject(after)) {
    for (const key of Object.keys(before)) {
      if (before[key] !== undefined && after[key] === undefined) out.push({ op: 'remove', path: `${path}/${escapePathComponent(key)}` });
    }
    for (const key of Object.keys(after)) {
      const value = after[key];
      if (value === undefined) continue;
      const at = `${path}/${escapePathComponent(key)}`;
      if (before[key] === undefined) out.push({ op: 'add', path: at, value: copy(value) });
      else diffJson(before[key], value, at, out);
    }
    return out;
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    const beforeIds = idsOf(before);
    const afterIds = beforeIds && idsOf(after);
    if (beforeIds && afterIds) diffById(before as Json[], after as Json[], beforeIds, afterIds, path, out);
    else diffByIndex(before, after, path, out);
    return out;
  }
  out.push({ op: 'replace', path, value: copy(after) });
  return out;
}

function diffByIndex(before: readonly unknown[], after: readonly unknown[], path: string, out: Operation[]): void {
  const common = Math.min(before.length, after.length);
  for (let i = 0; i < common; i++) diffJson(before[i], after[i], `${path}/${i}`, out);
  for (let i = before.length - 1; i >= common; i--) out.push({ op: 'remove', path: `${path}/${i}` });
  for (let i = common; i < after.length; i++) out.push({ op: 'add', path: `${path}/${i}`, value: copy(after[i]) });
}

/**
 * Elements that stay (the longest run of ids kept in the same order) are diffed in place;
 * every other element is removed (back to front) and the new or moved ones are inserted
 * at their final index (front to back), so each index is right when its operation runs.
 */
function diffById(before: Json[], after: Json[], beforeIds: string[], afterIds: string[], path: string, out: Operation[]): void {
  const kept = keptInOrder(beforeIds, afterIds);
  for (let i = before.length - 1; i >= 0; i--) if (!kept.has(beforeIds[i])) out.push({ op: 'remove', path: `${path}/${i}` });
  for (let j = 0; j < after.length; j++) if (!kept.has(afterIds[j])) out.push({ op: 'add', path: `${path}/${j}`, value: copy(after[j]) });
  const beforeAt = new Map<string, number>();
  beforeIds.forEach((id, i) => kept.has(id) && beforeAt.set(id, i));
  for (let j = 0; j < after.length; j++) {
    const i = beforeAt.get(afterIds[j]);
    if (i !== undefined) diffJson(before[i], after[j], `${path}/${j}`, out);
  }
}
