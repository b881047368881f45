// What the prompt's Tab offers for references, from what the TUI has loaded: flows and
// plans by name, tasks and snapshots by what they are called (fuzzy, best first), each
// with its id beside it. A name is put in for a flow or plan when it names just one
// (the parser takes exact names); otherwise, and for tasks, the id.
import { oneLine } from '../domain/sanitize.js';
import { walkTasks } from '../domain/tree.js';
import type { SnapshotMeta } from '../snapshots/engine.js';
import { fuzzyFilter } from './fuzzy.js';
import type { TuiState } from './state.js';

export interface RefCandidate {
  /** What goes into the line. */
  insert: string;
  /** What the candidate list shows: its name and its id. */
  label: string;
}

const LIMIT = 200;

interface Named {
  id: string;
  name: string;
  /** Also taken as a reference (flows and plans by exact name). */
  byName: boolean;
}

function named(state: TuiState, kind: string, snapshots: () => SnapshotMeta[]): Named[] {
  const out: Named[] = [];
  if (kind === 'snapshot') {
    for (const meta of snapshots()) out.push({ id: meta.id, name: meta.label || meta.created, byName: false });
    return out.reverse();
  }
  for (const flowId of state.order) {
    const flow = state.flows.get(flowId);
    if (!flow) continue;
    if (kind === 'flow') out.push({ id: flow.id, name: flow.name, byName: true });
    for (const plan of flow.plans) {
      if (kind === 'plan') out.push({ id: plan.id, name: plan.title, byName: true });
      if (kind === 'task') for (const { task } of walkTasks(plan.tasks)) out.push({ id: task.id, name: task.title, byName: false });
    }
  }
  return out;
}

/** Candidates for a reference of `kind` to what was typed so far (a name or an id). */
export function refCandidates(state: TuiState, kind: string, typed: string, snapshots: () => SnapshotMeta[] = () => []): RefCandidate[] {
  const all = named(state, kind, snapshots);
  if (!all.length) return [];
  // An id is being typed once it starts like one ("plan_…"); anything else is a name.
  const typingId = typed.startsWith(`${kind === 'snapshot' ? 'snap' : kind}_`);
  const byId = typingId ? all.filter((n) => n.id.startsWith(typed)) : [];
  const byName = typingId ? [] : fuzzyFilter(all, typed, (n) => n.name, LIMIT);
  const seen = new Set<string>();
  const count = new Map<string, number>();
  for (const n of all) count.set(n.name.toLowerCase(), (count.get(n.name.toLowerCase()) ?? 0) + 1);
  const out: RefCandidate[] = [];
  for (const n of [...byId, ...byName]) {
    if (seen.has(n.id) || out.length >= LIMIT) continue;
    seen.add(n.id);
    // An id typed stays an id; a name is put in when it names just this one.
    const useName = n.byName && !typingId && count.get(n.name.toLowerCase()) === 1 && !/^\d+$/.test(n.name);
    out.push({ insert: useName ? n.name : n.id, label: `${oneLine(n.name)} (${n.id})` });
  }
  return out;
}
