// Loader threads run below the main thread's priority, so that on a busy machine (more
// runnable threads than cores) the thread that reads keys and draws frames gets a core
// first. Linux sets nice values per thread; elsewhere this does nothing.
import { readlinkSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';

/** The calling thread's kernel id (Linux), or null where threads have none we can name. */
function threadId(): number | null {
  try {
    // "<pid>/task/<tid>"
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    return Number.isInteger(tid) && tid > 0 ? tid : null;
  } catch {
    return null;
  }
}

/** Lowers the calling thread's priority by `nice` steps (best effort). */
export function lowerThreadPriority(nice: number): boolean {
  const tid = threadId();
  if (tid === null || tid === process.pid) return false;
  try {
    // setPriority sets a nice value, it does not add to one: under `nice -n 15 flow` a
    // plain 10 would raise the thread above the main thread.
    setPriority(tid, Math.min(19, getPriority(tid) + nice));
    return true;
  } catch {
    return false;
  }
}
