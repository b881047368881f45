// The components in the rendered workspace: header, detail pane, message line, the
// conflict banner, the live view (a real second process writing) and NO_COLOR.
import chalk from 'chalk';
import { quoteWord } from '../../src/commands/tokenize.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { flow } from '../helpers.js';
import { createHarness, diskTask, KEY, seed, seedFixture, stopAll, type Fixture, type Harness } from './harness.js';

afterEach(stopAll);

async function open(options: { noColor?: boolean; theme?: string } = {}): Promise<{ h: Harness; f: Fixture }> {
  let f: Fixture | undefined;
  const h = await createHarness({ ...options, seed: async (dir) => (f = await seedFixture(dir)) });
  return { h, f: f as Fixture };
}

const lines = (h: Harness) => h.lastFrame().split('\n');
const messageLine = (h: Harness) => {
  const all = lines(h);
  return all[all.findIndex((l) => l.includes('› /flow')) - 1] ?? '';
};

describe('header', () => {
  it('shows the flow, the session’s plan, the revision, its writer and live', async () => {
    const { h } = await open();
    const header = lines(h)[0];
    expect(header).toMatch(/^Alpha  session default › Plan One/);
    expect(header).toMatch(/rev 8 by cli:\d+:default \d+s ago {2}● live$/);
  });

  it('follows our own writes: revision and writer', async () => {
    const { h } = await open();
    await h.press('j', KEY.space);
    await h.waitForFrame(() => /rev 9 by tui:\d+:default/.test(lines(h)[0]), 'rev 9 by the tui');
  });

  it('a session with another name shows it', async () => {
    const h = await createHarness({ session: 'agent-7', seed: (dir) => seed(dir, ['add flow Gamma'], 'agent-7') });
    expect(lines(h)[0]).toMatch(/^Gamma  session agent-7/);
  });
});

describe('detail pane', () => {
  it('shows every field of a task: status, priority, tags, dependencies, subtasks, notes', async () => {
    let f: Fixture | undefined;
    const h = await createHarness({
      seed: async (dir) => {
        f = await seedFixture(dir);
        await seed(dir, [`set task ${f.third} --notes "Remember the edge cases" --depends ${f.first} --status blocked`]);
      },
    });
    await h.press('j', 'j', 'j');
    const frame = h.lastFrame();
    expect(frame).toContain(`task ${f!.third}`);
    expect(frame).toContain('Remember the edge cases');
    expect(frame).toMatch(/status +\S+ blocked/);
    expect(frame).toMatch(/priority +medium/);
    expect(frame).toMatch(/tags +#demo/);
    expect(frame).toMatch(/depends +○ First task/); // the title (and its status), not the id
    expect(frame).toMatch(/subtasks +0\/1 done/);
  });

  it('shows a plan’s counts and summary, a flow’s plans and tasks', async () => {
    const { h, f } = await open();
    await seed(h.dir, [`done task ${f.first}`, `set plan ${f.planOne} --summary "What this plan is for"`]);
    // The summary is the last change: once it shows, both are in.
    await h.waitForText('What this plan is for');
    expect(h.lastFrame()).toMatch(/status +active · 1\/4 done/);
    expect(h.lastFrame()).toMatch(/plan plan_\w+ · number 1/);
    await h.press('g');
    expect(h.lastFrame()).toContain(`flow ${f.flowId}`);
    expect(h.lastFrame()).toMatch(/plans +2/);
    expect(h.lastFrame()).toMatch(/tasks +1\/5 done/);
  });

  it('says Loading until the store is read, never "No flows yet" about a store with flows', async () => {
    const h = await createHarness({ seed: seedFixture, start: false });
    expect(h.lastFrame()).toContain('Loading…');
    expect(h.lastFrame()).not.toContain('No flows yet');
    await h.controller.start();
    await h.waitForText('Plan One');
    expect(h.lastFrame()).not.toContain('Loading');
  });

  it('says when nothing is selected, and the tree says how to start', async () => {
    const h = await createHarness();
    expect(h.lastFrame()).toContain('Nothing selected');
    expect(h.lastFrame()).toContain('No flows yet. Press : and type  add flow "My project"');
    expect(lines(h)[0]).toMatch(/^no flow/);
    // a/A without a flow explain themselves.
    await h.press('a');
    await h.waitForFrame(() => messageLine(h).includes('No flow yet: add one with :add flow NAME'), 'the hint');
  });
});

describe('tree rows', () => {
  it('shows status glyphs, priority marks, tags, counts and draft plans', async () => {
    const h = await createHarness({
      seed: async (dir) => {
        const f = await seedFixture(dir);
        await seed(dir, [
          `done task ${f.first}`,
          `set task ${f.second} --priority low --status blocked`,
          `set plan ${f.planOne} --status draft`,
          `use plan ${f.planOne}`,
        ]);
      },
    });
    const frame = h.lastFrame();
    expect(frame).toContain('▾ Plan One [draft] 1/4');
    expect(frame).toContain('● First task');
    expect(frame).toContain('⊘ ↓ Second task');
    expect(frame).toContain('▸ 3. ○ Third task #demo');
    expect(frame).toContain('▾ Alpha 1/5');
    expect(frame).toContain('▸ Plan Two 0/1');
  });
});

describe('conflict banner', () => {
  /** Starts editing First task, changes it from outside, submits "Mine". */
  async function conflict(options: { oldTitle?: string } = {}) {
    let fixture: Fixture | undefined;
    const h = await createHarness({
      seed: async (dir) => {
        fixture = await seedFixture(dir);
        if (options.oldTitle) await seed(dir, [`set task ${fixture.first} --title ${quoteWord(options.oldTitle)}`]);
      },
    });
    const f = fixture as Fixture;
    const old = options.oldTitle ?? 'First task';
    await h.press('j', 'e');
    await h.waitForText(`Title of task: ${old}`);
    // Someone else renames the same task meanwhile (another store, another bus).
    await seed(h.dir, [`set task ${f.first} --title Theirs`]);
    expect(diskTask(h.dir, f.first).title).toBe('Theirs');
    for (let i = 0; i < old.length; i++) await h.press(KEY.backspace);
    await h.type('Mine');
    await h.waitForText('Title of task: Mine');
    await h.press(KEY.enter);
    const frame = await h.waitForText('Conflict:');
    return { h, f, frame };
  }

  it('shows both values; m keeps mine and writes it over theirs', async () => {
    const { h, f, frame } = await conflict();
    // One line, not cut: the values are on the lines below it.
    const message = frame.split('\n').find((line) => line.includes('Conflict:'));
    expect(message).toContain(`Conflict: field "title" of ${f.first} changed since you read it`);
    expect(message).not.toContain('…');
    expect(frame).toContain('theirs: "Theirs"');
    expect(frame).toContain('mine:   "Mine"');
    expect(frame).toContain('[m] keep mine');
    expect(frame).not.toContain('Title of task'); // the input gave way to the banner
    expect(frame.split('\n')).toHaveLength(24); // still fits the screen
    expect(diskTask(h.dir, f.first).title).toBe('Theirs');
    await h.press('m');
    await h.waitForFrame(() => diskTask(h.dir, f.first).title === 'Mine', 'mine on disk');
    await h.waitForGone('Conflict:');
    await h.waitForFrame(() => h.selectedLine().includes('Mine'), 'mine in the tree');
  });

  it('t takes theirs: the banner closes and the file keeps their title', async () => {
    const { h, f } = await conflict();
    const revision = h.store().meta.file_revision;
    await h.press('t');
    await h.waitForGone('Conflict:');
    await h.waitForFrame(() => h.selectedLine().includes('Theirs'), 'theirs in the tree');
    expect(h.lastFrame()).not.toContain('Title of task');
    expect(diskTask(h.dir, f.first).title).toBe('Theirs');
    expect(h.store().meta.file_revision).toBe(revision);
    // Keys go to the tree again.
    await h.press('j');
    expect(h.selectedLine()).toContain('Second task');
  });

  it('keeping mine works when the old title had quotes in it', async () => {
    const { h, f } = await conflict({ oldTitle: `Don't "panic"` });
    await h.press('m');
    await h.waitForFrame(() => diskTask(h.dir, f.first).title === 'Mine', 'mine on disk');
    await h.waitForGone('Conflict:');
    expect(messageLine(h)).not.toContain('✗');
  });
});

describe('live view', () => {
  it('a write by another process appears without a key press', async () => {
    const { h, f } = await open();
    const before = h.frames();
    const result = await flow(h.dir, ['add', 'task', 'Written by another process', '--plan', f.planOne]);
    expect(result.code, result.stderr).toBe(0);
    await h.waitForText('Written by another process');
    await h.waitForFrame(() => /rev 9 by cli:\d+:default/.test(lines(h)[0]), 'the header on rev 9');
    expect(h.frames()).toBeGreaterThan(before);
    const second = await flow(h.dir, ['set', 'task', f.second, '--title', 'Changed outside']);
    expect(second.code, second.stderr).toBe(0);
    await h.waitForText('Changed outside');
    expect(h.lastFrame()).not.toContain('Second task');
  });
});

describe('NO_COLOR', () => {
  // Under vitest stdout is not a terminal, so chalk would print no codes at all and the
  // test could not tell a colourless theme from a coloured one: force 16 colours.
  let level: typeof chalk.level;
  beforeAll(() => {
    level = chalk.level;
    chalk.level = 1;
  });
  afterAll(() => {
    chalk.level = level;
  });
  // Foreground 30–37/90–97, background 40–47/100–107, and 38;…/48;… extended colours.
  const COLOUR = /\u001b\[(?:3[0-8]|4[0-8]|9[0-7]|10[0-7])(?:;[\d;]*)?m/;

  it('with colours, the frame has colour codes', async () => {
    const { h } = await open();
    expect(h.lastFrame()).toMatch(COLOUR);
  });

  it('without colours, no colour codes; the selection is the marker and inverse video', async () => {
    const { h } = await open({ noColor: true });
    await h.press('j');
    const frame = h.lastFrame();
    expect(frame).not.toMatch(COLOUR);
    const plain = (line: string) => line.replace(/\u001b\[[\d;]*m/g, '');
    const selected = frame.split('\n').filter((l) => plain(l).startsWith('›'));
    expect(selected).toHaveLength(1);
    expect(plain(selected[0])).toMatch(/^› +1\. ○ First task/);
    expect(selected[0]).toMatch(/^\u001b\[7m/); // inverse video from the first column
    const other = frame.split('\n').find((l) => plain(l).includes('Second task'))!;
    expect(plain(other).slice(0, 60)).not.toContain('›');
    expect(other).not.toContain('\u001b[7m');
    // Errors stay recognisable without red: bold and a ✗.
    await h.press(':');
    await h.type('nonsense');
    await h.press(KEY.enter);
    await h.waitForFrame(() => messageLine(h).includes('✗'), 'an error');
    expect(messageLine(h)).toContain('\u001b[1m');
    expect(h.lastFrame()).not.toMatch(COLOUR);
  });
});
