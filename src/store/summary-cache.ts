// .flow/cache/summaries.json: what `list flow` shows of every flow (its own fields and
// counts, in file order), kept for the flows.json it was made from. A listing of a file
// that has not changed since the last one reads this instead of every flow line (issue
// 15: reads that need little read little; at 1k flows the scan is most of `list flow`).
//
// Derived, never needed, never believed beyond its key: it is used only while flows.json
// is the very file it was made from (inode, size, mtime, ctime) and that file had settled
// before it was read (identity.ts). Anything else (stale, racy, damaged, hostile) is
// ignored, and the listing that found it so writes a new one. It is data, never code
// (DESIGN §8): it is read only inside .flow/, its values are checked for their shape, and
// what it says reaches a terminal only through the sanitizer, as store data does.
// Written to a temp file and renamed, without fsync or a lock: a lost or torn cache is
// only a slower listing, and of two listings either one's cache is as good as the other's.
import { join } from 'node:path';
import { readCacheFile, writeCacheFile } from './cache-file.js';
import type { Identity } from './identity.js';
import { ownFields, type FlowSummary } from './summary.js';

export const SUMMARY_CACHE_FILE = join('cache', 'summaries.json');
const FORMAT = 'flow summaries';
const VERSION = 1;
const WHAT = 'the summary cache';

/** The summaries of one flows.json, by what identifies that file. */
export interface SummaryCache {
  /** The summaries in file order, keyed by flow id; undefined when there are none to trust. */
  read(): Map<string, FlowSummary> | undefined;
  write(summaries: ReadonlyMap<string, FlowSummary>): void;
}

const isCount = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 0;

/** One entry `[id, fields, plans, total, done]`, checked; undefined for anything else. */
function entryOf(raw: unknown): [string, FlowSummary] | undefined {
  if (!Array.isArray(raw) || raw.length !== 5) return undefined;
  const [id, fields, plans, total, done] = raw as unknown[];
  if (typeof id !== 'string' || typeof fields !== 'object' || fields === null || 'plans' in fields) return undefined;
  // The flow's own fields as a scan of its line checks them.
  const own = ownFields(id, fields);
  if (!own || !isCount(plans) || !isCount(total) || !isCount(done) || done > total) return undefined;
  return [id, { fields: own, plans, total, done }];
}

export function summaryCache(dir: string, identity: Identity): SummaryCache {
  return {
    read() {
      const bytes = readCacheFile(dir, SUMMARY_CACHE_FILE, WHAT);
      let raw: unknown;
      try {
        raw = bytes && JSON.parse(bytes.toString('utf8'));
      } catch {
        return undefined;
      }
      if (typeof raw !== 'object' || raw === null) return undefined;
      const { format, version, identity: key, flows } = raw as Record<string, unknown>;
      if (format !== FORMAT || version !== VERSION || key !== identity || !Array.isArray(flows)) return undefined;
      const out = new Map<string, FlowSummary>();
      for (const item of flows) {
        const entry = entryOf(item);
        if (!entry || out.has(entry[0])) return undefined;
        out.set(entry[0], entry[1]);
      }
      return out;
    },
    write(summaries) {
      const flows = [...summaries].map(([id, s]) => [id, s.fields, s.plans, s.total, s.done]);
      // A read-only or full store lists all the same, only without the shortcut.
      writeCacheFile(dir, SUMMARY_CACHE_FILE, WHAT, JSON.stringify({ format: FORMAT, version: VERSION, identity, flows }));
    },
  };
}
