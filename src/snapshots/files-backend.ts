// The default snapshot storage: a gzipped baseline, then RFC 6902 patches each against
// the snapshot before it. A patch is made of what transactions recorded in the journal
// since that snapshot, so its cost follows the change, not the store. A baseline holds
// flows.json's bytes as they were (no parse, no re-serialising) and the other parts as
// JSON. A new baseline starts when the chain reaches MAX_CHAIN patches or its patches
// outweigh the baseline, so a restore reads one baseline and a bounded number of small
// patches; automatic snapshots before a destructive command put that off (up to
// DEFERRED_CHAIN), so that command never waits for a baseline it could do without.
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { promisify } from 'node:util';
import { applyPatch, type Operation } from 'fast-json-patch';
import { writeFileAtomic } from '../store/atomic-write.js';
import { DamagedEntryError, inside, isInside } from '../store/contain.js';
import type { SnapshotMeta, SnapshotState } from './engine.js';
import { patchedView, wholeView, type SnapshotView } from './view.js';
import { zlib } from '../node-modules.js';

export const MAX_CHAIN = 64;
export const DEFERRED_CHAIN = 4 * MAX_CHAIN;

// What the index may name (DESIGN §8): ids are generated (snap_ + base32, or
// snap_migration_…), files follow from them, contents are named by their sha256. Any
// other value is damage, never a path to follow.
export const SNAPSHOT_ID = /^snap_[a-z0-9_]{1,80}$/;
const SNAPSHOT_FILE = /^(base\/snap_[a-z0-9_]{1,80}\.(raw|json)\.gz|patch\/snap_[a-z0-9_]{1,80}\.json)$/;
export const MIGRATION_FILE = /^[0-9A-Za-z._-]{1,100}_migration\.json$/;
const BLOB = /^blobs\/[0-9a-f]{2}\/[0-9a-f]{64}$/;

/** Where the content with this sha256 is kept in the snapshot folder. */
export function blobPath(folder: string, hash: string): string {
  return inside(folder, `blobs/${hash.slice(0, 2)}/${hash}`, BLOB, 'document content hash');
}


/** What a new snapshot holds besides flows.json. */
export interface SideParts {
  context: unknown;
  manifest: unknown;
  documents: Record<string, string>;
}

/** Every stored snapshot, listed or kept only because others depend on it. */
export interface Storage {
  snapshots: SnapshotMeta[];
  retired: SnapshotMeta[];
}

interface PatchFile {
  parent: string;
  ops: Operation[];
}

/** A baseline's flows.json, either as the bytes it had or (older baselines) parsed. */
export type BaseFlows = { bytes: Buffer } | { parsed: Record<string, unknown> };

const RAW_BASE = /\.raw\.gz$/;

export class FilesBackend {
  /** Files of removed snapshots: deleted only once the index no longer names them. */
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

  /** The chain from a snapshot back to its baseline. */
  chain(meta: SnapshotMeta, storage: Storage): SnapshotMeta[] {
    const byId = new Map([...storage.snapshots, ...storage.retired].map((s) => [s.id, s]));
    const out = [meta];
    for (let at = meta; at.storage === 'patch'; ) {
      const parent = byId.get(at.parent ?? '');
      if (!parent) throw new DamagedEntryError(`snapshot ${at.id}: parent`, String(at.parent), 'no such snapshot');
      // An index edited into a loop of parents would never reach a baseline.
      if (out.includes(parent)) throw new DamagedEntryError(`snapshot ${at.id}: parent`, parent.id, 'a loop of parents');
      out.push(parent);
      at = parent;
    }
    return out;
  }

  /** The stored snapshot a patch may follow, when its chain has room; else undefined (a baseline). */
  patchable(parentId: string, storage: Storage, deferRebase: boolean): SnapshotMeta | undefined {
    const parent = [...storage.snapshots, ...storage.retired].find((s) => s.id === parentId);
    if (!parent || (parent.storage !== 'base' && parent.storage !== 'patch')) return undefined;
    let chain: SnapshotMeta[];
    try {
      chain = this.chain(parent, storage);
    } catch {
      return undefined;
    }
    const base = chain[chain.length - 1];
    const patchBytes = chain.slice(0, -1).reduce((sum, s) => sum + s.size, 0);
    if (chain.length > (deferRebase ? DEFERRED_CHAIN : MAX_CHAIN) || patchBytes >= base.size) return undefined;
    return parent;
  }

  /** A patch file after `parent`; undefined when it outgrows half a baseline (a baseline is better). */
  patchFile(parent: SnapshotMeta, ops: Operation[], storage: Storage): Buffer | undefined {
    const bytes = Buffer.from(JSON.stringify({ parent: parent.id, ops } satisfies PatchFile));
    const base = this.chain(parent, storage).at(-1) as SnapshotMeta;
    return bytes.length > base.size / 2 ? undefined : bytes;
  }

  writePatch(id: string, parent: SnapshotMeta, bytes: Buffer): Partial<SnapshotMeta> {
    const file = `patch/${id}.json`;
    return { storage: 'patch', parent: parent.id, file, size: this.put(file, bytes) };
  }

  /** A baseline: flows.json's bytes as they are, after one line of the other parts. */
  async writeBase(id: string, flows: Buffer, side: SideParts): Promise<Partial<SnapshotMeta>> {
    const file = `base/${id}.raw.gz`;
    const bytes = await promisify(zlib().gzip)(Buffer.concat([Buffer.from(`${JSON.stringify(side)}\n`), flows]), { level: 1 });
    return { storage: 'base', parent: null, file, size: this.put(file, bytes) };
  }

  /** A baseline's parts, flows.json left unparsed where the baseline allows. */
  private readBase(meta: SnapshotMeta): { flows: BaseFlows; side: SideParts } {
    const body = zlib().gunzipSync(readFileSync(this.path(meta.file as string)));
    if (!RAW_BASE.test(meta.file as string)) {
      const { flows, ...side } = JSON.parse(body.toString('utf8')) as SnapshotState;
      return { flows: { parsed: flows }, side };
    }
    const newline = body.indexOf(0x0a);
    return { flows: { bytes: body.subarray(newline + 1) }, side: JSON.parse(body.toString('utf8', 0, newline)) as SideParts };
  }

  /** The patches from a snapshot's baseline up to it, oldest first. */
  private patchesOf(chain: readonly SnapshotMeta[]): Operation[][] {
    return chain
      .slice(0, -1)
      .reverse()
      .map((step) => (JSON.parse(readFileSync(this.path(step.file as string), 'utf8')) as PatchFile).ops);
  }

  read(meta: SnapshotMeta, storage: Storage): SnapshotState {
    return this.load(meta, storage).whole();
  }

  /**
   * A snapshot's parts besides flows.json (context, manifest, document hashes): the
   * baseline's first line and the patch operations on those parts; its flows are
   * neither parsed nor patched (gc doc asks this of every retained snapshot).
   */
  side(meta: SnapshotMeta, storage: Storage): SideParts {
    const chain = this.chain(meta, storage);
    let side = this.readBase(chain[chain.length - 1]).side;
    for (const ops of this.patchesOf(chain)) {
      const own = ops.filter((op) => op.path !== '/flows' && !op.path.startsWith('/flows/'));
      // An operation that moves between flows.json and the other parts: only a whole read tells.
      if (own.some((op) => op.path === '' || 'from' in op)) {
        const { context, manifest, documents } = this.read(meta, storage);
        return { context, manifest, documents };
      }
      if (own.length) side = applyPatch(side, own, false, true).newDocument;
    }
    return side;
  }

  /** A snapshot read flow by flow where its storage allows, else whole. */
  view(meta: SnapshotMeta, storage: Storage): SnapshotView {
    const { flows, patches, whole } = this.load(meta, storage);
    return ('bytes' in flows && patchedView(flows.bytes, patches, whole)) || wholeView(whole());
  }

  private load(meta: SnapshotMeta, storage: Storage): { flows: BaseFlows; patches: Operation[][]; whole: () => SnapshotState } {
    const chain = this.chain(meta, storage);
    const { flows, side } = this.readBase(chain[chain.length - 1]);
    const patches = this.patchesOf(chain);
    const whole = (): SnapshotState => {
      let state: SnapshotState = {
        flows: 'bytes' in flows ? (JSON.parse(flows.bytes.toString('utf8')) as Record<string, unknown>) : flows.parsed,
        ...side,
      };
      for (const ops of patches) state = applyPatch(state, ops, false, true).newDocument;
      // A member added to the header lands after `flows`; flow writes `flows` last.
      if (patches.length) {
        const { flows: all, ...header } = state.flows;
        state.flows = { ...header, flows: all };
      }
      return state;
    };
    return { flows, patches, whole };
  }

  /**
   * Lets a removed snapshot's storage go: kept (retired, unlisted) while another snapshot
   * is a patch on it, so removing one never rewrites another; then its files, and those
   * of retired parents nothing needs any more, are deleted.
   */
  release(meta: SnapshotMeta, storage: Storage): void {
    const needed = (id: string) => [...storage.snapshots, ...storage.retired].some((s) => s.parent === id);
    if (needed(meta.id)) {
      storage.retired.push(meta);
      return;
    }
    for (let at: SnapshotMeta | undefined = meta; at; ) {
      const gone: SnapshotMeta = at;
      if (gone.file) this.garbage.push(gone.file);
      storage.retired = storage.retired.filter((s) => s.id !== gone.id);
      const parent = storage.retired.find((s) => s.id === gone.parent);
      at = parent && !needed(parent.id) ? parent : undefined;
    }
  }

  /**
   * After the index was written (saved) or given up: deletes the files `release` let go,
   * or forgets them, so a crash before the index is saved never leaves it naming a deleted file.
   */
  collect(saved: boolean): void {
    // A damaged name is never deleted: it may point anywhere.
    if (saved) for (const file of this.garbage) if (isInside(this.folder, file, SNAPSHOT_FILE)) rmSync(this.path(file), { force: true });
    this.garbage = [];
  }
}
