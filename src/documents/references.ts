// Reference counting (issue 13 item 4). The manifest lists the plans that reference a
// document; a reference counts while its plan exists in flows.json. So deleting a plan
// (by any writer, flow or not) drops its references at once, and undoing the delete
// brings them back, with no second file to keep in step.
import type { Plan } from '../domain/schema.js';
import type { StoreView } from '../store/state.js';
import type { DocumentEntry } from './manifest.js';

/** Above this many plans, one full read is cheaper than a byte search per plan. */
const SEARCHES_BEFORE_FULL_READ = 32;

/** The plans among `ids` that exist now. */
export function existingPlans(view: StoreView, ids: Iterable<string>): Map<string, Plan> {
  const wanted = new Set(ids);
  const out = new Map<string, Plan>();
  if (wanted.size > SEARCHES_BEFORE_FULL_READ) {
    for (const flow of view.allFlows()) for (const plan of flow.plans) if (wanted.has(plan.id)) out.set(plan.id, plan);
    return out;
  }
  for (const id of wanted) {
    const found = view.locate(id);
    if (found?.kind === 'plan') out.set(id, found.plan);
  }
  return out;
}

/** The plans that reference `entry` now, in its order. */
export function liveReferences(entry: Pick<DocumentEntry, 'plans'>, existing: { has(id: string): boolean }): string[] {
  return entry.plans.filter((id) => existing.has(id));
}

/**
 * Brings `deleted_at` in line with the references: set when the last one went (the
 * retention period starts when flow first sees that), cleared when one came back.
 * Returns true when it changed something.
 */
export function reconcile(entry: DocumentEntry, existing: { has(id: string): boolean }, at: string): boolean {
  const live = liveReferences(entry, existing).length > 0;
  if (live && entry.deleted_at) {
    entry.deleted_at = null;
    return true;
  }
  if (!live && !entry.deleted_at) {
    entry.deleted_at = at;
    return true;
  }
  return false;
}
