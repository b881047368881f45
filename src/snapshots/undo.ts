// The undo log: for each session, the changes it made, each as the objects it touched
// (fields before and after, and where removed or moved ones were), so `flow undo` can
// revert the last one on top of whatever others did since, at the cost of what it
// touched, and `redo` can revert the undo. One JSON line per change, appended; trimmed to
// `undo.depth`. Lines of earlier versions hold each changed flow whole, before and after.
import { appendFileSync, lstatSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConflictError, FlowError } from '../domain/errors.js';
import { idsUnder, objectChanges, revertChanges, type Kind, type ObjectChange } from '../domain/revert.js';
import { flowSchema, parseFlow, parseWith, planSchema, SchemaError, taskSchema, type Flow } from '../domain/schema.js';
import * as z from 'zod/mini';
import { now } from '../domain/time.js';
import { writeFileAtomic } from '../store/atomic-write.js';
import { assertResolvesInside } from '../store/contain.js';
import { acquireLock } from '../store/lock.js';
import type { Transaction } from '../store/state.js';
import type { Commit } from '../store/store.js';
import { once } from '../domain/once.js';

const KINDS = ['flow', 'plan', 'task'] as const;
// Built on first use: most commands never read this file (issue 15, start-up).
const schemas = once(() => {
  const FieldsSchema = z.record(z.string(), z.unknown());
  const PlaceSchema = z.object({
    parent: z.nullable(z.string()),
    parentKind: z.nullable(z.enum(KINDS)),
    parentTitle: z.string(),
    prev: z.nullable(z.string()),
    index: z.number(),
  });
  const ObjectChangeSchema = z.discriminatedUnion('change', [
    z.object({ change: z.literal('created'), id: z.string(), kind: z.enum(KINDS), after: FieldsSchema, parent: z.nullable(z.string()) }),
    z.object({ change: z.literal('removed'), id: z.string(), kind: z.enum(KINDS), object: z.looseObject({ id: z.string() }), from: PlaceSchema }),
    z.object({
      change: z.literal('changed'),
      id: z.string(),
      kind: z.enum(KINDS),
      before: FieldsSchema,
      after: FieldsSchema,
      parent: z.nullable(z.string()),
      from: z.optional(PlaceSchema),
    }),
  ]);

  // Lines are validated on read like every file flow reads; what a revert writes back is
  // validated with the store's own schemas first (changesOf).
  const EntrySchema = z.looseObject({
    revision: z.number(),
    at: z.string(),
    command: z.string(),
    kind: z.enum(['do', 'undo', 'redo']),
    /** For undo/redo: the revision of the entry it reverted. */
    target: z.optional(z.number()),
    /** The flows the change touched, and the objects in them. */
    touched: z.optional(z.array(z.string())),
    objects: z.optional(z.array(ObjectChangeSchema)),
    /** Earlier versions: each changed flow whole, before and after. */
    flows: z.optional(z.record(z.string(), z.object({ before: z.nullable(z.unknown()), after: z.nullable(z.unknown()) }))),
    current: z.optional(z.object({ before: z.nullable(z.string()), after: z.nullable(z.string()) })),
  });
  return { EntrySchema };
});

export type UndoEntry = z.infer<ReturnType<typeof schemas>['EntrySchema']>;

/** Every flow of an entry is null or an object with the id it is filed under. */
function flowsUnderTheirKeys(flows: Record<string, { before: unknown; after: unknown }>): boolean {
  const filed = (id: string, flow: unknown) =>
    flow === null || (typeof flow === 'object' && 'id' in flow && flow.id === id);
  return Object.entries(flows).every(([id, change]) => filed(id, change.before) && filed(id, change.after));
}

/** Line count without parsing: every command checks whether the log needs trimming. */
function countLines(buf: Buffer): number {
  let count = 0;
  for (let at = buf.indexOf(0x0a); at >= 0; at = buf.indexOf(0x0a, at + 1)) count++;
  return count;
}

export class UndoLog {
  readonly file: string;

  constructor(
    readonly dir: string,
    session: string,
    private readonly depth = 100,
  ) {
    this.file = join(dir, 'undo', `${encodeURIComponent(session)}.jsonl`);
  }

  entries(): UndoEntry[] {
    assertResolvesInside(this.dir, this.file, 'undo log');
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch {
      return [];
    }
    const out: UndoEntry[] = [];
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      try {
        const entry = schemas().EntrySchema.safeParse(JSON.parse(line));
        // A line that is not an entry (torn by a crash mid-append, edited by hand, a flow
        // under another flow's key): that change is simply not undoable.
        if (entry.success && flowsUnderTheirKeys(entry.data.flows ?? {})) out.push(entry.data);
      } catch {
        // not JSON: as above
      }
    }
    return out;
  }

  async record(commit: Commit<unknown>, command: string, kind: UndoEntry['kind'] = 'do', target?: number): Promise<void> {
    if (!commit.changed || this.depth === 0) return;
    const before: Flow[] = [];
    const after: Flow[] = [];
    for (const change of commit.changes.flows.values()) {
      if (change.before) before.push(change.before);
      if (change.after) after.push(change.after);
    }
    const entry: UndoEntry = { revision: commit.revision, at: now(), command, kind, touched: [...commit.changes.flows.keys()], objects: objectChanges(before, after) };
    if (target !== undefined) entry.target = target;
    if (commit.changes.currentFlowId) entry.current = commit.changes.currentFlowId;
    assertResolvesInside(this.dir, this.file, 'undo log');
    mkdirSync(join(this.file, '..'), { recursive: true });
    // Under the log's lock: a trim by another process of the same session rewrites the
    // file, and an append landing in between would be lost.
    const lock = await acquireLock(this.file);
    try {
      appendFileSync(this.file, `${JSON.stringify(entry)}\n`);
      if (countLines(readFileSync(this.file)) > this.depth * 2) this.trim();
    } finally {
      await lock.release();
    }
  }

  private trim(): void {
    // Keep what the stacks still reach, in an order that gives the same stacks: the
    // newest `depth` lines alone could hold only undo lines and lose changes still undoable.
    const { undoable, redoable } = this.stacks();
    const keep = [...undoable, ...redoable];
    writeFileAtomic(this.file, [Buffer.from(keep.map((e) => `${JSON.stringify(e)}\n`).join(''))]);
  }

  /** What undo and redo would revert next. */
  stacks(): { undoable: UndoEntry[]; redoable: UndoEntry[] } {
    const undoable: UndoEntry[] = [];
    let redoable: UndoEntry[] = [];
    for (const entry of this.entries()) {
      if (entry.kind === 'do') {
        undoable.push(entry);
        redoable = [];
      } else if (entry.kind === 'undo') {
        const i = undoable.findIndex((e) => e.revision === entry.target);
        if (i >= 0) undoable.splice(i, 1);
        redoable.push(entry);
      } else {
        const i = redoable.findIndex((e) => e.revision === entry.target);
        if (i >= 0) redoable.splice(i, 1);
        undoable.push(entry);
      }
      // undo.depth bounds how many changes can be undone, whatever the log still holds.
      if (undoable.length > this.depth) undoable.shift();
    }
    return { undoable, redoable };
  }
}

const SCHEMAS: Record<Kind, () => z.ZodMiniType<Record<string, unknown> & { id: string }>> = { flow: flowSchema, plan: planSchema, task: taskSchema };
const CHILDREN = { flow: 'plans', plan: 'tasks', task: 'subtasks' } as const;

/** The recorded objects, each checked to be what the store's schema allows. */
function changesOf(entry: UndoEntry): ObjectChange[] {
  const where = `the undo log entry for revision ${entry.revision}`;
  try {
    if (!entry.objects) {
      // An entry of an earlier version: the same objects, from the flows it kept.
      const flows = Object.values(entry.flows ?? {});
      const whole = (flow: unknown) => (flow === null ? [] : [parseFlow(flow, where)]);
      return objectChanges(flows.flatMap((f) => whole(f.before)), flows.flatMap((f) => whole(f.after)));
    }
    return entry.objects.map((change): ObjectChange => {
      // Each object as the store's schema reads it: own fields alone, or a removed one whole.
      const valid = (kind: Kind, object: Record<string, unknown>) => {
        if (object.id !== change.id) throw new SchemaError(`${where}: ${change.id} has the fields of ${JSON.stringify(object.id)}`, change.id);
        return parseWith(SCHEMAS[kind](), object, where);
      };
      const alone = (fields: Record<string, unknown>) => valid(change.kind, { ...fields, [CHILDREN[change.kind]]: [] });
      if (change.change === 'created') alone(change.after);
      else if (change.change === 'changed') [change.before, change.after].forEach(alone);
      else return { ...change, object: valid(change.kind, change.object) };
      return change;
    });
  } catch (err) {
    if (err instanceof SchemaError) throw new FlowError('invalid', `${where} is damaged: ${err.message}`);
    throw err;
  }
}

/**
 * Reverts `entry` inside a transaction: each object it touched goes back to how it was,
 * where nobody changed the same objects since; otherwise a conflict naming the object.
 */
export function revertEntry(tx: Transaction, entry: UndoEntry, verb: 'undo' | 'redo'): void {
  const changes = changesOf(entry);
  for (const id of entry.touched ?? Object.keys(entry.flows ?? {})) tx.flow(id);
  // Ids are unique in the whole file: what comes back must not have turned up elsewhere.
  tx.loadFlowsHolding(changes.flatMap((c) => (c.change === 'removed' ? idsUnder(c.object, c.kind) : [])));
  const refuse = (id: string, why: string) =>
    new ConflictError(
      `cannot ${verb} "${entry.command}" (revision ${entry.revision}): ${why}, and the store is now at revision ${tx.revision}. ` +
        'Nothing was changed.',
      { id, revision: entry.revision, now: tx.revision },
    );
  let conflict: ReturnType<typeof revertChanges>;
  try {
    conflict = revertChanges(tx.index, changes, now(), { add: (flow) => tx.replaceFlows([parseFlow(flow)]), remove: (id) => tx.deleteFlow(id) });
  } catch (err) {
    // Found twice on the way back in: something moved since, beyond the flows loaded.
    if (err instanceof SchemaError) throw refuse(err.path, `${err.message} (it has turned up elsewhere since)`);
    throw err;
  }
  if (conflict) throw refuse(conflict.id, `${conflict.kind} ${conflict.id} "${conflict.title}" was changed since`);
  // The current flow goes back too, unless someone chose another since. (A current flow
  // the revert removed is no longer current: the transaction sees to that.)
  const back = entry.current?.before;
  if (back && tx.currentFlowId === entry.current?.after && tx.hasFlow(back)) tx.setCurrentFlow(back);
}

export function nothingTo(verb: 'undo' | 'redo', session: string): FlowError {
  return new FlowError('failed', `nothing to ${verb} for session "${session}"`);
}

/** The newest revision any session's undo log recorded (the last line of each log). */
export function highestUndoRevision(dir: string): number {
  let highest = 0;
  let names: string[] = [];
  try {
    names = readdirSync(join(dir, 'undo')).filter((n) => n.endsWith('.jsonl'));
  } catch {
    return 0;
  }
  for (const name of names) {
    try {
      if (!lstatSync(join(dir, 'undo', name)).isFile()) continue; // a link is not a log of ours
      const lines = readFileSync(join(dir, 'undo', name), 'utf8').trimEnd().split('\n');
      const last = JSON.parse(lines[lines.length - 1]) as { revision?: unknown };
      if (typeof last.revision === 'number') highest = Math.max(highest, last.revision);
    } catch {
      // an empty or torn log says nothing
    }
  }
  return highest;
}
