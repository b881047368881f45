// Many writers, crashes and stopped lock holders, with real processes and real files.
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateDocument } from '../../bench/fixtures.js';
import { walkTasks } from '../../src/domain/tree.js';
import { serialiseDocument } from '../../src/store/layout.js';
import { Store } from '../../src/store/store.js';
import { flow, readStore, tempDir, waitFor } from '../helpers.js';
import { startWorker } from '../workers/spawn.js';


function writeFixture(dir: string, flows: number): void {
  const doc = generateDocument(flows, 'small');
  const { flows: all, ...header } = doc;
  writeFileSync(join(dir, 'flows.json'), serialiseDocument(header, Object.entries(all)));
}

function allTaskIds(doc: any): string[] {
  const ids: string[] = [];
  for (const f of Object.values<any>(doc.flows)) {
    for (const p of f.plans) for (const { task } of walkTasks(p.tasks)) ids.push(task.id);
  }
  return ids;
}

describe('many writers', () => {
  it('8 processes × 50 transactions: 400 tasks, revision +400, ids distinct, every ack present', async () => {
    const dir = tempDir();
    writeFixture(dir, 20);
    const before = readStore(dir);
    const tasksBefore = allTaskIds(before).length;
    const workers = Array.from({ length: 8 }, () => startWorker(dir, 'add', '50'));
    const codes = await Promise.all(workers.map((w) => w.exited));
    expect(codes).toEqual(Array(8).fill(0));
    const after = readStore(dir);
    const ids = allTaskIds(after);
    expect(ids.length - tasksBefore).toBe(400);
    expect(new Set(ids).size).toBe(ids.length);
    expect(after.meta.file_revision).toBe(before.meta.file_revision + 400);
    const acked = workers.flatMap((w) => w.lines.filter((l) => l.startsWith('ack ')).map((l) => l.split(' ')));
    expect(acked).toHaveLength(400);
    // Every acknowledged revision is distinct: no two writers published the same one.
    expect(new Set(acked.map((a) => a[1])).size).toBe(400);
    const present = new Set(ids);
    for (const [, , id] of acked) expect(present.has(id)).toBe(true);
  });

  it('8 `flow add task` processes × 5 each through the command line', async () => {
    const dir = tempDir();
    const plan = JSON.parse((await flow(dir, ['add', 'flow', 'Busy', '--json'])).stdout);
    const added = JSON.parse((await flow(dir, ['add', 'plan', 'P', '--json'])).stdout);
    expect(plan.id).toMatch(/^flow_/);
    const results = await Promise.all(
      Array.from({ length: 8 }, async (_, w) => {
        const out = [];
        for (let i = 0; i < 5; i++) out.push(await flow(dir, ['add', 'task', `w${w} t${i}`, '--plan', added.id, '--json']));
        return out;
      }),
    );
    const all = results.flat();
    expect(all.map((r) => r.code)).toEqual(Array(40).fill(0));
    const doc = readStore(dir);
    const titles = doc.flows[plan.id].plans[0].tasks.map((t: any) => t.title);
    expect(titles).toHaveLength(40);
    for (const r of all) expect(titles).toContain(JSON.parse(r.stdout).title);
    expect(doc.meta.file_revision).toBe(42);
  });
});

describe('crashes', () => {
  // Sizes from ~1 KB to ~5 MB (one small flow is about 2 KB in the fixture).
  const sizes = [{ flows: 1 }, { flows: 5 }, { flows: 50 }, { flows: 500 }, { flows: 4000 }];
  const killsPerSize = 40;

  it(`SIGKILL at random moments (${sizes.length * killsPerSize} kills, 1 KB–5 MB) never tears the file`, async () => {
    const dirs = sizes.map(({ flows }) => {
      const dir = tempDir();
      writeFixture(dir, flows);
      return { dir, flows, bytes: readFileSync(join(dir, 'flows.json')).length };
    });
    expect(dirs[0].bytes).toBeLessThan(4096);
    expect(dirs[dirs.length - 1].bytes).toBeGreaterThan(4_000_000);
    let midWrite = 0;
    // Two kill loops at a time, one per core.
    const runLoop = async ({ dir, bytes }: (typeof dirs)[number]) => {
      let kills = 0;
      for (let k = 0; k < killsPerSize; k++) {
        const revisionBefore = readStore(dir).meta.file_revision;
        const worker = startWorker(dir, 'loop');
        await waitFor(() => worker.lines.includes('ready'), { what: 'writer ready', timeoutMs: 10_000 });
        // Long enough to land inside writes of the larger files too.
        const window = 5 + Math.min(200, bytes / 25_000);
        await new Promise((r) => setTimeout(r, Math.random() * window));
        worker.child.kill('SIGKILL');
        await worker.exited;
        kills++;
        if (readdirSync(dir).some((name) => name.startsWith('flows.json.tmp-'))) midWrite++;
        // The dead writer may have held the lock. Taking over a stale lock is tested on
        // its own below; here the next writer should not wait out the stale period.
        rmSync(join(dir, 'flows.json.lock'), { recursive: true, force: true });
        const acks = worker.lines.filter((l) => l.startsWith('ack ')).map((l) => Number(l.split(' ')[1]));
        const lastAck = acks.length ? acks[acks.length - 1] : revisionBefore;
        const text = readFileSync(join(dir, 'flows.json'), 'utf8');
        const doc = JSON.parse(text);
        const revision = doc.meta.file_revision;
        expect([lastAck, lastAck + 1], `size ${bytes} kill ${k}`).toContain(revision);
        // And the whole file validates.
        const { flows } = await new Store(dir).readAll();
        expect(flows.length).toBeGreaterThan(0);
      }
      return kills;
    };
    let total = 0;
    for (let i = 0; i < dirs.length; i += 2) {
      const counts = await Promise.all(dirs.slice(i, i + 2).map(runLoop));
      total += counts.reduce((a, b) => a + b, 0);
    }
    expect(total).toBe(sizes.length * killsPerSize);
    // Some kills must have hit a write in progress (a temp file left behind), or the
    // test would not be testing torn writes at all.
    expect(midWrite).toBeGreaterThan(0);
    // The next writer cleaned every temp file the dead ones left.
    const worker = startWorker(dirs[0].dir, 'add', '1');
    expect(await worker.exited).toBe(0);
    expect(readdirSync(dirs[0].dir).filter((n) => n.includes('.tmp-'))).toEqual([]);
  }, 240_000);
});

describe('lock takeover', () => {
  const staleMs = 2000;
  const env = { FLOW_LOCK_STALE_MS: String(staleMs) };

  it('a lock left by a SIGKILLed holder is taken over once it is stale', async () => {
    const dir = tempDir();
    writeFixture(dir, 2);
    const holder = startWorker(dir, 'hold', '', env);
    await waitFor(() => holder.lines.includes('locked'), { what: 'lock held', timeoutMs: 10_000 });
    // The writer is up and waiting for the lock before the kill, so its start-up (long on a
    // loaded machine) is not part of what is measured.
    const revision = readStore(dir).meta.file_revision;
    const writer = startWorker(dir, 'loop', '', env);
    await waitFor(() => writer.lines.includes('ready'), { what: 'writer started', timeoutMs: 20_000 });
    holder.child.kill('SIGKILL');
    await holder.exited;
    // The lock's last refresh was at or before the kill, so it is stale staleMs later and
    // the waiting writer (polling a few times a second) takes it over then: well within
    // this wait, and well before the default stale period of 10 s would let it.
    await waitFor(() => writer.lines.some((l) => l.startsWith('ack ')), { what: 'the lock taken over', timeoutMs: staleMs * 3 });
    writer.child.kill('SIGKILL');
    await writer.exited;
    // The first write after the takeover is the next revision: nothing was lost or doubled.
    expect(writer.lines.find((l) => l.startsWith('ack '))).toBe(`ack ${revision + 1}`);
  });

  it('a SIGSTOPped holder that resumes after losing its lock does not publish over the new holder', async () => {
    const dir = tempDir();
    writeFixture(dir, 2);
    const revision = readStore(dir).meta.file_revision;
    const slow = startWorker(dir, 'slow', '300', env);
    await waitFor(() => slow.lines.includes('in-tx'), { what: 'inside the transaction', timeoutMs: 10_000 });
    slow.child.kill('SIGSTOP');
    // Another writer waits out the stale period, takes the lock over and saves.
    const other = await flow(dir, ['add', 'flow', 'Written while the holder was stopped', '--json'], { env });
    expect(other.code).toBe(0);
    const otherFlow = JSON.parse(other.stdout);
    expect(readStore(dir).meta.file_revision).toBe(revision + 1);
    slow.child.kill('SIGCONT');
    expect(await slow.exited).toBe(0);
    const doc = readStore(dir);
    // The stopped writer's stale state was not renamed over the newer file: the other
    // writer's flow is there, and the stopped writer's change was re-applied on top.
    expect(doc.flows[otherFlow.id]?.name).toBe('Written while the holder was stopped');
    const ack = slow.lines.find((l) => l.startsWith('ack '))!.split(' ');
    expect(Number(ack[1])).toBe(revision + 2);
    expect(allTaskIds(doc)).toContain(ack[2]);
    expect(doc.meta.file_revision).toBe(revision + 2);
  });
});
