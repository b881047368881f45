// The session's last change that `flow undo` cannot take back: a document command, whose
// change is in the documents' manifest, not in flows.json, so the undo log holds none of
// it. Without this note, undo after `rm doc` reverted the change before it (an `add
// plan`, say) instead. With it, undo stops there once, says how to take the document
// change back, and leaves the older change for the next undo. One small file beside the
// session's undo log, replaced by each such command; it counts only while the log's
// newest line is the one it was written after.
import { mkdirSync, unlinkSync } from 'node:fs';
import { dirname } from 'node:path';
import * as z from 'zod/mini';
import { once } from '../domain/once.js';
import { writeFileAtomic } from '../store/atomic-write.js';
import { assertResolvesInside } from '../store/contain.js';
import { readFileInside } from '../store/regular-file.js';
import type { UndoEntry, UndoLog } from './undo.js';

export interface OutsideChange {
  /** What was done, as a person reads it: `rm doc doc_… "spec.md"`. */
  change: string;
  /** The commands that take it back (none when no command can, e.g. a new version). */
  takeBack: string[];
}

/** A note is a few hundred bytes; anything much larger was not written by flow. */
const MAX_BYTES = 64 * 1024;

const schemas = once(() => ({
  NoteSchema: z.object({
    change: z.string(),
    take_back: z.array(z.string()),
    /** The undo log's newest line when the note was written, or null for an empty log. */
    after: z.nullable(z.string()),
  }),
}));

function noteFile(log: UndoLog): string {
  return log.file.replace(/\.jsonl$/, '.outside.json');
}

/** The log's newest line as it identifies itself: changes when anything is appended. */
function mark(entry: UndoEntry | undefined): string | null {
  return entry ? `${entry.kind} ${entry.revision} ${entry.target ?? ''} ${entry.at}` : null;
}

/** Notes `change` as the session's last one; a store that cannot take the note goes without it. */
export function noteOutsideChange(log: UndoLog, change: OutsideChange, warn: (message: string) => void): void {
  const file = noteFile(log);
  const note = { change: change.change, take_back: change.takeBack, after: mark(log.entries().at(-1)) };
  try {
    assertResolvesInside(log.dir, file, 'undo note');
    mkdirSync(dirname(file), { recursive: true });
    writeFileAtomic(file, [Buffer.from(`${JSON.stringify(note)}\n`)], { durable: false });
  } catch (err) {
    warn(`flow undo will not know of this change (${(err as Error).message}): it would undo the change before it`);
  }
}

/**
 * The session's document change that came after everything in its undo log, if any.
 * A note that does not read (torn, edited, a link out of .flow/) counts as none.
 */
export function pendingOutsideChange(log: UndoLog): OutsideChange | undefined {
  let bytes: Buffer;
  try {
    bytes = readFileInside(noteFile(log), 'undo note', log.dir);
  } catch {
    return undefined;
  }
  if (bytes.length > MAX_BYTES) return undefined;
  let parsed: ReturnType<ReturnType<typeof schemas>['NoteSchema']['safeParse']>;
  try {
    parsed = schemas().NoteSchema.safeParse(JSON.parse(bytes.toString('utf8')));
  } catch {
    return undefined;
  }
  if (!parsed.success || parsed.data.after !== mark(log.entries().at(-1))) return undefined;
  return { change: parsed.data.change, takeBack: parsed.data.take_back };
}

/** Forgets the note: the next undo reverts the log's newest change. */
export function clearOutsideChange(log: UndoLog): void {
  const file = noteFile(log);
  try {
    assertResolvesInside(log.dir, file, 'undo note');
    unlinkSync(file);
  } catch {
    // already gone, or not ours to remove
  }
}
