// References in the right plan, exit codes for malformed flags, help as JSON, and the
// safety snapshot that retention must not take away.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { flowSync, json, readStore, tempDir } from '../helpers.js';

describe('list numbers count in the plan the command acts in', () => {
  it('--depends numbers resolve in the plan of the task, not the session’s plan', () => {
    const dir = tempDir();
    const f = json(flowSync(dir, ['add', 'flow', 'F', '--json']));
    const p1 = json(flowSync(dir, ['add', 'plan', 'P1', '--json']));
    flowSync(dir, ['add', 'task', 'p1 first']);
    const p2 = json(flowSync(dir, ['add', 'plan', 'P2', '--json']));
    const p2first = json(flowSync(dir, ['add', 'task', 'p2 first', '--json']));
    flowSync(dir, ['add', 'task', 'p2 second']);
    flowSync(dir, ['use', 'plan', p1.id]);
    expect(flowSync(dir, ['set', 'task', '2', '--plan', p2.id, '--depends', '1']).code).toBe(0);
    const tasks = readStore(dir).flows[f.id].plans[1].tasks;
    expect(tasks[1].depends_on).toEqual([p2first.id]);
    // And adding into P2 by --plan: number 2 is P2's second task.
    const added = json(flowSync(dir, ['add', 'task', 'p2 third', '--plan', p2.id, '--depends', '2', '--json']));
    expect(added.depends_on).toEqual([tasks[1].id]);
  });

  it('set task --depends refuses a dependency cycle, across flows too (exit 1, names the tasks, changes nothing)', () => {
    const dir = tempDir();
    flowSync(dir, ['add', 'flow', 'F']);
    flowSync(dir, ['add', 'plan', 'P']);
    const a = json(flowSync(dir, ['add', 'task', 'Alpha', '--json']));
    flowSync(dir, ['add', 'flow', 'G']);
    flowSync(dir, ['add', 'plan', 'Q']);
    const b = json(flowSync(dir, ['add', 'task', 'Beta', '--depends', a.id, '--json']));
    const c = json(flowSync(dir, ['add', 'task', 'Gamma', '--depends', b.id, '--json']));
    expect(c.depends_on).toEqual([b.id]);
    const before = readFileSync(join(dir, 'flows.json'), 'utf8');
    const refused = flowSync(dir, ['set', 'task', a.id, '--depends', c.id]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('that makes a dependency cycle ("Alpha" → "Gamma" → "Beta" → "Alpha"); nothing was changed');
    expect(readFileSync(join(dir, 'flows.json'), 'utf8')).toBe(before);
    const self = flowSync(dir, ['set', 'task', a.id, '--depends', a.id, '--json']);
    expect(self.code).toBe(1);
    expect(JSON.parse(self.stderr).error).toMatchObject({ code: 'invalid', message: expect.stringContaining('a task cannot depend on itself ("Alpha")') });
    // A list that closes nothing is fine (a diamond: Gamma on Beta and on Alpha).
    expect(flowSync(dir, ['set', 'task', c.id, '--depends', `${b.id},${a.id}`]).code).toBe(0);
  });

  it('move --before N counts N in the plan the task goes to', () => {
    const dir = tempDir();
    const f = json(flowSync(dir, ['add', 'flow', 'F', '--json']));
    const p1 = json(flowSync(dir, ['add', 'plan', 'P1', '--json']));
    const mover = json(flowSync(dir, ['add', 'task', 'mover', '--json']));
    flowSync(dir, ['add', 'task', 'stays']);
    const p2 = json(flowSync(dir, ['add', 'plan', 'P2', '--json']));
    flowSync(dir, ['add', 'task', 'a']);
    flowSync(dir, ['add', 'task', 'b']);
    flowSync(dir, ['use', 'plan', p1.id]);
    expect(flowSync(dir, ['move', 'task', mover.id, '--to-plan', p2.id, '--before', '2']).code).toBe(0);
    expect(readStore(dir).flows[f.id].plans[1].tasks.map((t: { title: string }) => t.title)).toEqual(['a', 'mover', 'b']);
  });
});

describe('exit codes and JSON', () => {
  it('a malformed --expect is a usage error (exit 2), not a conflict', () => {
    const dir = tempDir();
    flowSync(dir, ['add', 'flow', 'F']);
    flowSync(dir, ['add', 'plan', 'P']);
    flowSync(dir, ['add', 'task', 'T']);
    const r = flowSync(dir, ['set', 'task', '1', '--title', 'X', '--expect', 'title']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/FIELD=VALUE/);
  });

  it('--help --json is JSON, and --json alone is a JSON usage error', () => {
    const dir = tempDir();
    const help = flowSync(dir, ['add', 'task', '--help', '--json']);
    expect(help.code).toBe(0);
    expect(JSON.parse(help.stdout)).toMatchObject({ command: 'add task', usage: expect.stringContaining('TITLE') });
    expect(JSON.parse(flowSync(dir, ['--help', '--json']).stdout).length).toBeGreaterThan(10);
    const none = flowSync(dir, ['--json']);
    expect(none.code).toBe(2);
    expect(none.stdout).toBe('');
    expect(JSON.parse(none.stderr).error.code).toBe('usage');
  });
});

describe('snapshots kept for safety', () => {
  it('retention never removes the snapshot a deletion has just taken', () => {
    const dir = tempDir();
    const f = json(flowSync(dir, ['add', 'flow', 'Precious', '--json']));
    flowSync(dir, ['config', 'set', 'snapshots.max_age_days', '0']);
    flowSync(dir, ['config', 'set', 'snapshots.keep', '0']);
    expect(flowSync(dir, ['rm', 'flow', f.id, '--yes']).code).toBe(0);
    const list = json(flowSync(dir, ['snapshot', 'list', '--json']));
    expect(list).toHaveLength(1);
    expect(flowSync(dir, ['snapshot', 'restore', '1', '--yes']).code).toBe(0);
    expect(readStore(dir).flows[f.id].name).toBe('Precious');
  });

  it('restoring a flow refuses (exit 3) when one of its tasks now lives in another flow', () => {
    const dir = tempDir();
    const a = json(flowSync(dir, ['add', 'flow', 'A', '--json']));
    flowSync(dir, ['add', 'plan', 'PA']);
    const t = json(flowSync(dir, ['add', 'task', 'T', '--json']));
    json(flowSync(dir, ['add', 'flow', 'B', '--json']));
    const pb = json(flowSync(dir, ['add', 'plan', 'PB', '--json']));
    flowSync(dir, ['snapshot', 'create']);
    expect(flowSync(dir, ['move', 'task', t.id, '--to-plan', pb.id]).code).toBe(0);
    const before = readStore(dir);
    const r = flowSync(dir, ['snapshot', 'restore', '1', '--flow', a.id, '--yes']);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(t.id);
    expect(readStore(dir).flows).toEqual(before.flows);
    expect(flowSync(dir, ['list', 'flow']).code).toBe(0);
  });
});
