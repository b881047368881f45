// The snapshot journal, snapshots/journal.jsonl: what each transaction changed, appended
// under the store's lock, so that the next incremental snapshot is made of the patches
// transactions already recorded instead of a diff of the whole store (DESIGN §5 "a
// snapshot's cost follows the change").
//
// It exists only once a snapshot was taken. Its first line names that snapshot and the
// file it captured (by identity: inode, size, mtime, ctime); every later line links the
// file a transaction started from to the file it wrote. Anything that writes flows.json
// without a line here (a script, an agent, a crash between rename and append) breaks the
// chain of identities, and the snapshot engine then takes a full baseline instead. The
// journal only ever speeds snapshots up: losing it, or any part of it, costs a baseline.
import { closeSync, constants, fstatSync, openSync, readFileSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Operation } from 'fast-json-patch';
import * as z from 'zod/mini';
import { writeFileAtomic } from './atomic-write.js';
import type { Identity } from './identity.js';
import { SNAPSHOT_DIR } from './migrate/snapshot.js';

export const JOURNAL_FILE = 'journal.jsonl';

/** Past this size a baseline is the cheaper way to the next snapshot: the journal goes. */
const MAX_BYTES = 16 * 1024 * 1024;

export function journalPath(dir: string): string {
  return join(dir, SNAPSHOT_DIR, JOURNAL_FILE);
}

const OperationSchema = z.looseObject({ op: z.string(), path: z.string() });

const StartSchema = z.object({
  /** The snapshot this journal follows. */
  snapshot: z.string(),
  file: z.string(),
  revision: z.number(),
  /** flows.json's top-level members (without flows) in that snapshot. */
  header: z.record(z.string(), z.unknown()),
  /** Hashes of the other parts of that snapshot (context, manifest, documents). */
  parts: z.record(z.string(), z.string()),
});
export type JournalStart = z.infer<typeof StartSchema>;

const EntrySchema = z.object({
  revision: z.number(),
  from: z.nullable(z.string()),
  to: z.string(),
  header: z.record(z.string(), z.unknown()),
  patch: z.array(OperationSchema),
});
export type JournalEntry = Omit<z.infer<typeof EntrySchema>, 'patch'> & { patch: Operation[] };

export interface SavedChange {
  revision: number;
  /** The file the transaction read under the lock, and the one it wrote. */
  from: Identity | null;
  to: Identity | null;
  header: Record<string, unknown>;
  /** null: the change is not a patch of the old document (a format upgrade, a new flow order). */
  patch: Operation[] | null;
}

/**
 * Appends a saved change, under the store's lock, if a journal exists. Never fails the
 * transaction, which is already on disk: a line that is not written breaks the chain,
 * and the next snapshot is a baseline.
 */
export function recordInJournal(dir: string, change: SavedChange): void {
  const path = journalPath(dir);
  try {
    if (change.patch === null || change.to === null) {
      unlinkSync(path);
      return;
    }
    const fd = openSync(path, constants.O_WRONLY | constants.O_APPEND);
    try {
      const { revision, from, to, header, patch } = change;
      writeSync(fd, `${JSON.stringify({ revision, from, to, header, patch } satisfies JournalEntry)}\n`);
      if (fstatSync(fd).size <= MAX_BYTES) return;
    } finally {
      closeSync(fd);
    }
    unlinkSync(path);
  } catch {
    // no journal (no snapshot yet), or it could not be written: see above
  }
}

export interface Journal {
  start: JournalStart;
  entries: JournalEntry[];
}

/** The journal as far as it reads: the start line, then entries up to the first bad line. */
export function readJournal(dir: string): Journal | undefined {
  let text: string;
  try {
    text = readFileSync(journalPath(dir), 'utf8');
  } catch {
    return undefined;
  }
  const lines = text.split('\n');
  const parse = <T>(schema: z.ZodMiniType<T>, line: string): T | undefined => {
    try {
      const result = schema.safeParse(JSON.parse(line));
      return result.success ? result.data : undefined;
    } catch {
      return undefined;
    }
  };
  const start = parse(StartSchema, lines[0]);
  if (!start) return undefined;
  const entries: JournalEntry[] = [];
  // The last piece has no newline after it: a line still being written, or torn.
  for (const line of lines.slice(1, -1)) {
    const entry = parse(EntrySchema, line) as JournalEntry | undefined;
    if (!entry) break;
    entries.push(entry);
  }
  return { start, entries };
}

/**
 * What the journal recorded from its snapshot up to the file whose identity is `now`:
 * every patch in order and the header written last. Undefined when the chain of files
 * does not lead there (someone else wrote the file, or a line is missing).
 */
export function changesUpTo(journal: Journal, now: Identity): { patches: Operation[][]; header: Record<string, unknown>; revision: number } | undefined {
  const { start } = journal;
  let file = start.file;
  let revision = start.revision;
  let header = start.header;
  const patches: Operation[][] = [];
  for (const entry of journal.entries) {
    if (file === now) break;
    if (entry.from !== file || entry.revision !== revision + 1) return undefined;
    patches.push(entry.patch);
    ({ to: file, revision, header } = entry);
  }
  return file === now ? { patches, header, revision } : undefined;
}

/** Starts the journal over after a snapshot (under the store's lock), or removes it (null). */
export function startJournal(dir: string, start: JournalStart | null): void {
  if (start) writeFileAtomic(journalPath(dir), [Buffer.from(`${JSON.stringify(start)}\n`)]);
  else rmSync(journalPath(dir), { force: true });
}
