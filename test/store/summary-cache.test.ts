// list flow keeps what it shows of every flow in .flow/cache/summaries.json for the very
// flows.json it read (issue 15): trusted only for that file once settled, ignored when
// stale, racy, damaged or hostile, and never followed out of .flow/.
import { existsSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SETTLE_NS } from '../../src/store/identity.js';
import { SUMMARY_CACHE_FILE } from '../../src/store/summary-cache.js';
import { flowInProcess, tempDir, waitFor } from '../helpers.js';

const settleMs = Number(SETTLE_NS / 1_000_000n);

/** Waits until flows.json's last change is older than the racy margin (a condition on its ctime, not a fixed sleep). */
async function settledStore(dir: string): Promise<void> {
  const changed = () => Math.max(statSync(join(dir, 'flows.json')).ctimeMs, statSync(join(dir, 'flows.json')).mtimeMs);
  await waitFor(() => Date.now() - changed() > settleMs + 5, { what: 'flows.json to settle' });
}

async function storeWith(names: string[]): Promise<string> {
  const dir = join(tempDir(), '.flow');
  for (const name of names) expect((await flowInProcess(dir, ['add', 'flow', name, '--quiet'])).code).toBe(0);
  return dir;
}

const cacheOf = (dir: string) => JSON.parse(readFileSync(join(dir, SUMMARY_CACHE_FILE), 'utf8')) as { identity: string; flows: unknown[][] };
const list = async (dir: string) => {
  const result = await flowInProcess(dir, ['list', 'flow']);
  expect(result.code, result.stderr).toBe(0);
  return result.stdout;
};

describe('the summary cache of list flow', () => {
  it('is written by a listing of a settled file and used by the next one', async () => {
    const dir = await storeWith(['Alpha', 'Beta']);
    await settledStore(dir);
    expect(await list(dir)).toMatch(/Alpha[\s\S]*Beta/);
    const cache = cacheOf(dir);
    expect(cache.flows.map((entry) => (entry[1] as { name: string }).name)).toEqual(['Alpha', 'Beta']);
    // What the next listing shows comes from the cache while flows.json is that file.
    (cache.flows[1][1] as { name: string }).name = 'From the cache';
    writeFileSync(join(dir, SUMMARY_CACHE_FILE), JSON.stringify(cache));
    expect(await list(dir)).toContain('From the cache');
  });

  it('gives back every own field of a flow, other tools’ fields too, as the file holds them', async () => {
    const dir = await storeWith(['Alpha', 'Beta']);
    const file = join(dir, 'flows.json');
    writeFileSync(file, readFileSync(file, 'utf8').replace('"name":"Beta"', '"name":"Beta","color":"red","meta":{"by":"tool"}'));
    await settledStore(dir);
    const fromFile = await flowInProcess(dir, ['list', 'flow', '--json']);
    expect(cacheOf(dir).flows[1][1]).toMatchObject({ name: 'Beta', color: 'red', meta: { by: 'tool' } });
    const fromCache = await flowInProcess(dir, ['list', 'flow', '--json']);
    expect(JSON.parse(fromCache.stdout)).toEqual(JSON.parse(fromFile.stdout));
    expect(JSON.parse(fromCache.stdout)[1]).toMatchObject({ name: 'Beta', color: 'red', meta: { by: 'tool' } });
    expect(Object.keys(JSON.parse(fromCache.stdout)[1])).toEqual(Object.keys(JSON.parse(fromFile.stdout)[1]));
  });

  it('is not believed once flows.json changed, by flow or by another program', async () => {
    const dir = await storeWith(['Alpha']);
    await settledStore(dir);
    await list(dir);
    expect((await flowInProcess(dir, ['add', 'flow', 'Gamma', '--quiet'])).code).toBe(0);
    await settledStore(dir);
    expect(await list(dir)).toContain('Gamma');
    // An outside edit of the same length: inode, size, mtime or ctime still tell.
    const file = join(dir, 'flows.json');
    writeFileSync(file, readFileSync(file, 'utf8').replace('"Gamma"', '"Delta"'));
    await settledStore(dir);
    expect(await list(dir)).toContain('Delta');
  });

  it('is not written for a file that changed just before it was read (racy)', async () => {
    const dir = await storeWith(['Alpha']);
    // A file stamped in the future has, as far as the clock can tell, not settled.
    const future = new Date(Date.now() + 60_000);
    utimesSync(join(dir, 'flows.json'), future, future);
    expect(await list(dir)).toContain('Alpha');
    expect(existsSync(join(dir, SUMMARY_CACHE_FILE))).toBe(false);
  });

  it.each([
    ['not JSON', () => '{"format":'],
    ['another version', (identity: string) => JSON.stringify({ format: 'flow summaries', version: 2, identity, flows: [] })],
    ['a count that is not one', (identity: string) => JSON.stringify({ format: 'flow summaries', version: 1, identity, flows: [['x', { id: 'x', name: 'X' }, -1, 0, 0]] })],
    ['more done than tasks', (identity: string) => JSON.stringify({ format: 'flow summaries', version: 1, identity, flows: [['x', { id: 'x', name: 'X' }, 0, 1, 2]] })],
    ['an id twice', (identity: string) => JSON.stringify({ format: 'flow summaries', version: 1, identity, flows: [['x', { id: 'x', name: 'X' }, 0, 0, 0], ['x', { id: 'x', name: 'X' }, 0, 0, 0]] })],
    ['an entry whose fields name another flow', (identity: string) => JSON.stringify({ format: 'flow summaries', version: 1, identity, flows: [['x', { id: 'y', name: 'X' }, 0, 0, 0]] })],
  ])('is ignored and written again when it holds %s', async (_what, content) => {
    const dir = await storeWith(['Alpha']);
    await settledStore(dir);
    await list(dir);
    const { identity } = cacheOf(dir);
    writeFileSync(join(dir, SUMMARY_CACHE_FILE), content(identity));
    expect(await list(dir)).toContain('Alpha');
    expect(cacheOf(dir).flows.map((entry) => entry[0])).toHaveLength(1);
    expect((cacheOf(dir).flows[0][1] as { name: string }).name).toBe('Alpha');
  });

  it('is not believed for flows the file does not hold, nor in another order, nor for fields the schema refuses', async () => {
    const dir = await storeWith(['Alpha', 'Beta']);
    await settledStore(dir);
    await list(dir);
    const cache = cacheOf(dir);
    const variants = [
      // A flow that is not in flows.json, with the file's own key.
      { ...cache, flows: [...cache.flows, ['flow_ghost', { id: 'flow_ghost', name: 'Ghost' }, 0, 0, 0]] },
      // The file's flows in another order.
      { ...cache, flows: [...cache.flows].reverse() },
      // A created that is no timestamp.
      { ...cache, flows: cache.flows.map((entry, i) => (i === 0 ? [entry[0], { ...(entry[1] as object), created: 5 }, ...entry.slice(2)] : entry)) },
    ];
    for (const variant of variants) {
      writeFileSync(join(dir, SUMMARY_CACHE_FILE), JSON.stringify(variant));
      const shown = await list(dir);
      expect(shown).not.toContain('Ghost');
      expect(shown).toMatch(/1\. .*Alpha[\s\S]*2\. .*Beta/);
    }
    writeFileSync(join(dir, SUMMARY_CACHE_FILE), JSON.stringify(variants[0]));
    const ghost = await flowInProcess(dir, ['show', 'flow', 'Ghost']);
    expect(ghost.code).toBe(1);
    expect(ghost.stderr).not.toContain('internal error');
  });

  it('shows what it holds only through the sanitizer', async () => {
    const dir = await storeWith(['Alpha']);
    await settledStore(dir);
    await list(dir);
    const cache = cacheOf(dir);
    (cache.flows[0][1] as { name: string }).name = 'evil\u001b]52;c;aGk=\u0007\u001b[2J';
    writeFileSync(join(dir, SUMMARY_CACHE_FILE), JSON.stringify(cache));
    const shown = await list(dir);
    expect(shown).toContain('evil');
    expect(shown).not.toContain('\u001b');
    expect(shown).not.toContain('\u0007');
  });

  it('is neither read nor written through a link that leads out of .flow/', async () => {
    const dir = await storeWith(['Alpha']);
    await settledStore(dir);
    await list(dir);
    const outside = join(tempDir(), 'elsewhere.json');
    const cache = cacheOf(dir);
    (cache.flows[0][1] as { name: string }).name = 'From outside';
    writeFileSync(outside, JSON.stringify(cache));
    const before = readFileSync(outside, 'utf8');
    const link = join(dir, SUMMARY_CACHE_FILE);
    rmSync(link);
    symlinkSync(outside, link);
    const shown = await list(dir);
    expect(shown).toContain('Alpha');
    expect(shown).not.toContain('From outside');
    expect(readFileSync(outside, 'utf8')).toBe(before);
  });

  it('is not written into a cache folder that leads out of .flow/', async () => {
    const dir = await storeWith(['Alpha']);
    await settledStore(dir);
    const outside = tempDir();
    rmSync(join(dir, 'cache'), { recursive: true, force: true });
    symlinkSync(outside, join(dir, 'cache'));
    expect(await list(dir)).toContain('Alpha');
    expect(existsSync(join(outside, 'summaries.json'))).toBe(false);
  });

  it('a store whose cache cannot be written lists all the same', async () => {
    const dir = await storeWith(['Alpha']);
    await settledStore(dir);
    // A file where the cache folder would be: nothing can be written under it.
    rmSync(join(dir, 'cache'), { recursive: true, force: true });
    writeFileSync(join(dir, 'cache'), 'not a folder');
    expect(await list(dir)).toContain('Alpha');
    expect(readFileSync(join(dir, 'cache'), 'utf8')).toBe('not a folder');
  });
});
