// The inter-process lock on flows.json (DESIGN §4 step 1): proper-lockfile's mkdir lock,
// polled with jittered backoff until a deadline, with stale locks of dead processes taken
// over. `assertHeld` is the last check before a write is published: a holder that was
// stopped (SIGSTOP, a suspended laptop) past the stale period may have lost the lock to
// someone else and must not rename its file over theirs.
//
// Locks flow did not make are met too: a regular file named like the lock (what other
// lock libraries leave behind) is a foreign lock, taken over once it is stale like any
// other; a lock whose mtime lies further in the future than the stale period (a clock
// set wrong, a file copied from another machine) counts as stale rather than blocking
// every write until that time.
import { lstatSync, mkdirSync, realpathSync, rmdirSync, statSync, unlinkSync, utimesSync, type BigIntStats } from 'node:fs';
import { basename } from 'node:path';
import { FlowError } from '../domain/errors.js';

export interface LockOptions {
  /** A lock whose directory was not refreshed for this long is stale (min 2000 ms). */
  staleMs?: number;
  /** Give up (BusyError) after waiting this long. */
  timeoutMs?: number;
}

export class BusyError extends FlowError {
  constructor(file: string, waitedMs: number, foreign?: string) {
    super(
      'busy',
      foreign
        ? `the store is busy: ${foreign} was in the way for ${waitedMs} ms`
        : `the store is busy: could not lock ${file} within ${waitedMs} ms (another writer holds it)`,
    );
  }
}

export class LockLostError extends FlowError {
  constructor(reason: string) {
    super('busy', `lost the lock on the store before saving (${reason}); nothing was written`);
  }
}

export interface Lock {
  /** Throws LockLostError unless this process still owns the lock and it is fresh. */
  assertHeld(): void;
  /**
   * Marks the lock fresh now. Long synchronous work under the lock calls it between
   * steps, so a blocked event loop (which delays proper-lockfile's own refresh) never
   * lets the lock go stale and be taken over.
   */
  refresh(): void;
  release(): Promise<void>;
}

function envNumber(name: string): number | undefined {
  const value = Number(process.env[name]);
  return Number.isFinite(value) && value > 0 ? value : undefined;
}

export function lockPathFor(file: string): string {
  return `${file}.lock`;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function lstatOrUndefined(path: string): BigIntStats | undefined {
  try {
    return lstatSync(path, { bigint: true });
  } catch {
    return undefined;
  }
}

/** Stale: not refreshed for the stale period, or dated further ahead than that. */
function isStale(stat: BigIntStats, staleMs: number, at = Date.now()): boolean {
  const mtimeMs = Number(stat.mtimeMs);
  return mtimeMs < at - staleMs || mtimeMs > at + staleMs;
}

/**
 * Takes a lock out of the way that proper-lockfile would not: a non-directory (foreign)
 * one once stale, or a directory dated in the future. Only the entry judged stale is
 * removed: if it was replaced meanwhile (a new holder), it stays. Returns what was in
 * the way and is still there, for the busy message.
 */
function clearUnusableLock(lockPath: string, staleMs: number): string | undefined {
  const stat = lstatOrUndefined(lockPath);
  if (!stat) return undefined;
  const foreign = !stat.isDirectory();
  if (!isStale(stat, staleMs)) {
    return foreign
      ? `${basename(lockPath)} is a file, not a lock flow made (another program's lock?); flow takes it over once it is ` +
          `${Math.round(staleMs / 1000)} s old, or remove it if no program is using it`
      : undefined;
  }
  // Only a foreign lock or a future-dated one is ours to clear; proper-lockfile takes
  // over locks that are simply old.
  if (!foreign && Number(stat.mtimeMs) <= Date.now()) return undefined;
  const again = lstatOrUndefined(lockPath);
  if (!again || again.ino !== stat.ino || again.birthtimeNs !== stat.birthtimeNs) return undefined;
  try {
    if (foreign) unlinkSync(lockPath);
    else rmdirSync(lockPath);
  } catch {
    // someone else cleared or replaced it: try to lock again either way
  }
  return undefined;
}

export async function acquireLock(file: string, options: LockOptions = {}): Promise<Lock> {
  // Loaded with the first lock: at load it hooks 17 signals for its clean-up at exit
  // (0.5 ms in, 0.3 ms out), which a command that only reads does without.
  const { default: lockfile } = await import('proper-lockfile');
  const staleMs = Math.max(2000, options.staleMs ?? envNumber('FLOW_LOCK_STALE_MS') ?? 10_000);
  const timeoutMs = options.timeoutMs ?? envNumber('FLOW_LOCK_TIMEOUT_MS') ?? 10_000;
  const lockPath = lockPathFor(file);
  const started = Date.now();
  let compromised: Error | undefined;
  let delay = 2;
  let inTheWay: string | undefined;
  // Once the lock was taken over, the directory is the new holder's: releasing ours (or
  // proper-lockfile's clean-up at exit) must not remove it, or a third writer gets in.
  let lost = false;
  // proper-lockfile takes a changed mtime for a lost lock. After refresh() set one
  // itself, its check is shown the mtime it last set, so both refreshes coexist.
  let libraryMtime: Date | undefined;
  let refreshedMs: number | undefined;
  // What proper-lockfile calls of its `fs`, synchronously (its lockSync: a lock is a
  // mkdir and a stat, and the thread pool that async calls need costs a command more to
  // start than they take). Named, not spread from node:fs, which would load fs.promises.
  const guardedFs = {
    mkdirSync,
    realpathSync,
    rmdirSync: (path: string) => {
      if (!lost) rmdirSync(path);
    },
    utimesSync: (path: string, atime: Date, mtime: Date) => {
      utimesSync(path, atime, mtime);
      if (path === lockPath) {
        libraryMtime = mtime;
        refreshedMs = undefined;
      }
    },
    statSync: (path: string) => {
      const found = statSync(path);
      if (path === lockPath && libraryMtime && refreshedMs !== undefined && found.mtimeMs === refreshedMs) {
        Object.defineProperty(found, 'mtime', { value: libraryMtime });
      }
      return found;
    },
  };
  for (;;) {
    try {
      const release = lockfile.lockSync(file, {
        fs: guardedFs,
        realpath: false,
        stale: staleMs,
        update: Math.floor(staleMs / 4),
        retries: 0,
        onCompromised: (err) => {
          compromised = err;
        },
      });
      // The lock directory's identity: if a taker removes and re-creates it, the inode
      // may be reused but the birth time will differ.
      const mine = statSync(lockPath, { bigint: true });
      const stillMine = (): BigIntStats | undefined => {
        try {
          const now = statSync(lockPath, { bigint: true });
          return now.ino === mine.ino && now.birthtimeNs === mine.birthtimeNs ? now : undefined;
        } catch {
          return undefined;
        }
      };
      return {
        assertHeld() {
          if (compromised) throw new LockLostError(compromised.message);
          const now = stillMine();
          if (!now) {
            compromised = new Error('another process took the lock over');
            throw new LockLostError(compromised.message);
          }
          const ageMs = Date.now() - Number(now.mtimeMs);
          if (ageMs > staleMs) throw new LockLostError(`not refreshed for ${ageMs} ms`);
        },
        refresh() {
          if (compromised || lost || !stillMine()) return;
          const at = new Date();
          utimesSync(lockPath, at, at);
          refreshedMs = statSync(lockPath).mtimeMs;
        },
        async release() {
          if (compromised || !stillMine()) lost = true;
          try {
            release();
          } catch {
            // already released, or taken over: nothing of ours to remove
          }
        },
      };
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      // ENOTDIR: proper-lockfile found a stale lock that is a file and could not rmdir it.
      if (code !== 'ELOCKED' && code !== 'ENOTDIR') throw err;
      inTheWay = clearUnusableLock(lockPath, staleMs);
      const waited = Date.now() - started;
      if (waited >= timeoutMs) throw new BusyError(file, waited, inTheWay);
      // Jittered exponential backoff, capped so waiting writers poll a few times a
      // second and a freed lock is picked up quickly.
      await sleep(Math.min(delay * (0.5 + Math.random()), timeoutMs - waited));
      delay = Math.min(delay * 2, 100);
    }
  }
}
