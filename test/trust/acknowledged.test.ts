// DESIGN §8: no acknowledged write is ever rolled back by a later read, and recovery
// never makes things worse. Every write that exited 0 is present afterwards: after a
// flow line appears twice, after an id appears in two flows, after damage met on a full
// disk (a real tmpfs, root only).
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { flowSync, json, readStore, tempDir } from '../helpers.js';
import { isRoot, mountTmpfs } from './tmpfs.js';


/** Titles of every task in a flow of the store. */
function taskTitles(dir: string, flowId: string): string[] {
  const flow = readStore(dir).flows[flowId];
  return flow.plans.flatMap((p: any) => p.tasks.map((t: any) => t.title));
}

function addTask(dir: string, title: string, plan: string): string {
  const r = flowSync(dir, ['--json', 'add', 'task', title, '--plan', plan]);
  expect(r.code, r.stderr).toBe(0);
  return json(r).id;
}

function twoFlows(dir: string): { a: string; planA: string; b: string; planB: string } {
  const a = json(flowSync(dir, ['--json', 'add', 'flow', 'A'])).id;
  const planA = json(flowSync(dir, ['--json', 'add', 'plan', 'Plan A'])).id;
  const b = json(flowSync(dir, ['--json', 'add', 'flow', 'B'])).id;
  const planB = json(flowSync(dir, ['--json', 'add', 'plan', 'Plan B'])).id;
  return { a, planA, b, planB };
}

/** A flow's member line, without the comma that separates it from the next. */
const lineOf = (text: string, id: string) =>
  (text.split('\n').find((l) => l.startsWith(`    ${JSON.stringify(id)}: `)) as string).replace(/,$/, '');
const quarantined = (dir: string) => readdirSync(dir).filter((n) => n.includes('.corrupt.'));

describe('a flow line that appears twice (written by another program)', () => {
  function duplicateLine(dir: string, id: string, edit: (line: string) => string = (l) => l): void {
    const file = join(dir, 'flows.json');
    const text = readFileSync(file, 'utf8');
    const line = lineOf(text, id);
    writeFileSync(file, text.replace(line, `${line},\n${edit(line)}`));
  }

  it('an older copy: three acknowledged add task (to the first line) are all there after the next full read', () => {
    const dir = tempDir('flow-ack-');
    const { a, planA } = twoFlows(dir);
    addTask(dir, 'before', planA);
    duplicateLine(dir, a, (line) => line.replace('"before"', '"stale copy"'));

    const acked = ['one', 'two', 'three'].map((title) => addTask(dir, title, planA));
    const listed = flowSync(dir, ['--json', 'list', 'flow']);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stderr).toMatch(/flows\.json was repaired .*nothing was lost/);
    expect(taskTitles(dir, a)).toEqual(['before', 'one', 'two', 'three']);
    expect(readStore(dir).flows[a].plans[0].tasks.slice(1).map((t: any) => t.id)).toEqual(acked);
    expect(quarantined(dir), 'the file as it was is kept aside').toHaveLength(1);
    // The other copy is kept too, under its own id, its objects told apart.
    const dup = readStore(dir).flows[`${a}_dup`];
    expect(dup.old_id).toBe(a);
    expect(dup.plans[0].tasks.map((t: any) => t.title)).toEqual(['stale copy']);
    expect(dup.plans[0].id).not.toBe(planA);
    expect(dup.plans[0].old_id).toBe(planA);
    expect(flowSync(dir, ['add', 'task', 'after', '--plan', planA]).code).toBe(0);
    expect(taskTitles(dir, a)).toEqual(['before', 'one', 'two', 'three', 'after']);
  });

  it('an identical copy is removed by the next full read; writes before and after it stay', () => {
    const dir = tempDir('flow-ack-');
    const { a, planA } = twoFlows(dir);
    addTask(dir, 'before', planA);
    duplicateLine(dir, a);
    const listed = flowSync(dir, ['list', 'flow']);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stderr).toMatch(/appeared twice, identically: one copy removed/);
    for (const title of ['one', 'two', 'three']) addTask(dir, title, planA);
    expect(Object.keys(readStore(dir).flows)).toHaveLength(2);
    expect(taskTitles(dir, a)).toEqual(['before', 'one', 'two', 'three']);
  });

  it('a task id that appears in two flows: the copy a write changed keeps the id and the change', () => {
    const dir = tempDir('flow-ack-');
    const { a, b } = twoFlows(dir);
    const task = addTask(dir, 'shared', readStore(dir).flows[a].plans[0].id);
    const file = join(dir, 'flows.json');
    const doc = readStore(dir);
    const text = readFileSync(file, 'utf8');
    const bFlow = { ...doc.flows[b], plans: [{ ...doc.flows[b].plans[0], tasks: [doc.flows[a].plans[0].tasks[0]] }] };
    writeFileSync(file, text.replace(lineOf(text, b), `    ${JSON.stringify(b)}: ${JSON.stringify(bFlow)}`));
    // Acknowledged: the command changes the copy it finds first (here in the current flow, B).
    expect(flowSync(dir, ['set', 'task', task, '--status', 'done']).code).toBe(0);
    // stats reads every flow in full, as the TUI does (list flow reads only names and counts).
    const listed = flowSync(dir, ['stats']);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stderr).toMatch(/task \S+ appeared twice: the copy in flow \S+ is now task_/);
    const copies = [a, b].map((id) => readStore(dir).flows[id].plans[0].tasks[0]);
    const written = copies.find((t) => t.status === 'done');
    const other = copies.find((t) => t.status !== 'done');
    expect(written).toMatchObject({ id: task, title: 'shared' });
    expect(other).toMatchObject({ old_id: task, title: 'shared' });
    expect(other.id).not.toBe(task);
  });
});

describe.skipIf(!isRoot)('a full disk (tmpfs, root)', () => {
  function smallDisk(): { dir: string; fill: () => void; free: () => void } {
    const mount = mountTmpfs();
    const dir = join(mount, '.flow');
    mkdirSync(dir);
    const filler = join(mount, 'filler');
    return {
      dir,
      fill: () => {
        const fd = openSync(filler, 'a');
        const chunk = Buffer.alloc(4096, 1);
        try {
          for (;;) writeSync(fd, chunk);
        } catch (err) {
          expect((err as NodeJS.ErrnoException).code).toBe('ENOSPC');
        } finally {
          closeSync(fd);
        }
      },
      free: () => rmSync(filler),
    };
  }

  it('a write says disk_full (exit 1) and changes nothing; damage met then is left as it is (exit 5); once space is back, every acknowledged write is kept', () => {
    const { dir, fill, free } = smallDisk();
    const { a, planA, b, planB } = twoFlows(dir);
    addTask(dir, 'b-task', planB);
    expect(flowSync(dir, ['snapshot', 'create']).code).toBe(0);
    // Acknowledged after the snapshot: only the file itself has them.
    const acked = ['one', 'two', 'three'].map((title) => addTask(dir, title, planA));
    const revision = readStore(dir).meta.file_revision;
    const file = join(dir, 'flows.json');

    fill();
    const good = readFileSync(file);
    const full = flowSync(dir, ['--json', 'add', 'task', 'no room', '--plan', planA]);
    expect(full.code).toBe(1);
    expect(JSON.parse(full.stderr.trim().split('\n').pop() as string).error).toMatchObject({ code: 'disk_full', errno: 'ENOSPC' });
    expect(flowSync(dir, ['add', 'task', 'no room', '--plan', planA]).stderr).toMatch(/^flow: the disk is full: could not write \S+flows\.json\.tmp-\S+ \(nothing was saved\)/m);
    expect(readFileSync(file).equals(good), 'the store is as it was').toBe(true);

    // Another program damages flow B in place (no new blocks needed).
    const text = good.toString('utf8');
    const at = text.indexOf('"status":"todo"', text.indexOf(lineOf(text, b)));
    const fd = openSync(file, 'r+');
    writeSync(fd, '"status":"xxxx"', at);
    closeSync(fd);
    const damaged = readFileSync(file);
    const met = flowSync(dir, ['--json', 'list', 'task']);
    expect(met.code, met.stderr).toBe(5);
    const error = JSON.parse(met.stderr.trim().split('\n').pop() as string).error;
    expect(error.code).toBe('unreadable');
    expect(error.cause).toBe('disk_full');
    expect(error.message).toMatch(/The store was left exactly as it was/);
    expect(readFileSync(file).equals(damaged), 'nothing was moved or replaced').toBe(true);
    expect(quarantined(dir)).toEqual([]);
    expect(readdirSync(dir).filter((n) => n.includes('.tmp-'))).toEqual([]);

    free();
    const recovered = flowSync(dir, ['list', 'task', '--plan', planA]);
    expect(recovered.code).toBe(5);
    expect(recovered.stderr).toMatch(/rebuilt from what still reads in it: 1 flows kept as they were, 1 restored from snapshot/);
    expect(quarantined(dir)).toHaveLength(1);
    const doc = readStore(dir);
    expect(doc.meta.file_revision, 'revisions go on, never back to 1').toBe(revision + 1);
    expect(taskTitles(dir, a)).toEqual(['one', 'two', 'three']);
    expect(doc.flows[a].plans[0].tasks.map((t: any) => t.id)).toEqual(acked);
    expect(taskTitles(dir, b)).toEqual(['b-task']);
    expect(flowSync(dir, ['add', 'task', 'after', '--plan', planA]).code).toBe(0);
  });
});
