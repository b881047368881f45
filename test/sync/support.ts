// Documents for merge tests: small stores built in code, laid out as flow writes them.
import type { FlowDocument, Plan, Task } from '../../src/domain/schema.js';
import { serialiseDocument } from '../../src/store/layout.js';
import { mergeFiles, type MergeResult } from '../../src/sync/merge.js';

export const AT = '2026-05-10T12:00:00.000Z';

export function task(id: string, fields: Partial<Task> = {}): Task {
  return {
    id,
    title: id,
    status: 'todo',
    priority: 'medium',
    notes: '',
    tags: [],
    depends_on: [],
    created: AT,
    updated: AT,
    subtasks: [],
    ...fields,
  };
}

export function plan(id: string, tasks: Task[] = [], fields: Partial<Plan> = {}): Plan {
  return { id, title: id, status: 'active', summary: '', created: AT, updated: AT, tasks, ...fields };
}

export function doc(flows: Array<{ id: string; plans: Plan[]; [key: string]: unknown }>, revision = 1, writer = 'cli:1:default'): FlowDocument {
  return {
    version: '3.0',
    meta: { last_saved: AT, file_revision: revision, writer },
    current_flow_id: flows[0]?.id ?? null,
    flows: Object.fromEntries(flows.map((f) => [f.id, { name: f.id, created: AT, updated: AT, ...f }])),
  };
}

export function bytes(document: unknown): Buffer {
  const { flows, ...header } = document as { flows: Record<string, unknown> };
  return Buffer.from(serialiseDocument(header, Object.entries(flows)));
}

export interface Merged extends MergeResult {
  doc: FlowDocument;
  text: string;
}

export function merge(base: unknown, ours: unknown, theirs: unknown): Merged {
  const result = mergeFiles(
    base === null ? Buffer.alloc(0) : Buffer.isBuffer(base) ? base : bytes(base),
    Buffer.isBuffer(ours) ? ours : bytes(ours),
    Buffer.isBuffer(theirs) ? theirs : bytes(theirs),
    { writer: 'cli:9:merge', at: AT },
  );
  const text = Buffer.concat(result.bytes).toString('utf8');
  return { ...result, text, doc: JSON.parse(text) as FlowDocument };
}

export function clone<T>(value: T): T {
  return structuredClone(value);
}

/** Every task of a document by id, with the id of the plan or task it is under. */
export function tasksOf(document: FlowDocument): Map<string, { task: Task; parent: string; flow: string }> {
  const out = new Map<string, { task: Task; parent: string; flow: string }>();
  const walk = (tasks: Task[], parent: string, flow: string) => {
    for (const t of tasks) {
      out.set(t.id, { task: t, parent, flow });
      walk(t.subtasks, t.id, flow);
    }
  };
  for (const flow of Object.values(document.flows)) for (const p of flow.plans) walk(p.tasks, p.id, flow.id);
  return out;
}

export function planTasks(document: FlowDocument, flowId: string, planId: string): string[] {
  const found = document.flows[flowId].plans.find((p) => p.id === planId);
  if (!found) throw new Error(`no plan ${planId}`);
  return found.tasks.map((t) => t.id);
}
