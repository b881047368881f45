// Reference counting (issue 13 item 4). The manifest lists the plans that reference a
// document; a reference counts while its plan exists in flows.json. So deleting a plan
// (by any writer, flow or not) drops its references at once, and undoing the delete
// brings them back, with no second file to keep in step.
import type { Plan } from '../domain/schema.js';
import type { StoreView } from '../store/state.js';
import type { DocumentEntry } from './manifest.js';

/** Above this many plans, one pass over the flows' lines is cheaper than a byte search per plan. */
const SEARCHES_BEFORE_ONE_PASS = 32;

const PLAN_ID_START = Buffer.from('"plan_');
const QUOTE = 0x22;

/**
 * Whether a flow's line names one of `wanted` as a string of its own: inside a JSON text
 * a quote is escaped, so a note that mentions an id is no match (parsing tells for sure).
 */
function namesOneOf(bytes: Buffer, wanted: ReadonlySet<string>): boolean {
  for (let at = bytes.indexOf(PLAN_ID_START); at >= 0; at = bytes.indexOf(PLAN_ID_START, at + 1)) {
    const end = bytes.indexOf(QUOTE, at + 1);
    if (end > 0 && wanted.has(bytes.toString('utf8', at + 1, end))) return true;
  }
  return false;
}

/**
 * The plans among `ids` that exist now. Only flows whose line names one of them are read:
 * parsing all 10k flows to find 256 plans made `list doc` (and a completed document
 * number) 0.7 s, this 0.3 s. Ids without the `plan_` prefix (migrated) are searched one
 * by one.
 */
export function existingPlans(view: StoreView, ids: Iterable<string>): Map<string, Plan> {
  const wanted = new Set(ids);
  const out = new Map<string, Plan>();
  const prefixed = new Set(wanted.size > SEARCHES_BEFORE_ONE_PASS ? [...wanted].filter((id) => id.startsWith('plan_')) : []);
  if (prefixed.size) for (const { id, bytes } of view.flowLines()) if (namesOneOf(bytes, prefixed)) view.flow(id);
  for (const id of wanted) {
    // The index holds every flow read so far: those just read, and those a transaction changed.
    const found = prefixed.has(id) ? view.index.get(id) : view.locate(id);
    if (found?.kind === 'plan') out.set(id, found.plan);
  }
  return out;
}

/** The plans that reference `entry` now, in its order, each once (a hand-edited list may repeat one). */
export function liveReferences(entry: Pick<DocumentEntry, 'plans'>, existing: { has(id: string): boolean }): string[] {
  return [...new Set(entry.plans)].filter((id) => existing.has(id));
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
