// Conflicts recorded in the store: finding them (for `flow sync`, `flow conflicts`
// and the TUI), describing them, and settling them (`flow resolve`).
import { FlowError, NotFoundError } from '../domain/errors.js';
import { oneLine } from '../domain/sanitize.js';
import { flowSchema, parseWith, planSchema, SchemaError, taskSchema, type Flow, type Plan, type Task } from '../domain/schema.js';
import { movePlan, moveTask, removePlan, removeTask, touch, walkTasks, type Location } from '../domain/tree.js';
import type { StoreView, Transaction } from '../store/state.js';
import { CONFLICTS_FIELD, conflictRecordSchema, recordSubject, type ConflictRecord, type ConflictSide } from './conflict-record.js';

export interface ConflictEntry {
  /** The object's id; null for a field of the top level. */
  id: string | null;
  object: 'flow' | 'plan' | 'task' | 'file';
  /** Title or name of the object. */
  title: string;
  record: ConflictRecord;
}

type Recordable = Flow | Plan | Task | Record<string, unknown>;

/** The object's records with their place in its `conflicts` list. */
export function entriesOf(object: Recordable): Array<{ index: number; record: ConflictRecord }> {
  const list = (object as Record<string, unknown>)[CONFLICTS_FIELD];
  if (!Array.isArray(list)) return [];
  const out: Array<{ index: number; record: ConflictRecord }> = [];
  list.forEach((entry, index) => {
    const parsed = conflictRecordSchema().safeParse(entry);
    if (parsed.success) out.push({ index, record: parsed.data });
  });
  return out;
}

/** Every conflict recorded on these flows (and on the top level, when given). */
export function conflictsIn(flows: Iterable<Flow>, header?: Record<string, unknown>): ConflictEntry[] {
  const out: ConflictEntry[] = [];
  const add = (id: string | null, object: ConflictEntry['object'], title: string, target: Recordable) => {
    for (const { record } of entriesOf(target)) out.push({ id, object, title, record });
  };
  if (header) add(null, 'file', 'flows.json', header);
  for (const flow of flows) {
    add(flow.id, 'flow', flow.name, flow);
    for (const plan of flow.plans) {
      add(plan.id, 'plan', plan.title, plan);
      for (const { task } of walkTasks(plan.tasks)) add(task.id, 'task', task.title, task);
    }
  }
  return out;
}

/** The store's conflicts, parsing only the flows whose line holds a `conflicts` list. */
export function findConflicts(view: StoreView): ConflictEntry[] {
  return conflictsIn(view.flowsContaining(`"${CONFLICTS_FIELD}":[`), view.header);
}

function shown(value: unknown): string {
  return oneLine(typeof value === 'string' ? JSON.stringify(value) : (JSON.stringify(value) ?? 'nothing'));
}

function origin(side: ConflictSide): string {
  const parts = [side.writer && oneLine(side.writer), side.revision !== undefined && `rev ${side.revision}`].filter(Boolean);
  return parts.length ? ` (${parts.join(', ')})` : '';
}

function sideText(record: ConflictRecord, side: ConflictSide): string {
  if (record.kind === 'deleted') return side.deleted ? 'deleted it' : 'changed it';
  if (record.kind === 'place') return `under ${side.parent ? oneLine(side.parent) : 'nothing'}`;
  return 'value' in side ? shown(side.value) : 'removed it';
}

/** One line per conflict: what, where, and both sides with their writers. */
export function describeConflict(entry: ConflictEntry): string {
  const { record } = entry;
  const what = entry.id === null ? 'flows.json' : `${entry.object} ${oneLine(entry.id)} "${oneLine(entry.title)}"`;
  return (
    `${what} ${oneLine(recordSubject(record))}: mine ${sideText(record, record.mine)}${origin(record.mine)}` +
    ` · theirs ${sideText(record, record.theirs)}${origin(record.theirs)}`
  );
}

export type Choice = { take: 'mine' | 'theirs' } | { value: string };

export interface Resolution {
  /** What was settled, one line each. */
  settled: string[];
  /** True when the object is gone (the deleting side was taken). */
  deleted: boolean;
}

/**
 * Settles the conflicts recorded on one object (those of `field` when given): its value
 * or place becomes the chosen side's (or the given VALUE), or it is deleted when the
 * chosen side deleted it; the records settled are removed.
 */
export function resolveConflicts(tx: Transaction, location: Location, field: string | undefined, choice: Choice): Resolution {
  const object = objectAt(location);
  const entries = entriesOf(object).filter(({ record }) => field === undefined || recordSubject(record) === field);
  const name = `${location.kind} ${object.id}`;
  if (!entries.length) {
    throw new NotFoundError('conflict', field ?? object.id, `recorded on ${name}${field ? '' : ' (flow conflicts shows them)'}`);
  }
  if ('value' in choice && (entries.length > 1 || entries[0].record.kind !== 'field')) {
    throw new FlowError(
      'usage',
      entries.length > 1
        ? `${name} has ${entries.length} conflicts (${entries.map((e) => recordSubject(e.record)).join(', ')}): say which with --field`
        : `a VALUE settles a field; this is a "${entries[0].record.kind}" conflict: use --take mine or --take theirs`,
    );
  }
  const settled: string[] = [];
  for (const { record } of entries) {
    const side = 'take' in choice ? record[choice.take] : undefined;
    if (record.kind === 'deleted') {
      if (side?.deleted) {
        deleteObject(tx, location);
        return { settled: [...settled, `deleted ${name}`], deleted: true };
      }
      settled.push(`kept ${name}`);
    } else if (record.kind === 'place') {
      const parent = side?.parent;
      if (parent !== undefined) moveTo(tx, location, parent);
      settled.push(`${name} stays under ${oneLine(parent ?? '?')}`);
    } else {
      const key = record.field as string;
      const value = 'value' in choice ? valueLike(record, choice.value) : side && 'value' in side ? side.value : undefined;
      if (value === undefined) delete (object as Record<string, unknown>)[key];
      else (object as Record<string, unknown>)[key] = value;
      settled.push(`${name} ${oneLine(key)} = ${shown(value)}`);
    }
  }
  const settledAt = new Set(entries.map((e) => e.index));
  const rest = ((object as Record<string, unknown>)[CONFLICTS_FIELD] as unknown[]).filter((_, i) => !settledAt.has(i));
  if (rest.length) (object as Record<string, unknown>)[CONFLICTS_FIELD] = rest;
  else delete (object as Record<string, unknown>)[CONFLICTS_FIELD];
  validate(location, object);
  touch(object);
  return { settled, deleted: false };
}

function objectAt(location: Location): Flow | Plan | Task {
  return location.kind === 'flow' ? location.flow : location.kind === 'plan' ? location.plan : location.task;
}

function validate(location: Location, object: Flow | Plan | Task): void {
  try {
    if (location.kind === 'flow') parseWith(flowSchema(), object, 'flow');
    else if (location.kind === 'plan') parseWith(planSchema(), object, 'plan');
    else parseWith(taskSchema(), object, 'task');
  } catch (err) {
    if (err instanceof SchemaError) throw new FlowError('invalid', `that value does not fit: ${err.message}`);
    throw err;
  }
}

function deleteObject(tx: Transaction, location: Location): void {
  if (location.kind === 'task') removeTask(tx.index, location.task.id);
  else if (location.kind === 'plan') removePlan(tx.index, location.plan.id);
  else tx.deleteFlow(location.flow.id);
}

function moveTo(tx: Transaction, location: Location, parent: string): void {
  const target = tx.locate(parent);
  if (!target) throw new NotFoundError('place', parent, 'to move to: it is gone; take the other side');
  if (location.kind === 'plan') {
    if (target.kind !== 'flow') throw new FlowError('invalid', `${parent} is not a flow`);
    if (target.flow.id !== location.flow.id) movePlan(tx.index, location.plan.id, parent, { at: 'end' });
    return;
  }
  if (location.kind !== 'task') return;
  const current = location.parent?.id ?? location.plan.id;
  if (current === parent) return;
  if (target.kind === 'plan') moveTask(tx.index, location.task.id, { planId: parent }, { at: 'end' });
  else if (target.kind === 'task') moveTask(tx.index, location.task.id, { parentId: parent }, { at: 'end' });
  else throw new FlowError('invalid', `${parent} is a flow; a task goes under a plan or a task`);
}

/** VALUE as the field's kind of value: text, a list (comma-separated or JSON), a number, JSON. */
function valueLike(record: ConflictRecord, text: string): unknown {
  const example = 'value' in record.mine ? record.mine.value : record.theirs.value;
  if (typeof example === 'string' || example === undefined) return text;
  if (Array.isArray(example) && !text.trim().startsWith('[')) {
    return text.split(',').map((part) => part.trim()).filter(Boolean);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new FlowError('invalid', `"${oneLine(record.field ?? '')}" holds ${typeof example === 'number' ? 'a number' : 'JSON'}; ${JSON.stringify(text)} is not`);
  }
}
