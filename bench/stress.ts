// npm run stress [-- --seconds 120]
// Longer versions of the safety tests (a short one of each runs in npm test): many
// writers, SIGKILL at random moments, stale-lock takeover, SIGSTOPped holders, a watcher
// under rename storms, and a corpus of corrupt files. Stops by itself after the time
// budget, splitting it between the loops, and says what it tried and what it found.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { walkTasks } from '../src/domain/tree.js';
import { serialiseDocument } from '../src/store/layout.js';
import { Store } from '../src/store/store.js';
import { watchStore, type WatchedState } from '../src/store/watch.js';
import { generateDocument } from './fixtures.js';
import { startWorker } from '../test/workers/spawn.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const EXTERNAL = join(ROOT, 'test', 'workers', 'external-writer.mjs');
const FLOW = join(ROOT, 'bin', 'flow.js');
const args = process.argv.slice(2);
const SECONDS = Number(args[args.indexOf('--seconds') + 1]) || 120;
const deadline = Date.now() + SECONDS * 1000;
const failures: string[] = [];
const report: string[] = [];

function budget(share: number): number {
  return Date.now() + Math.max(5000, (deadline - Date.now()) * share);
}

function fixture(flows: number): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'flow-stress-')), '.flow');
  mkdirSync(dir, { recursive: true });
  const { flows: all, ...header } = generateDocument(flows, 'small');
  writeFileSync(join(dir, 'flows.json'), serialiseDocument(header, Object.entries(all)));
  return dir;
}

function doc(dir: string): any {
  return JSON.parse(readFileSync(join(dir, 'flows.json'), 'utf8'));
}

function taskIds(d: any): string[] {
  const out: string[] = [];
  for (const f of Object.values<any>(d.flows)) for (const p of f.plans) for (const { task } of walkTasks(p.tasks)) out.push(task.id);
  return out;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(test: () => boolean, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!test()) {
    if (Date.now() > end) throw new Error('timed out');
    await sleep(5);
  }
}

async function manyWriters(): Promise<void> {
  const end = budget(0.25);
  let rounds = 0;
  let total = 0;
  while (Date.now() < end) {
    const dir = fixture(50);
    const before = doc(dir);
    const writers = 8;
    const each = 40;
    const workers = Array.from({ length: writers }, () => startWorker(dir, 'add', String(each)));
    const codes = await Promise.all(workers.map((w) => w.exited));
    const after = doc(dir);
    const added = taskIds(after).length - taskIds(before).length;
    const acked = workers.flatMap((w) => w.lines.filter((l) => l.startsWith('ack ')).map((l) => l.split(' ')[2]));
    const present = new Set(taskIds(after));
    if (codes.some((c) => c !== 0)) failures.push(`many writers: a writer exited with ${codes.join(',')}`);
    if (added !== writers * each) failures.push(`many writers: ${added} tasks added, expected ${writers * each}`);
    if (after.meta.file_revision !== before.meta.file_revision + writers * each) failures.push('many writers: revision did not go up by exactly the number of saves');
    if (acked.some((id) => !present.has(id))) failures.push('many writers: an acknowledged task is missing');
    total += added;
    rounds++;
    rmSync(join(dir, '..'), { recursive: true, force: true });
  }
  report.push(`many writers: ${rounds} rounds of 8 processes × 40 transactions, ${total} tasks, every one present, revisions exact`);
}

async function killLoop(): Promise<void> {
  const end = budget(0.3);
  const sizes = [1, 50, 500, 4000];
  let kills = 0;
  let midWrite = 0;
  const dirs = sizes.map((n) => fixture(n));
  while (Date.now() < end) {
    const dir = dirs[kills % dirs.length];
    const before = doc(dir).meta.file_revision;
    const w = startWorker(dir, 'loop');
    await until(() => w.lines.includes('ready'));
    await sleep(Math.random() * 150);
    w.child.kill('SIGKILL');
    await w.exited;
    kills++;
    if (readdirSync(dir).some((n) => n.startsWith('flows.json.tmp-'))) midWrite++;
    rmSync(join(dir, 'flows.json.lock'), { recursive: true, force: true });
    const acks = w.lines.filter((l) => l.startsWith('ack ')).map((l) => Number(l.split(' ')[1]));
    const last = acks.at(-1) ?? before;
    let revision: number;
    try {
      revision = doc(dir).meta.file_revision;
      await new Store(dir).readAll();
    } catch (err) {
      failures.push(`SIGKILL: the file did not parse or validate after kill ${kills}: ${(err as Error).message}`);
      continue;
    }
    if (revision !== last && revision !== last + 1) failures.push(`SIGKILL: revision ${revision} after last ack ${last}`);
  }
  for (const dir of dirs) rmSync(join(dir, '..'), { recursive: true, force: true });
  report.push(`SIGKILL: ${kills} kills at random moments over stores of 1 to 4000 flows (${midWrite} mid-write); every file parsed, validated, revision = last ack or one more`);
}

async function lockLoops(): Promise<void> {
  const end = budget(0.2);
  const env = { FLOW_LOCK_STALE_MS: '2000' };
  let takeovers = 0;
  let stops = 0;
  while (Date.now() < end) {
    const dir = fixture(3);
    // A holder killed with the lock: the next writer takes over within the stale period.
    const holder = startWorker(dir, 'hold', '', env);
    await until(() => holder.lines.includes('locked'));
    holder.child.kill('SIGKILL');
    await holder.exited;
    const killedAt = Date.now();
    const next = startWorker(dir, 'add', '1', env);
    if ((await next.exited) !== 0) failures.push('lock takeover: the next writer failed');
    if (Date.now() - killedAt > 3500) failures.push(`lock takeover took ${Date.now() - killedAt} ms`);
    takeovers++;
    // A holder stopped inside its transaction: the other writer's save must survive.
    const revision = doc(dir).meta.file_revision;
    const slow = startWorker(dir, 'slow', '200', env);
    await until(() => slow.lines.includes('in-tx'));
    slow.child.kill('SIGSTOP');
    const other = spawnSync(process.execPath, [FLOW, '--dir', dir, 'add', 'flow', 'while stopped', '--json'], { encoding: 'utf8', env: { ...process.env, ...env } });
    slow.child.kill('SIGCONT');
    await slow.exited;
    const after = doc(dir);
    const otherId = other.status === 0 ? JSON.parse(other.stdout).id : undefined;
    if (!otherId || !after.flows[otherId]) failures.push('SIGSTOP: the write made while the holder was stopped was lost');
    if (after.meta.file_revision !== revision + 2) failures.push(`SIGSTOP: revision ${after.meta.file_revision}, expected ${revision + 2}`);
    stops++;
    rmSync(join(dir, '..'), { recursive: true, force: true });
  }
  report.push(`locks: ${takeovers} stale-lock takeovers (each within the stale period), ${stops} SIGSTOP/SIGCONT holders (no write lost)`);
}

async function renameStorms(): Promise<void> {
  const end = budget(0.6);
  let storms = 0;
  while (Date.now() < end) {
    const dir = fixture(20);
    const store = new Store(dir);
    await store.read();
    let latest: WatchedState | undefined;
    const watch = watchStore(store, (state) => (latest = state));
    await watch.ready;
    const mode = storms % 2 ? 'inplace' : '';
    spawnSync(process.execPath, [EXTERNAL, join(dir, 'flows.json'), '100', String(storms % 3 === 0 ? 0 : 50), mode]);
    const expected = doc(dir);
    try {
      await until(() => {
        const state = latest;
        return !!state && state.view.revision === expected.meta.file_revision && state.flows.length === Object.keys(expected.flows).length;
      }, 1000);
      const names = latest!.flows.map((f) => f.name).join('|');
      const want = Object.values<any>(expected.flows).map((f) => f.name).join('|');
      if (names !== want) failures.push('watcher: final state differs from the file');
    } catch {
      failures.push(`watcher: did not reach the final state within 1 s (storm ${storms}, ${mode || 'rename'})`);
    }
    await watch.close();
    storms++;
    rmSync(join(dir, '..'), { recursive: true, force: true });
  }
  report.push(`watcher: ${storms} storms of 100 external saves (rename and in-place, 0–50 ms apart); the final state was always seen within 1 s`);
}

function corruptCorpus(): void {
  const base = fixture(10);
  const good = readFileSync(join(base, 'flows.json'));
  const cases: Array<[string, Buffer]> = [['empty', Buffer.alloc(0)], ['NUL', Buffer.alloc(64)], ['BOM', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), good])]];
  for (let i = 0; i < 200; i++) cases.push([`truncated at ${i}`, good.subarray(0, Math.floor(Math.random() * good.length))]);
  for (let i = 0; i < 50; i++) {
    const copy = Buffer.from(good);
    copy[Math.floor(Math.random() * copy.length)] = Math.floor(Math.random() * 256);
    cases.push([`one byte flipped #${i}`, copy]);
  }
  let quarantined = 0;
  let readable = 0;
  let tried = 0;
  for (const [name, bytes] of cases) {
    // The last loop: stop at the deadline (after the fixed cases and a few random ones).
    if (tried >= 20 && Date.now() > deadline) break;
    tried++;
    const dir = join(mkdtempSync(join(tmpdir(), 'flow-stress-c-')), '.flow');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'flows.json'), bytes);
    const result = spawnSync(process.execPath, [FLOW, '--dir', dir, 'list', 'flow', '--json'], { encoding: 'utf8' });
    const q = readdirSync(dir).filter((n) => n.startsWith('flows.json.corrupt.'));
    if (result.status === 5) {
      if (q.length !== 1 || !readFileSync(join(dir, q[0])).equals(bytes)) failures.push(`corrupt ${name}: quarantine missing or not identical`);
      quarantined++;
    } else if (result.status === 0) {
      // A flipped byte inside a string can leave valid JSON: then nothing may be lost.
      if (q.length) failures.push(`corrupt ${name}: quarantined but exited 0`);
      readable++;
    } else {
      failures.push(`corrupt ${name}: exit ${result.status}: ${result.stderr.trim()}`);
    }
    rmSync(join(dir, '..'), { recursive: true, force: true });
  }
  rmSync(join(base, '..'), { recursive: true, force: true });
  report.push(`corrupt corpus: ${tried} files; ${quarantined} quarantined byte-for-byte with exit 5, ${readable} still valid and read normally, none silently emptied`);
}

process.stdout.write(`flow stress: about ${SECONDS} s\n`);
for (const [name, run] of [
  ['many writers', manyWriters],
  ['SIGKILL loop', killLoop],
  ['lock takeover and SIGSTOP', lockLoops],
  ['watcher under rename storms', renameStorms],
  ['corrupt-file corpus', async () => corruptCorpus()],
] as const) {
  const t = Date.now();
  process.stdout.write(`… ${name}`);
  try {
    await run();
  } catch (err) {
    failures.push(`${name}: ${(err as Error).message}`);
  }
  process.stdout.write(` (${((Date.now() - t) / 1000).toFixed(0)} s)\n`);
}
process.stdout.write(`\n${report.map((r) => `- ${r}`).join('\n')}\n`);
if (failures.length) {
  process.stdout.write(`\nFAILURES (${failures.length}):\n${failures.map((f) => `- ${f}`).join('\n')}\n`);
  process.exitCode = 1;
} else {
  process.stdout.write('\nNothing was lost.\n');
}
