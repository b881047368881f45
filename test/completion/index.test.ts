// The completion index (.flow/cache/completion.index, src/completion/flow-index.ts) as
// `flow __complete` writes and reads it: used only while flows.json is the file it was
// built from and had settled before it was read, ignored and built again otherwise, never
// believed beyond what the store itself would offer, and never written where the store
// may not be.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { withFlowIndex } from '../../src/completion/flow-index.js';
import { oneLine } from '../../src/domain/sanitize.js';
import { serialiseDocument } from '../../src/store/layout.js';
import { HOSTILE } from '../hostile.js';
import { FLOW_BIN, flowSync, tempDir, waitFor } from '../helpers.js';
import { isRoot, mountTmpfs } from '../trust/tmpfs.js';

const INDEX = join('cache', 'completion.index');

/** A store of two flows; the second (current) holds a plan of two tasks. */
function store(dir = tempDir()): string {
  for (const args of [
    ['add', 'flow', 'Project A'],
    ['add', 'flow', 'Backlog'],
    ['add', 'plan', 'Storage'],
    ['add', 'task', 'One'],
    ['add', 'task', 'Two'],
  ]) {
    expect(flowSync(dir, args).code).toBe(0);
  }
  return dir;
}

/** What `flow __complete SHELL LINE` prints, one candidate a line. */
function tab(dir: string, line: string, shell = 'bash'): string[] {
  const r = spawnSync(process.execPath, [FLOW_BIN, '__complete', shell, line], {
    encoding: 'utf8',
    env: { ...process.env, FLOW_DIR: dir, FLOW_SESSION: undefined, NO_COLOR: '1' },
  });
  expect(r.status, r.stderr).toBe(0);
  expect(r.stderr).toBe('');
  return r.stdout.split('\n').filter(Boolean);
}

const identity = (dir: string) => {
  const s = statSync(join(dir, 'flows.json'), { bigint: true });
  return `${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`;
};

/** The index's lines: what it was built from, the names, the ids, then each flow's place. */
function readIndex(dir: string): { meta: Record<string, unknown>; names: string[]; ids: string[]; places: unknown[][] } | undefined {
  try {
    const [meta, names, ids, ...places] = readFileSync(join(dir, INDEX), 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l));
    return { meta, names, ids, places };
  } catch {
    return undefined;
  }
}

function writeIndex(dir: string, index: NonNullable<ReturnType<typeof readIndex>>): void {
  writeFileSync(join(dir, INDEX), [index.meta, index.names, index.ids, ...index.places].map((v) => `${JSON.stringify(v)}\n`).join(''));
}

/** Index builders a Tab started for `dir` that are still running (`flow __complete --index DIR`). */
function builders(dir: string): number {
  let count = 0;
  for (const pid of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      if (args.includes('--index') && args.includes(dir)) count++;
    } catch {
      // gone meanwhile
    }
  }
  return count;
}

/**
 * Tabs until the index of flows.json as it is now is written (by the builder the second
 * Tab that finds the file as it is starts, once the file has settled), then waits for
 * every builder those Tabs started to finish, so that none writes after the test.
 */
async function indexed(dir: string) {
  const index = await waitFor(
    () => {
      tab(dir, 'flow use flow ');
      const index = readIndex(dir);
      return index?.meta.identity === identity(dir) && index.names && index;
    },
    { what: 'the completion index', intervalMs: 20 },
  );
  await waitFor(() => builders(dir) === 0, { what: 'the index builders to finish' });
  return index;
}

/** The index as flow wrote it, with every name replaced: what a Tab offers then came from the index. */
async function forged(dir: string) {
  const index = await indexed(dir);
  writeIndex(dir, { ...index, names: index.names.map((_, i) => `Ghost${i + 1}`) });
  expect(tab(dir, 'flow use flow ')).toEqual(['Ghost1', 'Ghost2']);
  return index;
}

const cacheFiles = (dir: string) => (existsSync(join(dir, 'cache')) ? readdirSync(join(dir, 'cache')).filter((n) => n.startsWith('completion')) : []);

describe('the completion index', () => {
  it('is written once flows.json has settled, keyed by its inode, size, mtime and ctime, and answers Tabs', async () => {
    const dir = store();
    // The command line's saves do not write it (they do not pay for it): a Tab does.
    expect(cacheFiles(dir)).toEqual([]);
    const index = await indexed(dir);
    expect(index.meta).toMatchObject({ format: 'flow completion index', version: 1, identity: identity(dir), flows: 2 });
    expect(index.names).toEqual(['Project A', 'Backlog']);
    expect(index.places.map((p) => p[0])).toEqual(index.ids);
    // The names a Tab offers are the index's (so a Tab at 10k flows does not read the file).
    await forged(dir);
    // Tasks and plans are read from the lines it points to.
    expect(tab(dir, 'flow done task ')).toEqual(['1', '2']);
    expect(tab(dir, 'flow use plan ')).toEqual(['Storage']);
    expect(cacheFiles(dir)).toEqual(['completion.index']);
  });

  it('Tabs in a row start one builder: the first to find the file seen notes that a builder is at work', async () => {
    const dir = store();
    const names = (index: { names(): { names: readonly string[] } | undefined }) => index.names()?.names;
    let started = 0;
    const buildLater = () => {
      started++;
      return true; // started elsewhere (this one never finishes)
    };
    // The first look notes the file as seen, once it has settled.
    await waitFor(() => {
      withFlowIndex(dir, names, buildLater);
      return readIndex(dir)?.meta.identity === identity(dir);
    });
    expect(started).toBe(0);
    for (let i = 0; i < 5; i++) expect(withFlowIndex(dir, names, buildLater)).toBeUndefined();
    expect(started).toBe(1);
    expect(readIndex(dir)?.meta).toMatchObject({ identity: identity(dir), building: expect.stringMatching(/^\d+$/) });
    // A real builder then writes the index, which the next look uses.
    expect(spawnSync(process.execPath, [FLOW_BIN, '__complete', '--index', dir]).status).toBe(0);
    expect(withFlowIndex(dir, names, buildLater)).toEqual(['Project A', 'Backlog']);
    expect(started).toBe(1);
  });

  it('a builder marker dated in the future (a clock set back, a forged one) does not hold builds off', async () => {
    const dir = store();
    let started = 0;
    const buildLater = () => {
      started++;
      return true;
    };
    await waitFor(() => {
      withFlowIndex(dir, () => undefined, buildLater);
      return readIndex(dir)?.meta.identity === identity(dir);
    });
    const meta = readIndex(dir)!.meta;
    writeFileSync(join(dir, INDEX), `${JSON.stringify({ ...meta, building: String(BigInt(Date.now() + 3_600_000) * 1_000_000n) })}\n`);
    withFlowIndex(dir, () => undefined, buildLater);
    expect(started).toBe(1);
  });

  it('is built after the second Tab that finds the same file, by a process of its own: the first reads only what its word needs and notes the file as seen', async () => {
    const dir = store();
    const seen = await waitFor(() => {
      expect(tab(dir, 'flow done task ')).toEqual(['1', '2']);
      return readIndex(dir);
    });
    expect(seen.meta.identity).toBe(identity(dir));
    expect(seen.names).toBeUndefined();
    // The second Tab answers as the first did, and leaves the building to another process.
    expect(tab(dir, 'flow done task ')).toEqual(['1', '2']);
    const built = await waitFor(() => readIndex(dir)?.names, { what: 'the index built in the background' });
    expect(built).toEqual(['Project A', 'Backlog']);
  });

  it('flow __complete --index DIR builds the index of a settled file, and does nothing for a folder without one', async () => {
    const dir = store();
    await waitFor(() => Date.now() - statSync(join(dir, 'flows.json')).ctimeMs > 60, { what: 'flows.json to settle' });
    const run = (target: string) => spawnSync(process.execPath, [FLOW_BIN, '__complete', '--index', target], { encoding: 'utf8' });
    const made = run(dir);
    expect(made.status).toBe(0);
    expect(made.stdout).toBe('');
    expect(readIndex(dir)?.names).toEqual(['Project A', 'Backlog']);
    const empty = join(tempDir(), '.flow');
    expect(run(empty).status).toBe(0);
    expect(existsSync(join(empty, INDEX))).toBe(false);
  });

  it('is built through a buffer that moves along the file: lines across its edges and lines longer than it', async () => {
    const dir = store();
    const file = join(dir, 'flows.json');
    const { flows, ...header } = JSON.parse(readFileSync(file, 'utf8'));
    const [first, second] = Object.values(flows) as Record<string, unknown>[];
    // 3 MB of lines of about 1 KB, and one line of 1.5 MB (past the 1 MB buffer) among them.
    const made = Array.from({ length: 3000 }, (_, i) => ({ id: `flow_made${i}`, name: `Made ${i}`, plans: [], note: 'x'.repeat(1000 + (i % 7)) }));
    made[1500] = { ...made[1500], note: 'y'.repeat(1.5 * 2 ** 20) };
    const all = [first, ...made, second] as { id: string; name: string }[];
    writeFileSync(file, serialiseDocument(header, all.map((f) => [f.id, f])));
    const index = await indexed(dir);
    expect(index.names).toEqual(all.map((f) => f.name));
    const bytes = readFileSync(file);
    for (const [id, offset, length] of index.places as [string, number, number][]) {
      expect(bytes.toString('utf8', offset - 1, offset + 6 + id.length)).toBe(`\n    "${id}"`);
      expect([0x2c, 0x0a]).toContain(bytes[offset + length]);
    }
    expect(tab(dir, 'flow done task ')).toEqual(['1', '2']);
    expect(tab(dir, 'flow use flow Made\\ 299')).toEqual(['Made\\ 299', 'Made\\ 2990', 'Made\\ 2991', 'Made\\ 2992', 'Made\\ 2993', 'Made\\ 2994', 'Made\\ 2995', 'Made\\ 2996', 'Made\\ 2997', 'Made\\ 2998', 'Made\\ 2999']);
  });

  it('once stale, still says where the scope flow’s line starts for the first Tab after a save (a hint, checked)', async () => {
    const dir = store();
    const file = join(dir, 'flows.json');
    const backlog = (await indexed(dir)).ids[1];
    const lineOf = () => withFlowIndex(dir, (i) => i.line(backlog) ?? undefined)?.toString();
    // A save that changes only the last flow (and the header's revision and writer).
    expect(flowSync(dir, ['add', 'task', 'Three']).code).toBe(0);
    expect(lineOf()).toMatch(new RegExp(`^    "${backlog}": .*"title":"Three"`));
    expect(tab(dir, 'flow done task ')).toEqual(['1', '2', '3']);

    // A header that grew by a field moves every line by as much.
    await indexed(dir);
    writeFileSync(`${file}.new`, readFileSync(file, 'utf8').replace('\n  "flows": {', '\n  "grown": "by a field",\n  "flows": {'));
    renameSync(`${file}.new`, file);
    expect(lineOf()).toMatch(new RegExp(`^    "${backlog}": .*"title":"Three"`));

    // A hint that points at another flow's line is not taken; the Tab reads the file.
    const fresh = await indexed(dir);
    const [a, b] = fresh.places;
    writeIndex(dir, { ...fresh, places: [[a[0], b[1], b[2]], [b[0], a[1], a[2]]] });
    expect(flowSync(dir, ['add', 'task', 'Four']).code).toBe(0);
    expect(lineOf()).toBeUndefined();
    expect(tab(dir, 'flow done task ')).toEqual(['1', '2', '3', '4']);
  });

  it('is stale after an outside write, even one of the same size in place: the next Tab reads the file and builds it again', async () => {
    const dir = store();
    await forged(dir);
    const file = join(dir, 'flows.json');
    // Another program renames a flow in place: same inode, same size.
    const before = statSync(file);
    writeFileSync(file, readFileSync(file, 'utf8').replace('"name":"Backlog"', '"name":"Backlox"'), { flag: 'r+' });
    expect(statSync(file).ino).toBe(before.ino);
    expect(statSync(file).size).toBe(before.size);
    expect(tab(dir, 'flow use flow ')).toEqual(['Project\\ A', 'Backlox']);
    // And one that replaces the file (as flow does) with a new flow.
    expect(flowSync(dir, ['add', 'flow', 'Third']).code).toBe(0);
    expect(tab(dir, 'flow use flow ')).toEqual(['Project\\ A', 'Backlox', 'Third']);
    expect((await indexed(dir)).names).toEqual(['Project A', 'Backlox', 'Third']);
    expect(tab(dir, 'flow use flow T')).toEqual(['Third']);
  });

  it('is not trusted when flows.json changed within the margin of its read (racy-git rule), nor written for a file with an mtime to come', async () => {
    const dir = store();
    const index = await forged(dir);
    const file = join(dir, 'flows.json');
    // The same file, but the index claims to have read it as it was being written.
    const { ctimeNs } = statSync(file, { bigint: true });
    writeIndex(dir, { ...index, names: ['Ghost1', 'Ghost2'], meta: { ...index.meta, readAt: String(ctimeNs + 10_000_000n) } });
    expect(tab(dir, 'flow use flow ')).toEqual(['Project\\ A', 'Backlog']);
    // Rebuilt, with a read time well after the file's last change.
    const rebuilt = await indexed(dir);
    expect(BigInt(rebuilt.meta.readAt as string) - ctimeNs).toBeGreaterThan(50_000_000n);
    expect(rebuilt.names).toEqual(['Project A', 'Backlog']);

    // A file whose mtime is in the future never settles: every Tab reads it, none writes an index.
    rmSync(join(dir, INDEX));
    const future = new Date(Date.now() + 3_600_000);
    utimesSync(file, future, future);
    const changed = Date.now();
    await waitFor(() => {
      expect(tab(dir, 'flow use flow ')).toEqual(['Project\\ A', 'Backlog']);
      // Long past the margin for the ctime the utimes call set.
      return Date.now() - changed > 300;
    });
    expect(tab(dir, 'flow done task ')).toEqual(['1', '2']);
    // A builder started by one of those Tabs has finished and written nothing either.
    await waitFor(() => builders(dir) === 0, { what: 'the index builders to finish' });
    expect(cacheFiles(dir)).toEqual([]);
  });

  it('that is damaged is ignored and built again', async () => {
    const dir = store();
    await indexed(dir);
    const whole = readFileSync(join(dir, INDEX));
    const damaged = [
      Buffer.from('not an index\n'),
      whole.subarray(0, Math.floor(whole.length / 2)),
      Buffer.from(''),
      Buffer.from(`${whole.toString('utf8').split('\n')[0]}\n["only one name"]\n`),
      // A first line that holds, over names that do not (one name for two flows).
      Buffer.from(whole.toString('utf8').replace(/\n\[[^\n]*\]\n/, '\n["only one name"]\n')),
      Buffer.from(whole.toString('utf8').replace('"version":1', '"version":2')),
      Buffer.from(whole.toString('utf8').replace(/"format":"[^"]*"/, '"__proto__":{"format":"flow completion index"}')),
    ];
    for (const bytes of damaged) {
      writeFileSync(join(dir, INDEX), bytes);
      expect(tab(dir, 'flow use flow ')).toEqual(['Project\\ A', 'Backlog']);
      expect(tab(dir, 'flow done task ')).toEqual(['1', '2']);
      expect((await indexed(dir)).names).toEqual(['Project A', 'Backlog']);
    }
  });

  it('that is hostile is data: its names reach the shell only as the store’s would, and a line it points to is checked', async () => {
    const dir = store();
    const index = await indexed(dir);
    const hostile = Object.values(HOSTILE);
    writeIndex(dir, { ...index, meta: { ...index.meta, flows: hostile.length }, names: hostile, ids: hostile, places: [] });
    const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202e\u2066\u2069\u2028]/;
    for (const shell of ['bash', 'zsh', 'fish']) {
      const names = tab(dir, 'flow use flow ', shell);
      const numbers = tab(dir, 'flow use flow 1', shell);
      expect(numbers.length).toBeGreaterThan(0);
      for (const out of [...names, ...numbers]) expect(out).not.toMatch(CONTROL);
      // Only a name that is one harmless line as it is can be inserted.
      expect(names).toHaveLength(hostile.filter((h) => oneLine(h) === h).length);
    }
    // Places that lie: one flow's id at the other's line, offsets past the file, negative, huge.
    const [a, b] = index.places;
    for (const places of [
      [[a[0], b[1], b[2]], [b[0], a[1], a[2]]],
      [a, [b[0], 10_000_000, 5]],
      [a, [b[0], -5, 10]],
      [a, [b[0], b[1], Number.MAX_SAFE_INTEGER]],
      [a, [b[0], 'x', b[2]]],
      [a, [b[0]]],
    ]) {
      writeIndex(dir, { ...index, places });
      expect(tab(dir, 'flow done task ')).toEqual(['1', '2']);
      expect(tab(dir, 'flow use plan ')).toEqual(['Storage']);
      // Found out, it is built again.
      expect((await indexed(dir)).places).toEqual(index.places);
    }
  });

  it('is made with .flow/cache when that is missing; a cache that is a file or leads outside is not written into', async () => {
    const dir = store();
    rmSync(join(dir, 'cache'), { recursive: true, force: true });
    expect((await indexed(dir)).names).toEqual(['Project A', 'Backlog']);

    rmSync(join(dir, 'cache'), { recursive: true });
    writeFileSync(join(dir, 'cache'), 'not a folder');
    expect(tab(dir, 'flow use flow ')).toEqual(['Project\\ A', 'Backlog']);
    expect(tab(dir, 'flow done task ')).toEqual(['1', '2']);
    await waitFor(() => builders(dir) === 0, { what: 'the index builders to finish' });
    expect(readFileSync(join(dir, 'cache'), 'utf8')).toBe('not a folder');

    const outside = tempDir();
    rmSync(join(dir, 'cache'));
    symlinkSync(outside, join(dir, 'cache'));
    expect(tab(dir, 'flow use flow ')).toEqual(['Project\\ A', 'Backlog']);
    expect(tab(dir, 'flow use flow ')).toEqual(['Project\\ A', 'Backlog']);
    await waitFor(() => builders(dir) === 0, { what: 'the index builders to finish' });
    expect(readdirSync(outside)).toEqual([]);
  });

  it('in a read-only store is neither written nor needed: Tabs read the file', async () => {
    const dir = store();
    rmSync(join(dir, 'cache'), { recursive: true, force: true });
    chmodSync(dir, 0o555);
    try {
      expect(tab(dir, 'flow use flow ')).toEqual(['Project\\ A', 'Backlog']);
      expect(tab(dir, 'flow done task ')).toEqual(['1', '2']);
      expect(tab(dir, 'flow done task ')).toEqual(['1', '2']);
      await waitFor(() => builders(dir) === 0, { what: 'the index builders to finish' });
      expect(existsSync(join(dir, 'cache'))).toBe(false);
    } finally {
      chmodSync(dir, 0o755);
    }
  });

  it.skipIf(!isRoot)('on a read-only file system is neither written nor needed (root)', () => {
    const mount = mountTmpfs();
    const dir = join(mount, '.flow');
    mkdirSync(dir);
    store(dir);
    rmSync(join(dir, 'cache'), { recursive: true, force: true });
    execFileSync('mount', ['-o', 'remount,ro', mount]);
    expect(tab(dir, 'flow use flow ')).toEqual(['Project\\ A', 'Backlog']);
    expect(tab(dir, 'flow use plan ')).toEqual(['Storage']);
    expect(existsSync(join(dir, 'cache'))).toBe(false);
  });
});
