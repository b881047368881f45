// What the snapshot engine needs from the documents (DESIGN §5, issue 13 item 1): a
// snapshot records the manifest and the hashes it names (never the contents, which live
// once in the content store), a restore brings back the manifest of its time, and
// `gc doc` keeps every content a retained snapshot still names.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FlowError } from '../domain/errors.js';
import { SchemaError } from '../domain/schema.js';
import { now } from '../domain/time.js';
import { acquireLock } from '../store/lock.js';
import { SNAPSHOT_DIR } from '../store/migrate/snapshot.js';
import { isSha256 } from './contain.js';
import type { Documents } from './documents.js';
import { Manifest, MANIFEST_FILE, manifestPath, updateManifest, type DocumentEntry } from './manifest.js';
import { placeReadable, readableState, removeReadable } from './readable.js';

export interface CapturedDocuments {
  /** The manifest's JSON as the file holds it (its text when it is not JSON), or null when there is none. */
  manifest: unknown;
  /** Readable path (under documents/) → content hash, for every document not deleted. */
  documents: Record<string, string>;
}

/**
 * The documents part of a snapshot. Reads the manifest only: no file under documents/ is
 * walked or hashed. The manifest is recorded as the file holds it, not validated (every
 * snapshot pays for this; a restore validates what it brings back): its JSON, or its
 * text when it holds none, which a restore refuses rather than restore no documents.
 */
export function captureDocuments(dir: string): CapturedDocuments {
  let text: string;
  try {
    text = readFileSync(manifestPath(dir), 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { manifest: null, documents: {} };
    if (code === 'EISDIR') return { manifest: `${MANIFEST_FILE} is a folder`, documents: {} };
    throw err;
  }
  let manifest: unknown;
  try {
    manifest = JSON.parse(text);
  } catch {
    return { manifest: text, documents: {} };
  }
  const documents: Record<string, string> = {};
  const entries = (manifest as { documents?: unknown } | null)?.documents;
  if (entries && typeof entries === 'object' && !Array.isArray(entries)) {
    for (const entry of Object.values(entries) as Array<Partial<DocumentEntry> | null>) {
      if (typeof entry?.path === 'string' && isSha256(entry.sha256) && !entry.deleted_at) documents[entry.path] = entry.sha256;
    }
  }
  return { manifest, documents };
}

/** Every content hash a snapshot's state names (its manifest, and the path → hash map older snapshots kept). */
export function contentHashesOf(state: { manifest?: unknown; documents?: unknown }): Set<string> {
  const out = new Set<string>();
  try {
    for (const hash of Manifest.from(state.manifest ?? {}).hashes()) out.add(hash);
  } catch {
    // A manifest that does not validate at all: keep whatever looks like a hash in it.
    for (const value of Object.values((state.manifest as { documents?: Record<string, { sha256?: unknown }> })?.documents ?? {})) {
      if (isSha256(value?.sha256)) out.add(value.sha256);
    }
  }
  if (state.documents && typeof state.documents === 'object') {
    for (const hash of Object.values(state.documents)) if (isSha256(hash)) out.add(hash);
  }
  return out;
}

/** What gc needs of a snapshot store: its snapshots, and what each recorded of the documents. */
export interface SnapshotSource<M> {
  list(): readonly M[];
  side(meta: M): { manifest?: unknown; documents?: unknown };
}

/**
 * Runs `fn` with the content hashes every retained snapshot names, holding the snapshot
 * index lock so no snapshot is added or removed meanwhile. Of each snapshot only its
 * manifest and hashes are read (the engine's side parts), never its flows.
 */
export async function withRetainedHashes<M, T>(dir: string, engine: SnapshotSource<M>, fn: (hashes: ReadonlySet<string>) => Promise<T>): Promise<T> {
  const folder = join(dir, SNAPSHOT_DIR);
  if (!existsSync(folder)) return fn(new Set());
  const lock = await acquireLock(join(folder, 'index.json'));
  try {
    const hashes = new Set<string>();
    for (const meta of engine.list()) for (const hash of contentHashesOf(engine.side(meta))) hashes.add(hash);
    return await fn(hashes);
  } finally {
    await lock.release();
  }
}

export interface RestoredDocuments {
  /** Documents the restored manifest lists (not deleted). */
  documents: number;
  /** Readable files put back from the store. */
  placed: number;
  /** Readable files of documents the snapshot did not have, removed (their contents stay until gc doc). */
  removed: number;
  /** Documents whose content is no longer stored: listed, but without a readable file. */
  missing: string[];
}

/**
 * Brings back the manifest a snapshot recorded, under the manifest lock. With `plans`
 * (a restore of one flow or plan), only the references to those plans are brought back
 * and every other document stays as it is now. Call it after the restore's transaction
 * on flows.json has saved, never inside it (locks go snapshot index → manifest → flows.json).
 */
export async function restoreDocuments(docs: Documents, recorded: unknown, plans?: readonly string[]): Promise<RestoredDocuments> {
  let then: Manifest;
  try {
    then = Manifest.from(recorded ?? {}, "the snapshot's manifest");
  } catch (err) {
    if (!(err instanceof SchemaError)) throw err;
    throw new FlowError('unreadable', `the snapshot's manifest does not read as one (${err.message}); the documents were left as they are`);
  }
  return updateManifest(docs.dir, (current, save) => {
    const before = new Map([...current.entries].map(([id, e]) => [id, { ...e }]));
    if (plans) mergeReferences(current, then, new Set(plans));
    else {
      current.entries.clear();
      for (const [id, entry] of then.entries) current.entries.set(id, { ...entry, plans: [...entry.plans], tasks: [...entry.tasks] });
      current.damaged.splice(0, current.damaged.length, ...then.damaged);
    }
    save();
    const result: RestoredDocuments = { documents: 0, placed: 0, removed: 0, missing: [] };
    for (const old of before.values()) {
      const after = current.get(old.id);
      if (after && !after.deleted_at && after.path === old.path && after.sha256 === old.sha256) continue;
      if (!old.deleted_at && removeReadable(docs.root, old.path, old.sha256, docs.content.find(old.sha256))) result.removed++;
    }
    for (const entry of current.list()) {
      if (entry.deleted_at) continue;
      result.documents++;
      const blob = docs.content.find(entry.sha256);
      if (!blob) {
        result.missing.push(entry.id);
        continue;
      }
      if (readableState(docs.root, entry.path, entry.sha256, blob) === 'missing') {
        placeReadable(docs.root, entry.path, blob, entry.storage_type === 'lfs');
        result.placed++;
      }
    }
    return result;
  });
}

/** References to `scope` become what they were in `then`; everything else stays. */
function mergeReferences(current: Manifest, then: Manifest, scope: ReadonlySet<string>): void {
  const at = now();
  for (const entry of current.list()) {
    const was = then.get(entry.id);
    const kept = entry.plans.filter((id) => !scope.has(id));
    const back = (was?.plans ?? []).filter((id) => scope.has(id));
    const plans = [...kept, ...back.filter((id) => !kept.includes(id))];
    if (plans.join() === entry.plans.join()) continue;
    entry.plans = plans;
    entry.updated = at;
    entry.deleted_at = plans.length ? null : at;
  }
  for (const entry of then.list()) {
    if (current.get(entry.id) || !entry.plans.some((id) => scope.has(id))) continue;
    const restored: DocumentEntry = { ...entry, plans: entry.plans.filter((id) => scope.has(id)), tasks: [...entry.tasks], deleted_at: null };
    current.entries.set(entry.id, restored);
  }
}
