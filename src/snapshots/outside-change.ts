// The session's last change that `flow undo` cannot take back: a document command, whose
// change is in the documents' manifest, not in flows.json, so the undo log holds none of
// it. Without this note, undo after `rm doc` reverted the change before it (an `add
// plan`, say) instead. With it, undo stops there, changing nothing, and says how to take
// the document change back; `undo --past-doc` reverts the older change. One small file
// beside the session's undo log, replaced by each such command; it counts only while the
// log's newest line is the one it was written after.
import { closeSync, fstatSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import * as z from 'zod/mini';
import { DOC_ID } from '../documents/manifest.js';
import { once } from '../domain/once.js';
import { shellArg } from '../domain/shell-word.js';
import { writeFileAtomic } from '../store/atomic-write.js';
import { assertResolvesInside } from '../store/contain.js';
import { openRegularFile } from '../store/regular-file.js';
import type { UndoEntry, UndoLog } from './undo.js';

/** One document command that takes (part of) a change back. */
export interface TakeBack {
  verb: 'rm' | 'link' | 'unlink';
  doc: string;
  plan?: string;
  task?: string;
}

export interface OutsideChange {
  /** What was done, as a person reads it: `rm doc "spec.md"`. */
  change: string;
  /** The commands that take it back (none when no command can, e.g. a new version). */
  takeBack: TakeBack[];
}

/** The command line of a take-back, for a person to run: built here, never read from the note. */
export function takeBackCommand(step: TakeBack): string {
  const task = step.task === undefined ? '' : ` --task ${shellArg(step.task)}`;
  const plan = step.plan === undefined ? '' : ` --plan ${shellArg(step.plan)}`;
  return `flow ${step.verb} doc ${step.doc}${task}${plan}`;
}

/** A note is a few hundred bytes; anything much larger was not written by flow. */
const MAX_BYTES = 64 * 1024;

const schemas = once(() => {
  const id = z.string().check(z.minLength(1));
  return {
    NoteSchema: z.object({
      change: z.string(),
      take_back: z.array(
        z.object({ verb: z.enum(['rm', 'link', 'unlink']), doc: z.string().check(z.regex(DOC_ID)), plan: z.optional(id), task: z.optional(id) }),
      ),
      /** The undo log's newest line when the note was written, or null for an empty log. */
      after: z.nullable(z.string()),
    }),
  };
});

function noteFile(log: UndoLog): string {
  return log.file.replace(/\.jsonl$/, '.outside.json');
}

/** The log's newest line as it identifies itself: changes when anything is appended. */
function mark(entry: UndoEntry | undefined): string | null {
  return entry ? `${entry.kind} ${entry.revision} ${entry.target ?? ''} ${entry.at}` : null;
}

/** Notes `change` as the session's last one; a store that cannot take the note warns and goes on. */
export function noteOutsideChange(log: UndoLog, change: OutsideChange, warn: (message: string) => void): void {
  const file = noteFile(log);
  try {
    const note = { change: change.change, take_back: change.takeBack, after: mark(log.entries().at(-1)) };
    assertResolvesInside(log.dir, file, 'undo note');
    mkdirSync(dirname(file), { recursive: true });
    writeFileAtomic(file, [Buffer.from(`${JSON.stringify(note)}\n`)], { durable: false });
  } catch (err) {
    warn(`flow undo will not know of this change (${(err as Error).message}): it would undo the change before it`);
  }
}

/** The note's bytes, when it is a regular file inside .flow/ of a note's size. */
function readNote(log: UndoLog): Buffer | undefined {
  const file = noteFile(log);
  try {
    assertResolvesInside(log.dir, file, 'undo note');
    const fd = openRegularFile(file);
    try {
      return fstatSync(fd).size > MAX_BYTES ? undefined : readFileSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    return undefined;
  }
}

/**
 * The session's document change that came after everything in its undo log, if any.
 * A note that does not read (torn, edited, a link out of .flow/) counts as none; so does
 * one the log has moved past (any change undo or redo recorded since).
 */
export function pendingOutsideChange(log: UndoLog): OutsideChange | undefined {
  const bytes = readNote(log);
  if (!bytes) return undefined;
  let parsed: ReturnType<ReturnType<typeof schemas>['NoteSchema']['safeParse']>;
  try {
    parsed = schemas().NoteSchema.safeParse(JSON.parse(bytes.toString('utf8')));
  } catch {
    return undefined;
  }
  if (!parsed.success || parsed.data.after !== mark(log.entries().at(-1))) return undefined;
  return { change: parsed.data.change, takeBack: parsed.data.take_back };
}
