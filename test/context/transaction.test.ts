// One transaction for flows.json and context.json (issue 14 item 2): both are committed
// under one lock, scopes follow what a change did to plans and flows, and a SIGKILL
// between the two renames is finished by whatever runs next.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { flowSync, json, readStore, tempDir } from '../helpers.js';

const readContext = (dir: string) => JSON.parse(readFileSync(join(dir, 'context.json'), 'utf8'));
const scopeOf = (dir: string, session = 'default') => {
  const entry = readContext(dir).sessions[session] ?? {};
  return { flow: entry.flow_id ?? null, plan: entry.plan_id ?? null };
};
// The killed writer's locks are taken over as soon as they are stale.
const AFTER_KILL = { FLOW_LOCK_STALE_MS: '2000' };

function twoPlans() {
  const dir = tempDir('flow-tx-');
  const flow = json(flowSync(dir, ['add', 'flow', 'F', '--json']));
  const p1 = json(flowSync(dir, ['add', 'plan', 'P1', '--json']));
  const p2 = json(flowSync(dir, ['add', 'plan', 'P2', '--json']));
  return { dir, flow: flow.id as string, p1: p1.id as string, p2: p2.id as string };
}

describe('scopes in the same commit as the store', () => {
  it('add plan makes it the scope at the revision that added it; use changes only context.json', () => {
    const { dir, flow, p2 } = twoPlans();
    expect(scopeOf(dir)).toEqual({ flow, plan: p2 });
    const revision = readStore(dir).meta.file_revision;
    expect(flowSync(dir, ['use', 'plan', 'P1']).code).toBe(0);
    expect(readStore(dir).meta.file_revision, 'use saves no revision').toBe(revision);
    expect(scopeOf(dir).plan).not.toBe(p2);
    expect(existsSync(join(dir, 'transaction.json'))).toBe(false);
  });

  it('rm plan clears the scope of every session in it, with a message, never pointing at another plan', () => {
    const { dir, flow, p1, p2 } = twoPlans();
    expect(flowSync(dir, ['--session', 'other', 'use', 'plan', p1]).code).toBe(0);
    const r = flowSync(dir, ['rm', 'plan', p1, '--yes']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('session "other" worked in plan "P1", which is deleted: its scope is cleared');
    expect(scopeOf(dir, 'other')).toEqual({ flow, plan: null });
    expect(scopeOf(dir)).toEqual({ flow, plan: p2 });
    // That session is told when it next acts, rather than landing in the flow's only plan.
    const lost = flowSync(dir, ['--session', 'other', 'add', 'task', 'T']);
    expect(lost.code).toBe(1);
    expect(lost.stderr).toMatch(new RegExp(`the plan of session "other" \\(${p1} "P1"\\) no longer exists: cli:\\d+:default deleted it at \\S+ and the scope was cleared`));
    expect(readStore(dir).flows[flow].plans[0].tasks).toEqual([]);
    // Choosing again ends it.
    expect(flowSync(dir, ['--session', 'other', 'use', 'plan', p2]).code).toBe(0);
    expect(readContext(dir).sessions.other.cleared).toBeUndefined();
    expect(flowSync(dir, ['--session', 'other', 'add', 'task', 'T']).code).toBe(0);
  });

  it('rm flow clears the scopes in it; move plan --to-flow takes the scope along', () => {
    const { dir, p2 } = twoPlans();
    const g = json(flowSync(dir, ['add', 'flow', 'G', '--json']));
    expect(scopeOf(dir)).toEqual({ flow: g.id, plan: null });
    expect(flowSync(dir, ['--session', 'mover', 'use', 'plan', p2]).code).toBe(0);
    expect(flowSync(dir, ['move', 'plan', p2, '--to-flow', 'G']).code).toBe(0);
    expect(scopeOf(dir, 'mover')).toEqual({ flow: g.id, plan: p2 });
    const r = flowSync(dir, ['rm', 'flow', 'G', '--yes']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('session "default" worked in flow "G", which is deleted: its scope is cleared');
    expect(scopeOf(dir)).toEqual({ flow: null, plan: null });
    expect(scopeOf(dir, 'mover')).toEqual({ flow: null, plan: null });
  });

  it('a whole restore puts back flows.json and context.json in one commit', () => {
    const { dir, p1, p2 } = twoPlans();
    flowSync(dir, ['context', 'set', '--summary', 'at the snapshot']);
    json(flowSync(dir, ['snapshot', 'create', '--json']));
    flowSync(dir, ['context', 'set', '--summary', 'later']);
    flowSync(dir, ['use', 'plan', p1]);
    const r = flowSync(dir, ['snapshot', 'restore', '1', '--yes']);
    expect(r.code, r.stderr).toBe(0);
    expect(readContext(dir).sessions.default.summary).toBe('at the snapshot');
    expect(scopeOf(dir).plan).toBe(p2);
  });
});

describe('a SIGKILL between the two renames', () => {
  it('of add plan: flows.json has the plan, and the next start gives context.json its scope', () => {
    const { dir, flow } = twoPlans();
    const killed = flowSync(dir, ['add', 'plan', 'P3'], { env: { FLOW_CRASH_AT: 'between-renames' } });
    expect(killed.code).toBeNull();
    const p3 = readStore(dir).flows[flow].plans.find((p: { title: string }) => p.title === 'P3');
    expect(p3, 'flows.json was renamed').toBeDefined();
    expect(scopeOf(dir).plan, 'context.json was not').not.toBe(p3.id);
    expect(existsSync(join(dir, 'transaction.json'))).toBe(true);
    // A reader finishes it.
    const shown = flowSync(dir, ['list', 'task', '--json'], { env: AFTER_KILL });
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stderr).toMatch(/saved at revision \d+ stopped before context\.json was written.*now has its part/);
    expect(scopeOf(dir)).toEqual({ flow, plan: p3.id });
    expect(readdirSync(dir).filter((n) => n.startsWith('transaction.json'))).toEqual([]);
    expect(json(flowSync(dir, ['show', 'context', '--json'])).plan_id).toBe(p3.id);
  });

  it('of rm plan, finished by a command that writes context.json alone, after other sessions changed it', () => {
    const { dir, flow, p1 } = twoPlans();
    flowSync(dir, ['--session', 'other', 'use', 'plan', p1]);
    flowSync(dir, ['--session', 'other', 'context', 'note', 'before']);
    expect(flowSync(dir, ['rm', 'plan', p1, '--yes'], { env: { FLOW_CRASH_AT: 'between-renames' } }).code).toBeNull();
    expect(readStore(dir).flows[flow].plans.map((p: { id: string }) => p.id)).not.toContain(p1);
    expect(scopeOf(dir, 'other').plan).toBe(p1);
    const noted = flowSync(dir, ['--session', 'other', 'context', 'note', 'after'], { env: AFTER_KILL });
    expect(noted.code, noted.stderr).toBe(0);
    const entry = readContext(dir).sessions.other;
    expect(entry.plan_id).toBeNull();
    expect(entry.decisions.map((d: { text: string }) => d.text)).toEqual(['before', 'after']);
  });

  it('before the first rename: neither file changed, and the record is dropped', () => {
    const { dir, flow, p2 } = twoPlans();
    const before = readFileSync(join(dir, 'flows.json'));
    expect(flowSync(dir, ['add', 'plan', 'P3'], { env: { FLOW_CRASH_AT: 'before-renames' } }).code).toBeNull();
    expect(existsSync(join(dir, 'transaction.json'))).toBe(true);
    expect(readFileSync(join(dir, 'flows.json')).equals(before)).toBe(true);
    const r = flowSync(dir, ['add', 'task', 'next', '--json'], { env: AFTER_KILL });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    expect(existsSync(join(dir, 'transaction.json'))).toBe(false);
    expect(scopeOf(dir)).toEqual({ flow, plan: p2 });
    const plans = readStore(dir).flows[flow].plans.map((p: { title: string }) => p.title);
    expect(plans).toEqual(['P1', 'P2']);
  });

  it('a transaction.json flow did not write is moved aside, never followed', () => {
    const { dir, p2 } = twoPlans();
    const outside = join(tempDir('flow-tx-outside-'), 'x.json');
    writeFileSync(join(dir, 'transaction.json'), JSON.stringify({ revision: 1, writer: 'w', last_saved: 't', file: '../x.json', content: '{}' }));
    const r = flowSync(dir, ['list', 'plan']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/transaction\.json\.corrupt\.\S+ is not what flow writes/);
    expect(existsSync(outside)).toBe(false);
    expect(existsSync(join(dir, 'transaction.json'))).toBe(false);
    expect(scopeOf(dir).plan).toBe(p2);
  });
});
