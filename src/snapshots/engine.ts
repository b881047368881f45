// Snapshots (DESIGN §5): what flows.json, context.json and the document manifest (with
// document contents by hash) were at a moment, kept incrementally. Storage is a backend
// (files: gzipped baselines plus RFC 6902 patches; or git); the index of snapshots is
// shared, updated atomically under its own lock.
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import * as z from 'zod/mini';
import { FlowError, NotFoundError } from '../domain/errors.js';
import { newId } from '../domain/ids.js';
import { now } from '../domain/time.js';
import { removeStaleTempsIn, writeFileAtomic } from '../store/atomic-write.js';
import { assertResolvesInside, DamagedEntryError, inside } from '../store/contain.js';
import { readJsonFile } from '../store/json-file.js';
import { acquireLock } from '../store/lock.js';
import { SNAPSHOT_DIR } from '../store/migrate/snapshot.js';
import type { Store } from '../store/store.js';
import { blobPath, FilesBackend, MIGRATION_FILE } from './files-backend.js';
import { GitBackend } from './git-backend.js';

export const SNAPSHOT_KINDS = ['manual', 'auto', 'migration', 'pre-restore'] as const;
export type SnapshotKind = (typeof SNAPSHOT_KINDS)[number];

/** Everything a snapshot holds. */
export interface SnapshotState {
  flows: Record<string, unknown>;
  context: unknown;
  manifest: unknown;
  /** Document path (under documents/) → content hash; contents live in blobs/. */
  documents: Record<string, string>;
}

const MetaSchema = z.looseObject({
  id: z.string(),
  created: z.string(),
  label: z._default(z.string(), ''),
  kind: z.enum(SNAPSHOT_KINDS),
  pinned: z._default(z.boolean(), false),
  file_revision: z._default(z.number(), 0),
  /** Bytes this snapshot's own files take. */
  size: z._default(z.number(), 0),
  /** base | patch (files backend), git, or migration (a self-contained file). */
  storage: z.enum(['base', 'patch', 'git', 'migration']),
  parent: z._default(z.nullable(z.string()), null),
  file: z.optional(z.string()),
  commit: z.optional(z.string()),
});
export type SnapshotMeta = z.infer<typeof MetaSchema>;

const IndexSchema = z.looseObject({
  version: z._default(z.number(), 1),
  snapshots: z._default(z.array(MetaSchema), () => []),
});
type SnapshotIndex = z.infer<typeof IndexSchema>;

export interface Backend {
  /** Stores a state; returns the metadata fields it decided (storage, parent, file, size). */
  write(id: string, state: SnapshotState, index: SnapshotMeta[]): Partial<SnapshotMeta>;
  read(meta: SnapshotMeta, index: readonly SnapshotMeta[]): SnapshotState;
  /** Removes a snapshot's storage; first makes any snapshot that depends on it stand alone. */
  remove(meta: SnapshotMeta, index: SnapshotMeta[]): void;
}

export interface CreateOptions {
  label?: string;
  kind?: SnapshotKind;
  pinned?: boolean;
}

export interface RetentionPolicy {
  keep: number;
  maxAgeDays: number;
}

export class SnapshotEngine {
  readonly folder: string;
  private readonly indexFile: string;
  private readonly backend: Backend;
  private readonly files: FilesBackend;
  private readonly gitBackend: GitBackend;

  constructor(
    readonly dir: string,
    backend: 'files' | 'git' = 'files',
  ) {
    this.folder = join(dir, SNAPSHOT_DIR);
    this.indexFile = join(this.folder, 'index.json');
    this.files = new FilesBackend(this.folder);
    this.gitBackend = new GitBackend(this.folder);
    this.backend = backend === 'git' ? this.gitBackend : this.files;
  }

  /** The backend that stored a snapshot: snapshots.backend may have changed since. */
  private storedBy(meta: SnapshotMeta): Backend {
    return meta.storage === 'git' ? this.gitBackend : this.files;
  }

  private readIndex(): SnapshotIndex {
    return readJsonFile(this.indexFile, IndexSchema, 'snapshots/index.json');
  }

  private writeIndex(index: SnapshotIndex): void {
    writeFileAtomic(this.indexFile, [Buffer.from(`${JSON.stringify(index, null, 2)}\n`)]);
  }

  /** Runs `fn` on the index under its lock and saves what it leaves. */
  private async withIndex<T>(fn: (index: SnapshotIndex) => T): Promise<T> {
    assertResolvesInside(this.dir, this.folder, 'snapshot folder');
    mkdirSync(this.folder, { recursive: true });
    const lock = await acquireLock(this.indexFile);
    let saved = false;
    try {
      // Temp files of snapshot writers that died mid-write.
      for (const dir of [this.folder, join(this.folder, 'base'), join(this.folder, 'patch')]) removeStaleTempsIn(dir);
      const index = this.readIndex();
      this.adoptMigrationFiles(index);
      const result = fn(index);
      this.writeIndex(index);
      saved = true;
      return result;
    } finally {
      this.files.collect(saved);
      await lock.release();
    }
  }

  /** Migration snapshots are written by the store as files of their own: list them too. */
  private adoptMigrationFiles(index: SnapshotIndex): boolean {
    let added = false;
    let names: string[] = [];
    try {
      names = readdirSync(this.folder).filter((n) => n.endsWith('_migration.json'));
    } catch {
      return false;
    }
    const known = new Set(index.snapshots.map((s) => s.file));
    for (const name of names) {
      if (known.has(name) || !lstatSync(join(this.folder, name)).isFile()) continue;
      const stamp = name.replace(/_migration\.json$/, '');
      const created = stamp.replace(/T(\d\d)-(\d\d)-(\d\d)/, 'T$1:$2:$3').replace(/-\d+$/, '');
      let revision = 0;
      try {
        const body = JSON.parse(readFileSync(join(this.folder, name), 'utf8')) as { result?: { meta?: { file_revision?: number } } };
        revision = body.result?.meta?.file_revision ?? 0;
      } catch {
        // listed anyway: the file is still the user's
      }
      index.snapshots.push({
        id: `snap_migration_${stamp.replace(/[^0-9a-zA-Z]/g, '').toLowerCase()}`,
        created: Number.isNaN(Date.parse(created)) ? now() : new Date(created).toISOString(),
        label: 'before upgrading the format',
        kind: 'migration',
        pinned: false,
        file_revision: revision,
        size: statSync(join(this.folder, name)).size,
        storage: 'migration',
        parent: null,
        file: name,
      });
      added = true;
    }
    if (added) index.snapshots.sort((a, b) => a.created.localeCompare(b.created));
    return added;
  }

  list(): SnapshotMeta[] {
    const index = this.readIndex();
    this.adoptMigrationFiles(index);
    return index.snapshots;
  }

  /** The snapshot with this id (references are resolved by src/commands/refs.ts). */
  find(id: string): SnapshotMeta {
    const meta = this.list().find((s) => s.id === id);
    if (!meta) throw new NotFoundError('snapshot', id);
    return meta;
  }

  /** The state as it is now: flows.json (read through the store, so it is valid), context, documents. */
  async capture(store: Store): Promise<SnapshotState> {
    const view = await store.read();
    let flows: Record<string, unknown>;
    try {
      flows = JSON.parse(readFileSync(store.file, 'utf8')) as Record<string, unknown>;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      // Nothing saved yet (read() leaves a missing store missing): the empty store.
      flows = { ...view.header, flows: {} };
    }
    const context = readOptionalJson(join(this.dir, 'context.json'));
    const manifest = readOptionalJson(join(this.dir, 'documents_manifest.json'));
    return { flows, context, manifest, documents: this.storeDocuments() };
  }

  /** Copies every document under documents/ into blobs/ by content hash. */
  private storeDocuments(): Record<string, string> {
    const root = join(this.dir, 'documents');
    const out: Record<string, string> = {};
    const walk = (dir: string) => {
      let entries: string[] = [];
      try {
        entries = readdirSync(dir);
      } catch {
        return;
      }
      for (const name of entries) {
        const path = join(dir, name);
        // Links are not followed: what they point to is not the data's to copy.
        const stat = lstatSync(path);
        if (stat.isDirectory()) {
          walk(path);
          continue;
        }
        if (!stat.isFile()) continue;
        const bytes = readFileSync(path);
        const hash = createHash('sha256').update(bytes).digest('hex');
        const blob = blobPath(this.folder, hash);
        if (!existsSync(blob)) {
          mkdirSync(dirname(blob), { recursive: true });
          writeFileSync(blob, bytes);
        }
        out[relative(root, path)] = hash;
      }
    };
    walk(root);
    return out;
  }

  async create(store: Store, options: CreateOptions = {}): Promise<SnapshotMeta> {
    const state = await this.capture(store);
    return this.withIndex((index) => {
      const id = newId('snap');
      const stored = this.backend.write(id, state, index.snapshots);
      const meta: SnapshotMeta = {
        id,
        created: now(),
        label: options.label ?? '',
        kind: options.kind ?? 'manual',
        pinned: options.pinned ?? false,
        file_revision: Number((state.flows.meta as { file_revision?: number } | undefined)?.file_revision ?? 0),
        size: 0,
        storage: 'base',
        parent: null,
        ...stored,
      };
      index.snapshots.push(meta);
      return meta;
    });
  }

  read(meta: SnapshotMeta): SnapshotState {
    if (meta.storage === 'migration') {
      const file = inside(this.folder, meta.file ?? '', MIGRATION_FILE, `snapshot ${meta.id}: file`);
      const body = JSON.parse(readFileSync(file, 'utf8')) as { result: Record<string, unknown> };
      return { flows: body.result, context: null, manifest: null, documents: {} };
    }
    return this.storedBy(meta).read(meta, this.list());
  }

  async setPinned(id: string, pinned: boolean): Promise<SnapshotMeta> {
    const target = this.find(id);
    return this.withIndex((index) => {
      const meta = index.snapshots.find((s) => s.id === target.id) as SnapshotMeta;
      meta.pinned = pinned;
      return meta;
    });
  }

  async remove(id: string): Promise<SnapshotMeta> {
    const target = this.find(id);
    return this.withIndex((index) => {
      this.removeFrom(index, target.id);
      return target;
    });
  }

  private removeFrom(index: SnapshotIndex, id: string): void {
    const meta = index.snapshots.find((s) => s.id === id);
    if (!meta) return;
    if (meta.storage === 'migration') {
      throw new FlowError('invalid', `${id} is a migration snapshot (the original of an upgraded file); it is kept`);
    }
    this.storedBy(meta).remove(meta, index.snapshots);
    index.snapshots = index.snapshots.filter((s) => s.id !== id);
  }

  /** Which snapshots retention removes: beyond the newest `keep`, or older than the age limit. */
  victims(policy: RetentionPolicy, at = Date.now(), spare: readonly string[] = []): SnapshotMeta[] {
    return chooseVictims(this.list(), policy, at, spare);
  }

  /**
   * Applies retention. `spare` names snapshots kept whatever the policy says: the one a
   * command has just taken for safety must outlive `keep 0` or `max_age_days 0`.
   */
  async prune(policy: RetentionPolicy, at = Date.now(), spare: readonly string[] = []): Promise<SnapshotMeta[]> {
    if (!chooseVictims(this.list(), policy, at, spare).length) return [];
    return this.withIndex((index) => {
      // Chosen again under the lock, so a pin made meanwhile is respected.
      const victims = chooseVictims(index.snapshots, policy, at, spare);
      // Oldest first, so each re-based dependent is itself kept or removed next.
      for (const victim of [...victims].sort((a, b) => a.created.localeCompare(b.created))) this.removeFrom(index, victim.id);
      return victims;
    });
  }

  /** Writes document contents of a state back under documents/. */
  restoreDocuments(state: SnapshotState): void {
    const root = join(this.dir, 'documents');
    for (const [path, hash] of Object.entries(state.documents)) {
      let target: string;
      let blob: string;
      try {
        target = inside(root, path, /^[^\0]+$/, 'document path');
        blob = blobPath(this.folder, String(hash));
      } catch (err) {
        // An entry that climbs out, leads out through a link or names no content hash
        // is not ours to write (DESIGN §8).
        if (err instanceof DamagedEntryError) continue;
        throw err;
      }
      mkdirSync(dirname(target), { recursive: true });
      writeFileAtomic(target, [readFileSync(blob)]);
    }
  }
}

function chooseVictims(all: readonly SnapshotMeta[], policy: RetentionPolicy, at: number, spare: readonly string[]): SnapshotMeta[] {
  const candidates = all.filter((s) => !s.pinned && s.kind !== 'migration' && !spare.includes(s.id));
  const cutoff = at - policy.maxAgeDays * 86_400_000;
  const newestFirst = [...candidates].sort((a, b) => b.created.localeCompare(a.created));
  return newestFirst.filter((s, i) => i >= policy.keep || Date.parse(s.created) < cutoff);
}

function readOptionalJson(path: string): unknown {
  try {
    assertResolvesInside(dirname(path), path, 'side file');
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return null;
  }
}
