// Random bytes for ids and temporary names without loading node:crypto, whose first
// require (with the stream modules it pulls in) costs ~4 ms of every command's start-up
// (issue 15). Bytes come from the kernel's CSPRNG (/dev/urandom), read a pool at a time;
// where that device is missing (Windows), from crypto.randomBytes.
import { closeSync, openSync, readSync } from 'node:fs';
import { nodeCrypto } from './node-modules.js';

const POOL_SIZE = 4096;
let pool: Buffer | undefined;
let used = POOL_SIZE;

function refill(): Buffer {
  const next = Buffer.allocUnsafe(POOL_SIZE);
  try {
    const fd = openSync('/dev/urandom', 'r');
    try {
      let filled = 0;
      while (filled < POOL_SIZE) filled += readSync(fd, next, filled, POOL_SIZE - filled, null);
    } finally {
      closeSync(fd);
    }
  } catch {
    nodeCrypto().randomFillSync(next);
  }
  used = 0;
  return next;
}

/** `n` random bytes (a copy: callers may keep or change them). */
export function randomBytes(n: number): Buffer {
  if (n > POOL_SIZE) return nodeCrypto().randomBytes(n);
  if (pool === undefined || used + n > POOL_SIZE) pool = refill();
  const out = Buffer.from(pool.subarray(used, used + n));
  // What was handed out is never handed out again.
  pool.fill(0, used, used + n);
  used += n;
  return out;
}
