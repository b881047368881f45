// What a person can see of flow's cost: the time of each save, kept in a small bounded
// log (.flow/cache/saves.jsonl, rebuildable, never needed to read the store), and with
// FLOW_DEBUG=timing the phases of the command on stderr when the process ends.
import { closeSync, constants, fstatSync, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export const SAVE_LOG = join('cache', 'saves.jsonl');

/** Saves kept; the log is cut back to this many once it holds twice as many. */
export const SAVES_KEPT = 1000;
/** A line is about 80 bytes: past this size the log is cut back. */
const CUT_AT_BYTES = SAVES_KEPT * 2 * 80;

export interface SaveRecord {
  revision: number;
  /** When the save finished (ISO time). */
  at: string;
  /** From asking for the lock to the file renamed and the folder synced. */
  ms: number;
}

/** Appends one save; never fails the command that saved (the log is only a report). */
export function recordSave(dir: string, record: SaveRecord): void {
  const path = join(dir, SAVE_LOG);
  try {
    mkdirSync(join(dir, 'cache'), { recursive: true });
    const fd = openSync(path, constants.O_RDWR | constants.O_APPEND | constants.O_CREAT, 0o644);
    let size: number;
    try {
      // After a torn last line, start a new one rather than join it.
      const last = Buffer.alloc(1);
      const before = fstatSync(fd).size;
      const torn = before > 0 && readSync(fd, last, 0, 1, before - 1) === 1 && last[0] !== 0x0a;
      const line = JSON.stringify({ revision: record.revision, at: record.at, ms: Math.round(record.ms * 100) / 100 });
      writeSync(fd, `${torn ? '\n' : ''}${line}\n`);
      size = fstatSync(fd).size;
    } finally {
      closeSync(fd);
    }
    if (size <= CUT_AT_BYTES) return;
    // A cache, cut back by replacing it (no fsync: losing it loses only figures).
    const temp = `${path}.tmp-${process.pid}`;
    writeFileSync(temp, `${readSaves(dir).slice(-SAVES_KEPT).map((r) => JSON.stringify(r)).join('\n')}\n`);
    renameSync(temp, path);
  } catch {
    // a full disk or a read-only folder: the save itself is what matters
  }
}

/** The saves logged, oldest first; lines that do not read are skipped. */
export function readSaves(dir: string): SaveRecord[] {
  let text: string;
  try {
    text = readFileSync(join(dir, SAVE_LOG), 'utf8');
  } catch {
    return [];
  }
  const out: SaveRecord[] = [];
  for (const line of text.split('\n')) {
    try {
      const r = JSON.parse(line) as Partial<SaveRecord>;
      if (typeof r.revision === 'number' && typeof r.at === 'string' && typeof r.ms === 'number') out.push({ revision: r.revision, at: r.at, ms: r.ms });
    } catch {
      // empty or torn
    }
  }
  return out;
}

// ---- FLOW_DEBUG=timing ----

const PHASES = ['start-up', 'lock', 'read', 'parse', 'validate', 'write', 'fsync', 'rename'] as const;
export type Phase = (typeof PHASES)[number];

const timingOn = /(^|,)timing(,|$)/.test(process.env.FLOW_DEBUG ?? '');
const spent = new Map<Phase, { ms: number; count: number }>();

function add(phase: Phase, ms: number): void {
  const entry = spent.get(phase) ?? { ms: 0, count: 0 };
  entry.ms += ms;
  entry.count++;
  spent.set(phase, entry);
}

/** Runs `fn`, counting its time under `phase` when FLOW_DEBUG=timing. */
export function timed<T>(phase: Phase, fn: () => T): T {
  if (!timingOn) return fn();
  const start = performance.now();
  try {
    return fn();
  } finally {
    add(phase, performance.now() - start);
  }
}

export async function timedAsync<T>(phase: Phase, fn: () => Promise<T>): Promise<T> {
  if (!timingOn) return fn();
  const start = performance.now();
  try {
    return await fn();
  } finally {
    add(phase, performance.now() - start);
  }
}

/** The time from the process's start to the store being opened, counted once. */
export function markStartUp(): void {
  if (timingOn && !spent.has('start-up')) add('start-up', performance.now());
}

/** One line: each phase's total (and how many times, when more than once), then the whole run. */
export function timingLine(): string {
  const parts = PHASES.filter((p) => spent.has(p)).map((p) => {
    const { ms, count } = spent.get(p) as { ms: number; count: number };
    return `${p} ${ms.toFixed(1)} ms${count > 1 ? ` (${count}×)` : ''}`;
  });
  return `flow timing: ${[...parts, `total ${performance.now().toFixed(1)} ms`].join(', ')}`;
}

if (timingOn) process.on('exit', () => process.stderr.write(`${timingLine()}\n`));

/** The p-th percentile (0–100) of some values, by rank. */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** Bytes a file, or every file under a folder, takes (0 when missing). */
function bytesOf(path: string): number {
  let stat;
  try {
    stat = lstatSync(path);
  } catch {
    return 0;
  }
  if (!stat.isDirectory()) return stat.isFile() ? stat.size : 0;
  return readdirSync(path).reduce((sum, name) => sum + bytesOf(join(path, name)), 0);
}

export interface StoreFigures {
  bytes: { flows: number; snapshots: number; undo: number; cache: number };
  /** The newest save logged, and latency over the last saves logged. */
  lastSave: SaveRecord | null;
  saves: { count: number; p50: number | null; p95: number | null };
}

/** Sizes on disk and save latencies of the store in `dir` (files only: nothing is parsed). */
export function storeFigures(dir: string): StoreFigures {
  const saves = readSaves(dir);
  const ms = saves.map((s) => s.ms);
  return {
    bytes: {
      flows: bytesOf(join(dir, 'flows.json')),
      snapshots: bytesOf(join(dir, 'snapshots')),
      undo: bytesOf(join(dir, 'undo')),
      cache: bytesOf(join(dir, 'cache')),
    },
    lastSave: saves.at(-1) ?? null,
    saves: { count: saves.length, p50: ms.length ? percentile(ms, 50) : null, p95: ms.length ? percentile(ms, 95) : null },
  };
}
