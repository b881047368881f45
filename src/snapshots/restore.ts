// Restoring a snapshot inside a transaction (DESIGN §5): the whole store, one flow, or one
// plan. Everything else stays as it is now.
import { FlowError, NotFoundError } from '../domain/errors.js';
import { oneLine } from '../domain/sanitize.js';
import { parseFlow, parsePlan, SchemaError, type Flow, type Plan } from '../domain/schema.js';
import type { Transaction } from '../store/state.js';
import type { SnapshotState } from './engine.js';

type SnapshotDoc = Record<string, unknown> & { flows?: Record<string, unknown>; current_flow_id?: string | null };

const HEADER_KEYS = new Set(['version', 'meta', 'current_flow_id', 'flows']);

export function snapshotFlows(state: SnapshotState): Flow[] {
  const doc = state.flows as SnapshotDoc;
  return Object.entries(doc.flows ?? {}).map(([id, value]) => parseFlow(value, `snapshot flows.${id}`));
}

/** What to restore: the whole store, or one flow or plan of the snapshot (by id). */
export interface RestoreScope {
  flowId?: string;
  planId?: string;
}

export interface RestoreResult {
  what: string;
  flows: number;
}

function inSnapshot<T extends { id: string }>(kind: string, items: readonly T[], id: string): T {
  const found = items.find((i) => i.id === id);
  if (!found) throw new NotFoundError(kind, id, 'in the snapshot');
  return found;
}

export function restoreInto(tx: Transaction, state: SnapshotState, scope: RestoreScope): RestoreResult {
  try {
    return restoreScoped(tx, state, scope);
  } catch (err) {
    // An object of the snapshot that now lives in a flow the restore leaves alone.
    if (err instanceof SchemaError) {
      throw new FlowError('conflict', `cannot restore: ${err.message} (it has moved elsewhere since the snapshot)`);
    }
    throw err;
  }
}

function restoreScoped(tx: Transaction, state: SnapshotState, scope: RestoreScope): RestoreResult {
  const flows = snapshotFlows(state);
  // Ids are unique in the whole file: a flow or plan put back must not hold an object
  // that has moved to another flow since. Load them all so the index can tell.
  if (scope.flowId || scope.planId) tx.allFlows();
  if (scope.flowId) {
    const flow = inSnapshot('flow', flows, scope.flowId);
    tx.replaceFlows([flow]);
    return { what: `flow "${oneLine(flow.name)}" (${flow.id})`, flows: 1 };
  }
  if (scope.planId) {
    const plans = flows.flatMap((f) => f.plans.map((p) => ({ plan: p, flow: f, id: p.id })));
    const { plan, flow: from } = inSnapshot('plan', plans, scope.planId);
    const target = tx.flow(from.id);
    if (!target) {
      throw new FlowError(
        'invalid',
        `the plan's flow "${oneLine(from.name)}" (${from.id}) no longer exists; restore the flow with --flow ${from.id}`,
      );
    }
    // A copy of the flow as it is now, with only this plan as it was.
    const copy = structuredClone(target);
    const i = copy.plans.findIndex((p) => p.id === plan.id);
    const restored = parsePlan(structuredClone(plan) as Plan);
    if (i >= 0) copy.plans[i] = restored;
    else copy.plans.splice(Math.min(from.plans.indexOf(plan), copy.plans.length), 0, restored);
    tx.replaceFlows([copy]);
    return { what: `plan "${oneLine(plan.title)}" (${plan.id})`, flows: 1 };
  }
  const keep = new Set(flows.map((f) => f.id));
  for (const id of tx.flowIds()) if (!keep.has(id)) tx.deleteFlow(id);
  tx.replaceFlows(flows);
  tx.setFlowOrder(flows.map((f) => f.id));
  const doc = state.flows as SnapshotDoc;
  const current = doc.current_flow_id ?? null;
  tx.setCurrentFlow(current && keep.has(current) ? current : (flows[0]?.id ?? null));
  // Fields other tools keep at the top level come back as they were too.
  for (const key of Object.keys(tx.header)) if (!HEADER_KEYS.has(key) && !(key in doc)) tx.setExtra(key, undefined);
  for (const [key, value] of Object.entries(doc)) if (!HEADER_KEYS.has(key)) tx.setExtra(key, value);
  return { what: 'the whole store', flows: flows.length };
}
