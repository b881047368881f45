// Corrupt inputs (DESIGN §4 "Unreadable file …"): every one ends in a quarantine file
// identical to the input and a clear message; none silently becomes an empty store. What
// still reads in the damaged file itself is kept (DESIGN §8: no acknowledged write is
// rolled back): each case says which flows of the fixture survive.
//
// Each input is written as .flow/flows.json and opened through the library (read(),
// transact(), readAll()) and, for a representative subset, through the real `flow`
// process. Real files throughout; no fs mocks.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FlowError } from '../../src/domain/errors.js';
import { createFlow, createPlan, createTask } from '../../src/domain/tree.js';
import { Image, serialiseDocument } from '../../src/store/layout.js';
import { quarantineReplacing } from '../../src/store/quarantine.js';
import { Store } from '../../src/store/store.js';
import type { Transaction } from '../../src/store/state.js';
import { flowSync, json, readStore, ROOT, tempDir } from '../helpers.js';
import { random } from '../../bench/fixtures.js';

// ---------------------------------------------------------------------------------------
// Inputs and checks

type Input = { bytes: Buffer } | { folder: Record<string, Buffer> };

interface Case {
  name: string;
  input: Input;
  /** file_revision of the recovered store; undefined: not asserted (see truncation). */
  revision?: number;
  /** Flows of the fixture that still read in the damaged file and are kept, in order (default: none). */
  kept?: readonly string[];
}

const STORE = 'flows.json';
const QUARANTINE_NAME = /^flows\.json\.corrupt\.\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\.\d{3}Z(-\d+)?$/;

/** A fresh data directory (<tmp>/.flow), as `--dir` and `new Store()` expect it. */
function dataDir(): string {
  const dir = join(tempDir('flow-corrupt-'), '.flow');
  mkdirSync(dir, { recursive: true });
  return dir;
}

function bytes(text: string | Buffer): Input {
  return { bytes: Buffer.isBuffer(text) ? text : Buffer.from(text, 'utf8') };
}

/** Writes the input as flows.json, replacing whatever is there (file or folder). */
function plant(dir: string, input: Input): void {
  const file = join(dir, STORE);
  rmSync(file, { recursive: true, force: true });
  if ('bytes' in input) {
    writeFileSync(file, input.bytes);
    return;
  }
  mkdirSync(file);
  for (const [rel, content] of Object.entries(input.folder)) {
    const path = join(file, rel);
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, content);
  }
}

/** Every file under a folder, relative path → bytes. */
function tree(root: string): Record<string, Buffer> {
  const out: Record<string, Buffer> = {};
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else out[relative(root, path)] = readFileSync(path);
    }
  };
  walk(root);
  return out;
}

function expectIdentical(path: string, input: Input): void {
  if ('bytes' in input) {
    expect(statSync(path).isFile(), `${path} is a file`).toBe(true);
    const got = readFileSync(path);
    expect(got.length, 'quarantined size').toBe(input.bytes.length);
    expect(got.equals(input.bytes), 'quarantined bytes are the input, unchanged').toBe(true);
  } else {
    expect(statSync(path).isDirectory(), `${path} is a folder`).toBe(true);
    const got = tree(path);
    expect(Object.keys(got).sort()).toEqual(Object.keys(input.folder).sort());
    for (const [rel, content] of Object.entries(input.folder)) {
      expect(got[rel].equals(content), `${rel} unchanged`).toBe(true);
    }
  }
}

function quarantineFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((name) => name.startsWith(`${STORE}.corrupt.`))
    .sort();
}

/**
 * flows.json is a valid 3.0 store in flow's layout holding exactly the `kept` flows of
 * the fixture, unchanged (none: an empty store); returns its revision.
 */
function expectRecovered(dir: string, revision: number | undefined, kept: readonly string[] = []): number {
  const file = join(dir, STORE);
  expect(statSync(file).isFile(), 'flows.json is a file again').toBe(true);
  const buf = readFileSync(file);
  expect(Image.fromBytes(buf), 'recovered store is in flow layout').toBeDefined();
  const doc = JSON.parse(buf.toString('utf8'));
  expect(doc.version).toBe('3.0');
  expect(Object.keys(doc.flows), 'the flows that still read are kept').toEqual(kept);
  for (const id of kept) expect(doc.flows[id], `flow ${id} as it was`).toEqual(DOC.flows[id]);
  const current = doc.current_flow_id ?? null;
  if (current !== null) expect(kept, 'the current flow is one that was kept').toContain(current);
  expect(Number.isInteger(doc.meta.file_revision)).toBe(true);
  expect(doc.meta.file_revision).toBeGreaterThanOrEqual(1);
  if (revision !== undefined) expect(doc.meta.file_revision, 'revision continues from the corrupt file').toBe(revision);
  return doc.meta.file_revision;
}

/** The promise must reject with FlowError 'unreadable' naming the quarantine file. */
async function expectUnreadable(promise: Promise<unknown>): Promise<FlowError> {
  const outcome = await promise.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
  expect(outcome.ok, 'a corrupt store must never open as if it were fine (or empty)').toBe(false);
  const error = (outcome as { error: unknown }).error;
  expect(error, `rejected with ${String(error)}`).toBeInstanceOf(FlowError);
  expect((error as FlowError).code).toBe('unreadable');
  return error as FlowError;
}

/** A transaction the way a command runs one: it reads the current flow first. */
const readCurrent = (tx: Transaction) => {
  if (tx.currentFlowId) tx.flow(tx.currentFlowId);
};

function newQuarantine(dir: string, before: string[]): string {
  const after = quarantineFiles(dir);
  expect(after, 'exactly one new quarantine file').toHaveLength(before.length + 1);
  for (const name of before) expect(after, 'an earlier quarantine file is kept').toContain(name);
  const [added] = after.filter((name) => !before.includes(name));
  expect(added).toMatch(QUARANTINE_NAME);
  return join(dir, added);
}

interface Fingerprint {
  ino: bigint;
  mtimeNs: bigint;
}
const fingerprint = (path: string): Fingerprint => {
  const s = lstatSync(path, { bigint: true });
  return { ino: s.ino, mtimeNs: s.mtimeNs };
};

/**
 * The whole library round: read() quarantines, a second corruption met by transact()
 * quarantines again without touching the first file, then the store works normally.
 */
async function libraryRound(c: Case): Promise<void> {
  const dir = dataDir();
  plant(dir, c.input);
  const err1 = await expectUnreadable(new Store(dir).read());
  const first = newQuarantine(dir, []);
  expectIdentical(first, c.input);
  expect(err1.message, 'the message names the quarantine file').toContain(first);
  expect(err1.details?.quarantined_to).toBe(first);
  const revision = expectRecovered(dir, c.revision, c.kept);
  const firstPrint = fingerprint(first);

  // The same corruption again, met by a writer: a second file, the first untouched.
  plant(dir, c.input);
  const err2 = await expectUnreadable(new Store(dir, { warn: () => {} }).transact(readCurrent));
  const second = newQuarantine(dir, [relative(dir, first)]);
  expect(second).not.toBe(first);
  expect(err2.message).toContain(second);
  expectIdentical(second, c.input);
  expectIdentical(first, c.input);
  expect(fingerprint(first), 'first quarantine file not replaced').toEqual(firstPrint);
  expectRecovered(dir, c.revision, c.kept);

  // And the next command works normally.
  const store = new Store(dir);
  const added = await store.addFlow('after recovery');
  const all = await store.readAll();
  expect(all.flows.map((f) => f.id)).toEqual([...(c.kept ?? []), added.id]);
  expect(all.view.revision).toBe(revision + 1);
  expect(quarantineFiles(dir)).toHaveLength(2);
}

/** The real `flow` process (the built dist/), run synchronously. */
function cli(dir: string, args: string[]) {
  awaitDist();
  return flowSync(dir, args);
}

/** A corrupt store met by a real process: exit 5, the quarantine path on stderr. */
function cliMeets(dir: string, input: Input, command: string[], mode: 'human' | 'json'): string {
  const before = quarantineFiles(dir);
  plant(dir, input);
  const r = cli(dir, mode === 'json' ? ['--json', ...command] : command);
  expect(r.code, r.stderr).toBe(5);
  expect(r.stdout).toBe('');
  const path = newQuarantine(dir, before);
  expectIdentical(path, input);
  if (mode === 'human') {
    expect(r.stderr, 'stderr names the quarantine file').toContain(path);
    expect(r.stderr).toMatch(/^flow: flows\.json could not be read/m);
  } else {
    // Every stderr line is JSON; exactly one is the error, and it is the last.
    const docs = r.stderr
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    const errors = docs.filter((d) => 'error' in d);
    expect(errors).toHaveLength(1);
    expect(docs[docs.length - 1]).toBe(errors[0]);
    expect(errors[0].error).toMatchObject({ code: 'unreadable', quarantined_to: path });
    expect(errors[0].error.message).toContain(path);
  }
  return path;
}

/** cliMeets, then the store holds what was kept and the next command works normally. */
function cliRound(c: Case, command: string[], mode: 'human' | 'json'): void {
  const dir = dataDir();
  cliMeets(dir, c.input, command, mode);
  const revision = expectRecovered(dir, c.revision, c.kept);
  const r = cli(dir, ['--json', 'add', 'flow', 'After recovery']);
  expect(r.code, r.stderr).toBe(0);
  const created = json(r);
  const doc = readStore(dir);
  expect(Object.keys(doc.flows)).toEqual([...(c.kept ?? []), created.id]);
  expect(doc.meta.file_revision).toBe(revision + 1);
  expect(quarantineFiles(dir)).toHaveLength(1);
}

// ---------------------------------------------------------------------------------------
// Fixture: a multi-flow store written by the Store itself

/** The document in flow's layout, exactly as the Store would write it. */
function layoutOf(doc: any): Buffer {
  const { flows, ...header } = doc;
  return Buffer.from(serialiseDocument(header, Object.entries(flows)));
}
const prettyOf = (doc: any): Buffer => Buffer.from(JSON.stringify(doc, null, 2));

function cliBuilt(): void {
  if (existsSync(join(ROOT, 'dist', 'cli.cjs'))) return;
  const build = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build.js')], { cwd: ROOT, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`build failed: ${build.stderr}`);
}

/** Other runs in this checkout rebuild dist/ (rm, then write): wait for it to be back. */
function awaitDist(): void {
  const cli = join(ROOT, 'dist', 'cli.cjs');
  for (let waited = 0; !existsSync(cli) && waited < 20_000; waited += 50) {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
  }
}

async function buildFixture() {
  const dir = dataDir();
  const store = new Store(dir);
  const ids: string[] = [];
  for (const name of ['Alpha', 'Ünïcödé ✓ 流れ', 'Gamma "quoted"', 'Delta']) {
    const commit = await store.transact((tx) => {
      const flow = createFlow(name);
      for (const title of ['Storage', 'Interface']) {
        const plan = createPlan({ title: `${title} of ${name}` });
        for (const t of ['one', 'two', 'three']) plan.tasks.push(createTask({ title: `${t} ${name}`, tags: ['x'] }));
        plan.tasks[0].subtasks.push(createTask({ title: 'nested', status: 'done' }));
        flow.plans.push(plan);
      }
      tx.addFlow(flow);
      tx.setCurrentFlow(flow.id);
      return flow.id;
    });
    ids.push(commit.value);
  }
  for (let i = 0; i < 8; i++) await store.save(); // a two-digit revision
  await store.setCurrent(ids[1]);
  const layout = readFileSync(join(dir, STORE));
  const doc = JSON.parse(layout.toString('utf8'));
  return { layout, doc, ids };
}

// Built at collection time (top-level await) so every case below is its own test.
cliBuilt();
const FIXTURE = await buildFixture();
const LAYOUT: Buffer = FIXTURE.layout; // flows.json as the Store writes it (one flow per line)
const DOC: any = FIXTURE.doc; // the same, parsed
const PRETTY: Buffer = prettyOf(DOC); // JSON.stringify(DOC, null, 2)
const R: number = DOC.meta.file_revision;
const [FIRST, CURRENT, , LAST] = FIXTURE.ids; // current: a flow in the middle of the file
const clone = (): any => structuredClone(DOC);

/** The file's bytes with the line of flow `id` passed through `edit`. */
function editFlowLine(id: string, edit: (line: string) => string): Buffer {
  const lines = LAYOUT.toString('utf8').split('\n');
  const i = lines.findIndex((line) => line.startsWith(`    ${JSON.stringify(id)}: `));
  if (i < 0) throw new Error(`no line for ${id}`);
  lines[i] = edit(lines[i]);
  return Buffer.from(lines.join('\n'));
}

// ---------------------------------------------------------------------------------------
// The cases

function randomBytes(seed: number, length: number): Buffer {
  // Deterministic bytes, so a failure reproduces.
  const next = random(seed);
  const buf = Buffer.alloc(length);
  for (let i = 0; i < length; i++) buf[i] = Math.floor(next() * 256);
  return buf;
}

const DEEP = 100_000;

/** Revision expected after recovering a file cut at `offset` (undefined: cut inside the number). */
function revisionAfterCut(prefix: Buffer): number | undefined {
  const match = /"file_revision"\s*:\s*(\d+)/.exec(prefix.toString('latin1'));
  if (!match) return 1;
  if (match[1] === String(R)) return R + 1;
  return undefined; // the cut fell inside the digits: a shorter number is all that is left
}

function spread(max: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => Math.round((i * max) / (count - 1)));
}

/**
 * The flows a cut file still holds whole: in flow's layout, every flow line that ends
 * before the cut (once the `"flows"` line is complete); in any other layout, none.
 */
function keptAfterCut(whole: Buffer, offset: number, layout: boolean): string[] {
  const open = whole.indexOf('\n  "flows": {');
  if (!layout || open < 0 || offset < open + '\n  "flows": {'.length) return [];
  return Object.keys(DOC.flows).filter((id) => {
    const start = whole.indexOf(`\n    ${JSON.stringify(id)}: `);
    const end = whole.indexOf('\n', start + 1);
    return (whole[end - 1] === 0x2c ? end - 1 : end) <= offset;
  });
}

function truncationCases(name: string, whole: Buffer, lastCut: number, atLines: boolean): Case[] {
  const multibyte = whole.indexOf(Buffer.from('流')) + 1; // inside a 3-byte character
  const lines: number[] = [];
  if (atLines) for (let i = whole.indexOf(10); i >= 0; i = whole.indexOf(10, i + 1)) lines.push(i, i + 1);
  const offsets = new Set([...spread(lastCut, 28), 1, 2, multibyte, ...lines.filter((o) => o <= lastCut)]);
  return [...offsets]
    .filter((o) => o >= 0 && o <= lastCut)
    .sort((a, b) => a - b)
    .map((offset) => {
      const cut = Buffer.from(whole.subarray(0, offset));
      return {
        name: `${name} cut at byte ${offset}/${whole.length}`,
        input: { bytes: cut },
        revision: revisionAfterCut(cut),
        kept: keptAfterCut(whole, offset, atLines),
      };
    });
}

function withCurrentFlow(edit: (flow: any) => void): any {
  const doc = clone();
  edit(doc.flows[CURRENT]);
  return doc;
}

const ALL = (): string[] => Object.keys(DOC.flows);
const ALL_BUT_CURRENT = (): string[] => ALL().filter((id) => id !== CURRENT);

/**
 * Schema errors, each in the current flow or the header, so every command meets them,
 * with the flows that survive: the others (a broken flow), or all (a broken header
 * field, set back to its default), or none (a version that is not 3.x: not flow's file).
 */
function schemaDocs(): Array<[string, any, number, string[]]> {
  return [
    ['task status "wip"', withCurrentFlow((f) => (f.plans[0].tasks[1].status = 'wip')), R + 1, ALL_BUT_CURRENT()],
    ['subtask status "wip"', withCurrentFlow((f) => (f.plans[0].tasks[0].subtasks[0].status = 'wip')), R + 1, ALL_BUT_CURRENT()],
    ['plan without title', withCurrentFlow((f) => delete f.plans[1].title), R + 1, ALL_BUT_CURRENT()],
    ['task without title', withCurrentFlow((f) => delete f.plans[1].tasks[2].title), R + 1, ALL_BUT_CURRENT()],
    ['flow name a number', withCurrentFlow((f) => (f.name = 7)), R + 1, ALL_BUT_CURRENT()],
    ['flow key not equal to its id', withCurrentFlow((f) => (f.id = 'flow_someoneelse')), R + 1, ALL_BUT_CURRENT()],
    ['plans not a list', withCurrentFlow((f) => (f.plans = { a: 1 })), R + 1, ALL_BUT_CURRENT()],
    ['current_flow_id a number', { ...clone(), current_flow_id: 42 }, R + 1, ALL()],
    ['version "banana"', { ...clone(), version: 'banana' }, R + 1, []],
    ['negative file_revision', { ...clone(), meta: { ...DOC.meta, file_revision: -3 } }, 1, ALL()],
    ['file_revision a string', { ...clone(), meta: { ...DOC.meta, file_revision: String(R) } }, 1, ALL()],
    ['meta a list', { ...clone(), meta: [] }, 1, ALL()],
  ];
}

function schemaCases(): Case[] {
  const cases: Case[] = [];
  for (const [name, doc, revision, kept] of schemaDocs()) {
    cases.push({ name: `${name} (flow layout)`, input: bytes(layoutOf(doc)), revision, kept });
    cases.push({ name: `${name} (pretty JSON)`, input: bytes(prettyOf(doc)), revision, kept });
  }
  return cases;
}

function otherCases(): Case[] {
  const layoutText = LAYOUT.toString('utf8');
  const cases: Case[] = [
    { name: 'zero bytes', input: bytes(''), revision: 1 },
    { name: 'one NUL byte', input: bytes(Buffer.alloc(1)), revision: 1 },
    { name: '4096 NUL bytes', input: bytes(Buffer.alloc(4096)), revision: 1 },
    { name: 'the store zero-filled (same length)', input: bytes(Buffer.alloc(LAYOUT.length)), revision: 1 },
    { name: 'NUL inside the version string', input: bytes(layoutText.replace('"3.0"', '"3.\u00000"')), revision: R + 1, kept: ALL() },
    { name: 'NUL instead of the first line break', input: bytes(layoutText.replace('{\n', '{\u0000')), revision: R + 1 },
    { name: 'NUL between header lines', input: bytes(layoutText.replace(',\n  "current_flow_id"', ',\n\u0000  "current_flow_id"')), revision: R + 1, kept: ALL() },
    { name: 'NUL block appended (crash zero-fill)', input: bytes(Buffer.concat([LAYOUT, Buffer.alloc(512)])), revision: R + 1, kept: ALL() },
    { name: 'NUL inside a flow, pretty layout', input: bytes(PRETTY.toString('utf8').replace('"Delta"', '"Del\u0000ta"')), revision: R + 1 },
    { name: 'UTF-8 BOM before the store', input: bytes(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), LAYOUT])), revision: R + 1, kept: ALL() },
    { name: 'UTF-8 BOM before pretty JSON', input: bytes(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), PRETTY])), revision: R + 1, kept: ALL() },
    { name: 'trailing garbage after the store', input: bytes(`${layoutText}garbage`), revision: R + 1, kept: ALL() },
    { name: 'trailing "}" after the store', input: bytes(`${layoutText}}\n`), revision: R + 1, kept: ALL() },
    { name: 'trailing garbage after pretty JSON', input: bytes(`${PRETTY.toString('utf8')}\nxyz`), revision: R + 1 },
    { name: '"[" × 100000', input: bytes('['.repeat(DEEP)), revision: 1 },
    { name: '"{" × 100000', input: bytes('{"a":'.repeat(DEEP)), revision: 1 },
    { name: 'object nested 100000 deep', input: bytes(`${'{"a":'.repeat(DEEP)}1${'}'.repeat(DEEP)}`), revision: 1 },
    { name: 'list nested 100000 deep', input: bytes(`${'['.repeat(DEEP)}${']'.repeat(DEEP)}`), revision: 1 },
    {
      name: 'deep junk after a valid header',
      input: bytes(`{\n  "version": "3.0",\n  "meta": {"file_revision":${R}},\n  "flows": ${'['.repeat(DEEP)}`),
      revision: R + 1,
    },
    { name: 'top-level array', input: bytes(`[${JSON.stringify(DOC)}]`), revision: R + 1 },
    { name: 'empty array', input: bytes('[]'), revision: 1 },
    { name: 'null', input: bytes('null'), revision: 1 },
    { name: 'a number', input: bytes('42\n'), revision: 1 },
    { name: 'a string', input: bytes('"flows"'), revision: 1 },
    { name: 'empty object', input: bytes('{}'), revision: 1 },
    { name: 'whitespace only', input: bytes(' \n\t\n'), revision: 1 },
    { name: 'flows a number', input: bytes(JSON.stringify({ ...DOC, flows: 5 }, null, 2)), revision: R + 1 },
    { name: 'flows a string', input: bytes(JSON.stringify({ ...DOC, flows: 'none' })), revision: R + 1 },
    { name: 'flows missing', input: bytes(JSON.stringify({ version: '3.0', meta: DOC.meta })), revision: R + 1 },
    {
      name: 'folder named flows.json',
      input: { folder: { 'notes.txt': Buffer.from('not a store'), 'sub/deeper.bin': randomBytes(7, 300) } },
      revision: 1,
    },
    { name: 'empty folder named flows.json', input: { folder: {} }, revision: 1 },
  ];
  for (const [i, length] of [1, 2, 7, 64, 513, 4096, 65_536].entries()) {
    cases.push({ name: `random bytes #${i} (${length} B, seed ${1000 + i})`, input: bytes(randomBytes(1000 + i, length)), revision: 1 });
  }
  const head = layoutText.slice(0, layoutText.indexOf('  "flows"'));
  for (const seed of [1, 2, 3, 4]) {
    cases.push({
      name: `valid header + random tail (seed ${seed})`,
      input: bytes(Buffer.concat([Buffer.from(head), randomBytes(seed, 200 * seed)])),
      revision: R + 1,
    });
  }
  return cases;
}

// ---------------------------------------------------------------------------------------

/** Failures name the case. */
async function named(name: string, run: () => unknown): Promise<void> {
  try {
    await run();
  } catch (err) {
    if (err instanceof Error) err.message = `[${name}] ${err.message}`;
    throw err;
  }
}

/**
 * One open of a truncated file: even offsets through read(), odd ones through transact()
 * (the full two-round check runs on every other case above).
 */
async function truncationRound(c: Case, index: number): Promise<void> {
  const dir = dataDir();
  plant(dir, c.input);
  const store = new Store(dir, { warn: () => {} });
  const err = await expectUnreadable(index % 2 ? store.transact(readCurrent) : store.read());
  const q = newQuarantine(dir, []);
  expect(err.message).toContain(q);
  expectIdentical(q, c.input);
  expectRecovered(dir, c.revision, c.kept);
}

const OTHER_CASES = otherCases();
const SCHEMA_CASES = schemaCases();
// The last byte of the layout is the final newline: without it the file is still valid JSON.
const LAYOUT_CUTS = truncationCases('flow layout', LAYOUT, LAYOUT.length - 2, true);
const PRETTY_CUTS = truncationCases('pretty JSON', PRETTY, PRETTY.length - 1, false);

describe('library: every corrupt input is quarantined byte for byte, never read as empty', () => {
  it('the fixture is a multi-flow store in flow layout, current flow in the middle', () => {
    expect(Image.fromBytes(LAYOUT)).toBeDefined();
    expect(layoutOf(DOC).equals(LAYOUT), 'layoutOf reproduces the Store layout byte for byte').toBe(true);
    expect(Object.keys(DOC.flows)).toEqual([FIRST, CURRENT, expect.any(String), LAST]);
    expect(DOC.current_flow_id).toBe(CURRENT);
    expect(R).toBeGreaterThanOrEqual(10);
    expect(Image.fromBytes(PRETTY), 'pretty layout takes the full-parse path').toBeUndefined();
    expect(LAYOUT_CUTS.length).toBeGreaterThanOrEqual(25);
    expect(PRETTY_CUTS.length).toBeGreaterThanOrEqual(25);
  });

  describe('read() then, corrupted again, transact(); then work goes on', () => {
    it.each(OTHER_CASES.map((c) => [c.name, c] as const))('%s', (name, c) => named(name, () => libraryRound(c)));
  });

  describe('wrong schema in the current flow or the header', () => {
    it.each(SCHEMA_CASES.map((c) => [c.name, c] as const))('%s', (name, c) => named(name, () => libraryRound(c)));
  });

  describe('truncated', () => {
    it.each(LAYOUT_CUTS.map((c, i) => [c.name, c, i] as const))('%s', (name, c, i) => named(name, () => truncationRound(c, i)));
    it.each(PRETTY_CUTS.map((c, i) => [c.name, c, i] as const))('%s', (name, c, i) => named(name, () => truncationRound(c, i)));
  });

  it('with a good snapshot, recovery starts from it instead of empty', async () => {
    const dir = dataDir();
    const input = bytes(Buffer.from(LAYOUT.subarray(0, 500)));
    plant(dir, input);
    const snapshot = clone();
    const store = new Store(dir, { warn: () => {}, recover: () => ({ label: 'snapshot #7', document: snapshot }) });
    const err = await expectUnreadable(store.read());
    expect(err.message).toMatch(/restored from snapshot #7/);
    expectIdentical(newQuarantine(dir, []), input);
    const { view, flows } = await new Store(dir).readAll();
    expect(flows.map((f) => f.id)).toEqual(Object.keys(DOC.flows));
    expect(view.currentFlowId).toBe(CURRENT);
    expect(view.revision).toBe(R + 1);
  });

  it('a 2.x-looking file is migrated, not quarantined (control)', async () => {
    // Guards the matrix above: the store does not quarantine everything it is shown.
    const dir = dataDir();
    writeFileSync(join(dir, STORE), JSON.stringify({ flows: [{ name: 'Old' }] }));
    const view = await new Store(dir).read();
    expect(quarantineFiles(dir)).toEqual([]);
    expect(view.flowIds()).toHaveLength(1);
  });

  it('a valid store without its final newline is read as it is (control)', async () => {
    const dir = dataDir();
    writeFileSync(join(dir, STORE), LAYOUT.subarray(0, LAYOUT.length - 1));
    const { flows } = await new Store(dir).readAll();
    expect(flows).toHaveLength(4);
    expect(quarantineFiles(dir)).toEqual([]);
  });
});

describe('readAll(): a full load catches corruption in any flow, and keeps the flows that read', () => {
  const variants: Array<[string, (flow: any) => void]> = [
    ['task status "wip"', (f) => (f.plans[0].tasks[0].status = 'wip')],
    ['name a number', (f) => (f.name = 3)],
    ['key not equal to id', (f) => (f.id = `${f.id}x`)],
    ['plan without title', (f) => delete f.plans[0].title],
  ];
  it.each(['first', 'last'] as const)('schema error in the %s (non-current) flow', async (where) => {
    for (const [name, edit] of variants) {
      const doc = clone();
      edit(doc.flows[where === 'first' ? FIRST : LAST]);
      const input = bytes(layoutOf(doc));
      const dir = dataDir();
      plant(dir, input);
      const err = await expectUnreadable(new Store(dir, { warn: () => {} }).readAll());
      const q = newQuarantine(dir, []);
      expect(err.message, name).toContain(q);
      expectIdentical(q, input);
      const broken = where === 'first' ? FIRST : LAST;
      expect(err.details?.lost, name).toEqual([broken]);
      expectRecovered(dir, R + 1, ALL().filter((id) => id !== broken));
    }
  });

  it('a write to another flow keeps the corrupt flow byte for byte; readAll then quarantines and keeps the write', async () => {
    const dir = dataDir();
    const corruptLine = editFlowLine(LAST, (line) => line.replace('"status":"todo"', '"status":"wip"'));
    plant(dir, bytes(corruptLine));
    const badLine = corruptLine
      .toString('utf8')
      .split('\n')
      .find((l) => l.includes('"wip"')) as string;
    const store = new Store(dir, { warn: () => {} });
    const commit = await store.transact((tx) => {
      const flow = tx.flow(CURRENT);
      if (flow) flow.name = 'Renamed';
    });
    expect(commit.changed).toBe(true);
    const afterWrite = readFileSync(join(dir, STORE));
    expect(afterWrite.toString('utf8'), 'the corrupt flow is not dropped').toContain(badLine.replace(/,$/, ''));
    expect(quarantineFiles(dir)).toEqual([]);
    await expectUnreadable(new Store(dir, { warn: () => {} }).readAll());
    const q = newQuarantine(dir, []);
    expectIdentical(q, bytes(afterWrite));
    // The acknowledged rename survives: recovery started from the damaged file itself.
    const doc = readStore(dir);
    expect(Object.keys(doc.flows)).toEqual(ALL().filter((id) => id !== LAST));
    expect(doc.flows[CURRENT].name).toBe('Renamed');
    expect(doc.meta.file_revision).toBe(R + 2);
  });

  // Syntax-level damage inside a flow line in flow's layout must surface as an unreadable
  // store (quarantined), not as a raw SyntaxError or LayoutError.
  const lineDamage: Array<[string, () => Buffer, () => string[]]> = [
    ['NUL inside a string of the last flow', () => editFlowLine(LAST, (l) => l.replace('"Delta"', '"Del\u0000ta"')), () => ALL().slice(0, 3)],
    ['NUL between tokens of the first flow', () => editFlowLine(FIRST, (l) => l.replace('"plans":', '"plans":\u0000')), () => ALL().slice(1)],
    ['the last flow line cut short', () => editFlowLine(LAST, (l) => l.slice(0, Math.floor(l.length / 2))), () => ALL().slice(0, 3)],
    ['a junk line between flows', () => editFlowLine(FIRST, (l) => `${l}\njunk,`), ALL],
  ];
  for (const [name, make, kept] of lineDamage) {
    it(`${name} is quarantined by readAll(); the other flows are kept`, async () => {
      const input = bytes(make());
      const dir = dataDir();
      plant(dir, input);
      await expectUnreadable(new Store(dir, { warn: () => {} }).readAll());
      const q = newQuarantine(dir, []);
      expectIdentical(q, input);
      expectRecovered(dir, R + 1, kept());
    });
  }

  it('the first flow line twice is repaired without loss: the copy removed, the original kept aside, a warning', async () => {
    const input = bytes(editFlowLine(FIRST, (l) => `${l}\n${l}`));
    const dir = dataDir();
    plant(dir, input);
    const warnings: string[] = [];
    const { flows, view } = await new Store(dir, { warn: (m) => warnings.push(m) }).readAll();
    expect(flows.map((f) => f.id)).toEqual(ALL());
    expect(view.revision).toBe(R + 1);
    const q = newQuarantine(dir, []);
    expectIdentical(q, input);
    expect(warnings.join('\n')).toMatch(/appeared twice, identically: one copy removed/);
    expect(warnings.join('\n')).toContain(q);
    expectRecovered(dir, R + 1, ALL());
  });

  it('NUL inside the current flow line is quarantined by read() and transact()', async () => {
    const input = bytes(editFlowLine(CURRENT, (l) => l.replace('"name":"', '"name":"\u0000')));
    await libraryRound({ name: 'NUL in current flow', input, revision: R + 1, kept: ALL_BUT_CURRENT() });
  });

  // Valid JSON nested past the stack inside a flow (JSON.stringify recurses) is reported
  // as unreadable and quarantined, not left to crash every command.
  it('a flow holding a 100000-deep unknown field is quarantined; the others are kept', async () => {
    const text = JSON.stringify(DOC, null, 2).replace(
      '"name": "Delta"',
      `"name": "Delta", "junk": ${'{"a":'.repeat(DEEP)}1${'}'.repeat(DEEP)}`,
    );
    await libraryRound({ name: 'deep unknown field', input: bytes(text), revision: R + 1, kept: ALL().slice(0, 3) });
  });

  it('the same in flow layout (the current flow): the others are kept byte for byte', async () => {
    const junk = `"junk":${'{"a":'.repeat(DEEP)}1${'}'.repeat(DEEP)},`;
    const input = bytes(editFlowLine(CURRENT, (l) => l.replace('"name":', `${junk}"name":`)));
    await libraryRound({ name: 'deep unknown field (layout)', input, revision: R + 1, kept: ALL_BUT_CURRENT() });
  });

  // Deep subtasks are a store someone else wrote, not damage (DESIGN §2): see
  // test/trust/depth.test.ts for how they are read.
  it('a current flow with subtasks 100000 deep is read, not quarantined', async () => {
    const chain = Array.from({ length: DEEP }, (_, i) => `{"id":"task_deep${i}","title":"t","subtasks":[`).join('');
    const deep = `${chain}${']}'.repeat(DEEP)}`;
    const input = bytes(editFlowLine(CURRENT, (l) => l.replace('"subtasks":[]', `"subtasks":[${deep}]`)));
    const dir = dataDir();
    plant(dir, input);
    const { flows } = await new Store(dir, { warn: () => {} }).readAll();
    expect(flows.map((f) => f.id)).toEqual(ALL());
    expect(quarantineFiles(dir)).toEqual([]);
    expectIdentical(join(dir, STORE), input);
  });
});

// Bytes that end like a store but have stray lines in the middle: a second document
// appended, or (realistic) a shorter store written in place over a longer one without
// truncating, leaving the old tail. The layout check must not take them for a store.
describe('bytes after the end that themselves end like a store', () => {
  const overwrittenInPlace = (): Buffer => {
    const doc = clone();
    delete doc.flows[LAST];
    const shorter = layoutOf(doc);
    return Buffer.concat([shorter, LAYOUT.subarray(shorter.length)]);
  };
  const doubled = (): Buffer => Buffer.concat([LAYOUT, LAYOUT]);

  it('both inputs are invalid JSON that ends exactly like the store (precondition)', () => {
    for (const input of [overwrittenInPlace(), doubled()]) {
      expect(() => JSON.parse(input.toString('utf8'))).toThrow(SyntaxError);
      expect(input.subarray(input.length - 7).equals(LAYOUT.subarray(LAYOUT.length - 7))).toBe(true);
    }
  });

  it('a shorter store written in place over a longer one is quarantined by read()', async () => {
    await libraryRound({ name: 'old tail', input: bytes(overwrittenInPlace()), revision: R + 1, kept: ALL().slice(0, 3) });
  });

  it('a store followed by a second copy of itself is quarantined by read()', async () => {
    await libraryRound({ name: 'doubled', input: bytes(doubled()), revision: R + 1, kept: ALL() });
  });

  it('`flow list task` on a store with an old tail exits 5 and quarantines', () => {
    cliRound({ name: 'old tail', input: bytes(overwrittenInPlace()), revision: R + 1, kept: ALL().slice(0, 3) }, ['list', 'task'], 'json');
  });
});

// ---------------------------------------------------------------------------------------

describe('CLI (real process): exit 5, the quarantine path on stderr, then normal work', () => {
  const pick = (name: string): Case => {
    const found = [...OTHER_CASES, ...SCHEMA_CASES].find((c) => c.name === name);
    if (!found) throw new Error(`no case ${name}`);
    return found;
  };
  const subset = [
    'zero bytes',
    '4096 NUL bytes',
    'UTF-8 BOM before the store',
    'trailing garbage after the store',
    '"[" × 100000',
    'object nested 100000 deep',
    'top-level array',
    'null',
    'flows a number',
    'task status "wip" (flow layout)',
    'negative file_revision (flow layout)',
    'random bytes #4 (513 B, seed 1004)',
  ];
  it.each(subset.map((name, i) => [name, i % 2 ? 'json' : 'human'] as const))('%s (list task, %s)', (name, mode) => {
    cliRound(pick(name), ['list', 'task'], mode);
  });

  it('folder named flows.json (list flow, read-only)', () => {
    cliRound(pick('folder named flows.json'), ['list', 'flow'], 'human');
  });

  it('truncated flow-layout store, cut inside the current flow (list flow, read-only)', () => {
    const at = LAYOUT.indexOf(Buffer.from(`"${CURRENT}": `)) + 40;
    const cut = Buffer.from(LAYOUT.subarray(0, at));
    cliRound({ name: 'cut', input: bytes(cut), revision: R + 1, kept: [FIRST] }, ['list', 'flow'], 'json');
  });

  it('truncated pretty store (show flow, read-only)', () => {
    const cut = Buffer.from(PRETTY.subarray(0, Math.floor(PRETTY.length / 3)));
    cliRound({ name: 'cut', input: bytes(cut), revision: R + 1 }, ['show', 'flow'], 'human');
  });

  it('a second corruption gets a second quarantine file; the first is untouched', () => {
    const dir = dataDir();
    const one = bytes(Buffer.alloc(0));
    const two = bytes(Buffer.from(LAYOUT.subarray(0, 300)));
    const first = cliMeets(dir, one, ['list', 'task'], 'human');
    const print = fingerprint(first);
    const second = cliMeets(dir, two, ['list', 'task'], 'json');
    expect(second).not.toBe(first);
    expectIdentical(first, one);
    expect(fingerprint(first)).toEqual(print);
    expectIdentical(second, two);
    expectRecovered(dir, R + 1, keptAfterCut(LAYOUT, 300, true));
  });

  it('a writing command quarantines too (add flow), and runs normally afterwards', () => {
    const dir = dataDir();
    const input = bytes(Buffer.alloc(100));
    plant(dir, input);
    const r = cli(dir, ['add', 'flow', 'Lost?']);
    expect(r.code, r.stderr).toBe(5);
    const q = newQuarantine(dir, []);
    expectIdentical(q, input);
    expect(r.stderr).toContain(q);
    // Nothing was added behind the person's back: they are told to run it again.
    expect(readStore(dir).flows).toEqual({});
    expect(cli(dir, ['add', 'flow', 'Again']).code).toBe(0);
    expect(Object.values(readStore(dir).flows).map((f: any) => f.name)).toEqual(['Again']);
  });

  // A schema error in a flow other than the current one, met inside a command handler,
  // is quarantined like any other (exit 5), not an internal error.
  it('list flow with a corrupt non-current flow exits 5 and quarantines', () => {
    const doc = clone();
    doc.flows[FIRST].name = 7;
    const input = bytes(layoutOf(doc));
    const dir = dataDir();
    plant(dir, input);
    const r = cli(dir, ['list', 'flow']);
    expect(r.code, r.stderr).toBe(5);
    const q = newQuarantine(dir, []);
    expectIdentical(q, input);
  });

  it('NUL inside the current flow line exits 5 and quarantines (not "internal error")', () => {
    const input = bytes(editFlowLine(CURRENT, (l) => l.replace('"name":"', '"name":"\u0000')));
    cliRound({ name: 'NUL in current flow', input, revision: R + 1, kept: ALL_BUT_CURRENT() }, ['list', 'task'], 'human');
  });
});

// ---------------------------------------------------------------------------------------

describe('quarantineReplacing(): never overwrites an earlier quarantine file', () => {
  const at = new Date('2026-05-10T12:34:56.789Z');
  const base = `${STORE}.corrupt.2026-05-10T12-34-56.789Z`;
  const replacement = [Buffer.from('{"replacement":true}')];

  it('two quarantines in the same millisecond get distinct names; the replacement takes the place', () => {
    const dir = dataDir();
    const file = join(dir, STORE);
    writeFileSync(file, 'first');
    expect(quarantineReplacing(file, replacement, { at })).toBe(join(dir, base));
    writeFileSync(file, 'second');
    expect(quarantineReplacing(file, replacement, { at })).toBe(join(dir, `${base}-1`));
    writeFileSync(file, 'third');
    expect(quarantineReplacing(file, replacement, { at })).toBe(join(dir, `${base}-2`));
    expect(readFileSync(join(dir, base), 'utf8')).toBe('first');
    expect(readFileSync(join(dir, `${base}-1`), 'utf8')).toBe('second');
    expect(readFileSync(join(dir, `${base}-2`), 'utf8')).toBe('third');
    expect(readFileSync(file, 'utf8')).toBe('{"replacement":true}');
  });

  it('a name already taken by a file, a folder or a dangling link is skipped', () => {
    for (const kind of ['file', 'folder', 'dangling link'] as const) {
      for (const source of ['file', 'folder'] as const) {
        const dir = dataDir();
        const file = join(dir, STORE);
        const taken = join(dir, base);
        if (kind === 'file') writeFileSync(taken, 'someone else');
        else if (kind === 'folder') mkdirSync(taken);
        else symlinkSync(join(dir, 'nowhere'), taken);
        if (source === 'file') writeFileSync(file, 'corrupt');
        else mkdirSync(join(file, 'inner'), { recursive: true });
        const label = `${source} onto a name taken by a ${kind}`;
        expect(quarantineReplacing(file, replacement, { at }), label).toBe(join(dir, `${base}-1`));
        expect(readFileSync(file, 'utf8'), label).toBe('{"replacement":true}');
        if (kind === 'file') expect(readFileSync(taken, 'utf8'), label).toBe('someone else');
        if (kind === 'folder') expect(readdirSync(taken), label).toEqual([]);
        if (kind === 'dangling link') expect(lstatSync(taken).isSymbolicLink(), label).toBe(true);
        if (source === 'file') expect(readFileSync(join(dir, `${base}-1`), 'utf8'), label).toBe('corrupt');
        else expect(readdirSync(join(dir, `${base}-1`)), label).toEqual(['inner']);
      }
    }
  });

  it('when the replacement cannot be written, the bad file stays exactly where it was', () => {
    const dir = dataDir();
    const file = join(dir, STORE);
    writeFileSync(file, 'corrupt');
    const failing = () => {
      throw new Error('no room');
    };
    expect(() => quarantineReplacing(file, replacement, { at, beforeRename: failing })).toThrow('no room');
    expect(readFileSync(file, 'utf8')).toBe('corrupt');
    expect(readdirSync(dir)).toEqual([STORE]);
  });
});

// ---------------------------------------------------------------------------------------

describe('left-over temp files of killed writers', () => {
  const children: ChildProcess[] = [];
  afterAll(() => {
    for (const child of children) child.kill('SIGKILL');
  });

  function deadPid(): number {
    for (let pid = 999_999; ; pid++) {
      try {
        process.kill(pid, 0);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ESRCH') return pid;
      }
    }
  }

  async function sleeper(): Promise<number> {
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 120000)'], { stdio: 'ignore' });
    children.push(child);
    await new Promise((resolve) => child.once('spawn', resolve));
    const pid = child.pid as number;
    expect(() => process.kill(pid, 0), 'the sleeper is alive').not.toThrow();
    return pid;
  }

  function scene(dir: string, livePid: number) {
    writeFileSync(join(dir, STORE), LAYOUT);
    const dead = `${STORE}.tmp-${deadPid()}-0badc0de`;
    const live = `${STORE}.tmp-${livePid}-5eed5eed`;
    const kept = `${STORE}.corrupt.2020-01-01T00-00-00.000Z`;
    const other = `${STORE}.tmpl`;
    writeFileSync(join(dir, dead), LAYOUT.subarray(0, 100));
    writeFileSync(join(dir, live), 'half-written by a live writer');
    writeFileSync(join(dir, kept), 'an old quarantine');
    writeFileSync(join(dir, other), 'not a temp file');
    return { dead, live, kept, other };
  }

  function expectCleaned(dir: string, names: ReturnType<typeof scene>) {
    expect(existsSync(join(dir, names.dead)), 'temp file of a dead writer removed').toBe(false);
    expect(readFileSync(join(dir, names.live), 'utf8'), 'live writer keeps its temp file').toBe('half-written by a live writer');
    expect(readFileSync(join(dir, names.kept), 'utf8')).toBe('an old quarantine');
    expect(readFileSync(join(dir, names.other), 'utf8')).toBe('not a temp file');
    const temps = readdirSync(dir).filter((n) => n.startsWith(`${STORE}.tmp-`));
    expect(temps, 'our own temp file is gone too').toEqual([names.live]);
  }

  it('the next write through the library removes dead ones and keeps live ones', async () => {
    const dir = dataDir();
    const names = scene(dir, await sleeper());
    expect(existsSync(join(dir, names.dead))).toBe(true);
    await new Store(dir).addFlow('x');
    expectCleaned(dir, names);
    expect(Object.keys(readStore(dir).flows)).toHaveLength(5);
  });

  it('the next `flow add` removes dead ones and keeps live ones', async () => {
    const dir = dataDir();
    const names = scene(dir, await sleeper());
    const r = cli(dir, ['add', 'flow', 'x']);
    expect(r.code, r.stderr).toBe(0);
    expectCleaned(dir, names);
  });

  it('recovery from a corrupt file also removes dead temp files', async () => {
    const dir = dataDir();
    const names = scene(dir, await sleeper());
    writeFileSync(join(dir, STORE), '');
    await expectUnreadable(new Store(dir, { warn: () => {} }).read());
    expectCleaned(dir, names);
    expect(quarantineFiles(dir)).toHaveLength(2); // the old one and the new one
  });
});
