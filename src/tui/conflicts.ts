// The conflicts merges recorded on objects (src/sync/conflicts.ts), as the TUI shows
// them: in the order of the tree, found again only in flows that changed (flows in the
// state are replaced, never changed in place, so a flow's list is kept by object).
import type { Flow } from '../domain/schema.js';
import { conflictsIn, type ConflictEntry } from '../sync/conflicts.js';
import type { TuiState } from './state.js';

const ofFlow = new WeakMap<Flow, ConflictEntry[]>();

/** A flow's conflicts, found once per flow object (the loader asks as flows arrive, so the tree's first full list costs lookups). */
export function flowConflicts(flow: Flow): ConflictEntry[] {
  let found = ofFlow.get(flow);
  if (!found) {
    found = conflictsIn([flow]);
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
