// Rows of the command table for plans.
import * as z from 'zod/mini';
import { FlowError } from '../../domain/errors.js';
import { PLAN_STATUSES, type PlanStatus } from '../../domain/schema.js';
import { countTasks, createPlan, insertPlan, movePlan, removePlan, touch, type PlanLocation, type Position } from '../../domain/tree.js';
import type { StoreView } from '../../store/state.js';
import { checkExpectations, expectations, flag, oneOf, optionalText, text } from '../args.js';
import type { Env } from '../env.js';
import { columns, type Output } from '../output.js';
import { byteSize } from '../render.js';
import { oneLine } from '../../domain/sanitize.js';
import { requireFlowScope, resolveFlow, resolvePlan, resolveSeen, scopeFlow, stillThere } from '../refs.js';
import type { CommandSpec, FlagSpec } from '../spec.js';
import { planDocuments } from './doc.js';

const PLAN_REF = { name: 'ref', description: 'plan id, id prefix, list number or title', required: true, complete: 'plan' } as const;
const flowFlag: FlagSpec = { type: 'string', placeholder: 'REF', description: 'the flow (default: the session scope)', complete: 'flow' };

function findPlan(view: StoreView, env: Env, ref: string, flow?: string): PlanLocation {
  return resolveSeen(view, env, 'plan', ref, () => resolvePlan(view, ref, flow ? resolveFlow(view, flow) : scopeFlow(view, env)));
}

function planOutput(location: PlanLocation, message: string): Output {
  const { tasks: _tasks, ...fields } = location.plan;
  return { json: { ...fields, flow_id: location.flow.id, task_count: countTasks(location.plan).total }, human: () => message, message };
}

const addPlan: CommandSpec<{ title: string; flow?: string; status?: PlanStatus; summary?: string }> = {
  verb: 'add',
  noun: 'plan',
  summary: 'add a plan to a flow; the session then works in it',
  positionals: [{ name: 'title', description: 'the plan title', required: true, variadic: true }],
  flags: {
    flow: flowFlag,
    status: { type: 'string', values: PLAN_STATUSES, placeholder: 'S', description: 'initial status (default active)' },
    summary: { type: 'string', placeholder: 'TEXT', description: 'one-paragraph summary' },
  },
  args: z.object({ title: text(), flow: optionalText(), status: oneOf(PLAN_STATUSES), summary: optionalText() }),
  writes: true,
  async run(args, env) {
    const commit = await env.transact((tx) => {
      const flow = requireFlowScope(tx, env, args.flow);
      const plan = createPlan({ title: args.title, status: args.status, summary: args.summary });
      insertPlan(tx.index, flow, plan);
      return tx.index.get(plan.id) as PlanLocation;
    });
    const location = commit.value;
    // What was just made is what the person works in next (like git switch -c).
    await env.setScope({ flowId: location.flow.id, planId: location.plan.id });
    return {
      json: location.plan,
      human: () => `Added plan ${location.plan.id} "${location.plan.title}" to flow "${location.flow.name}" (now the session's plan)`,
      message: `Added plan ${location.plan.id} "${location.plan.title}" (now the session's plan)`,
    };
  },
};

const listPlan: CommandSpec<{ flow?: string }> = {
  verb: 'list',
  noun: 'plan',
  summary: 'list the plans of the current flow, numbered',
  flags: { flow: flowFlag },
  args: z.object({ flow: optionalText() }),
  async run(args, env) {
    const view = await env.read();
    const flow = requireFlowScope(view, env, args.flow);
    const json = flow.plans.map((plan, i) => {
      const { tasks: _tasks, ...fields } = plan;
      const c = countTasks(plan);
      return { number: i + 1, ...fields, done: c.done, task_count: c.total, scoped: plan.id === env.scope.planId };
    });
    return {
      json,
      human: (style) =>
        `${style.paint('heading', flow.name)}  ${style.paint('id', flow.id)}\n` +
        (json.length
          ? columns(
              json.map((p) => [
                style.paint('muted', `${p.number}.`),
                p.scoped ? style.paint('accent', '›') : ' ',
                p.title,
                style.paint('muted', p.status),
                `${p.done}/${p.task_count}`,
                style.paint('id', p.id),
              ]),
            )
          : style.paint('muted', '(no plans)')),
      message: `${json.length} plan${json.length === 1 ? '' : 's'} in ${flow.name}`,
    };
  },
};

const showPlan: CommandSpec<{ ref: string; flow?: string }> = {
  verb: 'show',
  noun: 'plan',
  summary: 'show a plan with its task counts',
  positionals: [PLAN_REF],
  flags: { flow: flowFlag },
  args: z.object({ ref: z.string(), flow: optionalText() }),
  async run(args, env) {
    const view = await env.read();
    const location = findPlan(view, env, args.ref, args.flow);
    const { plan } = location;
    const c = countTasks(plan);
    const documents = await planDocuments(env, view, plan.id);
    return {
      json: { ...plan, flow_id: location.flow.id, documents },
      human: (style) =>
        [
          `${style.paint('heading', plan.title)}  ${style.paint('id', plan.id)}`,
          `  status   ${plan.status}`,
          `  flow     ${location.flow.name} ${style.paint('id', location.flow.id)}`,
          `  tasks    ${c.done}/${c.total} done`,
          ...(plan.created ? [`  created  ${plan.created}`] : []),
          ...(plan.updated ? [`  updated  ${plan.updated}`] : []),
          ...(documents.length ? [`  documents ${documents.length}`, ...documents.map((d) => `    ${oneLine(d.name)}  ${style.paint('muted', byteSize(d.size))}  ${style.paint('id', d.id)}`)] : []),
          ...(plan.summary ? ['', ...plan.summary.split('\n').map((l) => `  ${l}`)] : []),
        ].join('\n'),
      message: `${plan.title} (${plan.id}): ${c.done}/${c.total} done`,
    };
  },
};

const usePlan: CommandSpec<{ ref: string; flow?: string }> = {
  verb: 'use',
  noun: 'plan',
  summary: "make a plan this session's scope: later commands act in it",
  positionals: [PLAN_REF],
  flags: { flow: flowFlag },
  args: z.object({ ref: z.string(), flow: optionalText() }),
  async run(args, env) {
    const view = await env.read();
    const location = findPlan(view, env, args.ref, args.flow);
    await env.setScope({ flowId: location.flow.id, planId: location.plan.id });
    const message = `Session "${env.session}" now works in plan "${location.plan.title}" (${location.plan.id}) of flow "${location.flow.name}"`;
    return { json: { session: env.session, flow_id: location.flow.id, plan_id: location.plan.id }, human: () => message, message };
  },
};

const setPlan: CommandSpec<{ ref: string; flow?: string; title?: string; status?: PlanStatus; summary?: string; expect?: string[] }> = {
  verb: 'set',
  noun: 'plan',
  summary: 'change the title, status or summary of a plan',
  positionals: [PLAN_REF],
  flags: {
    flow: flowFlag,
    title: { type: 'string', placeholder: 'TEXT', description: 'new title' },
    status: { type: 'string', values: PLAN_STATUSES, placeholder: 'S', description: 'new status' },
    summary: { type: 'string', placeholder: 'TEXT', description: 'new summary' },
    expect: { type: 'multi', placeholder: 'FIELD=VALUE', description: 'only change if FIELD still has VALUE (else exit 3)' },
  },
  args: z.object({
    ref: z.string(),
    flow: optionalText(),
    title: z.optional(z.string().check(z.minLength(1, 'must not be empty'))),
    status: oneOf(PLAN_STATUSES),
    summary: optionalText(),
    expect: expectations(),
  }),
  writes: true,
  async run(args, env) {
    const commit = await env.transact((tx) => {
      const location = findPlan(tx, env, args.ref, args.flow);
      checkExpectations('plan', location.plan, args.expect);
      if (args.title !== undefined) location.plan.title = args.title;
      if (args.status !== undefined) location.plan.status = args.status;
      if (args.summary !== undefined) location.plan.summary = args.summary;
      touch(location.plan);
      return location;
    });
    return planOutput(commit.value, `Updated plan ${commit.value.plan.id} "${commit.value.plan.title}"`);
  },
};

const movePlanSpec: CommandSpec<{ ref: string; flow?: string; 'to-flow'?: string; before?: string; after?: string; top?: boolean }> = {
  verb: 'move',
  noun: 'plan',
  summary: 'move a plan to another flow or among its siblings',
  positionals: [PLAN_REF],
  flags: {
    flow: flowFlag,
    'to-flow': { type: 'string', placeholder: 'REF', description: 'move into this flow', complete: 'flow' },
    before: { type: 'string', placeholder: 'REF', description: 'place before this plan', complete: 'plan' },
    after: { type: 'string', placeholder: 'REF', description: 'place after this plan', complete: 'plan' },
    top: { type: 'boolean', description: 'place first' },
  },
  args: z.object({
    ref: z.string(),
    flow: optionalText(),
    'to-flow': optionalText(),
    before: optionalText(),
    after: optionalText(),
    top: flag(),
  }),
  writes: true,
  async run(args, env) {
    if (args.before && args.after) throw new FlowError('invalid', 'give --before or --after, not both');
    const commit = await env.transact((tx) => {
      const location = findPlan(tx, env, args.ref, args.flow);
      const target = args['to-flow'] ? resolveFlow(tx, args['to-flow']) : location.flow;
      const sibling = args.before ?? args.after;
      const position: Position = sibling
        ? { at: args.before ? 'before' : 'after', sibling: resolvePlan(tx, sibling, target).plan.id }
        : args.top
          ? { at: 'start' }
          : { at: 'end' };
      if (!args['to-flow'] && !sibling && !args.top) {
        throw new FlowError('invalid', 'say where to: --to-flow, --before, --after or --top');
      }
      movePlan(tx.index, location.plan.id, target.id, position);
      return tx.index.get(location.plan.id) as PlanLocation;
    });
    return planOutput(commit.value, `Moved plan "${commit.value.plan.title}" in flow "${commit.value.flow.name}"`);
  },
};

const rmPlan: CommandSpec<{ ref: string; flow?: string; yes?: boolean }> = {
  verb: 'rm',
  noun: 'plan',
  summary: 'delete a plan and all its tasks (asks first; --yes when not on a terminal)',
  positionals: [PLAN_REF],
  flags: { flow: flowFlag, yes: { type: 'boolean', description: 'do not ask' } },
  args: z.object({ ref: z.string(), flow: optionalText(), yes: flag() }),
  writes: true,
  async run(args, env) {
    const view = await env.read();
    const seen = findPlan(view, env, args.ref, args.flow);
    const total = countTasks(seen.plan).total;
    await confirmDeletion(env, args.yes, `Delete plan "${seen.plan.title}" (${seen.plan.id}) and its ${total} task${total === 1 ? '' : 's'}?`);
    await env.autoSnapshot('auto', `before rm plan ${seen.plan.id}`);
    const baseEnv = { ...env, baseRevision: env.baseRevision ?? view.revision };
    const commit = await env.transact((tx) => {
      stillThere(tx, baseEnv, 'plan', seen.plan.id);
      return removePlan(tx.index, seen.plan.id);
    });
    const message = `Deleted plan ${commit.value.id} "${commit.value.title}" (${total} task${total === 1 ? '' : 's'})`;
    return { json: commit.value, human: () => message, message };
  },
};

/** DESIGN §6 / issue: deleting a flow or plan needs --yes off a terminal, a yes on one. */
export async function confirmDeletion(env: Env, yes: boolean | undefined, question: string): Promise<void> {
  if (yes) return;
  if (!env.interactive) {
    throw new FlowError('usage', `${question.replace(/\?$/, '')}: refusing without --yes (not on a terminal)`);
  }
  if (!(await env.confirm(question))) throw new FlowError('failed', 'Cancelled; nothing was deleted');
}

export const PLAN_COMMANDS = [addPlan, listPlan, showPlan, usePlan, setPlan, movePlanSpec, rmPlan] as unknown as CommandSpec<never>[];
