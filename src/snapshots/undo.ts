// The undo log: for each session, the changes it made (each flow before and after), so
// `flow undo` can revert the last one on top of whatever others did since, and `redo`
// can revert the undo. One JSON line per change, appended; trimmed to `undo.depth`.
import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConflictError, FlowError } from '../domain/errors.js';
import { revertChange } from '../domain/revert.js';
import type { Flow } from '../domain/schema.js';
import { now } from '../domain/time.js';
import { writeFileAtomic } from '../store/atomic-write.js';
import { acquireLock } from '../store/lock.js';
import type { Transaction } from '../store/state.js';
import type { Commit } from '../store/store.js';

export interface UndoEntry {
  revision: number;
  at: string;
  command: string;
  kind: 'do' | 'undo' | 'redo';
  /** For undo/redo: the revision of the entry it reverted. */
  target?: number;
  flows: Record<string, { before: Flow | null; after: Flow | null }>;
  current?: { before: string | null; after: string | null };
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
    dir: string,
    session: string,
    private readonly depth = 100,
  ) {
    this.file = join(dir, 'undo', `${encodeURIComponent(session)}.jsonl`);
  }

  entries(): UndoEntry[] {
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
        out.push(JSON.parse(line) as UndoEntry);
      } catch {
        // A line torn by a crash mid-append: that change is simply not undoable.
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
    mkdirSync(join(this.file, '..'), { recursive: true });
    appendFileSync(this.file, `${JSON.stringify(entry)}\n`);
    if (countLines(readFileSync(this.file)) > this.depth * 2) await this.trim();
  }

  private async trim(): Promise<void> {
    const lock = await acquireLock(this.file);
    try {
      // Keep what the stacks still reach, in an order that gives the same stacks: the
      // newest `depth` lines alone could hold only undo lines and lose changes still undoable.
      const { undoable, redoable } = this.stacks();
      const keep = [...undoable, ...redoable];
      writeFileAtomic(this.file, [Buffer.from(keep.map((e) => `${JSON.stringify(e)}\n`).join(''))]);
    } finally {
      await lock.release();
    }
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
  for (const [id, { before, after }] of Object.entries(entry.flows)) {
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
