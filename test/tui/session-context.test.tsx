// The session's context in the workspace (issue 14 item 5): the detail pane of the
// session's plan shows its summary and newest decisions, C edits the summary in the
// notes editor, N notes a decision about the task under the cursor (context set / context
// note through the bus), a change by another process shows up, and a hook's veto or
// failure reaches the message line with the hook's output, sanitized.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers.js';
import { diskTask, createHarness, KEY, plain, seed, seedFixture, stopAll, type Fixture, type Harness } from './harness.js';

// Trust of hooks is recorded in the per-user folder: a temp one for these tests.
const saved = { XDG_CONFIG_HOME: process.env.XDG_CONFIG_HOME, HOME: process.env.HOME };
beforeEach(() => {
  const home = tempDir('flow-tui-home-');
  process.env.HOME = home;
  process.env.XDG_CONFIG_HOME = join(home, 'config');
});
afterEach(async () => {
  await stopAll();
  for (const [key, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
});

async function open(hooks?: Record<string, unknown>): Promise<{ h: Harness; f: Fixture }> {
  let f: Fixture | undefined;
  const h = await createHarness({
    seed: async (dir) => {
      f = await seedFixture(dir);
      if (!hooks) return;
      writeFileSync(join(dir, 'config.json'), JSON.stringify({ hooks }));
      await seed(dir, ['trust hooks --yes']);
    },
  });
  return { h, f: f as Fixture };
}

const lines = (h: Harness) => plain(h.lastFrame()).split('\n');
const messageLine = (h: Harness) => lines(h)[lines(h).findIndex((l) => l.includes('› /flow')) - 1] ?? '';
const session = (dir: string) => JSON.parse(readFileSync(join(dir, 'context.json'), 'utf8')).sessions.default;

describe("the session's context", () => {
  it("the session's plan shows its summary; C edits it in the notes editor", async () => {
    const { h } = await open();
    await h.waitForText('No summary yet: C writes one');
    await h.press('C');
    await h.waitForText('Summary of session "default"');
    await h.type('Storage done.');
    await h.press(KEY.enter);
    await h.type('Next: the detail pane.');
    await h.press(KEY.ctrlS);
    await h.waitForFrame(() => session(h.dir)?.summary === 'Storage done.\nNext: the detail pane.', 'the summary in context.json');
    await h.waitForText('Next: the detail pane.');
    expect(messageLine(h)).toContain('Summary of session "default" saved');
    // Esc in the editor with nothing changed just closes it; C shows the saved text.
    await h.press('C');
    await h.waitForFrame(() => h.tui.getState().editor?.field.text === 'Storage done.\nNext: the detail pane.', 'the summary in the editor');
    await h.press(KEY.escape);
  });

  it('N notes a decision about the task under the cursor; task and plan both show it', async () => {
    const { h, f } = await open();
    await h.press('j', 'N');
    await h.waitForText('Decision about task "First task"');
    await h.type('One lock');
    await h.press(KEY.enter);
    await h.waitForFrame(() => session(h.dir)?.decisions?.length === 1, 'the decision in context.json');
    expect(session(h.dir).decisions[0]).toMatchObject({ text: 'One lock', task_id: f.first, plan_id: f.planOne });
    expect(session(h.dir).decisions[0].writer).toMatch(/^tui:/);
    await h.waitForFrame(() => lines(h).some((l) => /decided\s+\d\d-\d\d \d\d:\d\d\s+One lock/.test(l)), 'the decision on the task');
    await h.press('k');
    await h.waitForFrame(() => h.tui.getState().cursor === f.planOne && lines(h).some((l) => /decided .*One lock/.test(l)), 'and on the plan');
  });

  it("another process's summary and decisions show up without a key", async () => {
    const { h } = await open();
    await h.waitForText('No decisions yet');
    await seed(h.dir, ['context set --summary "Written elsewhere"', 'context note "Chose plan B"']);
    await h.waitForText('Written elsewhere');
    await h.waitForText('Chose plan B');
  });

  it("a pre_save hook's veto is in the message line with its output, sanitized; nothing saved", async () => {
    const { h, f } = await open({ pre_save: ["printf 'no saves on Fridays \\033]0;owned\\007\\033[2J' >&2; exit 3"] });
    await h.press('j', KEY.space);
    await h.waitForFrame(() => /pre_save hook/.test(messageLine(h)), 'the veto');
    const line = messageLine(h);
    // The hook's words first, its escapes shown as text (never sent to the terminal).
    expect(line).toMatch(/✗ vetoed by a pre_save hook \(exit 3\): no saves on Fridays \\x1b\]0;owned\\x07\\x1b\[2J; nothing was/);
    expect(h.lastFrame()).not.toContain('\u001b]0;');
    expect(h.lastFrame()).not.toContain('\u001b[2J');
    expect(diskTask(h.dir, f.first).status).toBe('todo');
  });

  it('a failing post_save hook is a warning with its output; the change stays', async () => {
    const { h, f } = await open({ post_save: ["echo 'index server down' >&2; exit 1"] });
    await h.press('j', KEY.space);
    await h.waitForFrame(() => /post_save hook .*index server down.*\(the change stays\)/.test(messageLine(h)), 'the warning');
    expect(diskTask(h.dir, f.first).status).toBe('in_progress');
  });
});
