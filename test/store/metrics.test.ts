// Figures a person can see (src/store/metrics.ts): the bounded log of save latencies under
// .flow/cache/, never needed to read the store, and FLOW_DEBUG=timing's phases on stderr.
import { mkdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readSaves, recordSave, SAVE_LOG, SAVES_KEPT } from '../../src/store/metrics.js';
import { Store } from '../../src/store/store.js';
import { flowSync, tempDir } from '../helpers.js';

describe('save latency log', () => {
  it('each save adds its revision and time; the log stays bounded and keeps the newest', async () => {
    const dir = tempDir('flow-metrics-');
    const store = new Store(dir);
    for (let i = 0; i < 5; i++) await store.transact((tx) => tx.forceWrite());
    const saves = readSaves(dir).saves;
    expect(saves.map((s) => s.revision)).toEqual([1, 2, 3, 4, 5]);
    for (const save of saves) {
      expect(save.ms).toBeGreaterThan(0);
      expect(Date.parse(save.at)).not.toBeNaN();
    }
    // A read-only command adds nothing.
    await store.read();
    expect(readSaves(dir).saves).toHaveLength(5);

    for (let revision = 6; revision <= 6 + 3 * SAVES_KEPT; revision++) recordSave(dir, { revision, at: new Date().toISOString(), ms: 1.5 });
    const kept = readSaves(dir).saves;
    expect(kept.length).toBeLessThanOrEqual(2 * SAVES_KEPT);
    expect(kept.length).toBeGreaterThanOrEqual(SAVES_KEPT);
    expect(kept.at(-1)?.revision).toBe(6 + 3 * SAVES_KEPT);
    expect(statSync(join(dir, SAVE_LOG)).size).toBeLessThan(2 * SAVES_KEPT * 80);
  });

  it('a damaged or unwritable log never stops a command', () => {
    const dir = tempDir('flow-metrics-bad-');
    mkdirSync(join(dir, 'cache'), { recursive: true });
    writeFileSync(join(dir, SAVE_LOG), 'not json\n{"revision":"x"}\n\u0000\u0000');
    expect(flowSync(dir, ['add', 'flow', 'One']).code).toBe(0);
    expect(readSaves(dir).saves.map((s) => s.revision)).toEqual([1]);
    rmSync(join(dir, SAVE_LOG));
    mkdirSync(join(dir, SAVE_LOG));
    const result = flowSync(dir, ['add', 'flow', 'Two']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe('');
    expect(flowSync(dir, ['list', 'flow']).stdout).toContain('Two');
  });
});

describe('FLOW_DEBUG=timing', () => {
  it('prints each phase of a command on stderr, once, and nothing without it', () => {
    const dir = tempDir('flow-timing-');
    expect(flowSync(dir, ['add', 'flow', 'One']).code).toBe(0);
    const plain = flowSync(dir, ['add', 'plan', 'P']);
    expect(plain.stderr).toBe('');
    const timed = flowSync(dir, ['add', 'task', 'T'], { env: { FLOW_DEBUG: 'timing' } });
    expect(timed.code).toBe(0);
    const lines = timed.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    for (const phase of ['start-up', 'lock', 'read', 'parse', 'validate', 'write', 'fsync', 'rename', 'total']) {
      expect(lines[0]).toMatch(new RegExp(`${phase} \\d+\\.\\d ms`));
    }
    expect(readFileSync(join(dir, 'flows.json'), 'utf8')).toContain('"T"');
  });

  it('list flow validates no flow, only the header: names and counts come from the scan', () => {
    const dir = tempDir('flow-timing-list-');
    for (const args of [['add', 'flow', 'One'], ['add', 'plan', 'P'], ['add', 'task', 'T'], ['add', 'flow', 'Two']]) expect(flowSync(dir, args).code).toBe(0);
    for (const run of ['first', 'cached']) {
      const timed = flowSync(dir, ['list', 'flow'], { env: { FLOW_DEBUG: 'timing' } });
      expect(timed.stdout, run).toContain('Two');
      // One validation (no "(2×)"): the header's, not the current flow's.
      expect(timed.stderr, run).toMatch(/validate \d+\.\d ms,/);
    }
    // Reading a flow still validates it.
    expect(flowSync(dir, ['show', 'flow'], { env: { FLOW_DEBUG: 'timing' } }).stderr).toMatch(/validate \d+\.\d ms \(2×\)/);
  });

  it('list flow with on_command hooks tells them its revision without reading the store again', () => {
    const dir = tempDir('flow-timing-hooks-');
    const env = { XDG_CONFIG_HOME: tempDir('flow-timing-home-') };
    for (const args of [['add', 'flow', 'One'], ['add', 'plan', 'P'], ['config', 'set', 'hooks.on_command', 'true']]) expect(flowSync(dir, args, { env }).code).toBe(0);
    const timed = flowSync(dir, ['list', 'flow'], { env: { ...env, FLOW_DEBUG: 'timing' } });
    expect(timed.code, timed.stderr).toBe(0);
    expect(timed.stderr).toMatch(/validate \d+\.\d ms,/);
  });
});

describe('flow stats', () => {
  it('reports counts, sizes, this load, the last save and save latency percentiles', () => {
    const dir = tempDir('flow-stats-');
    expect(flowSync(dir, ['add', 'flow', 'One']).code).toBe(0);
    expect(flowSync(dir, ['add', 'plan', 'P']).code).toBe(0);
    for (const title of ['a', 'b', 'c']) expect(flowSync(dir, ['add', 'task', title]).code).toBe(0);
    const result = flowSync(dir, ['stats', '--json']);
    expect(result.code, result.stderr).toBe(0);
    const stats = JSON.parse(result.stdout);
    expect(stats).toMatchObject({ revision: 5, counts: { flows: 1, plans: 1, tasks: 3 }, last_save: { revision: 5 }, saves: { count: 5 } });
    expect(stats.bytes.flows).toBe(statSync(join(dir, 'flows.json')).size);
    expect(stats.saves.p95).toBeGreaterThanOrEqual(stats.saves.p50);
    expect(stats.load_ms).toBeGreaterThan(0);
    expect(stats.peak_rss_bytes).toBeGreaterThan(1024 * 1024);
    const text = flowSync(dir, ['stats']).stdout;
    expect(text).toContain('1 flow, 1 plan, 3 tasks');
    expect(text).toMatch(/saves {5}p50 \d+\.\d ms, p95 \d+\.\d ms over the last 5/);
  });
});

describe('the save log is a side file like any other (DESIGN §8)', () => {
  it('damaged and hostile lines are skipped and counted; a cache/ that leads outside is neither written nor read', () => {
    const dir = tempDir('flow-metrics-hostile-');
    mkdirSync(join(dir, 'cache'), { recursive: true });
    const hostile = [
      JSON.stringify({ revision: 1, at: '\u001b]0;owned\u0007', ms: 1 }),
      JSON.stringify({ revision: -1, at: new Date().toISOString(), ms: 1 }),
      JSON.stringify({ revision: 2, at: new Date().toISOString(), ms: -5 }),
    ];
    writeFileSync(join(dir, SAVE_LOG), `${hostile.join('\n')}\n{"torn`);
    expect(flowSync(dir, ['add', 'flow', 'One']).code).toBe(0);
    const stats = JSON.parse(flowSync(dir, ['stats', '--json']).stdout);
    expect(stats.saves).toMatchObject({ count: 1, damaged: 4 });
    expect(flowSync(dir, ['stats']).stdout).toContain('(4 damaged lines of the log skipped)');

    const root = tempDir('flow-metrics-link-');
    const outside = join(root, 'outside');
    mkdirSync(outside);
    writeFileSync(join(outside, 'saves.jsonl'), `${JSON.stringify({ revision: 7, at: new Date().toISOString(), ms: 123.4 })}\n`);
    const linked = join(root, '.flow');
    mkdirSync(linked);
    symlinkSync(outside, join(linked, 'cache'));
    const r = flowSync(linked, ['add', 'flow', 'Two']);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(join(outside, 'saves.jsonl'), 'utf8')).not.toContain('"revision":1');
    expect(JSON.parse(flowSync(linked, ['stats', '--json']).stdout).saves.count).toBe(0);
  });
});
