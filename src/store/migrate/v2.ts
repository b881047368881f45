// 2.x flow list → 3.0 (DESIGN §3): the list becomes an object keyed by id; duplicate ids
// become `<id>_dup`, `_dup2`…; missing ids and plans are filled in; the duplicated
// `current_flow` object is dropped once its id has been read.
import { FORMAT_VERSION, majorVersion } from '../../domain/schema.js';
import {
  assignId,
  IdRegistry,
  isObject,
  normalizePlan,
  relinkDependencies,
  type Raw,
  type TaskContext,
  upgradedMeta,
} from './normalize.js';
import type { Migration } from './index.js';

function normalizeFlow(raw: unknown, ctx: TaskContext): Raw {
  const source: Raw = isObject(raw) ? raw : { name: raw };
  const out: Raw = { ...source };
  assignId(out, source, 'flow', ctx.ids, ctx.idPlan);
  if (typeof source.name === 'string') out.name = source.name;
  else if (typeof source.title === 'string') {
    out.name = source.title;
    delete out.title;
  } else {
    out.name = source.name === undefined || source.name === null ? '(unnamed)' : String(source.name);
    if (source.name !== undefined && source.name !== null) out.old_name = source.name;
  }
  const plans = source.plans;
  out.plans = Array.isArray(plans) ? plans.map((p) => normalizePlan(p, ctx)) : [];
  if (plans !== undefined && !Array.isArray(plans)) out.old_plans = plans;
  for (const plan of out.plans as Raw[]) relinkDependencies(plan.tasks as Raw[], ctx.renamed);
  return out;
}

export const v2: Migration = {
  from: '2.x',
  detect: (raw) =>
    isObject(raw) &&
    Array.isArray(raw.flows) &&
    (raw.version === undefined || majorVersion(String(raw.version)) === 2),
  upgrade(raw, at) {
    const { flows, current_flow, current_flow_id, version, ...rest } = raw as Raw & {
      flows: unknown[];
    };
    const ctx: TaskContext = { ids: new IdRegistry(), idPlan: { renew: false }, renamed: new Map() };
    const list = [...flows];
    // current_flow is a copy of a listed flow; if it is not a copy (its id is listed
    // nowhere), keeping it as a flow of its own is the only way nothing is lost.
    const currentCopy = isObject(current_flow) ? current_flow : undefined;
    if (currentCopy) {
      const copyText = JSON.stringify(currentCopy);
      const listed = list.some((f) =>
        currentCopy.id !== undefined ? isObject(f) && f.id === currentCopy.id : JSON.stringify(f) === copyText,
      );
      if (!listed) list.push(currentCopy);
    }

    // A Map, not an object literal: ids such as "__proto__" or "toString" are plain keys.
    const out = new Map<string, Raw>();
    for (const item of list) {
      const flow = normalizeFlow(item, ctx);
      out.set(flow.id as string, flow);
    }
    // Ids may have been numbers in 2.x; flows are keyed by their string form.
    const named = current_flow_id ?? currentCopy?.id;
    const wanted = named === undefined || named === null ? undefined : String(named);
    const current = wanted !== undefined && out.has(wanted) ? wanted : (out.keys().next().value ?? null);
    const document: Raw = {
      ...rest,
      version: FORMAT_VERSION,
      meta: upgradedMeta(rest.meta, '2.x', version, at),
      current_flow_id: current,
      flows: Object.fromEntries(out),
    };
    // A current_flow_id that named no flow (or a number) is kept beside the one chosen.
    if (current_flow_id !== undefined && current_flow_id !== null && current_flow_id !== current) {
      document.old_current_flow_id = current_flow_id;
    }
    return document;
  },
};
