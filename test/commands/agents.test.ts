// The agents' queue: ready task, claim task, release task, as several agent processes use
// them at once (real processes, one store).
import { describe, expect, it } from 'vitest';
import { flow, flowSync, json, readStore, tempDir, waitFor } from '../helpers.js';

function store(tasks: number) {
  const dir = tempDir();
  json(flowSync(dir, ['add', 'flow', 'F', '--json']));
  const plan = json(flowSync(dir, ['add', 'plan', 'Work', '--json']));
  const ids: string[] = [];
  for (let i = 1; i <= tasks; i++) ids.push(json(flowSync(dir, ['add', 'task', `T${i}`, '--json'])).id);
  return { dir, plan, ids };
}

const claimedBy = (dir: string) => {
  const doc = readStore(dir);
  const tasks = Object.values<any>(doc.flows).flatMap((f) => f.plans.flatMap((p: any) => p.tasks));
  return Object.fromEntries(tasks.filter((t) => t.claimed_by).map((t) => [t.id, t.claimed_by]));
};

describe('claim task', () => {
  it('8 agents claiming at once from 8 ready tasks get 8 different tasks; a ninth gets "nothing ready"', async () => {
    const { dir, ids } = store(8);
    const agents = Array.from({ length: 8 }, (_, i) => `agent-${i + 1}`);
    const results = await Promise.all(agents.map((agent) => flow(dir, ['claim', 'task', '--agent', agent, '--json'])));
    for (const r of results) expect(r.code, r.stderr).toBe(0);
    const claimed = results.map((r) => JSON.parse(r.stdout));
    expect(new Set(claimed.map((t) => t.id)).size).toBe(8);
    expect(claimed.map((t) => t.id).sort()).toEqual([...ids].sort());
    // Each agent's answer is what the file says: its task, in progress, leased to it.
    const owners = claimedBy(dir);
    for (const [i, task] of claimed.entries()) {
      expect(task.status).toBe('in_progress');
      expect(task.claimed_by).toBe(agents[i]);
      expect(owners[task.id]).toBe(agents[i]);
      expect(Date.parse(task.claim_expires)).toBeGreaterThan(Date.now() + 25 * 60_000);
    }
    const ninth = flowSync(dir, ['claim', 'task', '--agent', 'agent-9', '--json']);
    expect(ninth.code).toBe(1);
    expect(ninth.stdout).toBe('');
    const error = JSON.parse(ninth.stderr).error;
    expect(error.code).toBe('not_found');
    expect(error.message).toMatch(/^nothing ready in plan "Work" \(8 claimed\)/);
    expect(json(flowSync(dir, ['ready', 'task', '--json']))).toEqual([]);
  });

  it('an expired lease makes the task ready and claimable again', async () => {
    const { dir, ids } = store(1);
    const first = json(flowSync(dir, ['claim', 'task', '--agent', 'slow', '--lease', '1s', '--json']));
    expect(first.id).toBe(ids[0]);
    // (That a live claim is not ready is checked with long leases above: one of 1 s may
    // run out before the next process starts on a loaded machine.)
    await waitFor(() => json(flowSync(dir, ['ready', 'task', '--json'])).length === 1, { what: 'the lease to run out', timeoutMs: 20_000 });
    const second = json(flowSync(dir, ['claim', 'task', '--agent', 'other', '--json']));
    expect(second.id).toBe(ids[0]);
    expect(second.claimed_by).toBe('other');
    expect(claimedBy(dir)).toEqual({ [ids[0]]: 'other' });
  });

  it('a named task: renewed by its agent, refused to another (exit 3), refused when not ready (exit 1)', () => {
    const { dir, ids } = store(3);
    flowSync(dir, ['set', 'task', '3', '--depends', '2']);
    const mine = json(flowSync(dir, ['claim', 'task', '1', '--agent', 'a', '--lease', '10m', '--json']));
    const renewed = json(flowSync(dir, ['claim', 'task', '1', '--agent', 'a', '--lease', '2h', '--json']));
    expect(renewed.id).toBe(mine.id);
    expect(Date.parse(renewed.claim_expires)).toBeGreaterThan(Date.parse(mine.claim_expires));
    const taken = flowSync(dir, ['claim', 'task', ids[0], '--agent', 'b', '--json']);
    expect(taken.code).toBe(3);
    expect(JSON.parse(taken.stderr).error).toMatchObject({ code: 'conflict', claimed_by: 'a' });
    const waiting = flowSync(dir, ['claim', 'task', '3', '--agent', 'b', '--json']);
    expect(waiting.code).toBe(1);
    expect(JSON.parse(waiting.stderr).error).toMatchObject({ code: 'invalid', waits_for: [ids[1]] });
    flowSync(dir, ['done', 'task', '2']);
    expect(json(flowSync(dir, ['claim', 'task', '3', '--agent', 'b', '--json'])).id).toBe(ids[2]);
    const done = flowSync(dir, ['claim', 'task', '2', '--agent', 'b']);
    expect(done.code).toBe(1);
    expect(done.stderr).toMatch(/is done, not ready/);
    expect(flowSync(dir, ['claim', 'task', '--agent', 'b', '--lease', '5x']).code).toBe(2);
  });

  it('release gives the task back; only its agent may release a live claim when --agent is given', () => {
    const { dir, ids } = store(1);
    flowSync(dir, ['claim', 'task', '--agent', 'a']);
    const refused = flowSync(dir, ['release', 'task', '1', '--agent', 'b', '--json']);
    expect(refused.code).toBe(3);
    expect(claimedBy(dir)).toEqual({ [ids[0]]: 'a' });
    const released = json(flowSync(dir, ['release', 'task', '1', '--agent', 'a', '--json']));
    expect(released).toMatchObject({ id: ids[0], status: 'todo' });
    expect(released.claimed_by).toBeUndefined();
    expect(claimedBy(dir)).toEqual({});
    expect(json(flowSync(dir, ['ready', 'task', '--json'])).map((t: any) => t.id)).toEqual(ids);
    const again = flowSync(dir, ['release', 'task', '1']);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/was not claimed/);
  });
});

describe('ready task', () => {
  it('lists to-do tasks whose dependencies are settled, by priority then order', () => {
    const { dir, ids } = store(5);
    flowSync(dir, ['set', 'task', '2', '--priority', 'high']);
    flowSync(dir, ['set', 'task', '3', '--priority', 'low']);
    flowSync(dir, ['set', 'task', '4', '--depends', '1']);
    flowSync(dir, ['block', 'task', '5']);
    const order = () => json(flowSync(dir, ['ready', 'task', '--json'])).map((t: any) => t.title);
    expect(order()).toEqual(['T2', 'T1', 'T3']);
    flowSync(dir, ['cancel', 'task', '1']);
    // A cancelled dependency will never be done: it holds nothing up.
    expect(order()).toEqual(['T2', 'T4', 'T3']);
    const text = flowSync(dir, ['ready', 'task']).stdout;
    expect(text.split('\n')[0]).toMatch(/^\s+2\. ○ ! T2\s+task_/);
    expect(ids).toHaveLength(5);
  });

  it('looks in the session plan, a named plan, a flow, or everywhere; done and archived plans only when named', () => {
    const dir = tempDir();
    flowSync(dir, ['add', 'flow', 'F']);
    flowSync(dir, ['add', 'plan', 'A']);
    flowSync(dir, ['add', 'task', 'in A']);
    flowSync(dir, ['add', 'plan', 'B']);
    flowSync(dir, ['add', 'task', 'in B']);
    flowSync(dir, ['add', 'plan', 'Old', '--status', 'archived']);
    flowSync(dir, ['add', 'task', 'in Old']);
    flowSync(dir, ['add', 'flow', 'G']);
    flowSync(dir, ['add', 'plan', 'C']);
    flowSync(dir, ['add', 'task', 'in C']);
    const titles = (...args: string[]) => json(flowSync(dir, ['ready', 'task', ...args, '--json'])).map((t: any) => t.title);
    expect(titles()).toEqual(['in C']);
    expect(flowSync(dir, ['ready', 'task', '--plan', 'A', '--all']).code).toBe(1);
    expect(titles('--flow', 'F')).toEqual(['in A', 'in B']);
    expect(titles('--all')).toEqual(['in A', 'in B', 'in C']);
    flowSync(dir, ['use', 'flow', 'F']);
    expect(titles()).toEqual(['in A', 'in B']);
    expect(titles('--plan', 'Old')).toEqual(['in Old']);
  });
});
