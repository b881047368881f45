// `check doc` (issue 13 item 3): every document's content is re-read against its hash,
// every readable file compared with it. A readable file renamed or moved by hand inside
// documents/ is found again by its hash and the manifest follows it; one that is gone is
// reported (and stays in the manifest), never dropped. Hashing happens before the
// manifest lock is taken; the fixes are applied under it, to the newest manifest.
import { lstatSync } from 'node:fs';
import { basename, join } from 'node:path';
import { now } from '../domain/time.js';
import { BLOBS_DIR, hashFileSync, LARGE_DIR } from './content-store.js';
import { DamagedEntryError } from '../store/contain.js';
import { UnsafePathError } from './contain.js';
import type { Documents, Existing } from './documents.js';
import { homePlan } from './documents.js';
import { updateManifest, type DocumentEntry } from './manifest.js';
import { placeReadable, readableFiles, readableState, type ReadableState } from './readable.js';
import { reconcile } from './references.js';
import { SUMMARY_NAME } from './sources.js';
import { mirrorSummary } from './summary.js';

export type FindingKind =
  | 'relinked' // found again elsewhere by its hash; the manifest now points there
  | 'restored' // the readable file was put back from the store (--restore)
  | 'missing' // the readable file is gone (the content is still stored)
  | 'changed' // the readable file holds other content than the manifest says
  | 'content-missing' // the stored content is gone
  | 'content-damaged' // the stored content no longer has its hash
  | 'unsafe' // a path that leaves documents/ or goes through a symbolic link
  | 'damaged-entry'; // a manifest entry that does not validate

/** Kinds that leave the document as it should be: check exits 0 for them. */
const FIXED: ReadonlySet<FindingKind> = new Set(['relinked', 'restored']);

export interface Finding {
  kind: FindingKind;
  id: string;
  path?: string;
  message: string;
}

export interface CheckReport {
  checked: number;
  findings: Finding[];
  /** True when nothing is left that needs a person. */
  ok: boolean;
}

interface Seen {
  entry: DocumentEntry;
  state: ReadableState | 'unsafe';
}

export async function checkDocuments(docs: Documents, existing: Existing, options: { restore?: boolean } = {}): Promise<CheckReport> {
  const findings: Finding[] = [];
  const manifest = docs.read();
  const seen: Seen[] = [];
  for (const entry of manifest.list()) {
    if (entry.deleted_at) continue;
    const blob = await docs.contentPath(entry);
    if (!blob) {
      findings.push({ kind: 'content-missing', id: entry.id, path: entry.path, message: `the stored content of ${entry.id} (${entry.sha256.slice(0, 12)}…) is gone` });
    } else if (hashFileSync(blob) !== entry.sha256) {
      findings.push({
        kind: 'content-damaged',
        id: entry.id,
        path: entry.path,
        message: `the stored content of ${entry.id} was changed in place (through documents/${entry.path}?); add the file again to keep the new text as a new version`,
      });
    }
    try {
      seen.push({ entry, state: readableState(docs.root, entry.path, entry.sha256, blob) });
    } catch (err) {
      if (!(err instanceof UnsafePathError || err instanceof DamagedEntryError)) throw err;
      seen.push({ entry, state: 'unsafe' });
      findings.push({ kind: 'unsafe', id: entry.id, path: entry.path, message: err.message });
    }
  }
  for (const { key, reason } of manifest.damaged) {
    findings.push({ kind: 'damaged-entry', id: key, message: `manifest entry ${key} is damaged and skipped: ${reason}` });
  }
  const missing = seen.filter((s) => s.state === 'missing');
  const candidates = missing.length ? unknownFilesByHash(docs, new Set(manifest.list().map((e) => e.path))) : new Map<string, string[]>();

  await updateManifest(docs.dir, (current, save) => {
    let changed = false;
    const taken = new Set<string>();
    for (const { entry: seenEntry, state } of seen) {
      const entry = current.get(seenEntry.id);
      // Changed by another writer since it was looked at: the next check sees it.
      if (!entry || entry.path !== seenEntry.path || entry.sha256 !== seenEntry.sha256) continue;
      if (state === 'changed' || state === 'foreign-link' || state === 'not-a-file') {
        findings.push({
          kind: 'changed',
          id: entry.id,
          path: entry.path,
          message: `documents/${entry.path} is not the document's content any more (${state}); the stored content is unchanged`,
        });
      }
      if (state !== 'missing') continue;
      const found = (candidates.get(entry.sha256) ?? [])
        .filter((path) => !taken.has(path) && !current.atPath(path))
        .sort((a, b) => Number(a.startsWith(`${homePlan(entry)}/`)) - Number(b.startsWith(`${homePlan(entry)}/`)))
        .pop();
      if (found) {
        taken.add(found);
        findings.push({ kind: 'relinked', id: entry.id, path: found, message: `${entry.id} was moved by hand from documents/${entry.path} to documents/${found}; the manifest follows it` });
        entry.path = found;
        entry.name = basename(found);
        entry.updated = now();
        changed = true;
        continue;
      }
      const blob = docs.content.find(entry.sha256);
      if (options.restore && blob) {
        placeReadable(docs.root, entry.path, blob, entry.storage_type === 'lfs');
        findings.push({ kind: 'restored', id: entry.id, path: entry.path, message: `documents/${entry.path} was put back from the store` });
        continue;
      }
      findings.push({
        kind: 'missing',
        id: entry.id,
        path: entry.path,
        message: `documents/${entry.path} is gone; ${entry.id} stays in the manifest${blob ? ' and its content is stored: `flow check doc --restore` puts the file back, `flow rm doc` removes the document' : ''}`,
      });
    }
    // References are counted again against the plans that exist now.
    const plans = existing(current.list().flatMap((e) => e.plans));
    const at = now();
    for (const entry of current.list()) changed = reconcile(entry, plans, at) || changed;
    if (changed) save();
    for (const [planId, plan] of plans) mirrorSummary(docs.root, planId, plan.summary);
  });
  return { checked: seen.length, findings, ok: findings.every((f) => FIXED.has(f.kind)) };
}

/** Files under documents/ that no document names, by content hash. */
function unknownFilesByHash(docs: Documents, known: ReadonlySet<string>): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const path of readableFiles(docs.root, new Set([BLOBS_DIR, LARGE_DIR, '.gitattributes']))) {
    if (known.has(path) || basename(path) === SUMMARY_NAME) continue;
    const full = join(docs.root, path);
    let hash: string;
    try {
      // Only files: a symbolic link someone left here is never followed out of documents/.
      if (!lstatSync(full).isFile()) continue;
      hash = hashFileSync(full);
    } catch {
      continue; // removed meanwhile
    }
    out.set(hash, [...(out.get(hash) ?? []), path]);
  }
  return out;
}
