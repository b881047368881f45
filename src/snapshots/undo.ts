// The undo log: for each session, the changes it made (each flow before and after), so
// `flow undo` can revert the last one on top of whatever others did since, and `redo`
// can revert the undo. One JSON line per change, appended; trimmed to `undo.depth`.
import { appendFileSync, lstatSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConflictError, FlowError } from '../domain/errors.js';
import { revertChange } from '../domain/revert.js';
import { parseFlow, type Flow } from '../domain/schema.js';
import * as z from 'zod/mini';
import { now } from '../domain/time.js';
import { writeFileAtomic } from '../store/atomic-write.js';
import { assertResolvesInside } from '../store/contain.js';
import { acquireLock } from '../store/lock.js';
import type { Transaction } from '../store/state.js';
import type { Commit } from '../store/store.js';

// Lines are validated on read like every file flow reads; the flows in them are
// validated with the store's own schema before they are written back (revertEntry).
const EntrySchema = z.looseObject({
  revision: z.number(),
  at: z.string(),
  command: z.string(),
  kind: z.enum(['do', 'undo', 'redo']),
  /** For undo/redo: the revision of the entry it reverted. */
  target: z.optional(z.number()),
  flows: z.record(z.string(), z.object({ before: z.nullable(z.unknown()), after: z.nullable(z.unknown()) })),
  current: z.optional(z.object({ before: z.nullable(z.string()), after: z.nullable(z.string()) })),
});

export interface UndoEntry {
  revision: number;
  at: string;
  command: string;
  kind: 'do' | 'undo' | 'redo';
  target?: number;
  flows: Record<string, { before: Flow | null; after: Flow | null }>;
  current?: { before: string | null; after: string | null };
}

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
    private readonly dir: string,
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
        const entry = EntrySchema.safeParse(JSON.parse(line));
        // A line that is not an entry (torn by a crash mid-append, edited by hand, a flow
        // under another flow's key): that change is simply not undoable.
        if (entry.success && flowsUnderTheirKeys(entry.data.flows)) out.push(entry.data as UndoEntry);
      } catch {
        // not JSON: as above
      }
    }
    return out;
  }

  async record(commit: Commit<unknown>, command: string, kind: UndoEntry['kind'] = 'do', target?: number): Promise<void> {
    if (!commit.changed || this.depth === 0) return;
    const flows: UndoEntry['flows'] = {};
    for (const [id, change] of commit.changes.flows) flows[id] = { before: change.before, after: change.after };
    const entry: UndoEntry = { revision: commit.revision, at: now(), command, kind, flows };
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

/**
 * Reverts `entry` inside a transaction: each flow it changed goes back to its `before`
 * where nobody changed the same objects since; otherwise a conflict naming the object.
 */
export function revertEntry(tx: Transaction, entry: UndoEntry, verb: 'undo' | 'redo'): void {
  const at = now();
  const put: Flow[] = [];
  const valid = (flow: Flow | null, which: string) => {
    try {
      return flow === null ? null : parseFlow(flow, `undo log ${which}`);
    } catch (err) {
      throw new FlowError('invalid', `the undo log entry for revision ${entry.revision} is damaged: ${(err as Error).message}`);
    }
  };
  for (const [id, change] of Object.entries(entry.flows)) {
    const before = valid(change.before, 'before');
    const after = valid(change.after, 'after');
    const current = tx.flow(id) ?? null;
    const result = revertChange(current, after, before, at);
    if ('conflict' in result) {
      const { kind, id: objectId, title } = result.conflict;
      throw new ConflictError(
        `cannot ${verb} "${entry.command}" (revision ${entry.revision}): ${kind} ${objectId} "${title}" was changed ` +
          `since, and the store is now at revision ${tx.revision}. Nothing was changed.`,
        { id: objectId, revision: entry.revision, now: tx.revision },
      );
    }
    if (result.flow === null) {
      if (current) tx.deleteFlow(id);
    } else if (result.flow !== current) {
      put.push(result.flow);
    }
  }
  tx.replaceFlows(put);
  if (entry.current && tx.currentFlowId === entry.current.after) {
    const back = entry.current.before;
    tx.setCurrentFlow(back !== null && tx.hasFlow(back) ? back : tx.currentFlowId);
  }
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
