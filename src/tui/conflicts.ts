// The conflicts merges recorded on objects (src/sync/conflicts.ts), as the TUI shows
// them: in the order of the tree, found again only in flows that changed (flows in the
// state are replaced, never changed in place, so a flow's list is kept by object).
import type { Flow, Task } from '../domain/schema.js';
import { CONFLICTS_FIELD } from '../sync/conflict-record.js';
import { conflictsIn, type ConflictEntry } from '../sync/conflicts.js';
import type { TuiState } from './state.js';

const ofFlow = new WeakMap<Flow, readonly ConflictEntry[]>();
const NONE: readonly ConflictEntry[] = [];

const records = (object: object) => CONFLICTS_FIELD in object;
const tasksRecord = (tasks: readonly Task[]): boolean => tasks.some((t) => records(t) || tasksRecord(t.subtasks));

/**
 * A flow's conflicts, found once per flow object (the loader asks as flows arrive, so the
 * tree's first full list costs lookups). Most flows record none: a plain walk for the
 * field says so at a fraction of collecting them, which the loader pays on the thread
 * that draws the frames.
 */
export function flowConflicts(flow: Flow): readonly ConflictEntry[] {
  let found = ofFlow.get(flow);
  if (!found) {
    found = records(flow) || flow.plans.some((p) => records(p) || tasksRecord(p.tasks)) ? conflictsIn([flow]) : NONE;
    ofFlow.set(flow, found);
  }
  return found;
}

let cache: { flows: TuiState['flows']; order: TuiState['order']; list: ConflictEntry[] } | undefined;

/** Every conflict recorded in the loaded flows (top-level ones are for `flow conflicts`). */
export function selectConflicts(state: Pick<TuiState, 'flows' | 'order'>): ConflictEntry[] {
  if (cache?.flows === state.flows && cache.order === state.order) return cache.list;
  const list: ConflictEntry[] = [];
  for (const id of state.order) {
    const flow = state.flows.get(id);
    if (flow) list.push(...flowConflicts(flow));
  }
  cache = { flows: state.flows, order: state.order, list };
  return list;
}
