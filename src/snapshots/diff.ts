// A readable difference between two versions of flows.json: flows, plans and tasks
// added, removed and changed, with the fields that changed.
import type { Flow, Plan, Task } from '../domain/schema.js';
import { ownFields, walkTasks } from '../domain/tree.js';

export interface FieldChange {
  field: string;
  from: unknown;
  to: unknown;
}

export interface ObjectChange {
  kind: 'flow' | 'plan' | 'task';
  id: string;
  title: string;
  change: 'added' | 'removed' | 'changed';
  fields?: FieldChange[];
}

interface Entry {
  kind: ObjectChange['kind'];
  title: string;
  own: Record<string, unknown>;
  parent: string | null;
}

function entries(flows: Record<string, Flow>): Map<string, Entry> {
  const out = new Map<string, Entry>();
  const own = ownFields;
  for (const flow of Object.values(flows)) {
    out.set(flow.id, { kind: 'flow', title: flow.name, own: own(flow), parent: null });
    for (const plan of flow.plans as Plan[]) {
      out.set(plan.id, { kind: 'plan', title: plan.title, own: own(plan), parent: flow.id });
      for (const { task } of walkTasks(plan.tasks as Task[])) {
        out.set(task.id, { kind: 'task', title: task.title, own: own(task), parent: plan.id });
      }
    }
  }
  return out;
}

/** Changes from `from` to `to`, flows first, then plans, then tasks. */
export function diffFlows(from: Record<string, Flow>, to: Record<string, Flow>): ObjectChange[] {
  const a = entries(from);
  const b = entries(to);
  const out: ObjectChange[] = [];
  for (const [id, entry] of b) {
    const old = a.get(id);
    if (!old) {
      out.push({ kind: entry.kind, id, title: entry.title, change: 'added' });
      continue;
    }
    const fields: FieldChange[] = [];
    for (const field of new Set([...Object.keys(old.own), ...Object.keys(entry.own)])) {
      if (field === 'updated') continue;
      if (JSON.stringify(old.own[field]) !== JSON.stringify(entry.own[field])) {
        fields.push({ field, from: old.own[field], to: entry.own[field] });
      }
    }
    if (old.parent !== entry.parent) fields.push({ field: 'parent', from: old.parent, to: entry.parent });
    if (fields.length) out.push({ kind: entry.kind, id, title: entry.title, change: 'changed', fields });
  }
  for (const [id, entry] of a) if (!b.has(id)) out.push({ kind: entry.kind, id, title: entry.title, change: 'removed' });
  const order = { flow: 0, plan: 1, task: 2 };
  return out.sort((x, y) => order[x.kind] - order[y.kind]);
}

export function describeChange(change: ObjectChange): string[] {
  const mark = change.change === 'added' ? '+' : change.change === 'removed' ? '-' : '~';
  const head = `${mark} ${change.kind} ${change.id} "${change.title}"`;
  const show = (v: unknown) => (typeof v === 'string' ? JSON.stringify(v) : JSON.stringify(v ?? null));
  return [head, ...(change.fields ?? []).map((f) => `    ${f.field}: ${show(f.from)} → ${show(f.to)}`)];
}
