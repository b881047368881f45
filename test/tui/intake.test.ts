// The intake queue of a big store's load (intake.ts): what the loader threads parsed is
// taken in one piece per turn of the event loop, in order, and never right after a key.
import { afterEach, describe, expect, it } from 'vitest';
import { IntakeQueue, noteKey } from '../../src/tui/intake.js';
import { waitFor } from '../helpers.js';

afterEach(() => noteKey(-Infinity));

describe('intake queue', () => {
  it('runs the pieces in the order pushed, one per turn: what a piece lets wait runs before the next', async () => {
    const queue = new IntakeQueue();
    const log: string[] = [];
    queue.push(() => {
      log.push('a');
      // Stands for I/O (a key) that comes while a piece is taken in.
      setImmediate(() => log.push('io'));
    });
    queue.push(() => log.push('b'));
    queue.push(() => log.push('c'));
    expect(log).toEqual([]);
    await waitFor(() => log.length === 4, { what: 'every piece' });
    expect(log).toEqual(['a', 'io', 'b', 'c']);
  });

  it('takes nothing within its hold after a key, then goes on', async () => {
    let clock = 100;
    const queue = new IntakeQueue(12, () => clock);
    const log: string[] = [];
    noteKey(95);
    queue.push(() => log.push('a'));
    // Turns pass (the queue looks at the clock again), the key's hold is not over.
    await new Promise((r) => setTimeout(r, 30));
    expect(log).toEqual([]);
    clock = 107;
    await waitFor(() => log.length === 1, { what: 'the piece after the hold' });
    // Another key on the way: the next piece waits for its hold too.
    noteKey(107);
    queue.push(() => log.push('b'));
    await new Promise((r) => setTimeout(r, 30));
    expect(log).toEqual(['a']);
    clock = 120;
    await waitFor(() => log.length === 2, { what: 'the second piece' });
    expect(log).toEqual(['a', 'b']);
  });

  it('with no key, a piece pushed later runs in the next turn', async () => {
    const queue = new IntakeQueue();
    let ran = false;
    queue.push(() => (ran = true));
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    expect(ran).toBe(true);
  });
});
