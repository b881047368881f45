// TUI figures measured as a person experiences them: `flow` runs in a real pseudo-terminal
// (script(1)), keys go in, and time is taken until the terminal receives the frame.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTask, insertTask } from '../src/domain/tree.js';
import { Store } from '../src/store/store.js';
import { median, percentile } from './stats.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const FLOW = join(ROOT, 'bin', 'flow.js');
/** A held key's repeat interval (30 keys a second): how fast keys come while the store is read. */
const KEY_REPEAT_MS = 33;
/** Ink's synchronized-output marks around each frame (drawn in CI too: scripts/build.js). */
const FRAME_END = '\u001b[?2026l';
const ESCAPE = /\u001b\[[0-9;?]*[a-zA-Z]/g;
/** The detail pane's line naming what the cursor is on: "│ task task_0000000003 │", "│ plan plan_… · number 1 │". */
const SELECTED = /│ (?:flow|plan|task) ((?:flow|plan|task)_[0-9a-z]+)[ │]/g;

export interface TuiSize {
  flows: number;
  /** The first thing drawn (before the TUI code is loaded). */
  firstFrame: number;
  /** The workspace's own first frame (header and loading progress). */
  loadingFrame: number;
  treeShown: number;
  /** The whole store read (the header says live); the first screen comes before it. */
  wholeTree?: number;
  /**
   * Keys pressed on the first screen, while the other flows are still read: how long until
   * the frame that shows the key's effect (the cursor on the next row) was drawn, p95 and
   * longest.
   */
  readingWaitP95?: number;
  readingWaitMax?: number;
  /** The same keys, counting any frame as the answer (reading progress draws some): a lower bound, as measured before. */
  readingAnyFrameP95?: number;
  readingKeys?: number;
  keyP50?: number;
  keyP95?: number;
  /** Keys on the board of a plan (←/→ between columns). */
  boardKeyP50?: number;
  boardKeyP95?: number;
  externalP50?: number;
  externalP95?: number;
}

export interface TuiFigures {
  sizes: TuiSize[];
}

class Terminal {
  private readonly child: ChildProcess;
  /** The recent output (bounded), and how many bytes arrived in all. */
  output = '';
  received = 0;
  /** What the cursor is on, as the last whole frame's detail pane names it. */
  selected: string | null = null;
  /** The frame being received (up to its end mark). */
  private frame = '';
  private lastChunkAt = 0;
  private waiters: Array<() => void> = [];
  readonly startedAt = performance.now();

  constructor(dir: string, flow = FLOW) {
    this.child = spawn('script', ['-qfec', `stty rows 40 cols 120; exec ${process.execPath} ${flow} --dir ${dir}`, '/dev/null'], {
      stdio: ['pipe', 'pipe', 'ignore'],
      // Its own process group, so stop() can end flow too, not just script(1).
      detached: true,
      env: { ...process.env, TERM: 'xterm-256color', FLOW_SESSION: 'bench' },
    });
    this.child.stdout?.on('data', (chunk: Buffer) => {
      this.lastChunkAt = performance.now();
      this.received += chunk.length;
      const text = chunk.toString('utf8');
      this.output = (this.output + text).slice(-400_000);
      this.takeFrames(text);
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  /** Follows the cursor through whole frames: a frame is on screen once its end mark came. */
  private takeFrames(text: string): void {
    this.frame = (this.frame + text).slice(-400_000);
    const end = this.frame.lastIndexOf(FRAME_END);
    if (end < 0) return;
    const shown = [...this.frame.slice(0, end).replace(ESCAPE, '').matchAll(SELECTED)].pop();
    if (shown) this.selected = shown[1];
    this.frame = this.frame.slice(end + FRAME_END.length);
  }

  send(keys: string): void {
    this.child.stdin?.write(keys);
  }

  /** Resolves with the time at which `test` first held, or rejects after `timeoutMs`. */
  until(test: () => boolean, timeoutMs = 60_000, what = 'the expected screen'): Promise<number> {
    return new Promise((resolve, reject) => {
      const deadline = setTimeout(() => {
        const tail = this.output.slice(-600).replace(/\u001b\[[0-9;?]*[a-zA-Z]/g, ' ');
        reject(new Error(`the TUI did not show ${what} within ${timeoutMs} ms; last output: ${tail}`));
      }, timeoutMs);
      const check = () => {
        if (test()) {
          clearTimeout(deadline);
          resolve(this.lastChunkAt);
        } else this.waiters.push(check);
      };
      check();
    });
  }

  /** Waits until no output arrived for `quietMs`. */
  async settle(quietMs = 40): Promise<void> {
    for (;;) {
      const wait = quietMs - (performance.now() - this.lastChunkAt);
      if (wait <= 0) return;
      await new Promise((r) => setTimeout(r, wait));
    }
  }

  stop(): Promise<void> {
    return new Promise((resolve) => {
      this.child.on('close', () => resolve());
      this.send('q');
      setTimeout(() => this.kill(), 3000).unref();
    });
  }

  kill(): void {
    try {
      process.kill(-(this.child.pid as number), 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/** One run of the TUI of `flow` (bin/flow.js of a build) on a copy of the fixture. */
async function runOnce(flows: number, quick: boolean, fixture: { dir: string; plan: string }, flow?: string): Promise<TuiSize> {
  const dir = join(mkdtempSync(join(tmpdir(), 'flow-bench-tui-')), '.flow');
  mkdirSync(dir, { recursive: true });
  cpSync(join(fixture.dir, 'flows.json'), join(dir, 'flows.json'));
  const term = new Terminal(dir, flow);
  try {
    return await measureOne(term, flows, quick, fixture.plan, dir);
  } finally {
    term.kill();
    rmSync(join(dir, '..'), { recursive: true, force: true });
  }
}

function readingLine(size: TuiSize, which = ''): string {
  if (size.readingWaitP95 === undefined || size.readingWaitMax === undefined || size.wholeTree === undefined) return '';
  return `TUI ${size.flows} flows${which}: tree shown ${size.treeShown.toFixed(0)} ms, whole store ${size.wholeTree.toFixed(0)} ms; ${size.readingKeys} keys in between: their frame within p95 ${size.readingWaitP95.toFixed(0)} / max ${size.readingWaitMax.toFixed(0)} ms (any next frame p95 ${size.readingAnyFrameP95?.toFixed(0)} ms)\n`;
}

/** Medians and ranges over runs of one build: the start, keys while reading and after, outside writes. */
function runsSummary(runs: TuiSize[], which: string): string {
  const range = (pick: (s: TuiSize) => number | undefined) => {
    const values = runs.map(pick).filter((v): v is number => v !== undefined);
    return values.length ? `${median(values).toFixed(0)} (${Math.min(...values).toFixed(0)}–${Math.max(...values).toFixed(0)})` : '–';
  };
  return (
    `TUI ${runs[0].flows} flows, ${which}, median (min–max) of ${runs.length} runs: tree shown ${range((s) => s.treeShown)} ms, ` +
    `whole store ${range((s) => s.wholeTree)} ms, keys in between p95 ${range((s) => s.readingWaitP95)} / max ${range((s) => s.readingWaitMax)} ms (any frame p95 ${range((s) => s.readingAnyFrameP95)}), ` +
    `keys after p95 ${range((s) => s.keyP95)} ms, outside write→screen p50 ${range((s) => s.externalP50)} / p95 ${range((s) => s.externalP95)} ms\n`
  );
}

/**
 * With `before` (a build's folder, bench --before DIR), each size runs `rounds` times for
 * both builds, interleaved, so both meet the same machine load; the figures returned are
 * this build's first run.
 */
export async function measureTui(
  sizes: number[],
  quick: boolean,
  fixtureDir: (flows: number) => { dir: string; plan: string },
  before?: string,
  rounds = 3,
): Promise<TuiFigures> {
  if (spawnSync('script', ['--version']).status !== 0) return { sizes: [] };
  const out: TuiSize[] = [];
  for (const flows of sizes) {
    const fixture = fixtureDir(flows);
    if (!before) {
      out.push(await runOnce(flows, quick, fixture));
      continue;
    }
    const runs = { now: [] as TuiSize[], before: [] as TuiSize[] };
    for (let round = 0; round < rounds; round++) {
      runs.before.push(await runOnce(flows, quick, fixture, join(before, 'bin', 'flow.js')));
      process.stdout.write(readingLine(runs.before[round], ` (${before})`));
      runs.now.push(await runOnce(flows, quick, fixture));
      process.stdout.write(readingLine(runs.now[round], ' (this build)'));
    }
    process.stdout.write(runsSummary(runs.before, before) + runsSummary(runs.now, 'this build'));
    out.push(runs.now[0]);
  }
  // The board's figures beside the tree's (the run's TUI table shows the tree).
  for (const size of out) {
    if (!before) process.stdout.write(readingLine(size));
    if (size.boardKeyP50 === undefined || size.boardKeyP95 === undefined) continue;
    process.stdout.write(
      `TUI ${size.flows} flows: key→frame tree p50 ${size.keyP50?.toFixed(1)} / p95 ${size.keyP95?.toFixed(1)} ms, board p50 ${size.boardKeyP50.toFixed(1)} / p95 ${size.boardKeyP95.toFixed(1)} ms\n`,
    );
  }
  return { sizes: out };
}

/** Milliseconds from each key until the terminal receives the next frame. */
async function keyToFrame(term: Terminal, count: number, key: (i: number) => string, where: string): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    await term.settle();
    const before = term.received;
    const sentAt = performance.now();
    term.send(key(i));
    times.push((await term.until(() => term.received > before, 10_000, `a ${where} frame after key ${i}`)) - sentAt);
  }
  return times;
}

/**
 * The i-th key on the first screen: nine rows down and one up, then (every other 50 keys)
 * one down and nine up, so the cursor scrolls the list but stays among the flows the
 * first screen parsed (the detail pane names what it is on: how its frame is told apart).
 */
function readingKey(i: number): string {
  if (Math.floor(i / 50) % 2 === 0) return i % 10 === 9 ? 'k' : 'j';
  return i % 10 === 0 ? 'j' : 'k';
}

async function measureOne(term: Terminal, flows: number, quick: boolean, plan: string, dir: string): Promise<TuiSize> {
  const firstFrame = (await term.until(() => term.output.includes('opening the workspace') || term.output.includes('rev '), 60_000, 'a first frame')) - term.startedAt;
  const loadingFrame = (await term.until(() => term.output.includes('Loading') || term.output.includes('rev '), 120_000, 'the workspace frame')) - term.startedAt;
  const treeShown = (await term.until(() => term.output.includes('▾'), 120_000, 'the tree')) - term.startedAt;
  const result: TuiSize = { flows, firstFrame, loadingFrame, treeShown };
  // Keys on the first screen, one at a time, until the rest of the store is in (all of
  // it: the last merge is where a key can wait longest). At most a held key's repeat rate:
  // a key sent the moment the last frame arrived measures how many frames the program can
  // draw, and every frame drawn is time the loading does not get.
  // A key is answered by the frame that shows the cursor on another row; the first frame
  // after it (reading progress draws some) is timed too, as the lower bound it is.
  const reading: number[] = [];
  const anyFrame: number[] = [];
  const live = () => term.output.includes('● live');
  await term.until(() => term.selected !== null, 30_000, 'the cursor in the detail pane');
  while (!live() && reading.length < 10_000) {
    const before = { received: term.received, selected: term.selected };
    const sentAt = performance.now();
    term.send(readingKey(reading.length));
    const frame = term.until(() => term.received > before.received, 30_000, 'a frame on the first screen');
    const moved = term.until(() => term.selected !== before.selected, 30_000, `the cursor moved by key ${reading.length}`);
    moved.catch(() => undefined);
    anyFrame.push((await frame) - sentAt);
    reading.push((await moved) - sentAt);
    const next = sentAt + KEY_REPEAT_MS - performance.now();
    if (next > 0) await new Promise((r) => setTimeout(r, next));
  }
  result.wholeTree = (await term.until(live, 120_000, 'the whole store read')) - term.startedAt;
  if (reading.length) {
    result.readingKeys = reading.length;
    result.readingWaitP95 = percentile(reading, 95);
    result.readingWaitMax = Math.max(...reading);
    result.readingAnyFrameP95 = percentile(anyFrame, 95);
  }
  await term.settle(300);
  // Keystroke to frame: move down, one key at a time, after the screen went quiet.
  const count = quick ? 20 : 60;
  const tree = await keyToFrame(term, count, (i) => (i % 10 === 9 ? 'k' : 'j'), 'tree');
  result.keyP50 = percentile(tree, 50);
  result.keyP95 = percentile(tree, 95);
  // The same on the board of the first flow's plan: g, open it, onto the plan, b.
  await term.settle();
  term.send('gl');
  await term.settle();
  term.send('jb');
  await term.until(() => term.output.includes('Board of'), 30_000, 'the board');
  const board = await keyToFrame(term, count, (i) => (i % 2 === 0 ? '\u001b[C' : '\u001b[D'), 'board');
  result.boardKeyP50 = percentile(board, 50);
  result.boardKeyP95 = percentile(board, 95);
  term.send('b');
  if (flows <= 1000) {
    // Another writer saves; time until the new revision is on screen.
    const store = new Store(dir, { writer: 'bench:0:external' });
    const external: number[] = [];
    for (let i = 0; i < (quick ? 10 : 30); i++) {
      await term.settle(60);
      const commit = await store.transact((tx) => {
        tx.locate(plan);
        return insertTask(tx.index, { planId: plan }, createTask({ title: `external ${i}` }));
      });
      const savedAt = performance.now();
      external.push((await term.until(() => term.output.includes(`rev ${commit.revision} `), 10_000, `revision ${commit.revision}`)) - savedAt);
    }
    result.externalP50 = percentile(external, 50);
    result.externalP95 = percentile(external, 95);
  }
  await term.stop();
  return result;
}
