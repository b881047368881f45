// JSON Patch (RFC 6902) between two versions of a value, following objects by id: a list
// of objects with ids (plans, tasks, subtasks) changes by removing and inserting whole
// elements, so adding or deleting one task among 20,000 is one operation. An index-wise
// diff (fast-json-patch's compare) would instead rewrite every later task field by field.
// One walk gives the patch and its inverse; paths are built only for what changed.
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

/** Same length, and each element an object with the same id as its counterpart. */
function sameIdsInOrder(before: readonly unknown[], after: readonly unknown[]): boolean {
  if (before.length !== after.length) return false;
  for (let i = 0; i < before.length; i++) {
    const a = before[i];
    const b = after[i];
    if (!isObject(a) || !isObject(b) || typeof a.id !== 'string' || a.id !== b.id) return false;
  }
  return true;
}

class Diff {
  /** The path to where the walk is, one escaped segment each. */
  private readonly at: string[] = [];

  constructor(
    private readonly root: string,
    readonly patch: Operation[],
    /** Each operation's inverse, in the order of `patch` (undo them back to front). */
    readonly undo: Operation[],
  ) {}

  private path(last?: string | number): string {
    const tail = last === undefined ? '' : `/${typeof last === 'number' ? last : escapePathComponent(last)}`;
    return `${this.root}${this.at.length ? `/${this.at.join('/')}` : ''}${tail}`;
  }

  private add(key: string | number, value: unknown): void {
    const path = this.path(key);
    this.patch.push({ op: 'add', path, value: copy(value) });
    this.undo.push({ op: 'remove', path });
  }

  private remove(key: string | number, old: unknown): void {
    const path = this.path(key);
    this.patch.push({ op: 'remove', path });
    this.undo.push({ op: 'add', path, value: copy(old) });
  }

  private replace(key: string | number | undefined, old: unknown, value: unknown): void {
    const path = this.path(key);
    this.patch.push({ op: 'replace', path, value: copy(value) });
    this.undo.push({ op: 'replace', path, value: copy(old) });
  }

  /** The member `key` of the value being walked, from `old` to `value`. */
  private member(key: string | number, old: unknown, value: unknown): void {
    if (old === value) return;
    if (typeof old !== 'object' || typeof value !== 'object' || old === null || value === null || Array.isArray(old) !== Array.isArray(value)) {
      this.replace(key, old, value);
      return;
    }
    this.at.push(typeof key === 'number' ? String(key) : escapePathComponent(key));
    this.value(old, value);
    this.at.pop();
  }

  value(before: unknown, after: unknown): void {
    if (before === after) return;
    if (isObject(before) && isObject(after)) {
      for (const key of Object.keys(before)) if (before[key] !== undefined && after[key] === undefined) this.remove(key, before[key]);
      for (const key of Object.keys(after)) {
        const value = after[key];
        if (value === undefined) continue;
        if (before[key] === undefined) this.add(key, value);
        else this.member(key, before[key], value);
      }
    } else if (Array.isArray(before) && Array.isArray(after)) {
      // The common case, checked without allocating: the same elements in the same order.
      if (sameIdsInOrder(before, after)) {
        for (let i = 0; i < before.length; i++) this.member(i, before[i], after[i]);
        return;
      }
      const beforeIds = idsOf(before);
      const afterIds = beforeIds && idsOf(after);
      if (beforeIds && afterIds) this.byId(before, after, beforeIds, afterIds);
      else this.byIndex(before, after);
    } else {
      this.replace(undefined, before, after);
    }
  }

  private byIndex(before: readonly unknown[], after: readonly unknown[]): void {
    const common = Math.min(before.length, after.length);
    for (let i = 0; i < common; i++) this.member(i, before[i], after[i]);
    for (let i = before.length - 1; i >= common; i--) this.remove(i, before[i]);
    for (let i = common; i < after.length; i++) this.add(i, after[i]);
  }

  /**
   * Elements that stay (the longest run of ids kept in the same order) are diffed in
   * place; every other element is removed (back to front) and the new or moved ones are
   * inserted at their final index (front to back), so each index is right when its
   * operation runs.
   */
  private byId(before: readonly unknown[], after: readonly unknown[], beforeIds: string[], afterIds: string[]): void {
    const kept = keptInOrder(beforeIds, afterIds);
    for (let i = before.length - 1; i >= 0; i--) if (!kept.has(beforeIds[i])) this.remove(i, before[i]);
    for (let j = 0; j < after.length; j++) if (!kept.has(afterIds[j])) this.add(j, after[j]);
    const beforeAt = new Map<string, number>();
    beforeIds.forEach((id, i) => kept.has(id) && beforeAt.set(id, i));
    for (let j = 0; j < after.length; j++) {
      const i = beforeAt.get(afterIds[j]);
      if (i !== undefined) this.member(j, before[i], after[j]);
    }
  }
}

/**
 * Operations that turn `before` into `after`, appended to `patch`, paths under `path`;
 * with `undo`, each operation's inverse too, in the same order (applied back to front
 * they turn `after` into `before`).
 */
export function diffJson(before: unknown, after: unknown, path = '', patch: Operation[] = [], undo: Operation[] = []): Operation[] {
  new Diff(path, patch, undo).value(before, after);
  return patch;
}
