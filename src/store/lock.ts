// The inter-process lock on flows.json (DESIGN §4 step 1): proper-lockfile's mkdir lock,
// polled with jittered backoff until a deadline, with stale locks of dead processes taken
// over. `assertHeld` is the last check before a write is published: a holder that was
// stopped (SIGSTOP, a suspended laptop) past the stale period may have lost the lock to
// someone else and must not rename its file over theirs.
import * as fs from 'node:fs';
import { statSync, type BigIntStats } from 'node:fs';
import lockfile from 'proper-lockfile';
import { FlowError } from '../domain/errors.js';

export interface LockOptions {
  /** A lock whose directory was not refreshed for this long is stale (min 2000 ms). */
  staleMs?: number;
  /** Give up (BusyError) after waiting this long. */
  timeoutMs?: number;
}

export class BusyError extends FlowError {
  constructor(file: string, waitedMs: number) {
    super('busy', `the store is busy: could not lock ${file} within ${waitedMs} ms (another writer holds it)`);
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

export async function acquireLock(file: string, options: LockOptions = {}): Promise<Lock> {
  const staleMs = Math.max(2000, options.staleMs ?? envNumber('FLOW_LOCK_STALE_MS') ?? 10_000);
  const timeoutMs = options.timeoutMs ?? envNumber('FLOW_LOCK_TIMEOUT_MS') ?? 10_000;
  const lockPath = lockPathFor(file);
  const started = Date.now();
  let compromised: Error | undefined;
  let delay = 2;
  // Once the lock was taken over, the directory is the new holder's: releasing ours (or
  // proper-lockfile's clean-up at exit) must not remove it, or a third writer gets in.
  let lost = false;
  const guardedFs = {
    ...fs,
    rmdir: (path: string, callback: (err: NodeJS.ErrnoException | null) => void) =>
      lost ? callback(null) : fs.rmdir(path, callback),
    rmdirSync: (path: string) => {
      if (!lost) fs.rmdirSync(path);
    },
  };
  for (;;) {
    try {
      const release = await lockfile.lock(file, {
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
        async release() {
          if (compromised || !stillMine()) lost = true;
          await release().catch(() => undefined);
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ELOCKED') throw err;
      const waited = Date.now() - started;
      if (waited >= timeoutMs) throw new BusyError(file, waited);
      // Jittered exponential backoff, capped so waiting writers poll a few times a
      // second and a freed lock is picked up quickly.
      await sleep(Math.min(delay * (0.5 + Math.random()), timeoutMs - waited));
      delay = Math.min(delay * 2, 100);
    }
  }
}
