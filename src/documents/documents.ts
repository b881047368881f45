// The documents of plans (issue 13): adding, linking, unlinking and removing them. Each
// change is one write of the manifest under its lock; contents are stored (streamed,
// deduplicated) before the lock is taken, and a change that fails takes back what it put
// down: no readable file, no blob, no entry.
import { rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { ConflictError, FlowError, NotFoundError } from '../domain/errors.js';
import { newId } from '../domain/ids.js';
import { oneLine } from '../domain/sanitize.js';
import { now } from '../domain/time.js';
import { fsyncDirectory, tempPathFor } from '../store/atomic-write.js';
import { backendFor, localBackend, type DocumentSettings, type Distrust, type StorageBackend } from './backends.js';
import { ContentStore, hashFileSync, type Progress, type StoredBlob } from './content-store.js';
import { DOCUMENTS_DIR } from './contain.js';
import { mediaTypeOf } from './media.js';
import { numberedDocuments, numberRange } from './numbers.js';
import { readManifest, updateManifest, type DocumentEntry, type Manifest } from './manifest.js';
import { placeReadable, readableState, removeReadable } from './readable.js';
import { liveReferences } from './references.js';
import type { Source } from './sources.js';

export interface DocumentsOptions {
  dir: string;
  /** Told what a change left undone once it was saved (a readable file left in place). */
  warn?: (message: string) => void;
  /** Contents above this size are large (documents/large/, the storage backend). */
  largeBytes: number;
  backend: StorageBackend;
}

/** The plans among `ids` that exist now (see references.ts). */
export type Existing = (ids: string[]) => ReadonlyMap<string, { summary: string }>;

/**
 * The plans that exist, read from flows.json when called: a change calls it under the
 * manifest's lock, so a plan removed after the command read the store no longer counts.
 */
export type PlansNow = () => Promise<Existing>;

export type AddOutcome = 'added' | 'linked' | 'updated' | 'unchanged';

export interface Added {
  entry: DocumentEntry;
  outcome: AddOutcome;
  source: string;
  /** For a document that was there already (linked): the references this add made. */
  referred?: Referred;
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

/** The references a link added: what takes it back unlinks exactly these. */
export interface Referred {
  plan: boolean;
  task: boolean;
}

/**
 * Adds a plan's reference to a document (and a task's, when given: a task's document is
 * its plan's too, so the plans alone count references). `changed`: anything changed.
 */
function refer(entry: DocumentEntry, planId: string, taskId: string | undefined): Referred & { changed: boolean } {
  const referred = { plan: !entry.plans.includes(planId), task: taskId !== undefined && !entry.tasks.includes(taskId) };
  const changed = referred.plan || referred.task || !!entry.deleted_at;
  if (referred.plan) entry.plans.push(planId);
  if (referred.task) entry.tasks.push(taskId!);
  entry.deleted_at = null;
  return { ...referred, changed };
}

/** The path of a document relative to its plan's folder: `<plan_id>/<this>`. */
export function inPlan(entry: DocumentEntry): string {
  return entry.path.slice(entry.path.indexOf('/') + 1);
}

/**
 * The documents of a data directory, with the settings of its config.json; `distrust`
 * says whether that file's commands may run (a command backend refuses when not).
 */
export function openDocuments(
  dir: string,
  settings: DocumentSettings & { large_mb: number },
  warn: (message: string) => void,
  distrust: Distrust,
): Documents {
  return new Documents({ dir, warn, largeBytes: settings.large_mb * 1024 * 1024, backend: backendFor(settings, dir, warn, distrust) });
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

  /**
   * Stores the sources and records them as documents of `planId` (and of `taskId`, a task
   * of that plan, when given), all in one manifest write.
   */
  async add(sources: readonly Source[], planId: string, progress?: Progress, taskId?: string): Promise<Added[]> {
    const total = sources.reduce((sum, s) => sum + s.size, 0);
    let before = 0;
    const stored: Stored[] = [];
    const files = new FileSteps();
    try {
      if (sources.some((s) => s.size > this.content.largeBytes)) this.options.backend.assertUsable();
      this.content.removeStaleTemps();
      for (const source of sources) {
        const blob = await this.content.putFile(source.file, progress && ((done) => progress(before + done, total)), files.folders);
        before += source.size;
        stored.push({ source, blob, mediaType: await mediaTypeOf(source.relative, blob.head) });
        if (blob.large) await this.backendFor(blob).stored({ sha256: blob.sha256, path: blob.path, name: basename(source.relative) });
      }
      return await updateManifest(this.options.dir, (manifest, save) => this.record(manifest, stored, planId, taskId, files, save));
    } catch (err) {
      this.content.release();
      await this.forgetUnnamed(stored.filter((s) => s.blob.created).map((s) => s.blob.sha256));
      throw err;
    } finally {
      this.content.release();
    }
  }

  private backendFor(blob: { large: boolean }): StorageBackend {
    return blob.large ? this.options.backend : localBackend();
  }

  /** Under the manifest lock: the entries for what was stored, and their readable files. */
  private async record(manifest: Manifest, stored: Stored[], planId: string, taskId: string | undefined, files: FileSteps, save: () => void): Promise<Added[]> {
    const at = now();
    const out: Added[] = [];
    const byPath = new Map(manifest.list().map((e) => [e.path, e]));
    const byContent = new Map<string, DocumentEntry[]>();
    for (const e of manifest.list()) byContent.set(e.sha256, [...(byContent.get(e.sha256) ?? []), e]);
    try {
      for (const [i, { source, blob: first, mediaType }] of stored.entries()) {
        // Many files are recorded in one go: let the lock's refresh timer run now and then.
        if (i % 200 === 199) await new Promise((resolve) => setImmediate(resolve));
        // A collection may have removed a content that was already stored when we
        // found it; store it again rather than name a missing blob.
        const blob = this.content.find(first.sha256) ? first : await this.content.putFile(source.file, undefined, files.folders);
        const path = `${planId}/${source.relative}`;
        const existing = byPath.get(path);
        if (existing?.sha256 === blob.sha256) {
          const referred = refer(existing, planId, taskId);
          this.ensureReadable(existing, files);
          out.push({ entry: existing, outcome: referred.changed ? 'linked' : 'unchanged', source: source.file, referred });
          continue;
        }
        const name = basename(source.relative);
        const twin = existing
          ? undefined
          : byContent.get(blob.sha256)?.find((e) => e.name === name && !e.deleted_at && !e.plans.includes(planId));
        if (twin) {
          out.push({ entry: twin, outcome: 'linked', source: source.file, referred: refer(twin, planId, taskId) });
          continue;
        }
        // A new document, or a new content for the document at this path.
        const entry: DocumentEntry = existing ?? {
          id: newId('doc'),
          name,
          path,
          sha256: blob.sha256,
          size: 0,
          media_type: '',
          storage_type: 'local',
          plans: [planId],
          tasks: taskId ? [taskId] : [],
          created: at,
          updated: at,
          deleted_at: null,
        };
        this.placeReadableFor(entry.path, existing?.sha256 ?? blob.sha256, blob, blob.large && this.options.backend.symlinks, files);
        Object.assign(entry, {
          sha256: blob.sha256,
          size: blob.size,
          media_type: mediaType,
          storage_type: blob.large ? this.options.backend.type : 'local',
          updated: at,
          deleted_at: null,
        });
        refer(entry, planId, taskId);
        manifest.entries.set(entry.id, entry);
        byPath.set(entry.path, entry);
        byContent.set(entry.sha256, [...(byContent.get(entry.sha256) ?? []), entry]);
        out.push({ entry, outcome: existing ? 'updated' : 'added', source: source.file });
      }
      if (out.some((a) => a.outcome !== 'unchanged')) files.save(save, this.options.warn);
    } catch (err) {
      files.undo();
      throw err;
    }
    return out;
  }

  /**
   * Puts a readable file at `path` for `blob`. What is there already may
   * only be the content `expected` (or nothing): a file put there by hand, or edited by
   * hand since, is never overwritten.
   */
  private placeReadableFor(path: string, expected: string, blob: StoredBlob, symlink: boolean, files: FileSteps): void {
    const state = readableState(this.root, path, expected, this.content.find(expected));
    if (state !== 'missing' && state !== 'same') {
      throw new FlowError(
        'invalid',
        `documents/${path} already exists and holds something flow did not put there (${state}): move it away or choose another --name`,
      );
    }
    const previous = state === 'same' ? this.content.find(expected) : undefined;
    placeReadable(this.root, path, blob.path, symlink, files.folders);
    files.onFailure(() => (previous ? placeReadable(this.root, path, previous, symlink) : removeReadable(this.root, path, blob.sha256, blob.path)));
  }

  /** Puts a missing readable file back from the store. */
  private ensureReadable(entry: DocumentEntry, files: FileSteps): void {
    const blob = this.content.find(entry.sha256);
    if (!blob || readableState(this.root, entry.path, entry.sha256, blob) !== 'missing') return;
    placeReadable(this.root, entry.path, blob, this.symlinked(entry), files.folders);
    files.onFailure(() => removeReadable(this.root, entry.path, entry.sha256, blob));
  }

  private symlinked(entry: DocumentEntry): boolean {
    return entry.storage_type === 'lfs';
  }

  /** After a failed add: contents it stored that no entry names are removed again. */
  private async forgetUnnamed(hashes: string[]): Promise<void> {
    if (!hashes.length) return;
    await updateManifest(this.options.dir, (manifest) => {
      const named = manifest.hashes();
      const held = this.content.held();
      for (const hash of hashes) if (!named.has(hash) && !held.has(hash)) this.content.remove(hash);
    }).catch(() => undefined);
  }

  /** Adds a plan's reference to a document (and a task's of that plan, when given). */
  async link(ref: string | DocumentRef, planId: string, plans: PlansNow, taskId?: string): Promise<{ entry: DocumentEntry; changed: boolean; referred: Referred }> {
    const seen = this.seen(ref);
    return updateManifest(this.options.dir, async (manifest, save) => {
      const existing = await plans();
      // Removed while this command waited for the lock: a reference to it would bring a
      // deleted document back into a folder nobody lists.
      if (!existing([planId]).size) {
        throw new ConflictError(`plan ${planId} was removed since this command read the store; nothing was linked`, { plan: planId });
      }
      const entry = findToChange(manifest, ref, seen?.entry, existing);
      const { changed, ...referred } = refer(entry, planId, taskId);
      if (changed) entry.updated = now();
      const files = new FileSteps();
      // A document whose folder is a plan that is gone moves to the plan it is linked to.
      if (!existing([homePlan(entry)]).size) this.relocate(manifest, entry, planId, files);
      this.ensureReadable(entry, files);
      if (changed || files.any()) files.save(save, this.options.warn);
      return { entry, changed, referred };
    }, {}, seen?.manifest);
  }

  /** Moves a document's readable file into another plan's folder, when that place is free. */
  private relocate(manifest: Manifest, entry: DocumentEntry, planId: string, files: FileSteps): void {
    const path = `${planId}/${inPlan(entry)}`;
    if (path === entry.path || manifest.atPath(path)) return;
    const blob = this.content.find(entry.sha256);
    if (!blob || readableState(this.root, path, entry.sha256, blob) !== 'missing') return;
    placeReadable(this.root, path, blob, this.symlinked(entry), files.folders);
    const old = entry.path;
    entry.path = path;
    files.onFailure(() => {
      entry.path = old;
      removeReadable(this.root, path, entry.sha256, blob);
    });
    files.afterSave(() => removeReadable(this.root, old, entry.sha256, blob));
  }

  /**
   * Drops a plan's reference to a document; with `taskId`, only that task's (the plan's
   * stays, so the document does too). When no plan that exists still references the
   * document, it is marked deleted (gc doc removes it after the retention period) and its
   * readable file goes; its content stays until then.
   */
  async unlink(ref: string | DocumentRef, planId: string, plans: PlansNow, taskId?: string): Promise<{ entry: DocumentEntry; deleted: boolean }> {
    const seen = this.seen(ref);
    return updateManifest(this.options.dir, async (manifest, save) => {
      const existing = await plans();
      const entry = findToChange(manifest, ref, seen?.entry, existing);
      if (taskId !== undefined) {
        if (!entry.tasks.includes(taskId)) throw new FlowError('invalid', `document ${entry.id} is not linked to task ${taskId}`);
        entry.tasks = entry.tasks.filter((id) => id !== taskId);
        entry.updated = now();
        save();
        return { entry, deleted: false };
      }
      if (!entry.plans.includes(planId)) throw new FlowError('invalid', `document ${entry.id} is not linked to plan ${planId}`);
      entry.plans = entry.plans.filter((id) => id !== planId);
      entry.updated = now();
      const live = liveReferences(entry, existing(entry.plans));
      const files = new FileSteps();
      if (!live.length) this.markDeleted(entry, files);
      else if (homePlan(entry) === planId) this.relocate(manifest, entry, live[0], files);
      files.save(save, this.options.warn);
      return { entry, deleted: !live.length };
    }, {}, seen?.manifest);
  }

  /**
   * Removes a document from every plan; gc doc removes its content after the retention
   * period. `plans`: the plans that referenced it until then.
   */
  async remove(ref: string | DocumentRef, plans: PlansNow): Promise<{ entry: DocumentEntry; plans: string[] }> {
    const seen = this.seen(ref);
    return updateManifest(this.options.dir, async (manifest, save) => {
      // flows.json is read again only for a number: an id names the same document whatever changed.
      const entry = typeof ref === 'string' ? findDocument(manifest, ref) : findToChange(manifest, ref, seen?.entry, await plans());
      const referenced = entry.plans;
      entry.plans = [];
      entry.updated = now();
      const files = new FileSteps();
      this.markDeleted(entry, files);
      files.save(save, this.options.warn);
      return { entry, plans: referenced };
    }, {}, seen?.manifest);
  }

  /**
   * Before the lock: the document a list number names in the store as the command read it
   * (what `list doc` showed then), and the manifest read for that, which the change reuses
   * while the file is unchanged. A number out of the list fails here, changing nothing.
   */
  private seen(ref: string | DocumentRef): { manifest: Manifest; entry: DocumentEntry } | undefined {
    if (typeof ref === 'string') return undefined;
    const manifest = this.read();
    return { manifest, entry: findDocument(manifest, ref) };
  }

  /** Marks a document deleted; once that is saved, its readable file goes (not its content). */
  private markDeleted(entry: DocumentEntry, files: FileSteps): void {
    entry.deleted_at = now();
    files.afterSave(() => removeReadable(this.root, entry.path, entry.sha256, this.content.find(entry.sha256)));
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

/**
 * A list number as a document command got it (DESIGN §6), with the plans that exist, which
 * decide the numbering (numbers.ts). It wins over a name of digits, as for tasks.
 */
export interface DocumentRef {
  text: string;
  /** The plans as the command read them: the numbering `list doc` showed then. */
  existing: Existing;
}

/**
 * A document by the number `list doc` shows, full id, unique id prefix (with or without
 * `doc_`), exact name or path (as `show doc` prints it, or inside documents/). A bare
 * string is never read as a number; a DocumentRef only as one (0, -1 or 007 are no
 * document, not an id prefix).
 */
export function findDocument(manifest: Manifest, ref: string | DocumentRef): DocumentEntry {
  if (typeof ref !== 'string') {
    const rows = numberedIn(manifest, ref.existing);
    const number = /^[1-9]\d*$/.test(ref.text) ? Number(ref.text) : undefined;
    const found = number === undefined ? undefined : rows[number - 1];
    if (found) return found;
    const start = number === undefined ? 'list numbers start at 1; ' : '';
    throw new NotFoundError('document', ref.text, `(${start}${numberRange(rows.length)}${namedLike(manifest, ref.text)})`);
  }
  const text = ref;
  const exact = manifest.get(text);
  if (exact) return exact;
  const all = manifest.list();
  const prefixed = all.filter((e) => e.id.startsWith(text) || e.id.startsWith(`doc_${text}`));
  const candidates = prefixed.length ? prefixed : all.filter((e) => e.name === text || e.path === text || `${DOCUMENTS_DIR}/${e.path}` === text);
  const live = candidates.filter((e) => !e.deleted_at);
  const pick = candidates.length > 1 && live.length ? live : candidates;
  if (pick.length === 1) return pick[0];
  if (pick.length > 1) {
    throw new FlowError('ambiguous', `"${text}" matches ${pick.length} documents: ${pick.slice(0, 10).map((e) => `${e.id} (${e.path})`).join(', ')}; give more of the id`, {
      candidates: pick.map((e) => e.id),
    });
  }
  throw new NotFoundError('document', text);
}

/**
 * Under the manifest's lock, the document a change is for. A list number must name, in
 * the manifest and plans as they are now, the very document it named when the command
 * read the store (`meant`); otherwise another writer changed the list in between and
 * nothing is changed (exit 3): a number never makes a change to another document than the
 * one `list doc` showed under it. `existing`: the plans now; `meant` is there for a number.
 */
function findToChange(manifest: Manifest, ref: string | DocumentRef, meant: DocumentEntry | undefined, existing: Existing): DocumentEntry {
  if (typeof ref === 'string' || !meant) return findDocument(manifest, ref);
  const rows = numberedIn(manifest, existing);
  const found = rows[Number(ref.text) - 1];
  if (found?.id === meant.id) return found;
  const then = manifest.get(meant.id);
  const went = !then || !rows.includes(then) ? 'is no longer in the list' : `is number ${rows.indexOf(then) + 1} now`;
  const instead = found ? `${ref.text} is now ${found.id} "${oneLine(found.name)}"` : numberRange(rows.length);
  throw new ConflictError(
    `document ${ref.text} was ${meant.id} "${oneLine(meant.name)}" when this command read the store, and another writer changed the list since: ` +
      `it ${went}, ${instead}. Nothing was changed: run flow list doc again, or give the id`,
    { number: Number(ref.text), meant: meant.id, now: found?.id ?? null },
  );
}

/** The manifest's numbered documents (numbers.ts), given the plans that exist. */
function numberedIn(manifest: Manifest, existing: Existing): DocumentEntry[] {
  const all = manifest.list();
  return numberedDocuments(all, existing(all.flatMap((e) => e.plans)));
}

/** For a number not in the list: the document with that very name, reached by id or path instead. */
function namedLike(manifest: Manifest, text: string): string {
  const named = manifest.list().filter((e) => e.name === text);
  if (!named.length) return '';
  const ids = named.slice(0, 3).map((e) => e.id).join(', ');
  return `; "${text}" is read as a list number: the document of that name is ${ids} (give its id or path)`;
}

/**
 * File changes that go with one manifest write: made durable (their folders fsynced, once
 * each) before it, taken back when it fails, and the ones that must wait for it
 * (removals) done only once it is on disk.
 */
class FileSteps {
  private readonly failure: Array<() => void> = [];
  private readonly after: Array<() => void> = [];
  readonly folders = new Set<string>();

  onFailure(step: () => void): void {
    this.failure.push(step);
  }

  afterSave(step: () => void): void {
    this.after.push(step);
  }

  any(): boolean {
    return this.failure.length + this.after.length > 0;
  }

  undo(): void {
    for (const step of this.failure.reverse()) step();
    this.failure.length = 0;
  }

  /**
   * Writes the manifest; then the steps that follow a saved change. Those can only warn:
   * the change is on disk, and an exit code must say so (DESIGN §8).
   */
  save(write: () => void, warn?: (message: string) => void): void {
    try {
      for (const folder of this.folders) fsyncDirectory(folder);
      write();
    } catch (err) {
      this.undo();
      throw err;
    }
    this.failure.length = 0;
    for (const step of this.after) {
      try {
        step();
      } catch (err) {
        warn?.(`the change is saved, but a readable file was left as it was: ${oneLine((err as Error).message)}`);
      }
    }
  }
}
