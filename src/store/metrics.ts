// What a person can see of flow's cost: the time of each save, kept in a small bounded
// log (.flow/cache/saves.jsonl, rebuildable, never needed to read the store), and with
// FLOW_DEBUG=timing the phases of the command on stderr when the process ends.
import { lstatSync, mkdirSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as z from 'zod/mini';
import { tempPathFor } from './atomic-write.js';
import { assertResolvesInside } from './contain.js';
import { appendLine, parseLine, readLines } from './jsonl.js';
import { once } from '../domain/once.js';

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

const SAVES = 'save log';
// Built on first read of the log: every save appends to it, few commands read it.
const schemas = once(() => {
  const SaveSchema = z.object({
    revision: z.number().check(z.int(), z.nonnegative()),
    at: z.iso.datetime(),
    ms: z.number().check(z.nonnegative()),
  });
  return { SaveSchema };
});

/** Appends one save; never fails the command that saved (the log is only a report). */
export function recordSave(dir: string, record: SaveRecord): void {
  const path = join(dir, SAVE_LOG);
  try {
    assertResolvesInside(dir, path, SAVES);
    mkdirSync(join(dir, 'cache'), { recursive: true });
    const line = JSON.stringify({ revision: record.revision, at: record.at, ms: Math.round(record.ms * 100) / 100 });
    if (appendLine(dir, path, SAVES, line, true) <= CUT_AT_BYTES) return;
    // A cache, cut back by replacing it (no fsync: losing it loses only figures); a new
    // temp file of our own, never one someone left in the way.
    const temp = tempPathFor(path);
    writeFileSync(temp, `${readSaves(dir).saves.slice(-SAVES_KEPT).map((r) => JSON.stringify(r)).join('\n')}\n`, { flag: 'wx' });
    renameSync(temp, path);
  } catch {
    // a full disk, a read-only folder, a log that leads outside: the save itself is what matters
  }
}

export interface SaveLog {
  /** The saves logged, oldest first. */
  saves: SaveRecord[];
  /** Lines that did not read as a save (torn, or written by someone else): skipped. */
  damaged: number;
}

/** The saves logged (the newest, up to twice what is kept); lines that do not read are skipped and counted. */
export function readSaves(dir: string): SaveLog {
  let read;
  try {
    read = readLines(dir, join(dir, SAVE_LOG), SAVES, CUT_AT_BYTES * 2);
  } catch {
    read = undefined; // a log that leads outside is no log of ours
  }
  const saves: SaveRecord[] = [];
  let damaged = read?.torn ? 1 : 0;
  for (const line of read?.lines ?? []) {
    const save = parseLine(schemas().SaveSchema, line);
    if (save) saves.push(save);
    else damaged++;
  }
  return { saves, damaged };
}

// ---- FLOW_DEBUG=timing ----

const PHASES = ['start-up', 'lock', 'read', 'parse', 'validate', 'write', 'fsync', 'rename'] as const;
export type Phase = (typeof PHASES)[number];

const timingOn = /(^|,)timing(,|$)/.test(process.env.FLOW_DEBUG ?? '');

/**
 * A monotonic clock in milliseconds. Not `performance.now()`: Node 20 loads perf_hooks
 * when the global `performance` is first read, ~1.5 ms of every command's start-up.
 */
export const clockMs = (): number => Number(process.hrtime.bigint()) / 1e6;
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
  const start = clockMs();
  try {
    return fn();
  } finally {
    add(phase, clockMs() - start);
  }
}

export async function timedAsync<T>(phase: Phase, fn: () => Promise<T>): Promise<T> {
  if (!timingOn) return fn();
  const start = clockMs();
  try {
    return await fn();
  } finally {
    add(phase, clockMs() - start);
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
  saves: { count: number; p50: number | null; p95: number | null; damaged: number };
}

/** Sizes on disk and save latencies of the store in `dir` (files only: nothing is parsed). */
export function storeFigures(dir: string): StoreFigures {
  const { saves, damaged } = readSaves(dir);
  const ms = saves.map((s) => s.ms);
  return {
    bytes: {
      flows: bytesOf(join(dir, 'flows.json')),
      snapshots: bytesOf(join(dir, 'snapshots')),
      undo: bytesOf(join(dir, 'undo')),
      cache: bytesOf(join(dir, 'cache')),
    },
    lastSave: saves.at(-1) ?? null,
    saves: { count: saves.length, p50: ms.length ? percentile(ms, 50) : null, p95: ms.length ? percentile(ms, 95) : null, damaged },
  };
}
