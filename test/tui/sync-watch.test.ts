// When the workspace reads its sync figures: a local look first, then a fetch once a
// minute, a local look a little after each change, and never a fetch without a remote.
// The clock is vitest's: minutes pass in an instant, and nothing is left to chance.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { SyncReading } from '../../src/tui/sync-probe.js';
import { FETCH_EVERY_MS, SyncWatch } from '../../src/tui/sync-watch.js';

const ON: SyncReading = { kind: 'on', remote: 'origin/main', unsynced: 0, waiting: 0, wouldConflict: 0 };
const OFF: SyncReading = { kind: 'off', reason: 'no remote' };

function watched(reading: SyncReading) {
  const calls: boolean[] = [];
  const reports: unknown[] = [];
  const watch = new SyncWatch(
    async (fetch) => {
      calls.push(fetch);
      return reading;
    },
    (r) => reports.push(r),
  );
  return { watch, calls, reports };
}

/** Runs what is due now, and what that schedules for now (a reading's follow-up; a
 * timer of 0 ms set while timers run is due a millisecond later, as in Node). */
async function due(): Promise<void> {
  for (let i = 0; i < 3; i++) await vi.advanceTimersByTimeAsync(1);
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('SyncWatch', () => {
  it('without a remote it never fetches: a local look once a minute', async () => {
    const { watch, calls, reports } = watched(OFF);
    watch.start();
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    watch.changed();
    await vi.advanceTimersByTimeAsync(60_000);
    watch.stop();
    expect(calls.length).toBeGreaterThanOrEqual(10);
    expect(calls.every((fetch) => !fetch)).toBe(true);
    expect(reports[0]).toEqual(OFF);
  });

  it('with a remote: local first, a fetch right after, then one a minute; a change is looked at 2 s later', async () => {
    const { watch, calls } = watched(ON);
    watch.start();
    await due();
    expect(calls).toEqual([false, true]);
    watch.changed();
    watch.changed();
    await vi.advanceTimersByTimeAsync(1_900);
    expect(calls).toEqual([false, true]);
    await vi.advanceTimersByTimeAsync(200);
    // A burst of changes is one look.
    expect(calls).toEqual([false, true, false]);
    await vi.advanceTimersByTimeAsync(FETCH_EVERY_MS);
    expect(calls).toEqual([false, true, false, true]);
    watch.stop();
  });

  it('reads nothing while a sync of its own runs, and looks again (without a fetch) when it is done', async () => {
    const { watch, calls, reports } = watched(ON);
    watch.start();
    await due();
    watch.pause();
    watch.changed();
    await vi.advanceTimersByTimeAsync(5 * FETCH_EVERY_MS);
    expect(calls).toEqual([false, true]);
    const before = reports.length;
    watch.resume(true);
    await due();
    expect(calls).toEqual([false, true, false]);
    expect(reports.length).toBe(before + 1);
    // The sync fetched: the next fetch is a minute after it.
    await vi.advanceTimersByTimeAsync(FETCH_EVERY_MS - 100);
    expect(calls.filter(Boolean)).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(200);
    expect(calls.filter(Boolean)).toHaveLength(2);
    watch.stop();
  });
});
