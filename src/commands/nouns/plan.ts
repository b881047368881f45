// Commands for plans.
import * as z from 'zod/mini';
import { FlowError } from '../../domain/errors.js';
import { oneLine } from '../../domain/sanitize.js';
import { planStatusSchema } from '../../domain/schema.js';
import { countTasks, createPlan, insertPlan, movePlan, removePlan, touch, type PlanLocation, type Position } from '../../domain/tree.js';
import type { StoreView } from '../../store/state.js';
import { checkExpectations, expectations, ref, text } from '../args.js';
import { defineCommand, type ArgSpec } from '../define.js';
import type { Env } from '../env.js';
import { listing, PAGING } from '../list.js';
import { columns, type Output } from '../output.js';
import { requireFlowScope, resolveFlow, resolvePlan, resolveSeen, scopeFlow, stillThere } from '../refs.js';
import { quoted } from '../render.js';
import { documentLines, documentsOf } from './doc-lib.js';

const PLAN_REF: ArgSpec = { description: 'plan id, id prefix, list number or title' };
const FLOW: ArgSpec = { description: 'the flow (default: the session scope)' };
const YES: ArgSpec = { description: 'do not ask' };

function findPlan(view: StoreView, env: Env, ref: string, flow?: string): PlanLocation {
  return resolveSeen(view, env, 'plan', ref, () => resolvePlan(view, ref, flow ? resolveFlow(view, flow) : scopeFlow(view, env)));
}

const scopeOfPlan = (location: PlanLocation) => ({ flowId: location.flow.id, planId: location.plan.id });

function planOutput(location: PlanLocation, message: string): Output {
  const { tasks: _tasks, ...fields } = location.plan;
  return { json: { ...fields, flow_id: location.flow.id, task_count: countTasks(location.plan).total }, human: () => message, message };
}

const addPlan = defineCommand({
  verb: 'add',
  noun: 'plan',
  summary: 'add a plan to a flow; the session then works in it',
  args: () => z.object({ title: text(), flow: z.optional(ref('flow')), status: z.optional(planStatusSchema()), summary: z.optional(z.string()) }),
  positionals: ['title'],
  argv: {
    title: { description: 'the plan title', rest: true },
    flow: FLOW,
    status: { placeholder: 'S', description: 'initial status (default active)' },
    summary: { description: 'one-paragraph summary' },
  },
  writes: true,
  async run(args, env) {
    // What was just made is what the person works in next (like git switch -c), in the same commit.
    const commit = await env.transact((tx) => {
      const flow = requireFlowScope(tx, env, args.flow);
      const plan = createPlan({ title: args.title, status: args.status, summary: args.summary });
      insertPlan(tx.index, flow, plan);
      return tx.index.get(plan.id) as PlanLocation;
    }, { scope: scopeOfPlan });
    const location = commit.value;
    const added = `Added plan ${location.plan.id} ${quoted(location.plan.title)}`;
    return {
      json: location.plan,
      human: () => `${added} to flow ${quoted(location.flow.name)} (now the session's plan)`,
      message: `${added} (now the session's plan)`,
    };
  },
});

const PLAN_LIST = listing('plan', ['number', 'id', 'title', 'status', 'summary', 'created', 'updated', 'done', 'task_count', 'scoped']);

const listPlan = defineCommand({
  verb: 'list',
  noun: 'plan',
  summary: 'list the plans of the current flow, numbered',
  args: () => z.object({ flow: z.optional(ref('flow')), ...PAGING }),
  argv: { flow: FLOW, ...PLAN_LIST.argv },
  async run(args, env) {
    const view = await env.read();
    const flow = requireFlowScope(view, env, args.flow);
    const rows = flow.plans.map((plan, i) => {
      const { tasks: _tasks, ...fields } = plan;
      const c = countTasks(plan);
      return { number: i + 1, ...fields, done: c.done, task_count: c.total, scoped: plan.id === env.scope.planId };
    });
    return PLAN_LIST.output(
      args,
      rows,
      (style, shown) =>
        `${style.paint('heading', oneLine(flow.name))}  ${style.paint('id', flow.id)}\n` +
        columns(
          shown.map((p) => [
            style.paint('muted', `${p.number}.`),
            p.scoped ? style.paint('accent', '›') : ' ',
            oneLine(p.title),
            style.paint('muted', p.status),
            `${p.done}/${p.task_count}`,
            style.paint('id', p.id),
          ]),
        ),
      `(no plans in flow ${quoted(flow.name)} yet: flow add plan TITLE)`,
    );
  },
});

const showPlan = defineCommand({
  verb: 'show',
  noun: 'plan',
  summary: 'show a plan with its task counts',
  args: () => z.object({ ref: ref('plan'), flow: z.optional(ref('flow')) }),
  positionals: ['ref'],
  argv: { ref: PLAN_REF, flow: FLOW },
  async run(args, env) {
    const view = await env.read();
    const location = findPlan(view, env, args.ref, args.flow);
    const { plan } = location;
    const c = countTasks(plan);
    const documents = await documentsOf(env, view, plan.id);
    return {
      json: { ...plan, flow_id: location.flow.id, documents },
      human: (style) =>
        [
          `${style.paint('heading', oneLine(plan.title))}  ${style.paint('id', plan.id)}`,
          `  status   ${plan.status}`,
          `  flow     ${oneLine(location.flow.name)} ${style.paint('id', location.flow.id)}`,
          `  tasks    ${c.done}/${c.total} done`,
          ...(plan.created ? [`  created  ${plan.created}`] : []),
          ...(plan.updated ? [`  updated  ${plan.updated}`] : []),
          ...documentLines(style, documents),
          ...(plan.summary ? ['', ...plan.summary.split('\n').map((l) => `  ${l}`)] : []),
        ].join('\n'),
      message: `${oneLine(plan.title)} (${plan.id}): ${c.done}/${c.total} done`,
    };
  },
});

const usePlan = defineCommand({
  verb: 'use',
  noun: 'plan',
  summary: "make a plan this session's scope: later commands act in it",
  args: () => z.object({ ref: ref('plan'), flow: z.optional(ref('flow')) }),
  positionals: ['ref'],
  argv: { ref: PLAN_REF, flow: FLOW },
  writes: true,
  async run(args, env) {
    // Under the store's lock, so the plan cannot be deleted before the scope points at it.
    const { value: location } = await env.transact((tx) => findPlan(tx, env, args.ref, args.flow), { scope: scopeOfPlan });
    const message = `Session "${env.session}" now works in plan ${quoted(location.plan.title)} (${location.plan.id}) of flow ${quoted(location.flow.name)}`;
    return { json: { session: env.session, flow_id: location.flow.id, plan_id: location.plan.id }, human: () => message, message };
  },
});

const setPlan = defineCommand({
  verb: 'set',
  noun: 'plan',
  summary: 'change the title, status or summary of a plan',
  args: () => z.object({
    ref: ref('plan'),
    flow: z.optional(ref('flow')),
    title: z.optional(text()),
    status: z.optional(planStatusSchema()),
    summary: z.optional(z.string()),
    expect: expectations(),
  }),
  positionals: ['ref'],
  argv: {
    ref: PLAN_REF,
    flow: FLOW,
    title: { description: 'new title' },
    status: { placeholder: 'S', description: 'new status' },
    summary: { description: 'new summary' },
    expect: { description: 'only change if FIELD still has VALUE (else exit 3)' },
  },
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
    return planOutput(commit.value, `Updated plan ${commit.value.plan.id} ${quoted(commit.value.plan.title)}`);
  },
});

const movePlanCommand = defineCommand({
  verb: 'move',
  noun: 'plan',
  summary: 'move a plan to another flow or among its siblings',
  args: () => z.object({
    ref: ref('plan'),
    flow: z.optional(ref('flow')),
    to_flow: z.optional(ref('flow')),
    before: z.optional(ref('plan')),
    after: z.optional(ref('plan')),
    top: z.optional(z.boolean()),
  }),
  positionals: ['ref'],
  argv: {
    ref: PLAN_REF,
    flow: FLOW,
    to_flow: { description: 'move into this flow' },
    before: { description: 'place before this plan' },
    after: { description: 'place after this plan' },
    top: { description: 'place first' },
  },
  writes: true,
  async run(args, env) {
    if (args.before && args.after) throw new FlowError('invalid', 'give --before or --after, not both');
    const commit = await env.transact((tx) => {
      const location = findPlan(tx, env, args.ref, args.flow);
      const target = args.to_flow ? resolveFlow(tx, args.to_flow) : location.flow;
      const sibling = args.before ?? args.after;
      const position: Position = sibling
        ? { at: args.before ? 'before' : 'after', sibling: resolvePlan(tx, sibling, target).plan.id }
        : args.top
          ? { at: 'start' }
          : { at: 'end' };
      if (!args.to_flow && !sibling && !args.top) {
        throw new FlowError('invalid', 'say where to: --to-flow, --before, --after or --top');
      }
      movePlan(tx.index, location.plan.id, target.id, position);
      return tx.index.get(location.plan.id) as PlanLocation;
    });
    return planOutput(commit.value, `Moved plan ${quoted(commit.value.plan.title)} in flow ${quoted(commit.value.flow.name)}`);
  },
});

const rmPlan = defineCommand({
  verb: 'rm',
  noun: 'plan',
  summary: 'delete a plan and all its tasks (asks first; --yes when not on a terminal)',
  args: () => z.object({ ref: ref('plan'), flow: z.optional(ref('flow')), yes: z.optional(z.boolean()) }),
  positionals: ['ref'],
  argv: { ref: PLAN_REF, flow: FLOW, yes: YES },
  writes: true,
  async run(args, env) {
    const view = await env.read();
    const seen = findPlan(view, env, args.ref, args.flow);
    const total = countTasks(seen.plan).total;
    const tasks = `${total} task${total === 1 ? '' : 's'}`;
    await confirmDeletion(env, args.yes, `Delete plan ${quoted(seen.plan.title)} (${seen.plan.id}) and its ${tasks}?`);
    await env.autoSnapshot('auto', `before rm plan ${seen.plan.id}`);
    const baseEnv = { ...env, baseRevision: env.baseRevision ?? view.revision };
    const commit = await env.transact((tx) => {
      stillThere(tx, baseEnv, 'plan', seen.plan.id);
      return removePlan(tx.index, seen.plan.id);
    });
    const message = `Deleted plan ${commit.value.id} ${quoted(commit.value.title)} (${tasks})`;
    return { json: commit.value, human: () => message, message };
  },
});

/** DESIGN §6 / issue: deleting a flow or plan needs --yes off a terminal, a yes on one. */
export async function confirmDeletion(env: Env, yes: boolean | undefined, question: string): Promise<void> {
  if (yes) return;
  if (!env.interactive) {
    throw new FlowError('usage', `${question.replace(/\?$/, '')}: refusing without --yes (not on a terminal)`);
  }
  if (!(await env.confirm(question))) throw new FlowError('failed', 'Cancelled; nothing was deleted');
}

export const PLAN_COMMANDS = [addPlan, listPlan, showPlan, usePlan, setPlan, movePlanCommand, rmPlan] as const;
