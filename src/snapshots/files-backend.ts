// The default snapshot storage: a gzipped full baseline, then RFC 6902 patches each
// against the snapshot before it. A new baseline starts when the chain reaches
// MAX_CHAIN patches or its patches outweigh the baseline, so a restore reads one
// baseline and at most MAX_CHAIN small patches.
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { applyPatch, compare, escapePathComponent, type Operation } from 'fast-json-patch';
import { writeFileAtomic } from '../store/atomic-write.js';
import { DamagedEntryError, inside, isInside } from '../store/contain.js';
import type { Backend, SnapshotMeta, SnapshotState } from './engine.js';

export const MAX_CHAIN = 64;

// What the index may name (DESIGN §8): ids are generated (snap_ + base32, or
// snap_migration_…), files follow from them, contents are named by their sha256. Any
// other value is damage, never a path to follow.
export const SNAPSHOT_ID = /^snap_[a-z0-9_]{1,80}$/;
const SNAPSHOT_FILE = /^(base\/snap_[a-z0-9_]{1,80}\.json\.gz|patch\/snap_[a-z0-9_]{1,80}\.json)$/;
export const MIGRATION_FILE = /^[0-9A-Za-z._-]{1,100}_migration\.json$/;
const BLOB = /^blobs\/[0-9a-f]{2}\/[0-9a-f]{64}$/;

/** Where the content with this sha256 is kept in the snapshot folder. */
export function blobPath(folder: string, hash: string): string {
  return inside(folder, `blobs/${hash.slice(0, 2)}/${hash}`, BLOB, 'document content hash');
}

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
    return inside(this.folder, file, SNAPSHOT_FILE, 'snapshot file');
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
      const oldFile = dependent.file;
      try {
        Object.assign(dependent, this.writeBase(dependent.id, this.read(dependent, index)));
      } catch (err) {
        // A damaged dependent cannot be restored either way: it is left as it is.
        if (err instanceof DamagedEntryError) continue;
        throw err;
      }
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
    // A damaged name is never deleted: it may point anywhere.
    if (saved) for (const file of this.garbage) if (isInside(this.folder, file, SNAPSHOT_FILE)) rmSync(this.path(file), { force: true });
    this.garbage = [];
  }

}
