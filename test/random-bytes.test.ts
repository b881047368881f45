import { describe, expect, it } from 'vitest';
import { newId } from '../src/domain/ids.js';
import { randomBytes } from '../src/random-bytes.js';

describe('randomBytes (ids and temporary names without node:crypto)', () => {
  it('gives the number of bytes asked for, different each time, across pool refills', () => {
    const seen = new Set<string>();
    // 4096-byte pool: 3,000 × 12 bytes crosses several refills.
    for (let i = 0; i < 3000; i++) {
      const bytes = randomBytes(12);
      expect(bytes.length).toBe(12);
      seen.add(bytes.toString('hex'));
    }
    expect(seen.size).toBe(3000);
  });

  it('hands out copies: changing one does not change what comes next', () => {
    const first = randomBytes(8);
    first.fill(0);
    expect(randomBytes(8).equals(Buffer.alloc(8))).toBe(false);
  });

  it('serves sizes larger than its pool', () => {
    const big = randomBytes(10_000);
    expect(big.length).toBe(10_000);
    // 10,000 random bytes are not all one value.
    expect(new Set(big).size).toBeGreaterThan(200);
  });

  it('spreads over every base32 character of an id', () => {
    const chars = new Set<string>();
    for (let i = 0; i < 500; i++) for (const c of newId('task').slice(5)) chars.add(c);
    expect(chars.size).toBe(32);
  });
});
