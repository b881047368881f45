// A conflict a merge recorded: kept on the object it is about, in its `conflicts` list,
// so it travels with flows.json through git and every reader (flow, the TUI) sees it
// next to the data. The value that stayed in place is the object's own; the record
// keeps the other one, with both sides' writers and revisions.
import * as z from 'zod/mini';
import { once } from '../domain/once.js';

/** The field of flows, plans and tasks (and of the top level) that holds the records. */
export const CONFLICTS_FIELD = 'conflicts';

/**
 * field: both sides changed `field` to different values.
 * place: both sides moved the object to different parents.
 * deleted: one side deleted the object, the other changed it (or something in it); it was kept.
 */
export const CONFLICT_KINDS = ['field', 'place', 'deleted'] as const;
export type ConflictKind = (typeof CONFLICT_KINDS)[number];

/** A record as the schema reads it; built on first use (only sync and conflicts read records). */
export const conflictRecordSchema = once(() => {
  /** One side of a recorded conflict: who wrote it, and what it had. */
  const SideSchema = z.looseObject({
    writer: z.optional(z.string()),
    revision: z.optional(z.number()),
    /** kind field: the side's value; absent when the side removed the field. */
    value: z.optional(z.unknown()),
    /** kind place: the parent the side put the object under. */
    parent: z.optional(z.string()),
    /** kind deleted: true on the side that deleted the object. */
    deleted: z.optional(z.boolean()),
  });
  return z.looseObject({
    kind: z.enum(CONFLICT_KINDS),
    field: z.optional(z.string()),
    /** The common ancestor's value, when there was one (kind field). */
    base: z.optional(z.unknown()),
    /** The local side of the merge that recorded it: its value is the one kept in place. */
    mine: SideSchema,
    /** The incoming side of that merge. */
    theirs: SideSchema,
    at: z.optional(z.string()),
  });
});

export type ConflictRecord = z.infer<ReturnType<typeof conflictRecordSchema>>;
export type ConflictSide = ConflictRecord['mine'];

/** What a record is about, in a few words: `title`, `place`, `deleted`. */
export function recordSubject(record: ConflictRecord): string {
  return record.kind === 'field' ? (record.field ?? '?') : record.kind;
}
