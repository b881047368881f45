// Restoring a snapshot inside a transaction (DESIGN §5): the whole store, one flow, or one
// plan. Everything else stays as it is now. What is put back is read and validated before
// the transaction, so the store's lock is held only for the change itself.
import { FlowError, NotFoundError } from '../domain/errors.js';
import { idsUnder } from '../domain/revert.js';
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

/** Finds a flow or plan of the snapshot by id or unique id prefix. */
function pick<T extends { id: string }>(kind: string, items: T[], ref: string): T {
  const exact = items.find((i) => i.id === ref);
  if (exact) return exact;
  const matches = items.filter((i) => i.id.startsWith(ref) || i.id.startsWith(`${kind}_${ref}`));
  if (matches.length === 1) return matches[0];
  if (matches.length > 1) throw new FlowError('ambiguous', `"${ref}" matches ${matches.length} ${kind}s in the snapshot`);
  throw new NotFoundError(kind, ref, 'in the snapshot');
}

export interface RestoreScope {
  flow?: string;
  plan?: string;
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

/** Reads of the snapshot only what the scope needs: one flow, or the flows naming a plan. */
export function prepareRestore(view: SnapshotView, scope: RestoreScope): PreparedRestore {
  try {
    return prepareFrom(view, scope);
  } catch (err) {
    if (err instanceof SchemaError) throw new FlowError('invalid', `the snapshot does not read as a store: ${err.message}`);
    throw err;
  }
}

function prepareFrom(view: SnapshotView, scope: RestoreScope): PreparedRestore {
  const parse = (id: string) => parseFlow(view.flow(id), `snapshot flows.${id}`);
  if (scope.flow) {
    const { id } = pick('flow', view.flowIds().map((id) => ({ id })), scope.flow);
    return { scope: 'flow', flow: parse(id) };
  }
  if (scope.plan) {
    // A plan's line holds `"id":"plan_…"`: only flows that mention the reference are read.
    const needles = [scope.plan, `plan_${scope.plan}`].map((ref) => `"id":${JSON.stringify(ref).slice(0, -1)}`);
    const candidates = new Set(needles.flatMap((needle) => view.mentioning(needle)));
    const flows = [...candidates].filter((id) => view.flow(id) !== undefined).map(parse);
    const plans = flows.flatMap((f) => f.plans.map((p) => ({ plan: p, from: f, id: p.id })));
    const { plan, from } = pick('plan', plans, scope.plan);
    return { scope: 'plan', plan, from };
  }
  const state = view.state();
  return { scope: 'whole', state, flows: snapshotFlows(state) };
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
    return { what: `flow "${flow.name}" (${flow.id})`, flows: 1 };
  }
  if (prepared.scope === 'plan') {
    const { plan, from } = prepared;
    const target = tx.flow(from.id);
    if (!target) {
      throw new FlowError(
        'invalid',
        `the plan's flow "${from.name}" (${from.id}) no longer exists; restore the flow with --flow ${from.id}`,
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
    return { what: `plan "${plan.title}" (${plan.id})`, flows: 1 };
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
