// context.json's part in a transaction on flows.json (DESIGN §4, issue 14): a command that
// changes both (add plan and make it the scope, rm a plan a session is scoped to, use,
// restore) commits both under one lock, through the store's companion file. Every
// transaction also keeps the sessions' scopes true to what it did: a scope whose plan or
// flow it deleted is cleared (never pointed at another plan), and one whose plan it moved
// to another flow follows it.
import type { Flow } from '../domain/schema.js';
import { oneLine } from '../domain/sanitize.js';
import { now } from '../domain/time.js';
import type { Commit, Companion } from '../store/store.js';
import { assertWritable, contextPath, editSession, readContext, scopeOf, sessionOf, type ContextFile, type Scope } from './context.js';

/** What a transaction does to context.json besides keeping scopes true. */
export interface ContextEdit<T> {
  /** The session's new scope, from the transaction's result. */
  scope?: (value: T) => Scope;
  /** Any other change (a restore puts a whole file back). */
  edit?: (file: ContextFile, value: T) => void;
}

/** Where plans were before and after a commit, for the flows it changed. */
interface Moves {
  /** Flows the commit deleted. */
  removedFlows: Map<string, Flow>;
  /** Plan id → [its title, the flow it left] for plans gone from a changed flow. */
  left: Map<string, { title: string; flowId: string }>;
  /** Plan id → the flow it is in after the commit, for plans in a changed flow. */
  now: Map<string, string>;
}

function movesOf(commit: Commit<unknown>): Moves {
  const moves: Moves = { removedFlows: new Map(), left: new Map(), now: new Map() };
  for (const [id, change] of commit.changes.flows) {
    if (change.before && !change.after) moves.removedFlows.set(id, change.before);
    for (const plan of change.after?.plans ?? []) moves.now.set(plan.id, id);
    const after = new Set(change.after?.plans.map((p) => p.id));
    for (const plan of change.before?.plans ?? []) if (!after.has(plan.id)) moves.left.set(plan.id, { title: plan.title, flowId: id });
  }
  return moves;
}

/** Whether a scope refers to something the commit deleted or moved. */
function touches(moves: Moves, scope: { flow_id: string | null; plan_id: string | null }): boolean {
  return (!!scope.flow_id && moves.removedFlows.has(scope.flow_id)) || (!!scope.plan_id && moves.left.has(scope.plan_id));
}

/** Brings every session's scope in line with the commit; returns what it says to the person. */
function keepScopesTrue(file: ContextFile, moves: Moves, writer: string): string[] {
  const notes: string[] = [];
  for (const [name, entry] of Object.entries(file.sessions)) {
    if (!touches(moves, entry)) continue;
    const plan = entry.plan_id ? moves.left.get(entry.plan_id) : undefined;
    const movedTo = entry.plan_id ? moves.now.get(entry.plan_id) : undefined;
    if (entry.plan_id && movedTo) {
      entry.flow_id = movedTo;
      continue;
    }
    const flow = entry.flow_id ? moves.removedFlows.get(entry.flow_id) : undefined;
    const time = now();
    if (flow) {
      notes.push(`session "${name}" worked in flow "${oneLine(flow.name)}", which is deleted: its scope is cleared`);
      entry.cleared = { kind: 'flow', id: flow.id, title: flow.name, time, writer };
      entry.flow_id = null;
      entry.plan_id = null;
    } else if (plan && entry.plan_id) {
      notes.push(`session "${name}" worked in plan "${oneLine(plan.title)}", which is deleted: its scope is cleared`);
      entry.cleared = { kind: 'plan', id: entry.plan_id, title: plan.title, time, writer };
      entry.plan_id = null;
    }
  }
  return notes;
}

/**
 * context.json as the companion of one transaction of `session`: the edit the command
 * asked for, and scopes kept true for every session. `notes` holds, after the commit,
 * what the person should be told (scopes that were cleared).
 */
export function contextCompanion<T>(dir: string, session: string, writer: string, edit?: ContextEdit<T>): Companion<T> & { notes: string[] } {
  let moves: Moves | undefined;
  return {
    path: contextPath(dir),
    notes: [],
    wanted(commit) {
      moves = movesOf(commit as Commit<unknown>);
      if (edit) return true;
      if (!moves.removedFlows.size && !moves.left.size) return false;
      // A look without the lock is enough to know: scopes change only under flows.json's lock, which is held.
      const file = readContext(dir);
      return Object.values(file.sessions).some((entry) => touches(moves as Moves, entry));
    },
    next(commit) {
      const file = readContext(dir);
      assertWritable(file);
      const before = JSON.stringify(file);
      edit?.edit?.(file, commit.value);
      const scope = edit?.scope?.(commit.value);
      const was = scopeOf(sessionOf(file, session));
      // A scope set to what it already is changes nothing.
      if (scope && (scope.flowId !== was.flowId || scope.planId !== was.planId || was.cleared)) {
        const entry = editSession(file, session, writer);
        entry.flow_id = scope.flowId;
        entry.plan_id = scope.planId;
        delete entry.cleared;
      }
      this.notes = keepScopesTrue(file, moves ?? movesOf(commit as Commit<unknown>), writer);
      const after = JSON.stringify(file);
      return after === before ? undefined : Buffer.from(`${JSON.stringify(file, null, 2)}\n`);
    },
  };
}
