// The documents of plans (issue 13): adding, linking, unlinking and removing them. Each
// change is one write of the manifest under its lock; contents are stored (streamed,
// deduplicated) before the lock is taken, and a change that fails takes back what it put
// down: no readable file, no blob, no entry.
import { rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { FlowError, NotFoundError } from '../domain/errors.js';
import { newId } from '../domain/ids.js';
import { now } from '../domain/time.js';
import { tempPathFor } from '../store/atomic-write.js';
import { localBackend, type StorageBackend } from './backends.js';
import { ContentStore, hashFileSync, type Progress, type StoredBlob } from './content-store.js';
import { DOCUMENTS_DIR } from './contain.js';
import { mediaTypeOf } from './media.js';
import { readManifest, updateManifest, type DocumentEntry, type Manifest } from './manifest.js';
import { placeReadable, readableState, removeReadable } from './readable.js';
import type { Source } from './sources.js';

export interface DocumentsOptions {
  dir: string;
  /** Contents above this size are large (documents/large/, the storage backend). */
  largeBytes: number;
  backend: StorageBackend;
}

export type AddOutcome = 'added' | 'linked' | 'updated' | 'unchanged';

export interface Added {
  entry: DocumentEntry;
  outcome: AddOutcome;
  source: string;
}

interface Stored {
  source: Source;
  blob: StoredBlob;
  mediaType: string;
}

/** The plan whose folder holds a document's readable file. */
export function homePlan(entry: DocumentEntry): string {
  return entry.path.slice(0, entry.path.indexOf('/'));
}

/** The path of a document relative to its plan's folder: `<plan_id>/<this>`. */
export function inPlan(entry: DocumentEntry): string {
  return entry.path.slice(entry.path.indexOf('/') + 1);
}

export class Documents {
  readonly root: string;
  readonly content: ContentStore;

  constructor(private readonly options: DocumentsOptions) {
    this.root = join(options.dir, DOCUMENTS_DIR);
    this.content = new ContentStore(options.dir, options.largeBytes);
  }

  get dir(): string {
    return this.options.dir;
  }

  read(): Manifest {
    return readManifest(this.options.dir);
  }

  /** Stores the sources and records them as documents of `planId`, all in one manifest write. */
  async add(sources: readonly Source[], planId: string, progress?: Progress): Promise<Added[]> {
    const total = sources.reduce((sum, s) => sum + s.size, 0);
    let before = 0;
    const stored: Stored[] = [];
    try {
      this.content.removeStaleTemps();
      for (const source of sources) {
        const blob = await this.content.putFile(source.file, progress && ((done) => progress(before + done, total)));
        before += source.size;
        stored.push({ source, blob, mediaType: await mediaTypeOf(source.relative, blob.head) });
        if (blob.large) await this.backendFor(blob).stored({ sha256: blob.sha256, path: blob.path, name: basename(source.relative) });
      }
      return await updateManifest(this.options.dir, (manifest) => this.record(manifest, stored, planId));
    } catch (err) {
      await this.forgetUnnamed(stored.filter((s) => s.blob.created).map((s) => s.blob.sha256));
      throw err;
    }
  }

  private backendFor(blob: { large: boolean }): StorageBackend {
    return blob.large ? this.options.backend : localBackend();
  }

  /** Under the manifest lock: the entries for what was stored, and their readable files. */
  private async record(manifest: Manifest, stored: Stored[], planId: string): Promise<{ value: Added[]; save: boolean }> {
    const at = now();
    const undo: Array<() => void> = [];
    const out: Added[] = [];
    try {
      for (const { source, blob: first, mediaType } of stored) {
        // A collection may have removed a content that was already stored when we
        // found it; store it again rather than name a missing blob.
        const blob = this.content.find(first.sha256) ? first : await this.content.putFile(source.file);
        const path = `${planId}/${source.relative}`;
        const storageType = blob.large ? this.options.backend.type : 'local';
        const existing = manifest.atPath(path);
        if (existing) {
          if (existing.sha256 === blob.sha256) {
            const changed = !existing.plans.includes(planId) || !!existing.deleted_at;
            if (!existing.plans.includes(planId)) existing.plans.push(planId);
            existing.deleted_at = null;
            this.ensureReadable(existing, undo);
            out.push({ entry: existing, outcome: changed ? 'linked' : 'unchanged', source: source.file });
            continue;
          }
          const previous = { ...existing };
          Object.assign(existing, { sha256: blob.sha256, size: blob.size, media_type: mediaType, storage_type: storageType, updated: at, deleted_at: null });
          if (!existing.plans.includes(planId)) existing.plans.push(planId);
          this.replaceReadable(existing, previous, undo);
          out.push({ entry: existing, outcome: 'updated', source: source.file });
          continue;
        }
        const name = basename(source.relative);
        const twin = manifest
          .list()
          .find((e) => e.sha256 === blob.sha256 && e.name === name && !e.deleted_at && !e.plans.includes(planId));
        if (twin) {
          twin.plans.push(planId);
          out.push({ entry: twin, outcome: 'linked', source: source.file });
          continue;
        }
        const entry: DocumentEntry = {
          id: newId('doc'),
          name,
          path,
          sha256: blob.sha256,
          size: blob.size,
          media_type: mediaType,
          storage_type: storageType,
          plans: [planId],
          tasks: [],
          created: at,
          updated: at,
          deleted_at: null,
        };
        this.placeNew(entry, blob, undo);
        manifest.entries.set(entry.id, entry);
        out.push({ entry, outcome: 'added', source: source.file });
      }
    } catch (err) {
      for (const step of undo.reverse()) step();
      throw err;
    }
    return { value: out, save: out.some((a) => a.outcome !== 'unchanged') };
  }

  private placeNew(entry: DocumentEntry, blob: StoredBlob, undo: Array<() => void>): void {
    const state = readableState(this.root, entry.path, entry.sha256, blob.path);
    if (state !== 'missing' && state !== 'same') {
      // A file no document names (put there by hand) is never overwritten.
      throw new FlowError('invalid', `documents/${entry.path} already exists and is not a document flow knows: move it away or choose another --name`);
    }
    placeReadable(this.root, entry.path, blob.path, this.symlinked(entry));
    undo.push(() => removeReadable(this.root, entry.path, entry.sha256, blob.path));
  }

  private replaceReadable(entry: DocumentEntry, previous: DocumentEntry, undo: Array<() => void>): void {
    const blob = this.content.find(entry.sha256) as string;
    placeReadable(this.root, entry.path, blob, this.symlinked(entry));
    const old = this.content.find(previous.sha256);
    undo.push(() => {
      if (old) placeReadable(this.root, previous.path, old, this.symlinked(previous));
    });
  }

  /** Puts a missing readable file back from the store. */
  private ensureReadable(entry: DocumentEntry, undo: Array<() => void>): void {
    const blob = this.content.find(entry.sha256);
    if (!blob || readableState(this.root, entry.path, entry.sha256, blob) !== 'missing') return;
    placeReadable(this.root, entry.path, blob, this.symlinked(entry));
    undo.push(() => removeReadable(this.root, entry.path, entry.sha256, blob));
  }

  private symlinked(entry: DocumentEntry): boolean {
    return entry.storage_type === 'lfs';
  }

  /** After a failed add: contents it stored that no entry names are removed again. */
  private async forgetUnnamed(hashes: string[]): Promise<void> {
    if (!hashes.length) return;
    await updateManifest(this.options.dir, (manifest) => {
      const named = manifest.hashes();
      for (const hash of hashes) if (!named.has(hash)) this.content.remove(hash);
      return { value: undefined, save: false };
    }).catch(() => undefined);
  }

  /** Adds a plan's reference to a document. */
  async link(ref: string, planId: string, existing: (ids: string[]) => Set<string>): Promise<{ entry: DocumentEntry; changed: boolean }> {
    return updateManifest(this.options.dir, (manifest) => {
      const entry = findDocument(manifest, ref);
      const changed = !entry.plans.includes(planId) || !!entry.deleted_at;
      if (!entry.plans.includes(planId)) entry.plans.push(planId);
      entry.deleted_at = null;
      if (changed) entry.updated = now();
      // A document whose folder is a plan that is gone moves to the plan it is linked to.
      if (!existing([homePlan(entry)]).size) this.relocate(manifest, entry, planId);
      this.ensureReadable(entry, []);
      return { value: { entry, changed }, save: changed };
    });
  }

  /** Moves a document's readable file into another plan's folder, when that place is free. */
  private relocate(manifest: Manifest, entry: DocumentEntry, planId: string): void {
    const path = `${planId}/${inPlan(entry)}`;
    if (path === entry.path || manifest.atPath(path)) return;
    const blob = this.content.find(entry.sha256);
    if (!blob || readableState(this.root, path, entry.sha256, blob) !== 'missing') return;
    placeReadable(this.root, path, blob, this.symlinked(entry));
    removeReadable(this.root, entry.path, entry.sha256, blob);
    entry.path = path;
  }

  /**
   * Drops a plan's reference. When no plan that exists still references the document, it
   * is marked deleted (gc doc removes it after the retention period) and its readable file
   * goes; its content stays until then.
   */
  async unlink(ref: string, planId: string, existing: (ids: string[]) => Set<string>): Promise<{ entry: DocumentEntry; deleted: boolean }> {
    return updateManifest(this.options.dir, (manifest) => {
      const entry = findDocument(manifest, ref);
      if (!entry.plans.includes(planId)) throw new FlowError('invalid', `document ${entry.id} is not linked to plan ${planId}`);
      entry.plans = entry.plans.filter((id) => id !== planId);
      entry.updated = now();
      const existingNow = existing(entry.plans);
      const live = entry.plans.filter((id) => existingNow.has(id));
      const deleted = live.length === 0;
      if (deleted) this.markDeleted(entry);
      else if (homePlan(entry) === planId) this.relocate(manifest, entry, live[0]);
      return { value: { entry, deleted }, save: true };
    });
  }

  /** Removes a document from every plan; gc doc removes its content after the retention period. */
  async remove(ref: string): Promise<DocumentEntry> {
    return updateManifest(this.options.dir, (manifest) => {
      const entry = findDocument(manifest, ref);
      entry.plans = [];
      entry.updated = now();
      this.markDeleted(entry);
      return { value: entry, save: true };
    });
  }

  private markDeleted(entry: DocumentEntry): void {
    entry.deleted_at = now();
    removeReadable(this.root, entry.path, entry.sha256, this.content.find(entry.sha256));
  }

  /**
   * Where a document's content can be read: its stored content, fetched through the
   * storage backend first when it is not here.
   */
  async contentPath(entry: DocumentEntry): Promise<string | undefined> {
    const found = this.content.find(entry.sha256);
    if (found || entry.storage_type !== this.options.backend.type) return found;
    const dest = tempPathFor(join(this.content.documents, entry.sha256));
    try {
      if (!(await this.options.backend.fetch({ sha256: entry.sha256, path: dest, name: entry.name }, dest))) return undefined;
      if (hashFileSync(dest) !== entry.sha256) throw new FlowError('failed', `the storage backend returned other content for ${entry.id}`);
      return (await this.content.putFile(dest)).path;
    } finally {
        rmSync(dest, { force: true });
    }
  }
}

/** A document by full id, unique id prefix (with or without `doc_`), exact name or path. */
export function findDocument(manifest: Manifest, ref: string, includeDeleted = true): DocumentEntry {
  const exact = manifest.get(ref);
  if (exact) return exact;
  const all = manifest.list().filter((e) => includeDeleted || !e.deleted_at);
  const prefixed = all.filter((e) => e.id.startsWith(ref) || e.id.startsWith(`doc_${ref}`));
  const candidates = prefixed.length ? prefixed : all.filter((e) => e.name === ref || e.path === ref);
  const live = candidates.filter((e) => !e.deleted_at);
  const pick = candidates.length > 1 && live.length ? live : candidates;
  if (pick.length === 1) return pick[0];
  if (pick.length > 1) {
    throw new FlowError('ambiguous', `"${ref}" matches ${pick.length} documents: ${pick.slice(0, 10).map((e) => `${e.id} (${e.path})`).join(', ')}; give more of the id`, {
      candidates: pick.map((e) => e.id),
    });
  }
  throw new NotFoundError('document', ref);
}
