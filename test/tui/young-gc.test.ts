// collectYoung (young-gc.ts): the load asks V8 for a young-generation collection after
// each chunk it takes in; it must be one (a scavenge), run during the call.
import { constants, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { collectYoung } from '../../src/tui/young-gc.js';
import { waitFor } from '../helpers.js';

describe('collectYoung', () => {
  it('runs a scavenge during the call', async () => {
    const entries: Array<{ kind: number; start: number }> = [];
    const observer = new PerformanceObserver((list) => {
      for (const entry of list.getEntries() as Array<PerformanceEntry & { detail?: { kind?: number } }>) entries.push({ kind: entry.detail?.kind ?? -1, start: entry.startTime });
    });
    observer.observe({ entryTypes: ['gc'] });
    try {
      const from = performance.now();
      expect(collectYoung()).toBe(true);
      const to = performance.now();
      const during = () => entries.filter((e) => e.start >= from && e.start <= to);
      await waitFor(() => during().length > 0, { what: 'a collection during the call' });
      expect(during().map((e) => e.kind)).toEqual([constants.NODE_PERFORMANCE_GC_MINOR]);
    } finally {
      observer.disconnect();
    }
  });
});
