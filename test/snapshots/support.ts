// Helpers shared by the snapshot, restore and undo suites: commands through the real
// command bus in-process (for bulk set-up), comparisons that ignore what a restore or an
// undo is expected to renew (meta, `updated` stamps), and random transactions.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Services } from '../../src/app/services.js';
import { CommandBus } from '../../src/commands/bus.js';
import { createTable } from '../../src/commands/table.js';
import type { Flow, Plan, Task } from '../../src/domain/schema.js';
import { createFlow, createPlan, createTask, insertPlan, insertTask, movePlan, moveTask, removePlan, removeTask, type Position } from '../../src/domain/tree.js';
import type { Transaction } from '../../src/store/state.js';
import { serialiseDocument } from '../../src/store/layout.js';
import { flowSync, type RunResult } from '../helpers.js';

const table = createTable();

/** A command bus on `dir` for `session`, as the CLI builds it, run in this process. */
export function inProcess(dir: string, session = 'setup'): (line: string) => Promise<any> {
  const bus = new CommandBus(table, new Services({ dir, session, writerKind: 'cli', interactive: false }));
  return async (line: string) => (await bus.execute(table.commandFrom(line))).json;
}

/** Runs the real `flow` process and requires the given exit code, showing stderr if not. */
export function cli(dir: string, args: readonly string[], options: { session?: string; code?: number } = {}): RunResult {
  const env = options.session ? { FLOW_SESSION: options.session } : {};
  const result = flowSync(dir, args, { env });
  const want = options.code ?? 0;
  if (result.code !== want) {
    throw new Error(`flow ${args.join(' ')} exited ${result.code}, expected ${want}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`);
  }
  return result;
}

export function cliJson<T = any>(dir: string, args: readonly string[], session?: string): T {
  return JSON.parse(cli(dir, [...args, '--json'], { session }).stdout) as T;
}

/** Writes a document as flows.json in flow's own layout. */
export function writeStore(dir: string, doc: Record<string, any>): void {
  const { flows, ...header } = doc;
  writeFileSync(join(dir, 'flows.json'), serialiseDocument(header, Object.entries(flows)));
}

export function readJson(path: string): any {
  return JSON.parse(readFileSync(path, 'utf8'));
}

export function readContextFile(dir: string): any {
  return readJson(join(dir, 'context.json'));
}

/** A deep copy without `updated` fields, which undo and restore legitimately renew. */
export function withoutUpdated<T>(value: T): T {
  return JSON.parse(JSON.stringify(value), (key, v) => (key === 'updated' ? undefined : v)) as T;
}

/** Every plan of a flows.json document by id, with the flow it is in. */
export function plansOf(doc: any): Map<string, { flow: string; plan: any }> {
  const out = new Map<string, { flow: string; plan: any }>();
  for (const flow of Object.values<any>(doc.flows)) for (const plan of flow.plans) out.set(plan.id, { flow: flow.id, plan });
  return out;
}

/** flows.json's top-level members other than meta (which every save renews). */
export function withoutMeta(doc: any): any {
  const { meta: _meta, ...rest } = doc;
  return rest;
}

export type Rand = () => number;

export function pick<T>(rand: Rand, list: readonly T[]): T {
  return list[Math.floor(rand() * list.length)];
}

export function tasksUnder(flows: Flow[]): Task[] {
  const out: Task[] = [];
  const walk = (list: Task[]) => list.forEach((t) => (out.push(t), walk(t.subtasks)));
  flows.forEach((f) => f.plans.forEach((p) => walk(p.tasks)));
  return out;
}

function position(rand: Rand, siblings: ReadonlyArray<{ id: string }>): Position {
  const r = rand();
  if (r < 0.4 || !siblings.length) return { at: 'end' };
  if (r < 0.6) return { at: 'start' };
  if (r < 0.8) return { at: 'index', index: Math.floor(rand() * siblings.length) };
  return { at: rand() < 0.5 ? 'before' : 'after', sibling: pick(rand, siblings).id };
}

/** One transaction of a random kind, as the commands make them. */
export function randomChange(tx: Transaction, rand: Rand, step: number): void {
  const flows = tx.allFlows();
  const plans: Array<{ flow: Flow; plan: Plan }> = flows.flatMap((flow) => flow.plans.map((plan) => ({ flow, plan })));
  const tasks = tasksUnder(flows);
  const r = rand();
  if (r < 0.2 && plans.length) {
    const { plan } = pick(rand, plans);
    const parent = rand() < 0.25 && plan.tasks.length ? pick(rand, plan.tasks) : undefined;
    const task = createTask({ title: `added ${step}`, tags: rand() < 0.3 ? ['new'] : [] });
    if (parent) insertTask(tx.index, { parentId: parent.id }, task, position(rand, parent.subtasks));
    else insertTask(tx.index, { planId: plan.id }, task, position(rand, plan.tasks));
  } else if (r < 0.4 && tasks.length) {
    const task = pick(rand, tasks);
    const field = rand();
    if (field < 0.3) task.title = `${task.title.slice(0, 20)} ${step}`;
    else if (field < 0.5) task.status = pick(rand, ['todo', 'in_progress', 'done', 'blocked'] as const);
    else if (field < 0.65) task.tags = rand() < 0.5 ? [] : [`t${step}`, 'x'];
    else if (field < 0.8) task[`x_${step % 3}`] = { step };
    else delete task[`x_${step % 3}`];
    task.updated = `2026-03-01T00:00:${String(step % 60).padStart(2, '0')}.000Z`;
  } else if (r < 0.55 && tasks.length && plans.length) {
    const task = pick(rand, tasks);
    const to = rand();
    try {
      if (to < 0.4) moveTask(tx.index, task.id, 'same', rand() < 0.5 ? { at: 'start' } : { at: 'end' });
      else if (to < 0.8) {
        const { plan } = pick(rand, plans);
        moveTask(tx.index, task.id, { planId: plan.id }, position(rand, plan.tasks.filter((t) => t.id !== task.id)));
      } else {
        const parent = pick(rand, tasks);
        moveTask(tx.index, task.id, { parentId: parent.id }, { at: 'end' });
      }
    } catch {
      // a task under itself: that move is refused, as the command would
    }
  } else if (r < 0.7 && tasks.length > 20) {
    removeTask(tx.index, pick(rand, tasks).id);
  } else if (r < 0.76) {
    const flow = pick(rand, flows);
    const plan = createPlan({ title: `plan ${step}` });
    plan.tasks.push(createTask({ title: `first of plan ${step}` }));
    insertPlan(tx.index, flow, plan, position(rand, flow.plans));
  } else if (r < 0.8 && plans.length > 10) {
    removePlan(tx.index, pick(rand, plans).plan.id);
  } else if (r < 0.84 && plans.length) {
    movePlan(tx.index, pick(rand, plans).plan.id, pick(rand, flows).id, { at: rand() < 0.5 ? 'start' : 'end' });
  } else if (r < 0.88) {
    const flow = createFlow(`flow ${step}`);
    flow.plans.push(createPlan({ title: `plan of flow ${step}` }));
    tx.addFlow(flow);
  } else if (r < 0.91 && flows.length > 6) {
    tx.deleteFlow(pick(rand, flows).id);
  } else if (r < 0.95) {
    tx.setExtra(`x_top_${step % 4}`, rand() < 0.3 ? undefined : { step });
  } else {
    tx.setCurrentFlow(pick(rand, flows).id);
  }
}
