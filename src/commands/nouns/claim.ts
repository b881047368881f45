// Commands for agents working through a queue (DESIGN §6 "Agents"): what is ready, a claim
// that two agents can never both win (it is decided inside one transaction, on the newest
// state under the store's lock), and giving a claim back. A claim lapses at its expiry, so
// an agent that died does not hold its task for ever.
import * as z from 'zod/mini';
import { ConflictError, FlowError } from '../../domain/errors.js';
import { byPriority, claimFor, isReady, liveClaim, openDependencies, releaseClaim, type StatusOf } from '../../domain/ready.js';
import { oneLine } from '../../domain/sanitize.js';
import type { Flow, Task } from '../../domain/schema.js';
import type { PlanLocation, TaskLocation } from '../../domain/tree.js';
import type { StoreView } from '../../store/state.js';
import { duration, durationMs, ref, text } from '../args.js';
import { defineCommand, type ArgSpec } from '../define.js';
import type { Env } from '../env.js';
import { listing, paging } from '../list.js';
import { numberedTasks, requireFlowScope, resolveFlow, scopePlan } from '../refs.js';
import { quoted, taskLine } from '../render.js';
import { findTask, taskJson } from './task.js';

const DEFAULT_LEASE = '30m';

/** Where the queue is: one plan, one flow's open plans, or every flow's (built with a command's args). */
const queueArgs = () => ({
  plan: z.optional(ref('plan')),
  flow: z.optional(ref('flow')),
  all: z.optional(z.boolean()),
});
const QUEUE_ARGV: { readonly [K in keyof ReturnType<typeof queueArgs>]: ArgSpec } = {
  plan: { description: 'the plan (default: the session scope)' },
  flow: { description: "this flow's open plans" },
  all: { description: "every flow's open plans" },
};

type Queue = { plan?: string; flow?: string; all?: boolean };

/** The plans a queue covers: done and archived plans are not worked on, unless named. */
function queuePlans(view: StoreView, env: Env, queue: Queue): { plans: PlanLocation[]; where: string } {
  if ([queue.plan, queue.flow, queue.all].filter(Boolean).length > 1) {
    throw new FlowError('invalid', 'give one of --plan, --flow and --all');
  }
  const open = (flow: Flow) =>
    flow.plans.filter((p) => p.status !== 'done' && p.status !== 'archived').map((p) => view.index.get(p.id) as PlanLocation);
  if (queue.all) return { plans: view.allFlows().flatMap(open), where: 'any flow' };
  if (queue.flow) {
    const flow = resolveFlow(view, queue.flow);
    return { plans: open(flow), where: `flow ${quoted(flow.name)}` };
  }
  const plan = scopePlan(view, env, queue.plan);
  if (plan) return { plans: [plan], where: `plan ${quoted(plan.plan.title)}` };
  const flow = requireFlowScope(view, env);
  return { plans: open(flow), where: `flow ${quoted(flow.name)}` };
}

const statusIn =
  (view: StoreView): StatusOf =>
  (id) => {
    const found = view.locate(id);
    return found?.kind === 'task' ? found.task.status : undefined;
  };

interface Entry {
  task: Task;
  number: number;
  plan: PlanLocation;
}

/** Every task of the queue's plans, numbered as `list task` numbers them. */
function entriesOf(plans: readonly PlanLocation[]): Entry[] {
  return plans.flatMap((plan) => numberedTasks(plan.plan).map(({ task, number }) => ({ task, number, plan })));
}

/** Why nothing is ready, in numbers: what waits for dependencies, what is claimed. */
function nothingReady(view: StoreView, entries: readonly Entry[], where: string, nowMs: number): FlowError {
  const statusOf = statusIn(view);
  const waiting = entries.filter((e) => e.task.status === 'todo' && openDependencies(e.task, statusOf).length > 0).length;
  const claimed = entries.filter((e) => liveClaim(e.task, nowMs)).length;
  const why = [waiting && `${waiting} to do wait for dependencies`, claimed && `${claimed} claimed`].filter(Boolean).join(', ');
  return new FlowError('not_found', `nothing ready in ${where}${why ? ` (${why})` : ''}`, { waiting, claimed });
}

const READY_LIST = listing('task', [
  'number', 'id', 'title', 'status', 'priority', 'tags', 'depends_on', 'notes', 'claimed_by', 'claim_expires',
  'plan_id', 'flow_id', 'parent_id', 'created', 'updated',
]);

const readyTask = defineCommand({
  verb: 'ready',
  noun: 'task',
  summary: 'tasks ready to work on: to do, dependencies done, not claimed (or the claim expired); by priority',
  args: () => z.object({ ...queueArgs(), ...paging() }),
  argv: { ...QUEUE_ARGV, ...READY_LIST.argv },
  examples: ['flow ready task --limit 5', 'flow ready task --all --fields id,title,priority --json'],
  async run(args, env) {
    const view = await env.read();
    const { plans } = queuePlans(view, env, args);
    const nowMs = Date.now();
    const statusOf = statusIn(view);
    const ready = byPriority(entriesOf(plans).filter((e) => isReady(e.task, statusOf, nowMs)));
    const rows = ready.map(({ task, number, plan }) => {
      const { subtasks: _subtasks, ...fields } = task;
      const location = view.index.get(task.id) as TaskLocation;
      return { number, ...fields, plan_id: plan.plan.id, flow_id: plan.flow.id, parent_id: location.parent?.id ?? null };
    });
    const titles = new Map(plans.map((p) => [p.plan.id, p.plan.title]));
    return READY_LIST.output(
      args,
      rows,
      (style, shown) =>
        shown
          .map((row) => {
            const plan = plans.length > 1 ? `  ${style.paint('muted', oneLine(titles.get(row.plan_id) ?? ''))}` : '';
            return `${taskLine(style, row, 0, row.number)}${plan}`;
          })
          .join('\n'),
      '(nothing ready)',
    );
  },
});

const claimTask = defineCommand({
  verb: 'claim',
  noun: 'task',
  summary: 'claim a task, or the next ready one, for an agent: it goes in progress, leased to the agent',
  details:
    'Without REF, the first task `ready task` lists is claimed; with REF, that task, if it is ready.\n' +
    'The choice is made in one transaction on the newest state, so two agents never claim the\n' +
    'same task. Claiming a task the agent already holds renews its lease. When the lease runs out\n' +
    'the task is ready again; `release task` gives it back sooner. Nothing ready: exit 1.',
  args: () => z.object({ ref: z.optional(ref('task')), agent: text(), lease: z.optional(duration()), ...queueArgs() }),
  positionals: ['ref'],
  argv: {
    ref: { description: 'the task to claim (default: the next ready one)' },
    agent: { placeholder: 'NAME', description: 'who claims it' },
    lease: { placeholder: 'TIME', description: `how long the claim holds: 90s, 30m, 2h (default ${DEFAULT_LEASE})` },
    ...QUEUE_ARGV,
  },
  examples: ['flow claim task --agent coder-1 --json', 'flow claim task 3 --agent coder-1 --lease 2h'],
  writes: true,
  async run(args, env) {
    const leaseMs = durationMs(args.lease ?? DEFAULT_LEASE);
    if (leaseMs <= 0) throw new FlowError('invalid', '--lease must be longer than nothing');
    const agent = args.agent;
    const commit = await env.transact((tx) => {
      // The clock is read inside the transaction: it may run again on a newer state.
      const nowMs = Date.now();
      const statusOf = statusIn(tx);
      let location: TaskLocation;
      if (args.ref) {
        location = findTask(tx, env, args.ref, args.plan);
        const { task } = location;
        const renewing = liveClaim(task, nowMs) && task.claimed_by === agent;
        if (liveClaim(task, nowMs) && !renewing) {
          throw new ConflictError(
            `task ${task.id} ${quoted(task.title)} is claimed by ${quoted(task.claimed_by ?? '')} until ${task.claim_expires}`,
            { id: task.id, claimed_by: task.claimed_by, claim_expires: task.claim_expires },
          );
        }
        if (!renewing && !isReady(task, statusOf, nowMs)) throw notReady(task, statusOf);
      } else {
        const { plans, where } = queuePlans(tx, env, args);
        const entries = entriesOf(plans);
        const [next] = byPriority(entries.filter((e) => isReady(e.task, statusOf, nowMs)));
        if (!next) throw nothingReady(tx, entries, where, nowMs);
        location = tx.index.get(next.task.id) as TaskLocation;
      }
      claimFor(location.task, agent, nowMs + leaseMs);
      return location;
    });
    const location = commit.value;
    const { task } = location;
    const message = `Claimed task ${task.id} ${quoted(task.title)} for ${quoted(agent)} until ${task.claim_expires}`;
    return { json: taskJson(location), human: () => message, message };
  },
});

function notReady(task: Task, statusOf: StatusOf): FlowError {
  if (task.status !== 'todo' && !(task.status === 'in_progress' && task.claimed_by)) {
    return new FlowError('invalid', `task ${task.id} ${quoted(task.title)} is ${task.status}, not ready`);
  }
  const open = openDependencies(task, statusOf);
  return new FlowError('invalid', `task ${task.id} ${quoted(task.title)} waits for ${open.join(', ')}`, { waits_for: open });
}

const releaseTask = defineCommand({
  verb: 'release',
  noun: 'task',
  summary: 'give a claimed task back: it is ready again (in progress goes back to to do)',
  args: () => z.object({ ref: ref('task'), agent: z.optional(text()), plan: z.optional(ref('plan')) }),
  positionals: ['ref'],
  argv: {
    ref: { description: 'task id, id prefix or list number' },
    agent: { placeholder: 'NAME', description: 'only if this agent holds the claim (else exit 3)' },
    plan: { description: 'the plan (default: the session scope)' },
  },
  writes: true,
  async run(args, env) {
    const commit = await env.transact((tx) => {
      const location = findTask(tx, env, args.ref, args.plan);
      const { task } = location;
      if (args.agent && liveClaim(task, Date.now()) && task.claimed_by !== args.agent) {
        throw new ConflictError(`task ${task.id} is claimed by ${quoted(task.claimed_by ?? '')}, not ${quoted(args.agent)}`, {
          id: task.id,
          claimed_by: task.claimed_by,
        });
      }
      return { location, released: releaseClaim(task) };
    });
    const { location, released } = commit.value;
    const { task } = location;
    // Releasing what is not claimed changes nothing and is no error: a retried release is safe.
    const message = released ? `Released task ${task.id} ${quoted(task.title)}` : `Task ${task.id} ${quoted(task.title)} was not claimed`;
    return { json: taskJson(location), human: () => message, message };
  },
});

export const CLAIM_COMMANDS = [readyTask, claimTask, releaseTask] as const;
