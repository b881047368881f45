// Restoring a snapshot inside a transaction (DESIGN §5): the whole store, one flow, or one
// plan. Everything else stays as it is now. What is put back is read and validated before
// the transaction, so the store's lock is held only for the change itself.
import { FlowError, NotFoundError } from '../domain/errors.js';
import { idsUnder } from '../domain/revert.js';
import { oneLine } from '../domain/sanitize.js';
import { parseFlow, parsePlan, SchemaError, type Flow, type Plan } from '../domain/schema.js';
import type { Transaction } from '../store/state.js';
import type { SnapshotState } from './engine.js';
import type { SnapshotView } from './view.js';

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

/** What a restore puts back, read and validated before its transaction takes the lock. */
export type PreparedRestore =
  | { scope: 'whole'; state: SnapshotState; flows: Flow[] }
  | { scope: 'flow'; flow: Flow }
  | { scope: 'plan'; plan: Plan; from: Flow };

function snapshotFlow(view: SnapshotView, id: string): Flow {
  try {
    return parseFlow(view.flow(id), `snapshot flows.${id}`);
  } catch (err) {
    if (err instanceof SchemaError) throw new FlowError('invalid', `the snapshot does not read as a store: ${err.message}`);
    throw err;
  }
}

/**
 * The plans of the snapshot whose id starts with `ref` (or `plan_` + ref), and maybe more:
 * a plan's line holds `"id":"plan_…"`, so only the flows that mention it are read.
 */
export function plansMentioning(view: SnapshotView, ref: string): Array<Plan & { flowId: string }> {
  const needles = [ref, `plan_${ref}`].map((r) => `"id":${JSON.stringify(r).slice(0, -1)}`);
  const ids = new Set(needles.flatMap((needle) => view.mentioning(needle)));
  return [...ids]
    .filter((id) => view.flow(id) !== undefined)
    .flatMap((id) => snapshotFlow(view, id).plans.map((plan) => ({ ...plan, flowId: id })));
}

/** A flow's name in the snapshot, to tell candidates apart. */
export function flowName(view: SnapshotView, id: string): string {
  return snapshotFlow(view, id).name;
}

/** Reads of the snapshot only what the scope needs: one flow, or the flows naming a plan. */
export function prepareRestore(view: SnapshotView, scope: RestoreScope): PreparedRestore {
  if (scope.flowId) {
    if (view.flow(scope.flowId) === undefined) throw new NotFoundError('flow', scope.flowId, 'in the snapshot');
    return { scope: 'flow', flow: snapshotFlow(view, scope.flowId) };
  }
  if (scope.planId) {
    const found = plansMentioning(view, scope.planId).find((p) => p.id === scope.planId);
    if (!found) throw new NotFoundError('plan', scope.planId, 'in the snapshot');
    const from = snapshotFlow(view, found.flowId);
    return { scope: 'plan', plan: from.plans.find((p) => p.id === scope.planId) as Plan, from };
  }
  const state = view.state();
  try {
    return { scope: 'whole', state, flows: snapshotFlows(state) };
  } catch (err) {
    if (err instanceof SchemaError) throw new FlowError('invalid', `the snapshot does not read as a store: ${err.message}`);
    throw err;
  }
}

export function restoreInto(tx: Transaction, prepared: PreparedRestore): RestoreResult {
  try {
    return restoreScoped(tx, prepared);
  } catch (err) {
    // An object of the snapshot that now lives in a flow the restore leaves alone.
    if (err instanceof SchemaError) {
      throw new FlowError('conflict', `cannot restore: ${err.message} (it has moved elsewhere since the snapshot)`);
    }
    throw err;
  }
}

function restoreScoped(tx: Transaction, prepared: PreparedRestore): RestoreResult {
  if (prepared.scope === 'flow') {
    const { flow } = prepared;
    // Ids are unique in the whole file: a flow put back must not hold an object that has
    // moved to another flow since. Load the flows holding any of its ids so the index can tell.
    tx.loadFlowsHolding(idsUnder(flow, 'flow'));
    tx.replaceFlows([flow]);
    return { what: `flow "${oneLine(flow.name)}" (${flow.id})`, flows: 1 };
  }
  if (prepared.scope === 'plan') {
    const { plan, from } = prepared;
    const target = tx.flow(from.id);
    if (!target) {
      throw new FlowError(
        'invalid',
        `the plan's flow "${oneLine(from.name)}" (${from.id}) no longer exists; restore the flow with --flow ${from.id}`,
      );
    }
    tx.loadFlowsHolding(idsUnder(plan, 'plan'));
    // A copy of the flow as it is now, with only this plan as it was.
    const copy = structuredClone(target);
    const i = copy.plans.findIndex((p) => p.id === plan.id);
    const restored = parsePlan(structuredClone(plan) as Plan);
    if (i >= 0) copy.plans[i] = restored;
    else copy.plans.splice(Math.min(from.plans.indexOf(plan), copy.plans.length), 0, restored);
    tx.replaceFlows([copy]);
    return { what: `plan "${oneLine(plan.title)}" (${plan.id})`, flows: 1 };
  }
  const { flows, state } = prepared;
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
