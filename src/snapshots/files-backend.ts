// The default snapshot storage: a gzipped full baseline, then RFC 6902 patches each
// against the snapshot before it. A new baseline starts when the chain reaches
// MAX_CHAIN patches or its patches outweigh the baseline, so a restore reads one
// baseline and at most MAX_CHAIN small patches.
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { applyPatch, compare, escapePathComponent, type Operation } from 'fast-json-patch';
import { writeFileAtomic } from '../store/atomic-write.js';
import type { Backend, SnapshotMeta, SnapshotState } from './engine.js';

export const MAX_CHAIN = 64;

/** A patch from one state to the next, comparing flow by flow so unchanged flows cost one string compare. */
export function diffStates(from: SnapshotState, to: SnapshotState): Operation[] {
  const ops: Operation[] = [];
  const fromDoc = from.flows as Record<string, unknown> & { flows?: Record<string, unknown> };
  const toDoc = to.flows as Record<string, unknown> & { flows?: Record<string, unknown> };
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  for (const key of new Set([...Object.keys(fromDoc), ...Object.keys(toDoc)])) {
    if (key === 'flows') continue;
    const path = `/flows/${escapePathComponent(key)}`;
    if (!(key in toDoc)) ops.push({ op: 'remove', path });
    else if (!(key in fromDoc)) ops.push({ op: 'add', path, value: toDoc[key] });
    else if (!same(fromDoc[key], toDoc[key])) ops.push({ op: 'replace', path, value: toDoc[key] });
  }
  const a = fromDoc.flows ?? {};
  const b = toDoc.flows ?? {};
  // Rebuilding the flows object keeps key order (= file order) exact, which a per-key
  // patch of an object cannot; only when the set or order of flows changed.
  if (Object.keys(a).join('\n') !== Object.keys(b).join('\n')) {
    ops.push({ op: 'replace', path: '/flows/flows', value: b });
  } else {
    for (const id of Object.keys(b)) {
      if (same(a[id], b[id])) continue;
      const prefix = `/flows/flows/${escapePathComponent(id)}`;
      for (const op of compare(a[id] as object, b[id] as object)) ops.push({ ...op, path: prefix + op.path });
    }
  }
  for (const key of ['context', 'manifest', 'documents'] as const) {
    if (!same(from[key], to[key])) ops.push({ op: 'replace', path: `/${key}`, value: to[key] });
  }
  return ops;
}

interface PatchFile {
  parent: string;
  ops: Operation[];
}

export class FilesBackend implements Backend {
  private cache = new Map<string, string>();
  /** Files of removed or re-based snapshots: deleted only once the index no longer names them. */
  private garbage: string[] = [];

  constructor(private readonly folder: string) {}

  private path(file: string): string {
    return join(this.folder, file);
  }

  private put(file: string, bytes: Buffer): number {
    const path = this.path(file);
    mkdirSync(dirname(path), { recursive: true });
    writeFileAtomic(path, [bytes]);
    return bytes.length;
  }

  private writeBase(id: string, state: SnapshotState): Partial<SnapshotMeta> {
    const file = `base/${id}.json.gz`;
    const size = this.put(file, gzipSync(JSON.stringify(state)));
    return { storage: 'base', parent: null, file, size };
  }

  /** The chain from a snapshot back to its baseline. */
  private chain(meta: SnapshotMeta, index: readonly SnapshotMeta[]): SnapshotMeta[] {
    const byId = new Map(index.map((s) => [s.id, s]));
    const out = [meta];
    for (let at = meta; at.storage === 'patch'; ) {
      const parent = byId.get(at.parent as string);
      if (!parent) throw new Error(`snapshot ${at.id}: its parent ${at.parent} is missing`);
      out.push(parent);
      at = parent;
    }
    return out;
  }

  write(id: string, state: SnapshotState, index: SnapshotMeta[]): Partial<SnapshotMeta> {
    const head = [...index].reverse().find((s) => s.storage === 'base' || s.storage === 'patch');
    if (!head) return this.writeBase(id, state);
    const chain = this.chain(head, index);
    const base = chain[chain.length - 1];
    const patchBytes = chain.slice(0, -1).reduce((sum, s) => sum + s.size, 0);
    if (chain.length - 1 >= MAX_CHAIN || patchBytes >= base.size) return this.writeBase(id, state);
    const ops = diffStates(this.read(head, index), state);
    const bytes = Buffer.from(JSON.stringify({ parent: head.id, ops } satisfies PatchFile));
    // A patch that outgrows half a baseline is better off as a baseline.
    if (bytes.length > base.size / 2) return this.writeBase(id, state);
    const file = `patch/${id}.json`;
    const size = this.put(file, bytes);
    this.remember(id, state);
    return { storage: 'patch', parent: head.id, file, size };
  }

  private remember(id: string, state: SnapshotState): void {
    // The newest state, kept as text: the next snapshot is usually a patch against it.
    this.cache.clear();
    this.cache.set(id, JSON.stringify(state));
  }

  read(meta: SnapshotMeta, index: readonly SnapshotMeta[]): SnapshotState {
    const cached = this.cache.get(meta.id);
    if (cached) return JSON.parse(cached) as SnapshotState;
    const chain = this.chain(meta, index).reverse();
    const base = chain[0];
    let state = JSON.parse(gunzipSync(readFileSync(this.path(base.file as string))).toString('utf8')) as SnapshotState;
    for (const step of chain.slice(1)) {
      const patch = JSON.parse(readFileSync(this.path(step.file as string), 'utf8')) as PatchFile;
      state = applyPatch(state, patch.ops, false, true).newDocument;
    }
    this.remember(meta.id, state);
    return state;
  }

  remove(meta: SnapshotMeta, index: SnapshotMeta[]): void {
    // Snapshots stored as patches against this one become baselines first, so every
    // snapshot that stays can still be restored.
    for (const dependent of index.filter((s) => s.parent === meta.id)) {
      const state = this.read(dependent, index);
      const oldFile = dependent.file;
      Object.assign(dependent, this.writeBase(dependent.id, state));
      if (oldFile) this.garbage.push(oldFile);
    }
    if (meta.file) this.garbage.push(meta.file);
    this.cache.delete(meta.id);
  }

  /**
   * After the index was written (saved) or given up: deletes the files `remove` let go, or
   * forgets them, so a crash before the index is saved never leaves it naming a deleted file.
   */
  collect(saved: boolean): void {
    if (saved) for (const file of this.garbage) rmSync(this.path(file), { force: true });
    this.garbage = [];
  }

}
