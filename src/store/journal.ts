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
// Like any side file it is never trusted (DESIGN §8): it is used only where it resolves
// inside .flow/, every line is checked on its own (a line that does not read is skipped
// and reported; the chain of identities then decides), and what a snapshot made from it
// holds is validated like any file when it is restored.
import { existsSync, rmSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { Operation } from 'fast-json-patch';
import * as z from 'zod/mini';
import { writeFileAtomic } from './atomic-write.js';
import { assertResolvesInside } from './contain.js';
import type { Identity } from './identity.js';
import { appendLine, parseLine, readLines } from './jsonl.js';
import { SNAPSHOT_DIR } from './migrate/snapshot.js';
import { once } from '../domain/once.js';

export const JOURNAL_FILE = 'journal.jsonl';

/** Past this size a baseline is the cheaper way to the next snapshot: the journal goes. */
const MAX_BYTES = 16 * 1024 * 1024;

export function journalPath(dir: string): string {
  return join(dir, SNAPSHOT_DIR, JOURNAL_FILE);
}

const JOURNAL = 'snapshot journal';
// Built on first use: most commands never read this file (issue 15, start-up).
const schemas = once(() => {
  const POINTER = z.string().check(z.regex(/^(\/|$)/));
  // RFC 6902 operations as transactions record them; `from` only where the operation has one.
  const OperationSchema = z.union([
    z.looseObject({ op: z.enum(['add', 'replace', 'test']), path: POINTER, value: z.unknown() }),
    z.looseObject({ op: z.literal('remove'), path: POINTER }),
    z.looseObject({ op: z.enum(['move', 'copy']), path: POINTER, from: POINTER }),
  ]);

  const StartSchema = z.object({
    /** The snapshot this journal follows. */
    snapshot: z.string().check(z.regex(/^snap_[a-z0-9_]{1,80}$/)),
    file: z.string(),
    revision: z.number(),
    /** flows.json's top-level members (without flows) in that snapshot. */
    header: z.record(z.string(), z.unknown()),
    /** Hashes of the other parts of that snapshot (context, manifest, documents). */
    parts: z.record(z.string(), z.string()),
  });

  const EntrySchema = z.object({
    revision: z.number(),
    from: z.nullable(z.string()),
    to: z.string(),
    header: z.record(z.string(), z.unknown()),
    patch: z.array(OperationSchema),
  });
  return { StartSchema, EntrySchema };
});
export type JournalStart = z.infer<ReturnType<typeof schemas>['StartSchema']>;
export type JournalEntry = Omit<z.infer<ReturnType<typeof schemas>['EntrySchema']>, 'patch'> & { patch: Operation[] };

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
  // No snapshot yet, no journal: one existence check, not a failed open.
  if (!existsSync(path)) return;
  try {
    assertResolvesInside(dir, path, JOURNAL);
    if (change.patch === null || change.to === null) {
      unlinkSync(path);
      return;
    }
    const { revision, from, to, header, patch } = change;
    const line = JSON.stringify({ revision, from, to, header, patch } satisfies JournalEntry);
    if (appendLine(dir, path, JOURNAL, line, false) > MAX_BYTES) unlinkSync(path);
  } catch {
    // no journal (no snapshot yet), a journal that leads outside, or one that could not be
    // written: see above
  }
}

export interface Journal {
  start: JournalStart;
  entries: JournalEntry[];
}

/**
 * The journal as far as it reads: the start line, then every entry that reads. Lines
 * that do not (torn by a crash, written by someone else) are skipped and reported; a
 * journal that leads outside .flow/ or outgrew its bound is not read at all.
 */
export function readJournal(dir: string, report: (problem: string) => void): Journal | undefined {
  const path = journalPath(dir);
  let read;
  try {
    read = readLines(dir, path, JOURNAL, MAX_BYTES);
  } catch (err) {
    report((err as Error).message);
    return undefined;
  }
  if (!read) return undefined;
  const where = 'snapshots/journal.jsonl';
  if (read.cut) {
    report(`${where} is larger than ${MAX_BYTES} bytes (not written by flow); it was not read`);
    return undefined;
  }
  const [first = '', ...rest] = read.lines;
  const start = parseLine(schemas().StartSchema, first);
  if (!start) {
    report(`${where}: its first line is damaged; it was not read`);
    return undefined;
  }
  const entries: JournalEntry[] = [];
  const damaged: number[] = [];
  rest.forEach((line, i) => {
    const entry = parseLine(schemas().EntrySchema, line);
    if (entry) entries.push(entry as JournalEntry);
    else damaged.push(i + 2);
  });
  if (read.torn) damaged.push(read.lines.length + 1);
  if (damaged.length) report(`${where}: line${damaged.length > 1 ? 's' : ''} ${damaged.join(', ')} damaged and skipped`);
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
  // The journal itself is replaced or removed, never written through: only its folder is checked.
  assertResolvesInside(dir, join(dir, SNAPSHOT_DIR), JOURNAL);
  if (start) writeFileAtomic(journalPath(dir), [Buffer.from(`${JSON.stringify(start)}\n`)]);
  else rmSync(journalPath(dir), { force: true });
}
