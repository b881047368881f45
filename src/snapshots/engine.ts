// Snapshots (DESIGN §5): what flows.json, context.json and the document manifest (with
// document contents by hash) were at a moment, kept incrementally. Storage is the files
// backend (gzipped baselines plus RFC 6902 patches made from the store's journal) or git;
// the index of snapshots is shared, updated atomically under its own lock.
import { lstatSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { escapePathComponent, type Operation } from 'fast-json-patch';
import * as z from 'zod/mini';
import { captureDocuments } from '../documents/snapshots.js';
import { FlowError, NotFoundError } from '../domain/errors.js';
import { newId } from '../domain/ids.js';
import { now } from '../domain/time.js';
import { nodeCrypto } from '../node-modules.js';
import { removeStaleTempsIn, writeFileAtomic } from '../store/atomic-write.js';
import { assertResolvesInside, DamagedEntryError, inside } from '../store/contain.js';
import { changesUpTo, readJournal, startJournal, type JournalStart } from '../store/journal.js';
import { readJsonFile } from '../store/json-file.js';
import { Image } from '../store/layout.js';
import { acquireLock } from '../store/lock.js';
import { SNAPSHOT_DIR } from '../store/migrate/snapshot.js';
import type { Store } from '../store/store.js';
import { blobPath, FilesBackend, MIGRATION_FILE, type SideParts, type Storage } from './files-backend.js';
import { GitBackend } from './git-backend.js';
import { wholeView, type SnapshotView } from './view.js';
import { once } from '../domain/once.js';

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

// Built on first use: most commands never read this file (issue 15, start-up).
const schemas = once(() => {
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

  const IndexSchema = z.looseObject({
    version: z._default(z.number(), 1),
    snapshots: z._default(z.array(MetaSchema), () => []),
    /** Removed snapshots whose storage others still depend on (files backend). */
    retired: z._default(z.array(MetaSchema), () => []),
  });
  return { MetaSchema, IndexSchema };
});
export type SnapshotMeta = z.infer<ReturnType<typeof schemas>['MetaSchema']>;
type SnapshotIndex = z.infer<ReturnType<typeof schemas>['IndexSchema']>;

/** Storage that keeps every snapshot whole (the git backend). */
export interface Backend {
  /** Stores a state; returns the metadata fields it decided (storage, commit, size). */
  write(id: string, state: SnapshotState, index: SnapshotMeta[]): Partial<SnapshotMeta>;
  read(meta: SnapshotMeta, index: readonly SnapshotMeta[]): SnapshotState;
  remove(meta: SnapshotMeta, index: SnapshotMeta[]): void;
}

export interface CreateOptions {
  label?: string;
  kind?: SnapshotKind;
  pinned?: boolean;
  /**
   * Taken right before a destructive command: a chain that is merely long gets another
   * patch rather than a new baseline, which the next snapshot with time for it makes.
   */
  deferRebase?: boolean;
}

/** What create() took, under the store's lock, for the backend to store. */
type Capture = { revision: number; side: SideParts } & (
  | { parent: SnapshotMeta; patch: Buffer; bytes?: undefined }
  | { bytes: Buffer; parent?: undefined }
);

const SIDE_KEYS = ['context', 'manifest', 'documents'] as const;

function partHashes(side: SideParts): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of SIDE_KEYS) out[key] = nodeCrypto().createHash('sha1').update(JSON.stringify(side[key]) ?? '').digest('hex');
  return out;
}

/**
 * The snapshot operations from the journal's snapshot to now: the recorded patches of
 * the flows (under /flows), then the header and the other parts that differ.
 */
function operationsSince(start: JournalStart, patches: Operation[][], header: Record<string, unknown>, side: SideParts, parts: Record<string, string>): Operation[] {
  const ops: Operation[] = [];
  const under = (path: string) => `/flows${path}`;
  for (const patch of patches) {
    for (const op of patch) {
      // Header members (current flow, other tools' fields) come from the header below.
      if (!op.path.startsWith('/flows/')) continue;
      ops.push('from' in op ? { ...op, path: under(op.path), from: under(op.from) } : { ...op, path: under(op.path) });
    }
  }
  const old = start.header;
  for (const key of Object.keys(old)) if (!(key in header)) ops.push({ op: 'remove', path: under(`/${escapePathComponent(key)}`) });
  for (const [key, value] of Object.entries(header)) {
    const path = under(`/${escapePathComponent(key)}`);
    if (!(key in old)) ops.push({ op: 'add', path, value });
    else if (JSON.stringify(old[key]) !== JSON.stringify(value)) ops.push({ op: 'replace', path, value });
  }
  for (const key of SIDE_KEYS) if (parts[key] !== start.parts[key]) ops.push({ op: 'replace', path: `/${key}`, value: side[key] });
  return ops;
}

export interface RetentionPolicy {
  keep: number;
  maxAgeDays: number;
}

export class SnapshotEngine {
  readonly folder: string;
  private readonly indexFile: string;
  /** snapshots.backend is git: new snapshots go there. */
  private readonly inGit: boolean;
  private readonly files: FilesBackend;
  private readonly gitBackend: GitBackend;

  constructor(
    readonly dir: string,
    backend: 'files' | 'git' = 'files',
    /** Told about damage met on the way that costs nothing but speed (a journal line). */
    private readonly warn: (message: string) => void = () => {},
  ) {
    this.folder = join(dir, SNAPSHOT_DIR);
    this.indexFile = join(this.folder, 'index.json');
    this.files = new FilesBackend(this.folder);
    this.gitBackend = new GitBackend(this.folder);
    this.inGit = backend === 'git';
  }

  private readIndex(): SnapshotIndex {
    return readJsonFile(this.indexFile, () => schemas().IndexSchema, 'snapshots/index.json');
  }

  /** Every stored snapshot, listed or retired. */
  private storage(): Storage {
    const index = this.readIndex();
    this.adoptMigrationFiles(index);
    return index;
  }

  private writeIndex(index: SnapshotIndex): void {
    writeFileAtomic(this.indexFile, [Buffer.from(`${JSON.stringify(index, null, 2)}\n`)]);
  }

  /** Runs `fn` on the index under its lock and saves what it leaves. */
  private async withIndex<T>(fn: (index: SnapshotIndex) => T | Promise<T>): Promise<T> {
    assertResolvesInside(this.dir, this.folder, 'snapshot folder');
    mkdirSync(this.folder, { recursive: true });
    const lock = await acquireLock(this.indexFile);
    let saved = false;
    try {
      // Temp files of snapshot writers that died mid-write.
      for (const dir of [this.folder, join(this.folder, 'base'), join(this.folder, 'patch')]) removeStaleTempsIn(dir);
      const index = this.readIndex();
      this.adoptMigrationFiles(index);
      const result = await fn(index);
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

  /**
   * context.json and the document manifest with the content hash of each document, as
   * they are now. Read from the manifest alone: the contents are in the content store
   * (src/documents), which keeps every one a retained snapshot names (gc doc).
   */
  private captureSide(): SideParts {
    return { context: readOptionalJson(join(this.dir, 'context.json')), ...captureDocuments(this.dir) };
  }

  async create(store: Store, options: CreateOptions = {}): Promise<SnapshotMeta> {
    return this.withIndex(async (index) => {
      const id = newId('snap');
      const capture = await this.capture(store, id, index, options.deferRebase ?? false);
      const stored = capture.parent
        ? this.files.writePatch(id, capture.parent, capture.patch)
        : this.inGit
          ? this.gitBackend.write(id, { flows: JSON.parse(capture.bytes.toString('utf8')) as Record<string, unknown>, ...capture.side })
          : await this.files.writeBase(id, capture.bytes, capture.side);
      const meta: SnapshotMeta = {
        id,
        created: now(),
        label: options.label ?? '',
        kind: options.kind ?? 'manual',
        pinned: options.pinned ?? false,
        file_revision: capture.revision,
        size: 0,
        storage: 'base',
        parent: null,
        ...stored,
      };
      index.snapshots.push(meta);
      return meta;
    });
  }

  /**
   * What the new snapshot holds, taken under the store's lock so that the journal and the
   * file it leads to are one moment. When the journal covers every change since the
   * snapshot it follows: the recorded patches (flows.json is not even read), or, if the
   * chain has no room, the file's bytes as they are. Otherwise the file was written by
   * someone else: it is read through the store first, so that an unreadable or older-format
   * file is dealt with as by any reader (DESIGN §3–4), and checked to be JSON. Either way
   * the journal starts over at this snapshot.
   */
  private async capture(store: Store, id: string, index: SnapshotIndex, deferRebase: boolean): Promise<Capture> {
    const side = this.captureSide();
    const parts = partHashes(side);
    const known = await store.underLock((): Capture | undefined => {
      const journal = readJournal(this.dir, this.warn);
      const file = store.currentIdentity();
      const since = journal && file ? changesUpTo(journal, file) : undefined;
      if (!journal || !file || !since) return undefined;
      const { revision, header } = since;
      const parent = this.inGit ? undefined : this.files.patchable(journal.start.snapshot, index, deferRebase);
      const patch = parent && this.files.patchFile(parent, operationsSince(journal.start, since.patches, header, side, parts), index);
      startJournal(this.dir, { snapshot: id, file, revision, header, parts });
      return parent && patch ? { revision, side, parent, patch } : { revision, side, bytes: this.flowsBytesNow(store) };
    });
    if (known) return known;
    await store.read();
    const { bytes, revision } = await store.underLock(() => {
      const file = store.currentIdentity();
      const bytes = this.flowsBytesNow(store);
      const header = Image.fromBytes(bytes)?.header;
      const revision = Number((header?.meta as { file_revision?: unknown } | undefined)?.file_revision) || 0;
      // A file in another layout restarts the journal at the next flow write's snapshot.
      startJournal(this.dir, header && file ? { snapshot: id, file, revision, header, parts } : null);
      return { bytes, revision };
    });
    let doc: { meta?: { file_revision?: unknown } };
    try {
      doc = JSON.parse(bytes.toString('utf8')) as typeof doc;
    } catch (err) {
      throw new FlowError('unreadable', `flows.json is not valid JSON (${(err as Error).message}); no snapshot was taken`);
    }
    return { bytes, revision: Number(doc.meta?.file_revision) || revision, side };
  }

  /** flows.json's bytes; for a store never saved, the empty store it reads as. */
  private flowsBytesNow(store: Store): Buffer {
    try {
      return readFileSync(store.file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      return Image.fromDocument({ version: '3.0', meta: { file_revision: 0 }, current_flow_id: null }, []).buf;
    }
  }

  read(meta: SnapshotMeta): SnapshotState {
    if (meta.storage === 'migration') {
      const file = inside(this.folder, meta.file ?? '', MIGRATION_FILE, `snapshot ${meta.id}: file`);
      const body = JSON.parse(readFileSync(file, 'utf8')) as { result: Record<string, unknown> };
      return { flows: body.result, context: null, manifest: null, documents: {} };
    }
    if (meta.storage === 'git') return this.gitBackend.read(meta);
    return this.files.read(meta, this.storage());
  }

  /** A snapshot's manifest, document hashes and context, reading no more of it than its storage needs. */
  side(meta: SnapshotMeta): SideParts {
    if (meta.storage === 'base' || meta.storage === 'patch') return this.files.side(meta, this.storage());
    const { context, manifest, documents } = this.read(meta);
    return { context, manifest, documents };
  }

  /** A snapshot to read flow by flow (a scoped restore), as far as its storage allows. */
  view(meta: SnapshotMeta): SnapshotView {
    return meta.storage === 'base' || meta.storage === 'patch' ? this.files.view(meta, this.storage()) : wholeView(this.read(meta));
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
    index.snapshots = index.snapshots.filter((s) => s.id !== id);
    if (meta.storage === 'git') this.gitBackend.remove(meta);
    else this.files.release(meta, index);
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

  /**
   * Writes the documents of a snapshot taken before documents had a manifest back under
   * documents/ (such a snapshot kept each file's content in blobs/).
   */
  restoreWalkedDocuments(state: Pick<SnapshotState, 'documents'>): void {
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
