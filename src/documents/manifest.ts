// documents_manifest.json (DESIGN §1, issue 13 item 2): what each document is, where its
// readable file is, its content hash and the plans that reference it. Validated on every
// read, entry by entry: an entry that fails (a path that climbs out, a hash that is not
// one) is reported as damaged, skipped, and written back unchanged, never dropped.
// Changed only under its own lock, with an atomic replace.
import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as z from 'zod/mini';
import { FlowError } from '../domain/errors.js';
import { parseWith, SchemaError } from '../domain/schema.js';
import { removeStaleTemps, writeFileAtomic } from '../store/atomic-write.js';
import { acquireLock, type LockOptions } from '../store/lock.js';
import { NotAFileError, readFileInside } from '../store/regular-file.js';
import { fileIdentity, identityOf, settled, type Identity } from '../store/identity.js';
import { BLOBS_DIR, LARGE_DIR } from './content-store.js';
import { isSha256, relativeProblem } from './contain.js';
import { once } from '../domain/once.js';

export const MANIFEST_FILE = 'documents_manifest.json';
export const MANIFEST_VERSION = 1;

export const STORAGE_TYPES = ['local', 'lfs', 'command'] as const;
export type StorageType = (typeof STORAGE_TYPES)[number];

export const DOC_ID = /^doc_[0-9a-z]{8,}$/;

/** `<plan folder>/<name…>`, inside documents/ and outside flow's own folders there. */
function isReadablePath(path: string): boolean {
  const top = path.slice(0, path.indexOf('/'));
  return relativeProblem(path) === undefined && top !== '' && top !== BLOBS_DIR && top !== LARGE_DIR;
}

// Built on first read of the manifest: most commands never read it (issue 15, start-up).
const schemas = once(() => {
  const ids = z._default(z.array(z.string()), (): string[] => []);

  const DocumentEntrySchema = z.looseObject({
    id: z.string().check(z.regex(DOC_ID, 'is not a document id (doc_…)')),
    /** The file name people see (its last path component). */
    name: z.string(),
    /** The readable file, relative to documents/: `<plan_id>/<name>` (or deeper, for folders). */
    path: z.string().check(z.refine(isReadablePath, 'is not a path inside a plan folder of documents/')),
    sha256: z.string().check(z.refine(isSha256, 'is not a sha256 hash')),
    size: z.int().check(z.nonnegative()),
    media_type: z.string(),
    storage_type: z._default(z.enum(STORAGE_TYPES), 'local'),
    /** Plans that reference it. A plan deleted since still counts once it is back (undo). */
    plans: ids,
    tasks: ids,
    created: z.string(),
    updated: z.string(),
    /** When flow saw its last reference go; `gc doc` removes it documents.retention_days later. */
    deleted_at: z.optional(z.nullable(z.string())),
  });

  const FileSchema = z.looseObject({
    version: z._default(z.number(), MANIFEST_VERSION),
    documents: z._default(z.record(z.string(), z.unknown()), () => ({})),
  });
  return { DocumentEntrySchema, FileSchema };
});
export type DocumentEntry = z.infer<ReturnType<typeof schemas>['DocumentEntrySchema']>;

export interface DamagedEntry {
  key: string;
  raw: unknown;
  reason: string;
}

export class Manifest {
  constructor(
    readonly version: number,
    readonly entries: Map<string, DocumentEntry>,
    readonly damaged: DamagedEntry[],
    /** Top-level fields other tools keep, written back as they were. */
    readonly extras: Record<string, unknown>,
  ) {}

  static empty(): Manifest {
    return new Manifest(MANIFEST_VERSION, new Map(), [], {});
  }

  /** Validates a manifest document (from the file, or a snapshot) entry by entry. */
  static from(raw: unknown, where = MANIFEST_FILE): Manifest {
    const file = parseWith(schemas().FileSchema, raw ?? {}, where);
    const { version, documents, ...extras } = file;
    const entries = new Map<string, DocumentEntry>();
    const damaged: DamagedEntry[] = [];
    for (const [key, value] of Object.entries(documents)) {
      const result = schemas().DocumentEntrySchema.safeParse(value);
      if (!result.success) {
        const issue = result.error.issues[0];
        damaged.push({ key, raw: value, reason: `${[key, ...issue.path.map(String)].join('.')} ${issue.message}` });
      } else if (result.data.id !== key) {
        damaged.push({ key, raw: value, reason: `${key}.id is ${JSON.stringify(result.data.id)}, not its key` });
      } else {
        entries.set(key, result.data);
      }
    }
    return new Manifest(version, entries, damaged, extras);
  }

  get(id: string): DocumentEntry | undefined {
    return this.entries.get(id);
  }

  /** Entries in file order. */
  list(): DocumentEntry[] {
    return [...this.entries.values()];
  }

  /** The document whose readable file is `path`, if any. */
  atPath(path: string): DocumentEntry | undefined {
    for (const entry of this.entries.values()) if (entry.path === path) return entry;
    return undefined;
  }

  /** Every content hash the manifest names (damaged entries' ones included), but for `except` documents. */
  hashes(except: ReadonlySet<string> = new Set()): Set<string> {
    const out = new Set<string>();
    for (const entry of this.entries.values()) if (!except.has(entry.id)) out.add(entry.sha256);
    for (const { raw } of this.damaged) {
      const hash = (raw as { sha256?: unknown } | null)?.sha256;
      if (isSha256(hash)) out.add(hash);
    }
    return out;
  }

  toJSON(): Record<string, unknown> {
    const documents: Record<string, unknown> = {};
    for (const [id, entry] of this.entries) documents[id] = entry;
    for (const { key, raw } of this.damaged) documents[key] = raw;
    return { version: this.version, ...this.extras, documents };
  }

  /** The file's bytes: one line per document, so it stays greppable and diffs per document. */
  serialise(): Buffer {
    const { documents, ...header } = this.toJSON() as { documents: Record<string, unknown> };
    const lines = Object.entries(documents).map(([id, entry]) => `    ${JSON.stringify(id)}: ${JSON.stringify(entry)}`);
    let out = '{\n';
    for (const [key, value] of Object.entries(header)) out += `  ${JSON.stringify(key)}: ${JSON.stringify(value)},\n`;
    out += lines.length ? `  "documents": {\n${lines.join(',\n')}\n  }\n}\n` : '  "documents": {}\n}\n';
    return Buffer.from(out);
  }
}

export function manifestPath(dir: string): string {
  return join(dir, MANIFEST_FILE);
}

/**
 * Reads the manifest (an absent one is empty), never through a link that leads out of the
 * data directory (DESIGN §8). An unreadable one is left exactly as it is.
 */
export function readManifest(dir: string): Manifest {
  const path = manifestPath(dir);
  let text: string;
  let identity: Identity | undefined;
  try {
    // Before the read: a file replaced in between then fails the identity check later.
    // A missing one (a dangling link too) is left to the read to judge.
    const stat = statSync(path, { bigint: true, throwIfNoEntry: false });
    const readAtNs = BigInt(Date.now()) * 1_000_000n;
    text = readFileInside(path, MANIFEST_FILE, dir).toString('utf8');
    if (stat && settled(stat, readAtNs)) identity = identityOf(stat);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return Manifest.empty();
    if (err instanceof NotAFileError) throw unreadable('it is not a regular file: a folder, a pipe or a device');
    throw err;
  }
  let manifest: Manifest;
  try {
    manifest = Manifest.from(text.trim() === '' ? {} : JSON.parse(text));
  } catch (err) {
    if (err instanceof SyntaxError || err instanceof SchemaError || err instanceof RangeError) throw unreadable(err.message);
    throw err;
  }
  if (identity) readAs.set(manifest, identity);
  return manifest;
}

/**
 * Manifests read from a file that had settled (see identity.ts), with the file's identity
 * then: while the file keeps it, such a read is what the file holds, and a change under
 * the lock may start from it instead of parsing the file again (`seen` of updateManifest).
 */
const readAs = new WeakMap<Manifest, Identity>();

function unreadable(reason: string): FlowError {
  return new FlowError(
    'unreadable',
    `${MANIFEST_FILE} could not be read (${reason}). It was left as it is: fix it, or bring back an earlier one ` +
      'with `flow snapshot restore`.',
    { reason },
  );
}

/**
 * Runs `change` on the newest manifest under its lock. `change` saves what it changed by
 * calling `save()` (atomically, still under the lock), at the moment it chooses: inside a
 * transaction on flows.json, for one. It may be async (it may stream files meanwhile);
 * the lock stays fresh because nothing in it blocks the event loop for long.
 * Locks are taken in one order everywhere: snapshot index, manifest, flows.json.
 */
export async function updateManifest<T>(
  dir: string,
  change: (manifest: Manifest, save: () => void) => Promise<T> | T,
  options: LockOptions = {},
  /** A manifest read before the lock and not changed since: taken once, if the file still holds it. */
  seen?: Manifest,
): Promise<T> {
  const path = manifestPath(dir);
  mkdirSync(dir, { recursive: true });
  const lock = await acquireLock(path, options);
  try {
    removeStaleTemps(path);
    const held = seen && readAs.get(seen);
    if (seen) readAs.delete(seen);
    const manifest = seen && held !== undefined && held === fileIdentity(path) ? seen : readManifest(dir);
    if (manifest.version > MANIFEST_VERSION) {
      throw new FlowError(
        'too_new',
        `${MANIFEST_FILE} is version ${manifest.version}, newer than this flow writes (${MANIFEST_VERSION}); it is read-only`,
      );
    }
    return await change(manifest, () => writeFileAtomic(path, [manifest.serialise()], { beforeRename: () => lock.assertHeld() }));
  } finally {
    await lock.release();
  }
}
