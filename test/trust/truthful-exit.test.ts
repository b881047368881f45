// DESIGN §8 "The exit code tells the truth": exit 0 means the change is on disk, non-zero
// means it is not. An agent retries on failure, so a change reported as failed but saved
// becomes a duplicate. Here context.json's lock is held by another process the whole time:
// a command that changes both files (add plan or flow and make it the scope, use, restore)
// commits both or neither, so it is busy (exit 4) with nothing saved; one that changes
// flows.json alone (add task) is not held up.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { flowInProcess, readStore, ROOT, tempDir, waitFor } from '../helpers.js';

describe('a busy side file', () => {
  let holder: ChildProcess;
  const saved = process.env.FLOW_LOCK_TIMEOUT_MS;
  beforeAll(() => {
    process.env.FLOW_LOCK_TIMEOUT_MS = '150';
  });
  afterAll(() => {
    holder?.kill('SIGKILL');
    if (saved === undefined) delete process.env.FLOW_LOCK_TIMEOUT_MS;
    else process.env.FLOW_LOCK_TIMEOUT_MS = saved;
  });

  it('over 50 runs no command exits non-zero with its change saved, none saves only half, none saves twice', async () => {
    const dir = tempDir('flow-truth-');
    const first = await flowInProcess(dir, ['--json', 'add', 'flow', 'Base']);
    expect(first.code, first.stderr).toBe(0);
    const base = await flowInProcess(dir, ['--json', 'add', 'plan', 'Base plan']);
    const planId = JSON.parse(base.stdout).id;
    expect((await flowInProcess(dir, ['snapshot', 'create'])).code).toBe(0);

    const script = `
      const { acquireLock } = await import(${JSON.stringify(join(ROOT, 'dist', 'lib.js'))});
      await acquireLock(${JSON.stringify(join(dir, 'context.json'))});
      process.stdout.write('locked\\n');
      setInterval(() => {}, 1 << 30);`;
    holder = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    holder.stdout?.on('data', (d) => (out += d));
    await waitFor(() => out.includes('locked'), { what: 'the context lock holder', timeoutMs: 20_000 });

    const commands = (i: number): string[][] => [
      ['add', 'plan', `Plan ${i}`],
      ['add', 'flow', `Flow ${i}`],
      ['add', 'task', `Task ${i}`, '--plan', planId],
      ['use', 'plan', planId],
    ];
    let runs = 0;
    let failedButSaved = 0;
    let okButNotSaved = 0;
    const titles: string[] = [];
    for (let i = 0; runs < 50; i++) {
      for (const args of commands(i)) {
        if (runs === 50) break;
        runs++;
        const before = readStore(dir).meta.file_revision;
        const r = await flowInProcess(dir, args);
        const after = readStore(dir).meta.file_revision;
        const writes = args[0] !== 'use';
        if (r.code !== 0 && after !== before) failedButSaved++;
        if (r.code === 0 && writes && after !== before + 1) okButNotSaved++;
        const bothFiles = args[0] === 'use' || args[1] !== 'task';
        expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(bothFiles ? 4 : 0);
        if (r.code === 0) titles.push(args[2]);
      }
    }
    expect(runs).toBe(50);
    expect(failedButSaved, 'commands that exited non-zero with their change saved').toBe(0);
    expect(okButNotSaved).toBe(0);
    // Every add is in the store exactly once.
    const doc = readStore(dir);
    const names = Object.values<any>(doc.flows).flatMap((f) => [f.name, ...f.plans.flatMap((p: any) => [p.title, ...p.tasks.map((t: any) => t.title)])]);
    for (const title of titles) expect(names.filter((n) => n === title), title).toHaveLength(1);
    // A whole restore puts flows.json and context.json back in one commit: busy, nothing saved.
    const before = readFileSync(join(dir, 'flows.json'));
    const restore = await flowInProcess(dir, ['snapshot', 'restore', '1', '--yes']);
    expect(restore.code, restore.stderr).toBe(4);
    expect(restore.stderr).toMatch(/busy/);
    expect(readFileSync(join(dir, 'flows.json')).equals(before)).toBe(true);
  });
});
