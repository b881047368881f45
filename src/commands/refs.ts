// References (DESIGN §6): a full id, a unique id prefix (with or without the `task_`
// part), or the 1-based number `list` shows in the current scope. Plans and flows may
// also be named by their exact title.
import type { Env } from './env.js';
import { ConflictError, FlowError, NotFoundError } from '../domain/errors.js';
import type { Flow } from '../domain/schema.js';
import { walkTasks, type Location, type PlanLocation, type TaskLocation } from '../domain/tree.js';
import type { StoreView } from '../store/state.js';

type Kind = 'flow' | 'plan' | 'task';

export class AmbiguousRefError extends FlowError {
  constructor(kind: Kind, ref: string, candidates: string[]) {
    super(
      'ambiguous',
      `"${ref}" matches ${candidates.length} ${kind}s: ${candidates.slice(0, 10).join(', ')}` +
        `${candidates.length > 10 ? ', …' : ''}; give more of the id`,
      { candidates },
    );
  }
}

export function locationId(location: Location): string {
  if (location.kind === 'flow') return location.flow.id;
  return location.kind === 'plan' ? location.plan.id : location.task.id;
}

function describe(location: Location): string {
  if (location.kind === 'flow') return `${location.flow.id} (${location.flow.name})`;
  if (location.kind === 'plan') return `${location.plan.id} (${location.plan.title})`;
  return `${location.task.id} (${location.task.title})`;
}

function byId(view: StoreView, kind: Kind, ref: string): Location | undefined {
  const exact = view.locate(ref);
  if (exact?.kind === kind) return exact;
  const prefixes = ref.startsWith(`${kind}_`) ? [ref] : [ref, `${kind}_${ref}`];
  const matches = new Set<string>();
  for (const prefix of prefixes) {
    for (const id of view.idsStartingWith(prefix)) {
      if (view.index.get(id)?.kind === kind) matches.add(id);
    }
  }
  if (matches.size > 1) {
    throw new AmbiguousRefError(
      kind,
      ref,
      [...matches].map((id) => describe(view.index.get(id) as Location)),
    );
  }
  const [only] = matches;
  return only ? view.index.get(only) : undefined;
}

function isNumber(ref: string): boolean {
  return /^[1-9]\d*$/.test(ref);
}

/** Tasks of a plan in the order and numbering `list task` shows. */
export function numberedTasks(plan: PlanLocation['plan']) {
  return [...walkTasks(plan.tasks)].map((entry, i) => ({ ...entry, number: i + 1 }));
}

export function resolveFlow(view: StoreView, ref: string): Flow {
  if (isNumber(ref)) {
    const id = view.flowIds()[Number(ref) - 1];
    if (!id) throw new NotFoundError('flow', ref, `(there are ${view.flowIds().length} flows)`);
    return view.flow(id) as Flow;
  }
  const found = byId(view, 'flow', ref);
  if (found?.kind === 'flow') return found.flow;
  const named = view.allFlows().filter((f) => f.name.toLowerCase() === ref.toLowerCase());
  if (named.length === 1) return named[0];
  if (named.length > 1) throw new AmbiguousRefError('flow', ref, named.map((f) => `${f.id} (${f.name})`));
  throw new NotFoundError('flow', ref);
}

export function resolvePlan(view: StoreView, ref: string, flow: Flow | undefined): PlanLocation {
  if (isNumber(ref)) {
    if (!flow) throw new FlowError('invalid', `plan number ${ref} needs a current flow (flow use flow REF)`);
    const plan = flow.plans[Number(ref) - 1];
    if (!plan) throw new NotFoundError('plan', ref, `in flow ${flow.name} (it has ${flow.plans.length} plans)`);
    return view.index.get(plan.id) as PlanLocation;
  }
  const found = byId(view, 'plan', ref);
  if (found?.kind === 'plan') return found;
  if (flow) {
    const named = flow.plans.filter((p) => p.title.toLowerCase() === ref.toLowerCase());
    if (named.length === 1) return view.index.get(named[0].id) as PlanLocation;
    if (named.length > 1) throw new AmbiguousRefError('plan', ref, named.map((p) => `${p.id} (${p.title})`));
  }
  throw new NotFoundError('plan', ref);
}

export function resolveTask(view: StoreView, ref: string, plan: PlanLocation | undefined): TaskLocation {
  if (isNumber(ref)) {
    if (!plan) throw new FlowError('invalid', `task number ${ref} needs a current plan (flow use plan REF, or --plan)`);
    const entry = numberedTasks(plan.plan)[Number(ref) - 1];
    if (!entry) throw new NotFoundError('task', ref, `in plan ${plan.plan.title}`);
    return view.index.get(entry.task.id) as TaskLocation;
  }
  const found = byId(view, 'task', ref);
  if (found?.kind === 'task') return found;
  throw new NotFoundError('task', ref);
}

/** The flow commands act in: --flow, else the session's scope, else the file's current flow. */
export function scopeFlow(view: StoreView, env: Env, ref?: string): Flow | undefined {
  if (ref) return resolveFlow(view, ref);
  if (env.scope.flowId) {
    const scoped = view.flow(env.scope.flowId);
    if (scoped) return scoped;
    env.warn(`the flow of session "${env.session}" (${env.scope.flowId}) no longer exists; using the current flow`);
  }
  return view.currentFlowId ? view.flow(view.currentFlowId) : undefined;
}

export function requireFlowScope(view: StoreView, env: Env, ref?: string): Flow {
  const flow = scopeFlow(view, env, ref);
  if (!flow) throw new FlowError('invalid', 'there is no flow yet: add one with `flow add flow NAME`');
  return flow;
}

/**
 * The plan commands act in: --plan, else the session's plan, else the current flow's
 * only plan. A scoped plan that was deleted is an error, never a silent switch.
 */
export function scopePlan(view: StoreView, env: Env, ref?: string): PlanLocation | undefined {
  if (ref) return resolvePlan(view, ref, scopeFlow(view, env));
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

export function requirePlanScope(view: StoreView, env: Env, ref?: string): PlanLocation {
  const plan = scopePlan(view, env, ref);
  if (plan) return plan;
  const flow = scopeFlow(view, env);
  if (!flow) throw new FlowError('invalid', 'there is no flow yet: add one with `flow add flow NAME`');
  if (flow.plans.length === 0) {
    throw new FlowError('invalid', `flow "${flow.name}" has no plans yet: add one with \`flow add plan TITLE\``);
  }
  throw new FlowError(
    'invalid',
    `which plan? flow "${flow.name}" has ${flow.plans.length}: pass --plan REF or run \`flow use plan REF\``,
  );
}

/**
 * An object a person picked earlier (at env.baseRevision) must still exist when the
 * change is applied; if another writer removed it since, that is a conflict (exit 3).
 */
export function stillThere<K extends Kind>(
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
export function resolveSeen<K extends Kind>(
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
