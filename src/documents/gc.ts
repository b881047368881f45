// `gc doc` (issue 13 items 1 and 4): documents whose last reference went more than
// documents.retention_days ago are removed, then every stored content that nothing can
// reach (the manifest, retained snapshots) is deleted. Never while referenced: the
// decision and the deletion happen with the snapshot index, the manifest and flows.json
// all locked (in that order), so no snapshot, restore, undo or add can slip in between.
import { statSync } from 'node:fs';
import type { Documents, Existing } from './documents.js';
import { updateManifest, type DocumentEntry } from './manifest.js';
import { removeReadable } from './readable.js';
import { liveReferences, reconcile } from './references.js';

/**
 * A content an earlier version's snapshot engine wrote (snapshots/blobs/) may belong to a
 * snapshot being taken, whose index entry is not written yet: spared this long.
 */
export const LEGACY_GRACE_MS = 60 * 60 * 1000;

export interface GcOptions {
  retentionDays: number;
  dryRun?: boolean;
  at?: number;
  /** Runs `fn` with the hashes retained snapshots hold, under the snapshot index lock. */
  retained<T>(fn: (hashes: ReadonlySet<string>) => Promise<T>): Promise<T>;
  /** Runs `fn` with flows.json locked, given the plans that exist. */
  withPlans<T>(fn: (existing: Existing) => T): Promise<T>;
}

export interface GcReport {
  dryRun: boolean;
  /** Documents removed (or, in a dry run, that would be). */
  removed: Array<Pick<DocumentEntry, 'id' | 'name' | 'path' | 'sha256' | 'deleted_at'>>;
  /** Contents deleted from the store, with their sizes. */
  contents: Array<{ sha256: string; bytes: number }>;
  bytes: number;
  /** Readable files left in place because someone changed them. */
  keptFiles: string[];
}

export async function collectDocuments(docs: Documents, options: GcOptions): Promise<GcReport> {
  const at = options.at ?? Date.now();
  const keepMs = options.retentionDays * 86_400_000;
  return options.retained((snapshotHashes) =>
    updateManifest(docs.dir, (manifest, save) =>
      options.withPlans((existing) => {
        const plans = existing(manifest.list().flatMap((e) => e.plans));
        let changed = false;
        const stamp = new Date(at).toISOString();
        for (const entry of manifest.list()) changed = reconcile(entry, plans, stamp) || changed;
        const victims = manifest
          .list()
          .filter((e) => e.deleted_at && !liveReferences(e, plans).length && at - Date.parse(e.deleted_at) >= keepMs);
        const report: GcReport = { dryRun: !!options.dryRun, removed: [], contents: [], bytes: 0, keptFiles: [] };
        for (const { id, name, path, sha256, deleted_at } of victims) report.removed.push({ id, name, path, sha256, deleted_at });
        if (!options.dryRun) {
          for (const victim of victims) manifest.entries.delete(victim.id);
          if (changed || victims.length) save();
          for (const victim of victims) {
            if (!removeReadable(docs.root, victim.path, victim.sha256, docs.content.find(victim.sha256))) {
              report.keptFiles.push(`documents/${victim.path}`);
            }
          }
        }
        const victimIds = new Set(victims.map((v) => v.id));
        const kept = manifest.hashes(victimIds);
        const reachable = new Set([...kept, ...snapshotHashes]);
        // Contents an add in progress has stored but not yet recorded are spared too.
        for (const hash of docs.content.held()) reachable.add(hash);
        for (const blob of docs.content.all()) {
          if (reachable.has(blob.sha256)) continue;
          if (blob.legacy && at - blob.mtimeMs < LEGACY_GRACE_MS) continue;
          const bytes = fileSize(blob.path);
          report.contents.push({ sha256: blob.sha256, bytes });
          report.bytes += bytes;
          if (!options.dryRun) docs.content.remove(blob.sha256);
        }
        return report;
      }),
    ),
  );
}

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}
