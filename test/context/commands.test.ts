// The context commands through the real command line: summaries, decisions, sessions,
// export, and many sessions writing at once.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { flow, flowSync, json, tempDir } from '../helpers.js';

const readContext = (dir: string) => JSON.parse(readFileSync(join(dir, 'context.json'), 'utf8'));

function workspace(): { dir: string; planId: string; taskId: string } {
  const dir = tempDir('flow-context-');
  json(flowSync(dir, ['add', 'flow', 'Project A', '--json']));
  const plan = json(flowSync(dir, ['add', 'plan', 'Storage', '--json']));
  const task = json(flowSync(dir, ['add', 'task', 'Atomic writes', '--json']));
  json(flowSync(dir, ['add', 'task', 'Fsync the folder', '--json']));
  return { dir, planId: plan.id, taskId: task.id };
}

describe('context commands', () => {
  it('set, note, show: verb first and noun first are the same command', () => {
    const { dir, planId, taskId } = workspace();
    expect(flowSync(dir, ['set', 'context', '--summary', 'Storage half done']).code).toBe(0);
    const noted = json(flowSync(dir, ['context', 'note', 'Rename', 'over', 'the', 'old', 'file', '--task', '1', '--json']));
    expect(noted).toMatchObject({ session: 'default', text: 'Rename over the old file', plan_id: planId, task_id: taskId });
    expect(noted.writer).toMatch(/^cli:\d+:default$/);
    expect(flowSync(dir, ['note', 'context', 'About the plan', '--plan', 'Storage']).code).toBe(0);
    const shown = json(flowSync(dir, ['context', 'show', '--json']));
    expect(shown).toMatchObject({ session: 'default', summary: 'Storage half done', plan_id: planId, decision_count: 2 });
    expect(shown.decisions.map((d: { text: string }) => d.text)).toEqual(['About the plan', 'Rename over the old file']);
    const text = flowSync(dir, ['show', 'context']);
    expect(text.stdout).toContain('scope    flow "Project A" › plan "Storage"');
    expect(text.stdout).toContain('Storage half done');
    expect(text.stdout).toMatch(/Decisions, newest first \(2 of 2\)\n.*About the plan {2}\[plan_\w+\]\n.*Rename over the old file {2}\[plan_\w+ task_\w+\]\n/);
  });

  it('the summary from stdin with -, without the final newline; nothing to set is a usage error', () => {
    const { dir } = workspace();
    expect(flowSync(dir, ['context', 'set', '--summary', '-'], { input: 'line one\nline two\n' }).code).toBe(0);
    expect(readContext(dir).sessions.default.summary).toBe('line one\nline two');
    const nothing = flowSync(dir, ['context', 'set']);
    expect(nothing.code).toBe(2);
    expect(nothing.stderr).toContain('--summary TEXT');
  });

  it('list shows every session with its scope and age; rm removes one, an unknown one is not found', () => {
    const { dir } = workspace();
    expect(flowSync(dir, ['context', 'note', 'agent decision'], { env: { FLOW_SESSION: 'agent-1' } }).code).toBe(0);
    const sessions = json(flowSync(dir, ['context', 'list', '--json']));
    expect(sessions.map((s: { session: string }) => s.session).sort()).toEqual(['agent-1', 'default']);
    expect(sessions.find((s: { session: string }) => s.session === 'agent-1')).toMatchObject({ decision_count: 1, current: false, plan_id: null });
    const text = flowSync(dir, ['context', 'list']).stdout;
    expect(text).toMatch(/› {2}default {2}flow "Project A" › plan "Storage" +0 decisions +\d+s ago/);
    expect(text).toMatch(/ {3}agent-1 +none +1 decision +\d+s ago/);
    const removed = json(flowSync(dir, ['context', 'rm', 'agent-1', '--json']));
    expect(removed.decisions).toHaveLength(1);
    expect(Object.keys(readContext(dir).sessions)).toEqual(['default']);
    const missing = flowSync(dir, ['context', 'rm', 'agent-1']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no session "agent-1"');
    expect(flowSync(dir, ['context', 'rm', '../x']).code).toBe(2);
  });

  it('export prints at most --max-chars characters, final newline included, with the summary', () => {
    const { dir } = workspace();
    flowSync(dir, ['context', 'set', '--summary', 'Where we are: 🧱 storage']);
    const file = readContext(dir);
    file.sessions.default.decisions = Array.from({ length: 30 }, (_, i) => ({ time: new Date().toISOString(), text: `decision ${i} ${'because '.repeat(i)}` }));
    writeFileSync(join(dir, 'context.json'), JSON.stringify(file));
    for (const max of [100, 250, 100_000]) {
      for (const format of ['md', 'json']) {
        const r = flowSync(dir, ['context', 'export', '--format', format, '--max-chars', String(max)]);
        expect(r.code, r.stderr).toBe(0);
        expect(Array.from(r.stdout).length, `${format} ${max}`).toBeLessThanOrEqual(max);
        expect(r.stdout).toContain('Where we are: 🧱 storage');
      }
    }
    const wrapped = json(flowSync(dir, ['context', 'export', '--max-chars', '2000', '--json']));
    expect(wrapped).toMatchObject({ session: 'default', format: 'md', max_chars: 2000 });
    expect(wrapped.omitted.decisions).toBeGreaterThan(0);
    expect(wrapped.text).toContain('decision 29');
    const small = flowSync(dir, ['context', 'export', '--max-chars', '99']);
    expect(small.code).toBe(2);
    expect(small.stderr).toContain('at least 100');
  });

  it('four sessions writing a summary and 10 decisions each, all at once, keep exactly their own', async () => {
    const { dir } = workspace();
    const sessions = ['s1', 's2', 's3', 's4'];
    await Promise.all(
      sessions.flatMap((session) => [
        flow(dir, ['context', 'set', '--summary', `summary of ${session}`], { env: { FLOW_SESSION: session } }),
        ...Array.from({ length: 10 }, (_, i) => flow(dir, ['--session', session, 'context', 'note', `${session} decision ${i}`])),
      ]).map(async (run) => {
        const r = await run;
        expect(r.code, r.stderr).toBe(0);
      }),
    );
    const file = readContext(dir);
    for (const session of sessions) {
      const entry = file.sessions[session];
      expect(entry.summary).toBe(`summary of ${session}`);
      expect(entry.decisions.map((d: { text: string }) => d.text).sort()).toEqual(
        Array.from({ length: 10 }, (_, i) => `${session} decision ${i}`).sort(),
      );
      for (const d of entry.decisions) expect(d.writer).toMatch(new RegExp(`:${session}$`));
    }
    // The default session's scope is untouched.
    expect(file.sessions.default.plan_id).toMatch(/^plan_/);
  });

  it('keeps fields other tools add; a newer version is read but never written', () => {
    const { dir } = workspace();
    const file = readContext(dir);
    file.sessions.default.from_tool = { x: 1 };
    file.sessions.default.decisions = [{ time: 't', text: 'old', writer: 'w', confidence: 0.9 }];
    file.tool_state = 'kept';
    writeFileSync(join(dir, 'context.json'), JSON.stringify(file));
    expect(flowSync(dir, ['context', 'note', 'new']).code).toBe(0);
    const after = readContext(dir);
    expect(after.tool_state).toBe('kept');
    expect(after.sessions.default.from_tool).toEqual({ x: 1 });
    expect(after.sessions.default.decisions[0]).toMatchObject({ text: 'old', confidence: 0.9 });

    writeFileSync(join(dir, 'context.json'), JSON.stringify({ ...after, version: 2 }));
    const before = readFileSync(join(dir, 'context.json'));
    expect(json(flowSync(dir, ['context', 'show', '--json'])).decision_count).toBe(2);
    const refused = flowSync(dir, ['context', 'note', 'newer']);
    expect(refused.code).toBe(5);
    expect(refused.stderr).toContain('newer than this flow understands');
    expect(readFileSync(join(dir, 'context.json')).equals(before)).toBe(true);
  });

  it('text from context.json reaches the terminal escaped', () => {
    const { dir } = workspace();
    flowSync(dir, ['context', 'set', '--summary', 'ok\u001b]0;pwned\u0007 \u009b2J']);
    flowSync(dir, ['context', 'note', 'evil \u001b[2J note']);
    for (const args of [['context', 'show'], ['context', 'export'], ['context', 'list']]) {
      const out = flowSync(dir, args).stdout;
      expect(out, args.join(' ')).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
    }
    expect(flowSync(dir, ['context', 'show']).stdout).toContain('ok\\x1b]0;pwned\\x07 \\x9b2J');
  });
});
