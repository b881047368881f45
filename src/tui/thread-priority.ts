// Loader threads run below the main thread's priority, so that on a busy machine (more
// runnable threads than cores) the thread that reads keys and draws frames gets a core
// first. Linux sets nice values and scheduling policies per thread; elsewhere this does
// nothing.
import { execFileSync } from 'node:child_process';
import { readFileSync, readlinkSync } from 'node:fs';
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

/**
 * Lowers the calling thread's priority by `nice` steps, then (where chrt(1) is there)
 * puts it in Linux's SCHED_IDLE class. Nice values alone leave the main thread a share
 * like 36 to 15 against each loader when flow itself runs niced (nice 15 and the cap of
 * 19): a key's frame then waits for the loaders. An idle-class thread runs when no other
 * thread of its group wants the core, so the keys get it first and the loaders the rest.
 * Best effort: false when neither could be done.
 */
export function lowerThreadPriority(nice: number): boolean {
  const tid = threadId();
  if (tid === null || tid === process.pid) return false;
  let lowered = false;
  try {
    // setPriority sets a nice value, it does not add to one: under `nice -n 15 flow` a
    // plain 10 would raise the thread above the main thread.
    setPriority(tid, Math.min(19, getPriority(tid) + nice));
    lowered = true;
  } catch {
    // not allowed here: the idle class may still be
  }
  // Only where the kernel groups processes per session (autogroup): without it an idle
  // thread yields to every busy process on the machine, and the load could take minutes.
  if (!autogroups()) return lowered;
  try {
    execFileSync('chrt', ['--idle', '--pid', '0', String(tid)], { stdio: 'ignore', timeout: 2000 });
    return true;
  } catch {
    return lowered;
  }
}

function autogroups(): boolean {
  try {
    return readFileSync('/proc/sys/kernel/sched_autogroup_enabled', 'latin1').trim() === '1';
  } catch {
    return false;
  }
}
