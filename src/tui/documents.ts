// The documents of plans as the workspace shows them (issue 13 item 7): read from
// documents_manifest.json when it changes (by flow or anyone else), grouped by the plans
// that reference them. A plan's documents are listed in its detail pane, counted in the
// tree, and named when the plan (or its flow) is about to be deleted.
import type { DocumentEntry } from '../documents/manifest.js';
import { manifestPath, readManifest } from '../documents/manifest.js';
import { oneLine } from '../domain/sanitize.js';
import { fileIdentity } from '../store/identity.js';

export interface DocumentsView {
  /** Plan id → the documents that list it among their references, in manifest order. */
  byPlan: ReadonlyMap<string, readonly DocumentEntry[]>;
  /** Identity of the manifest read (null: none yet). */
  identity: string | null;
  /** Why the manifest could not be read, when it could not. */
  error: string | null;
}

export const NO_DOCUMENTS: DocumentsView = { byPlan: new Map(), identity: null, error: null };

/** The documents a plan references (none for no plan). */
export function documentsOf(view: DocumentsView, planId: string | null): readonly DocumentEntry[] {
  return (planId ? view.byPlan.get(planId) : undefined) ?? [];
}

/** The manifest again when it changed since `previous` was read; else `previous` itself. */
export function readDocuments(dir: string, previous: DocumentsView = NO_DOCUMENTS): DocumentsView {
  let identity: string | null;
  try {
    identity = fileIdentity(manifestPath(dir));
  } catch (err) {
    return { ...previous, error: oneLine((err as Error).message) };
  }
  if (identity === previous.identity && previous !== NO_DOCUMENTS) return previous;
  if (identity === null) return { byPlan: new Map(), identity, error: null };
  try {
    const byPlan = new Map<string, DocumentEntry[]>();
    for (const entry of readManifest(dir).list()) {
      for (const planId of new Set(entry.plans)) {
        let list = byPlan.get(planId);
        if (!list) byPlan.set(planId, (list = []));
        list.push(entry);
      }
    }
    return { byPlan, identity, error: null };
  } catch (err) {
    // Shown, never repaired here: the document commands say what to do.
    return { ...previous, identity, error: oneLine((err as Error).message) };
  }
}

/**
 * The documents that go with deleting these plans: each named once, with whether it
 * loses its last reference (no plan that stays references it).
 */
export function documentsGoing(view: DocumentsView, planIds: readonly string[], exists: (planId: string) => boolean): Array<{ entry: DocumentEntry; last: boolean }> {
  const going = new Set(planIds);
  const seen = new Set<string>();
  const out: Array<{ entry: DocumentEntry; last: boolean }> = [];
  for (const planId of planIds) {
    for (const entry of view.byPlan.get(planId) ?? []) {
      if (seen.has(entry.id)) continue;
      seen.add(entry.id);
      out.push({ entry, last: !entry.plans.some((p) => !going.has(p) && exists(p)) });
    }
  }
  return out;
}
