// References (DESIGN §6), for every kind in one place: a full id, a unique id prefix
// (with or without the `task_` part), the 1-based number `list` shows in the current
// scope, or (flows and plans) the exact name. The snapshot commands use it for snapshots
// and for the flows and plans inside a snapshot.
import { ConflictError, FlowError, NotFoundError } from '../domain/errors.js';
import { oneLine } from '../domain/sanitize.js';
import type { Flow, Plan } from '../domain/schema.js';
import { walkTasks, type Location, type PlanLocation, type TaskLocation } from '../domain/tree.js';
import type { SnapshotMeta } from '../snapshots/engine.js';
import type { StoreView } from '../store/state.js';
import type { RefKind } from './args.js';
import type { Env } from './env.js';

export class AmbiguousRefError extends FlowError {
  constructor(kind: RefKind, ref: string, candidates: string[]) {
    super(
      'ambiguous',
      `${JSON.stringify(ref)} matches ${candidates.length} ${kind}s: ${candidates.slice(0, 10).join(', ')}` +
        `${candidates.length > 10 ? ', …' : ''}; give more of the id`,
      { candidates },
    );
  }
}

/** What a reference of one kind is matched against. */
interface Candidates<T> {
  kind: RefKind;
  /** What every id of the kind starts with; `${kind}_` when absent. */
  idPrefix?: string;
  id(item: T): string;
  /** "id (name)", for messages. */
  describe(item: T): string;
  /** The object with exactly this id. */
  exact(id: string): T | undefined;
  /** Objects whose id starts with the prefix. */
  startingWith(prefix: string): T[];
  /** The n-th object `list` shows; throws when there is none. Absent: numbers are not refs here. */
  numbered?(n: number): T;
  /** Objects with exactly this name (case ignored). */
  named?(name: string): T[];
  /** Where the search looked, for "not found" (`in the snapshot`). */
  where?: string;
}

/** The kinds that live in flows.json. */
type StoreKind = 'flow' | 'plan' | 'task';

/** A reference that is a list number: it is read as one before any id or name (documents too). */
const isListNumber = (ref: string) => /^[1-9]\d*$/.test(ref);

/** The one rule: number, full id, unique id prefix, exact name. */
function resolve<T>(c: Candidates<T>, ref: string): T {
  if (c.numbered && isListNumber(ref)) return c.numbered(Number(ref));
  const exact = c.exact(ref);
  if (exact) return exact;
  const matches = new Map<string, T>();
  const kindPrefix = c.idPrefix ?? `${c.kind}_`;
  for (const prefix of ref.startsWith(kindPrefix) ? [ref] : [ref, `${kindPrefix}${ref}`]) {
    for (const item of c.startingWith(prefix)) matches.set(c.id(item), item);
  }
  if (matches.size > 1) throw new AmbiguousRefError(c.kind, ref, [...matches.values()].map(c.describe));
  const [only] = matches.values();
  if (only) return only;
  const named = c.named?.(ref.toLowerCase()) ?? [];
  if (named.length === 1) return named[0];
  if (named.length > 1) throw new AmbiguousRefError(c.kind, ref, named.map(c.describe));
  throw new NotFoundError(c.kind, ref, c.where);
}

export function locationId(location: Location): string {
  if (location.kind === 'flow') return location.flow.id;
  return location.kind === 'plan' ? location.plan.id : location.task.id;
}

const describeFlow = (flow: Flow) => `${flow.id} (${oneLine(flow.name)})`;
const describePlan = (plan: Plan) => `${plan.id} (${oneLine(plan.title)})`;

/** Objects of one kind in the store, by id or id prefix (loading only the flows that mention it). */
function inStore<K extends StoreKind>(view: StoreView, kind: K) {
  type L = Extract<Location, { kind: K }>;
  const ofKind = (location: Location | undefined): L | undefined => (location?.kind === kind ? (location as L) : undefined);
  return {
    kind,
    id: (location: L) => locationId(location),
    exact: (id: string) => ofKind(view.locate(id)),
    startingWith: (prefix: string) => view.idsStartingWith(prefix).flatMap((id) => ofKind(view.index.get(id)) ?? []),
  };
}

/** Tasks of a plan in the order and numbering `list task` shows. */
export function numberedTasks(plan: PlanLocation['plan']) {
  return [...walkTasks(plan.tasks)].map((entry, i) => ({ ...entry, number: i + 1 }));
}

export function resolveFlow(view: StoreView, ref: string): Flow {
  return resolve(
    {
      ...inStore(view, 'flow'),
      describe: (l) => describeFlow(l.flow),
      numbered: (n) => {
        const id = view.flowIds()[n - 1];
        if (!id) throw new NotFoundError('flow', String(n), `(there are ${view.flowIds().length} flows)`);
        return { kind: 'flow' as const, flow: view.flow(id) as Flow };
      },
      // Names from the flow lines' summaries: only the flows that match are read in full.
      named: (name) =>
        view
          .flowSummaries()
          .filter((s) => s.fields.name.toLowerCase() === name)
          .map((s) => ({ kind: 'flow' as const, flow: view.flow(s.fields.id) as Flow })),
    },
    ref,
  ).flow;
}

export function resolvePlan(view: StoreView, ref: string, flow: Flow | undefined): PlanLocation {
  return resolve(
    {
      ...inStore(view, 'plan'),
      describe: (l) => describePlan(l.plan),
      numbered: (n) => {
        if (!flow) throw new FlowError('invalid', `plan number ${n} needs a current flow (flow use flow REF)`);
        const plan = flow.plans[n - 1];
        if (!plan) throw new NotFoundError('plan', String(n), `in flow ${oneLine(flow.name)} (it has ${flow.plans.length} plans)`);
        return view.index.get(plan.id) as PlanLocation;
      },
      named: (name) => (flow?.plans ?? []).filter((p) => p.title.toLowerCase() === name).map((p) => view.index.get(p.id) as PlanLocation),
    },
    ref,
  );
}

export function resolveTask(view: StoreView, ref: string, plan: PlanLocation | undefined): TaskLocation {
  return resolve(
    {
      ...inStore(view, 'task'),
      describe: (l) => `${l.task.id} (${oneLine(l.task.title)})`,
      numbered: (n) => {
        if (!plan) throw new FlowError('invalid', `task number ${n} needs a current plan (flow use plan REF, or --plan)`);
        const entry = numberedTasks(plan.plan)[n - 1];
        if (!entry) throw new NotFoundError('task', String(n), `in plan ${oneLine(plan.plan.title)}`);
        return view.index.get(entry.task.id) as TaskLocation;
      },
    },
    ref,
  );
}

/** A snapshot by id, id prefix (`snap_` may be left out) or the number `snapshot list` shows. */
export function resolveSnapshot(snapshots: readonly SnapshotMeta[], ref: string): SnapshotMeta {
  return resolve(
    {
      kind: 'snapshot',
      idPrefix: 'snap_',
      id: (s) => s.id,
      describe: (s) => s.id,
      exact: (id) => snapshots.find((s) => s.id === id),
      startingWith: (prefix) => snapshots.filter((s) => s.id.startsWith(prefix)),
      numbered: (n) => {
        const meta = snapshots[n - 1];
        if (!meta) throw new NotFoundError('snapshot', String(n), `(there are ${snapshots.length})`);
        return meta;
      },
    },
    ref,
  );
}

/** A flow or plan inside a snapshot, by id or id prefix (for a scoped restore). */
export function resolveInSnapshot<T extends { id: string }>(kind: 'flow' | 'plan', items: readonly T[], ref: string, describe: (item: T) => string): T {
  return resolve(
    {
      kind,
      id: (i) => i.id,
      describe,
      exact: (id) => items.find((i) => i.id === id),
      startingWith: (prefix) => items.filter((i) => i.id.startsWith(prefix)),
      where: 'in the snapshot',
    },
    ref,
  );
}

/** What the scope rules read of a command's environment (completion has no more). */
export type ScopeEnv = Pick<Env, 'scope' | 'session' | 'warn'>;

/** The flow commands act in: --flow, else the session's scope, else the file's current flow. */
export function scopeFlow(view: StoreView, env: ScopeEnv, ref?: string): Flow | undefined {
  if (ref) return resolveFlow(view, ref);
  if (env.scope.flowId) {
    const scoped = view.flow(env.scope.flowId);
    if (scoped) return scoped;
    env.warn(`the flow of session "${env.session}" (${env.scope.flowId}) no longer exists; using the current flow`);
  }
  return view.currentFlowId ? view.flow(view.currentFlowId) : undefined;
}

export function requireFlowScope(view: StoreView, env: ScopeEnv, ref?: string): Flow {
  const flow = scopeFlow(view, env, ref);
  if (!flow) throw new FlowError('invalid', 'there is no flow yet: add one with `flow add flow NAME`');
  return flow;
}

/**
 * The plan commands act in: --plan, else the session's plan, else the current flow's
 * only plan. A scoped plan that was deleted is an error, never a silent switch.
 */
export function scopePlan(view: StoreView, env: ScopeEnv, ref?: string): PlanLocation | undefined {
  if (ref) return resolvePlan(view, ref, scopeFlow(view, env));
  const { cleared } = env.scope;
  if (!env.scope.planId && cleared?.kind === 'plan') {
    // Cleared because it was deleted: the session is told, never moved to another plan.
    throw new FlowError(
      'not_found',
      `the plan of session "${env.session}" (${cleared.id} "${oneLine(cleared.title)}") no longer exists: ` +
        `${cleared.writer ? `${oneLine(cleared.writer)} deleted it` : 'it was deleted'} at ${oneLine(cleared.time)} and the scope was cleared; ` +
        'choose another with `flow use plan REF` or pass --plan',
    );
  }
  if (env.scope.planId) {
    const found = view.locate(env.scope.planId);
    if (found?.kind === 'plan') return found;
    throw new FlowError(
      'not_found',
      `the plan of session "${env.session}" (${env.scope.planId}) no longer exists; ` +
        'choose another with `flow use plan REF` or pass --plan',
    );
  }
  const flow = scopeFlow(view, env);
  if (flow?.plans.length === 1) return view.index.get(flow.plans[0].id) as PlanLocation;
  return undefined;
}

export function requirePlanScope(view: StoreView, env: ScopeEnv, ref?: string): PlanLocation {
  const plan = scopePlan(view, env, ref);
  if (plan) return plan;
  const flow = scopeFlow(view, env);
  if (!flow) throw new FlowError('invalid', 'there is no flow yet: add one with `flow add flow NAME`');
  if (flow.plans.length === 0) {
    throw new FlowError('invalid', `flow "${oneLine(flow.name)}" has no plans yet: add one with \`flow add plan TITLE\``);
  }
  throw new FlowError(
    'invalid',
    `which plan? flow "${oneLine(flow.name)}" has ${flow.plans.length}: pass --plan REF or run \`flow use plan REF\``,
  );
}

/**
 * An object a person picked earlier (at env.baseRevision) must still exist when the
 * change is applied; if another writer removed it since, that is a conflict (exit 3).
 */
export function stillThere<K extends StoreKind>(
  view: StoreView,
  env: Env,
  kind: K,
  id: string,
): Extract<Location, { kind: K }> {
  const found = view.locate(id);
  if (found?.kind === kind) return found as Extract<Location, { kind: K }>;
  if (env.baseRevision !== undefined && view.revision > env.baseRevision) {
    throw new ConflictError(
      `${kind} ${id} was removed by another writer: you saw revision ${env.baseRevision}, ` +
        `the store is now at revision ${view.revision}`,
      { id, base_revision: env.baseRevision, revision: view.revision },
    );
  }
  throw new NotFoundError(kind, id);
}

/**
 * Resolves a reference and checks it is still there, turning "not found" into a conflict
 * when the person chose it at an older revision (see stillThere).
 */
export function resolveSeen<K extends StoreKind>(
  view: StoreView,
  env: Env,
  kind: K,
  ref: string,
  resolve: () => Extract<Location, { kind: K }>,
): Extract<Location, { kind: K }> {
  let located: Extract<Location, { kind: K }>;
  try {
    located = resolve();
  } catch (err) {
    if (err instanceof NotFoundError && env.baseRevision !== undefined) stillThere(view, env, kind, ref);
    throw err;
  }
  return stillThere(view, env, kind, locationId(located));
}
