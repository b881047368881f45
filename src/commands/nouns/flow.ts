// Commands for flows.
import * as z from 'zod/mini';
import { oneLine } from '../../domain/sanitize.js';
import type { Flow } from '../../domain/schema.js';
import { addFlowIn, flowCounts, touch } from '../../domain/tree.js';
import { deleteFlowIn } from '../../store/store.js';
import type { StoreView } from '../../store/state.js';
import { checkExpectations, expectations, ref, text } from '../args.js';
import { defineCommand, type ArgSpec } from '../define.js';
import type { Env } from '../env.js';
import { listing, PAGING } from '../list.js';
import { columns } from '../output.js';
import { requireFlowScope, resolveFlow, resolveSeen, stillThere } from '../refs.js';
import { quoted } from '../render.js';
import { confirmDeletion } from './plan.js';

const FLOW_REF: ArgSpec = { description: 'flow id, id prefix, list number or name' };

function findFlow(view: StoreView, env: Env, ref: string): Flow {
  return resolveSeen(view, env, 'flow', ref, () => ({ kind: 'flow', flow: resolveFlow(view, ref) })).flow;
}

const addFlow = defineCommand({
  verb: 'add',
  noun: 'flow',
  summary: 'add a flow; it becomes the current flow (and the session works in it)',
  args: () => z.object({ name: text() }),
  positionals: ['name'],
  argv: { name: { description: 'the flow name', rest: true } },
  writes: true,
  async run(args, env) {
    // What was just made is what the person works in next (like git switch -c).
    const commit = await env.transact((tx) => addFlowIn(tx, args.name), { scope: (flow) => ({ flowId: flow.id, planId: null }) });
    const flow = commit.value;
    const message = `Added flow ${flow.id} ${quoted(flow.name)} (now current)`;
    return { json: flow, human: () => message, message };
  },
});

const FLOW_LIST = listing('flow', ['number', 'id', 'name', 'created', 'updated', 'current', 'plan_count', 'done', 'task_count']);

const listFlow = defineCommand({
  verb: 'list',
  noun: 'flow',
  summary: 'list every flow, numbered',
  args: () => z.object({ ...PAGING }),
  argv: { ...FLOW_LIST.argv },
  async run(args, env) {
    // Names and counts only, from the flow lines' scan (or its cache): no flow is parsed.
    const view = await env.read({ namesOnly: true });
    const current = env.scope.flowId && view.hasFlow(env.scope.flowId) ? env.scope.flowId : view.currentFlowId;
    // One object a flow (a listing of 100k flows pays for every copy).
    const rows = view.flowSummaries().map(({ fields, plans, done, total }, i) => ({
      number: i + 1,
      ...fields,
      current: fields.id === current,
      plan_count: plans,
      done,
      task_count: total,
    }));
    return FLOW_LIST.output(
      args,
      rows,
      (style, shown) =>
        columns(
          shown.map((f) => [
            style.paint('muted', `${f.number}.`),
            f.current ? style.paint('accent', '›') : ' ',
            oneLine(f.name),
            style.paint('muted', `${f.plan_count} plan${f.plan_count === 1 ? '' : 's'}`),
            `${f.done}/${f.task_count}`,
            style.paint('id', f.id),
          ]),
        ),
      '(no flows yet: flow add flow NAME)',
    );
  },
});

const showFlow = defineCommand({
  verb: 'show',
  noun: 'flow',
  summary: 'show a flow (default: the current one) with its plans',
  args: () => z.object({ ref: z.optional(ref('flow')) }),
  positionals: ['ref'],
  argv: { ref: FLOW_REF },
  async run(args, env) {
    const view = await env.read();
    const flow = args.ref ? findFlow(view, env, args.ref) : requireFlowScope(view, env);
    const c = flowCounts(flow);
    return {
      json: flow,
      human: (style) =>
        [
          `${style.paint('heading', oneLine(flow.name))}  ${style.paint('id', flow.id)}`,
          `  plans    ${c.plans}`,
          `  tasks    ${c.done}/${c.total} done`,
          ...(flow.created ? [`  created  ${flow.created}`] : []),
          ...(flow.updated ? [`  updated  ${flow.updated}`] : []),
          ...flow.plans.map(
            (p, i) => `  ${style.paint('muted', `${i + 1}.`)} ${oneLine(p.title)}  ${style.paint('muted', p.status)}  ${style.paint('id', p.id)}`,
          ),
        ].join('\n'),
      message: `${oneLine(flow.name)} (${flow.id}): ${c.plans} plans, ${c.done}/${c.total} tasks done`,
    };
  },
});

const useFlow = defineCommand({
  verb: 'use',
  noun: 'flow',
  summary: "make a flow this session's scope (clears the plan scope)",
  args: () => z.object({ ref: ref('flow') }),
  positionals: ['ref'],
  argv: { ref: FLOW_REF },
  writes: true,
  async run(args, env) {
    // Under the store's lock, so the flow cannot be deleted before the scope points at it.
    const { value: flow } = await env.transact((tx) => findFlow(tx, env, args.ref), { scope: (f) => ({ flowId: f.id, planId: null }) });
    const message = `Session "${env.session}" now works in flow ${quoted(flow.name)} (${flow.id})`;
    return { json: { session: env.session, flow_id: flow.id, plan_id: null }, human: () => message, message };
  },
});

const renameFlow = defineCommand({
  verb: 'rename',
  noun: 'flow',
  summary: 'rename a flow',
  args: () => z.object({ ref: ref('flow'), name: text(), expect: expectations() }),
  positionals: ['ref', 'name'],
  argv: {
    ref: FLOW_REF,
    name: { description: 'the new name', rest: true },
    expect: { description: 'only change if FIELD still has VALUE (else exit 3)' },
  },
  writes: true,
  async run(args, env) {
    const commit = await env.transact((tx) => {
      const flow = findFlow(tx, env, args.ref);
      checkExpectations('flow', flow, args.expect);
      flow.name = args.name;
      touch(flow);
      return flow;
    });
    const message = `Renamed flow ${commit.value.id} to ${quoted(commit.value.name)}`;
    return { json: commit.value, human: () => message, message };
  },
});

const rmFlow = defineCommand({
  verb: 'rm',
  noun: 'flow',
  summary: 'delete a flow with all its plans and tasks (asks first; --yes when not on a terminal)',
  args: () => z.object({ ref: ref('flow'), yes: z.optional(z.boolean()) }),
  positionals: ['ref'],
  argv: { ref: FLOW_REF, yes: { description: 'do not ask' } },
  writes: true,
  async run(args, env) {
    const view = await env.read();
    const seen = findFlow(view, env, args.ref);
    const c = flowCounts(seen);
    await confirmDeletion(env, args.yes, `Delete flow ${quoted(seen.name)} (${seen.id}) with ${c.plans} plans and ${c.total} tasks?`);
    await env.autoSnapshot('auto', `before rm flow ${seen.id}`);
    const baseEnv = { ...env, baseRevision: env.baseRevision ?? view.revision };
    const commit = await env.transact((tx) => {
      stillThere(tx, baseEnv, 'flow', seen.id);
      const removed = deleteFlowIn(tx, seen.id);
      return { removed, current: tx.currentFlowId };
    });
    const message = `Deleted flow ${seen.id} ${quoted(seen.name)}`;
    return { json: commit.value.removed, human: () => message, message };
  },
});

export const FLOW_COMMANDS = [addFlow, listFlow, showFlow, useFlow, renameFlow, rmFlow] as const;
