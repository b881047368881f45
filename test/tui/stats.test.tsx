// The help overlay shows the store's figures as `flow stats` prints them (issue 15 item
// 6): counts from the tree, sizes on disk, this workspace's load, the last save and the
// save latencies from the log, and this process's peak memory.
import { afterEach, describe, expect, it } from 'vitest';
import { createHarness, KEY, plain, seedFixture, stopAll } from './harness.js';

afterEach(stopAll);

describe('figures in the help', () => {
  it('? shows counts, sizes, load, the last save, save latency and peak memory; they follow a change', async () => {
    const h = await createHarness({ seed: seedFixture, size: { columns: 100, rows: 40 } });
    await h.press('?');
    await h.waitForText('This store (flow stats)');
    const frame = plain(h.lastFrame());
    expect(frame).toMatch(/revision \d+: 1 flow, 2 plans, 5 tasks, 0 documents/);
    expect(frame).toMatch(/on disk   flows\.json \d[\d.]* (B|KB)/);
    expect(frame).toMatch(/load      \d+\.\d ms \(the whole store, at start\)/);
    expect(frame).toMatch(/last save \d+\.\d ms \(revision \d+, /);
    expect(frame).toMatch(/saves     p50 \d+\.\d ms, p95 \d+\.\d ms over the last \d+/);
    expect(frame).toMatch(/memory    peak \d[\d.]* MB \(this workspace\)/);
    // The tree's keys still start right after the figures.
    expect(frame).toContain('Tree');
    await h.press(KEY.escape);
    await h.press('j', 'a');
    await h.type('One more');
    await h.press(KEY.enter);
    await h.waitForFrame(() => plain(h.lastFrame()).includes('One more'), 'the new task');
    await h.press('?');
    await h.waitForFrame((f) => /1 flow, 2 plans, 6 tasks/.test(plain(f)), 'the count after the change');
  });
});
