// 1.x workflow → 3.0 (DESIGN §3): every task goes into one "Legacy plan" of one flow,
// with a new id and its former id in `old_id`; unknown fields are kept where they were.
import { FORMAT_VERSION } from '../../domain/schema.js';
import {
  IdRegistry,
  isObject,
  normalizeTask,
  relinkDependencies,
  type Raw,
  type TaskContext,
  upgradedMeta,
} from './normalize.js';
import type { Migration } from './index.js';

export const v1: Migration = {
  from: '1.x',
  detect: (raw) => isObject(raw) && Array.isArray(raw.tasks) && !('flows' in raw),
  upgrade(raw, at) {
    const { tasks, version, ...rest } = raw as Raw & { tasks: unknown[] };
    const ids = new IdRegistry();
    const ctx: TaskContext = { ids, idPlan: { renew: true }, renamed: new Map() };
    const converted = tasks.map((task) => normalizeTask(task, ctx));
    relinkDependencies(converted, ctx.renamed);
    const plan = {
      id: ids.fresh('plan'),
      old_id: 'plan_legacy',
      title: 'Legacy plan',
      status: 'active',
      summary: '',
      created: at,
      updated: at,
      tasks: converted,
    };
    const flowId = ids.fresh('flow');
    const name = typeof rest.name === 'string' ? rest.name : 'Imported workflow';
    const flow = { id: flowId, name, created: at, updated: at, plans: [plan] };
    return {
      ...rest,
      version: FORMAT_VERSION,
      meta: upgradedMeta(rest.meta, '1.x', version, at),
      current_flow_id: flowId,
      flows: { [flowId]: flow },
    };
  },
};
