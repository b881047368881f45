// Key handling in the rendered workspace: real keys on stdin, the real bus writing the real
// flows.json, assertions on the frame and on the file.
import { afterEach, describe, expect, it } from 'vitest';
import { BINDINGS, CONTEXT_TITLES, keyLabel } from '../../src/tui/keys.js';

const escape = (text: string) => text.replace(/[?^$.|*+()[\]{}\\/]/g, '\\$&');
import { createHarness, diskTask, KEY, seed, seedFixture, stopAll, type Fixture, type Harness } from './harness.js';
import { commonPrefix } from '../../src/commands/complete.js';

afterEach(stopAll);

async function open(): Promise<{ h: Harness; f: Fixture }> {
  let f: Fixture | undefined;
  const h = await createHarness({ seed: async (dir) => (f = await seedFixture(dir)) });
  return { h, f: f as Fixture };
}

/** The prompt line (always the last line of the screen). */
const promptLine = (h: Harness) => h.lastFrame().split('\n').find((l) => l.includes('› /flow')) ?? '';
/** The message line sits just above the prompt. */
const messageLine = (h: Harness) => {
  const lines = h.lastFrame().split('\n');
  return lines[lines.findIndex((l) => l.includes('› /flow')) - 1] ?? '';
};
const lines = (h: Harness) => h.lastFrame().split('\n');
/** The tree column of the screen (the detail pane is to its right). */
const treeText = (h: Harness) => h.lastFrame().split('\n').slice(1, -2).map((l) => l.slice(0, 60)).join('\n');
const planTasks = (h: Harness, f: Fixture, planId = f.planOne) =>
  h.store().flows[f.flowId].plans.find((p: any) => p.id === planId).tasks as any[];

describe('navigation', () => {
  it('starts on the session’s plan, with its flow and plan open', async () => {
    const { h, f } = await open();
    expect(h.selectedLine()).toContain('▾ Plan One 0/4');
    expect(h.lastFrame()).toContain(`plan ${f.planOne}`);
    expect(h.lastFrame()).toContain('First task');
    expect(h.lastFrame()).not.toContain('Other task'); // Plan Two stays closed
    expect(h.lastFrame().split('\n')).toHaveLength(24);
  });

  it('j/k and the arrows move the marker, and the detail pane follows', async () => {
    const { h, f } = await open();
    await h.press('j');
    expect(h.selectedLine()).toContain('○ First task');
    expect(h.lastFrame()).toContain(`task ${f.first}`);
    await h.press(KEY.down);
    expect(h.selectedLine()).toContain('! Second task');
    expect(h.lastFrame()).toContain(`task ${f.second}`);
    expect(h.lastFrame()).toMatch(/priority +high/);
    await h.press('k');
    expect(h.selectedLine()).toContain('First task');
    await h.press(KEY.up, KEY.up);
    expect(h.selectedLine()).toContain('Alpha');
    expect(h.lastFrame()).toMatch(/plans +2/);
    await h.press('k'); // at the top: stays
    expect(h.selectedLine()).toContain('Alpha');
    // Exactly one row is selected.
    expect(h.lastFrame().split('\n').filter((l) => l.startsWith('›'))).toHaveLength(1);
  });

  it('keys that arrive together (key repeat while busy, fast typing) each count', async () => {
    const { h } = await open();
    await h.press('jjj');
    expect(h.selectedLine()).toContain('Third task');
    await h.press('kk');
    expect(h.selectedLine()).toContain('First task');
    // A key that opens the prompt ends the run: the rest is not read as tree keys.
    const before = h.store().meta.file_revision;
    await h.press(': d');
    await h.waitForFrame(() => !promptLine(h).includes('press :'), 'the prompt focused');
    expect(h.lastFrame()).not.toContain('Delete task');
    expect(h.store().meta.file_revision).toBe(before);
    expect(h.selectedLine()).toContain('First task');
  });

  it('h/l and ←/→ collapse and expand, and step between parent and child', async () => {
    const { h, f } = await open();
    await h.press('j', 'j', 'j');
    expect(h.selectedLine()).toContain('▸ 3. ○ Third task #demo');
    expect(h.lastFrame()).not.toContain('Child task');
    await h.press('l');
    expect(h.selectedLine()).toContain('▾ 3. ○ Third task');
    expect(h.lastFrame()).toContain('Child task');
    await h.press(KEY.right);
    expect(h.selectedLine()).toContain('Child task');
    expect(h.lastFrame()).toContain(`task ${f.child}`);
    await h.press('h');
    expect(h.selectedLine()).toContain('Third task');
    await h.press(KEY.left);
    expect(h.lastFrame()).not.toContain('Child task');
    await h.press('h');
    expect(h.selectedLine()).toContain('Plan One');
    await h.press('h');
    expect(h.selectedLine()).toContain('▸ Plan One');
    expect(h.lastFrame()).not.toContain('First task');
  });

  it('g and G jump to the top and the bottom; Enter opens and closes', async () => {
    const { h } = await open();
    await h.press('G');
    expect(h.selectedLine()).toContain('▸ Plan Two');
    await h.press(KEY.enter);
    expect(h.selectedLine()).toContain('▾ Plan Two');
    await h.waitForText('Other task');
    await h.press('G');
    expect(h.selectedLine()).toContain('Other task');
    await h.press('g');
    expect(h.selectedLine()).toContain('Alpha');
    await h.press(KEY.end);
    expect(h.selectedLine()).toContain('Other task');
  });

  it('q asks the app to quit', async () => {
    const { h } = await open();
    await h.press('q');
    expect(h.quits).toBe(1);
  });
});

describe('changing tasks', () => {
  it('space cycles a task’s status through the bus into flows.json', async () => {
    const { h, f } = await open();
    // A change is done once it has said so (its message comes after the save): wait for
    // that, so one change's message cannot land on top of the next key's.
    const pressAndWait = async (keys: string[], status: string) => {
      const shown = h.tui.getState().message;
      await h.press(...keys);
      await h.waitForFrame(() => diskTask(h.dir, f.first).status === status, `${status} on disk`);
      await h.waitForFrame(() => h.tui.getState().message !== shown, `the change to ${status} reported`);
    };
    await pressAndWait(['j', KEY.space], 'in_progress');
    await h.waitForFrame((frame) => /status +\S+ in_progress/.test(frame), 'the detail pane on in_progress');
    await pressAndWait([KEY.space], 'done');
    await h.waitForText('Plan One 1/4');
    await pressAndWait([KEY.space], 'todo');
    // Space on a plan changes nothing and says why.
    await h.press('k', KEY.space);
    await h.waitForText('Space cycles the status of a task');
    expect(h.store().meta.file_revision).toBe(11);
  });

  it('a opens the inline input; Enter adds the task, selected, in the frame and on disk', async () => {
    const { h, f } = await open();
    await h.press('a');
    await h.waitForText('New task in "Plan One":');
    await h.type('Write tests');
    await h.waitForText('New task in "Plan One": Write tests');
    await h.press(KEY.enter);
    await h.waitForFrame(() => h.selectedLine().includes('Write tests'), 'the new task selected');
    await h.waitForGone('New task in');
    expect(planTasks(h, f).map((t) => t.title)).toEqual(['First task', 'Second task', 'Third task', 'Write tests']);
  });

  it('Esc cancels the inline input and nothing is written', async () => {
    const { h, f } = await open();
    const before = h.store().meta.file_revision;
    await h.press('j', 'a');
    await h.waitForText('New task in "Plan One"');
    await h.type('Never mind');
    await h.waitForText('Never mind');
    await h.press(KEY.escape);
    await h.waitForGone('New task in');
    expect(h.lastFrame()).not.toContain('Never mind');
    expect(h.store().meta.file_revision).toBe(before);
    expect(planTasks(h, f)).toHaveLength(3);
    // Keys go to the tree again.
    await h.press('j');
    expect(h.selectedLine()).toContain('Second task');
  });

  it('a on a flow says to move to a plan', async () => {
    const { h } = await open();
    await h.press('g', 'a');
    await h.waitForText('Move to a plan (or a task in it) to add a task');
    expect(h.lastFrame()).not.toContain('New task in');
  });

  it('e edits a title, prefilled with the old one', async () => {
    const { h, f } = await open();
    await h.press('j', 'e');
    await h.waitForText('Title of task: First task');
    await h.press(KEY.backspace, KEY.backspace, KEY.backspace, KEY.backspace);
    await h.type('job');
    await h.waitForText('Title of task: First job');
    await h.press(KEY.enter);
    await h.waitForFrame(() => diskTask(h.dir, f.first).title === 'First job', 'the new title on disk');
    await h.waitForFrame(() => h.selectedLine().includes('○ First job'), 'the new title in the tree');
    await h.waitForGone('Title of task');
  });

  it('e with the title unchanged writes nothing', async () => {
    const { h } = await open();
    const before = h.store().meta.file_revision;
    await h.press('j', 'e');
    await h.waitForText('Title of task: First task');
    await h.press(KEY.enter);
    await h.waitForGone('Title of task');
    expect(h.store().meta.file_revision).toBe(before);
  });

  it('n edits a task’s notes in the editor; A adds a plan; J/K move a task among its siblings', async () => {
    const { h, f } = await open();
    await h.press('j', 'n');
    await h.waitForText('Notes of "First task"');
    await h.type('Some notes');
    await h.press(KEY.ctrlS);
    await h.waitForFrame(() => diskTask(h.dir, f.first).notes === 'Some notes', 'notes on disk');
    await h.waitForGone('Notes of');
    await h.waitForText('Some notes'); // in the detail pane

    await h.press('J');
    await h.waitForFrame(() => planTasks(h, f)[1]?.id === f.first, 'moved down on disk');
    await h.waitForFrame(() => /Second task.*\n.*First task/.test(h.lastFrame()), 'moved down in the tree');
    expect(h.selectedLine()).toContain('First task'); // the cursor moves with it
    await h.press('K');
    await h.waitForFrame(() => planTasks(h, f)[0]?.id === f.first, 'moved back up');

    await h.press('A');
    await h.waitForText('New plan in "Alpha":');
    await h.type('Plan Three');
    await h.press(KEY.enter);
    await h.waitForFrame(() => h.store().flows[f.flowId].plans.some((p: any) => p.title === 'Plan Three'), 'plan on disk');
    await h.waitForFrame(() => h.selectedLine().includes('Plan Three'), 'the new plan selected');
  });

  it('d asks first: n keeps the task, y deletes it', async () => {
    const { h, f } = await open();
    await h.press('j', 'j', 'd');
    await h.waitForText('Delete task "Second task"?  [y] yes  [n] no');
    await h.press('n');
    await h.waitForGone('Delete task');
    expect(diskTask(h.dir, f.second)).toBeDefined();
    expect(h.selectedLine()).toContain('Second task');
    await h.press('d');
    await h.waitForText('Delete task "Second task"?');
    await h.press('y');
    await h.waitForFrame(() => diskTask(h.dir, f.second) === undefined, 'the task gone from disk');
    await h.waitForFrame(() => !treeText(h).includes('Second task'), 'the row gone');
    expect(h.lastFrame()).not.toContain('Delete task');
    await h.waitForFrame(() => messageLine(h).includes('Deleted task'), 'the message');
    // The cursor stays where the person was: on the next row, not back at the top.
    expect(h.selectedLine()).toContain('Third task');
    expect(planTasks(h, f).map((t) => t.title)).toEqual(['First task', 'Third task']);
  });

  it('d on a plan deletes the plan with its tasks after y', async () => {
    const { h, f } = await open();
    await h.press('G', 'd');
    await h.waitForText('Delete plan "Plan Two" and its 1 task?');
    await h.press('y');
    await h.waitForFrame(() => !h.store().flows[f.flowId].plans.some((p: any) => p.id === f.planTwo), 'plan gone');
    await h.waitForFrame(() => messageLine(h).includes('Deleted plan'), 'the message');
    expect(treeText(h)).not.toContain('Plan Two');
    expect(h.selectedLine()).toContain('Third task'); // the row before it
  });
});

describe('the /flow prompt', () => {
  it(': focuses the prompt and a command runs through the bus', async () => {
    const { h, f } = await open();
    await h.press(':');
    await h.waitForFrame(() => !promptLine(h).includes('press :'), 'the prompt focused');
    await h.type('add task "From the prompt" --tag p');
    await h.waitForFrame(() => promptLine(h).includes('/flow add task "From the prompt" --tag p'), 'typed text');
    await h.press(KEY.enter);
    await h.waitForFrame(() => planTasks(h, f).some((t) => t.title === 'From the prompt' && t.tags[0] === 'p'), 'task on disk');
    await h.waitForText('From the prompt #p');
    await h.waitForFrame(() => messageLine(h).includes('Added task'), 'the success message');
    await h.waitForFrame(() => !promptLine(h).includes('From the prompt'), 'the prompt cleared after success');
    // Tree keys do not act while the prompt has focus.
    await h.type('j');
    expect(promptLine(h)).toMatch(/\/flow j/);
    // Esc gives the keys back to the tree; the typed text stays in the prompt.
    await h.press(KEY.escape, 'j');
    expect(h.selectedLine()).toContain('First task');
    expect(promptLine(h)).toMatch(/\/flow j$/);
  });

  it('a bad command shows the parser’s message and keeps the typed text', async () => {
    const { h, f } = await open();
    const before = h.store().meta.file_revision;
    await h.press(':');
    await h.type('ad task Oops');
    await h.press(KEY.enter);
    await h.waitForFrame(() => messageLine(h).startsWith('✗'), 'an error');
    expect(messageLine(h)).toMatch(/^✗ unknown verb "ad" \(expected one of: add, /);
    expect(promptLine(h)).toMatch(/\/flow ad task Oops$/);
    expect(h.store().meta.file_revision).toBe(before);
    // Corrected in place: back over " task Oops", add the missing d, Enter.
    for (let i = 0; i < ' task Oops'.length; i++) await h.press(KEY.left);
    await h.type('d');
    expect(promptLine(h)).toMatch(/\/flow add task Oops$/);
    await h.press(KEY.enter);
    await h.waitForFrame(() => planTasks(h, f).some((t) => t.title === 'Oops'), 'the corrected command ran');
    await h.waitForFrame(() => !promptLine(h).includes('Oops'), 'the prompt cleared');
  });

  it('an invalid flag value is reported with the allowed values', async () => {
    const { h } = await open();
    await h.press(':');
    await h.type('add task Oops --priority urgent');
    await h.press(KEY.enter);
    await h.waitForFrame(() => messageLine(h).startsWith('✗'), 'an error');
    expect(messageLine(h)).toMatch(/priority/);
    expect(messageLine(h)).toMatch(/low|medium|high/);
    expect(promptLine(h)).toContain('add task Oops --priority urgent');
  });

  it('--version answers in the message line', async () => {
    const { h } = await open();
    await h.press(':');
    await h.type('--version');
    await h.press(KEY.enter);
    await h.waitForFrame(() => messageLine(h).includes('flows.json format 3.0'), 'the version');
    expect(messageLine(h)).toMatch(/flow \d+\.\d+\.\d+ /);
  });

  it('reading commands open the output panel; Esc closes it', async () => {
    const { h } = await open();
    await h.press(':');
    await h.type('list task');
    await h.press(KEY.enter);
    await h.waitForText('lines · j/k scroll · Esc closes');
    expect(h.lastFrame()).toContain('Second task');
    await h.press(KEY.escape);
    await h.waitForGone('Esc closes');
    expect(h.selectedLine()).toContain('Plan One');
  });

  it('↑/↓ walk the history, which survives a restart', async () => {
    const { h, f } = await open();
    await h.press(':');
    for (const title of ['H1', 'H2']) {
      await h.type(`add task ${title}`);
      await h.press(KEY.enter);
      await h.waitForFrame(() => planTasks(h, f).some((t) => t.title === title), `${title} on disk`);
      await h.waitForFrame(() => !promptLine(h).includes(title), 'prompt cleared');
    }
    await h.press(KEY.up);
    expect(promptLine(h)).toContain('/flow add task H2');
    await h.press(KEY.up);
    expect(promptLine(h)).toContain('/flow add task H1');
    await h.press(KEY.up); // oldest: stays
    expect(promptLine(h)).toContain('/flow add task H1');
    await h.press(KEY.down);
    expect(promptLine(h)).toContain('/flow add task H2');
    await h.press(KEY.down);
    expect(promptLine(h)).not.toContain('add task');
    await h.stop();

    // A new workspace on the same data dir (a restart) has the same history.
    const again = await createHarness({ dir: h.dir });
    await again.press(':', KEY.up);
    expect(promptLine(again)).toContain('/flow add task H2');
    // Typing after a recalled line continues at its end.
    await again.type(' --tag x');
    expect(promptLine(again)).toContain('/flow add task H2 --tag x');
    await again.press(KEY.enter);
    await again.waitForFrame(() => planTasks(again, f).some((t) => t.title === 'H2' && t.tags.includes('x')), 'tagged H2');
    expect(again.history.entries().at(-1)).toBe('add task H2 --tag x');
  });

  it('Tab completes a unique verb and noun, and lists several candidates', async () => {
    const { h, f } = await open();
    await h.press(KEY.tab); // Tab in the tree focuses the prompt too
    await h.type('ad');
    await h.press(KEY.tab);
    expect(promptLine(h)).toMatch(/\/flow add$/); // Ink trims the trailing space
    await h.type('ta');
    await h.press(KEY.tab);
    expect(promptLine(h)).toMatch(/\/flow add task$/);
    // Typing goes on after the completed word and its space.
    await h.type('Completed');
    expect(promptLine(h)).toContain('/flow add task Completed');
    await h.press(KEY.enter);
    await h.waitForFrame(() => planTasks(h, f).some((t) => t.title === 'Completed'), 'task on disk');
    await h.waitForFrame(() => !promptLine(h).includes('Completed'), 'the prompt cleared');
    await h.type('s');
    await h.press(KEY.tab);
    await h.waitForFrame(() => /schema +search +set +show +start +stats +sync/.test(messageLine(h)), 'candidates');
    expect(promptLine(h)).toMatch(/\/flow s$/);
  });

  it('Tab completes references by name or title, fuzzy, with the id beside; Tab again takes the next', async () => {
    const { h, f } = await open();
    await h.press(':');
    await h.type('use plan two');
    await h.press(KEY.tab);
    // One plan is called something like "two": its name goes in (plans take names).
    expect(promptLine(h)).toMatch(/\/flow use plan 'Plan Two'$/);
    await h.press(KEY.ctrlU);
    await h.type('use plan pl');
    await h.press(KEY.tab);
    // Two: both listed with their ids; what was typed stays until Tab picks one.
    await h.waitForFrame(() => messageLine(h).includes(`Plan One (${f.planOne})`) && messageLine(h).includes(`Plan Two (${f.planTwo})`), 'both listed');
    expect(promptLine(h)).toMatch(/\/flow use plan pl$/);
    await h.press(KEY.tab);
    expect(promptLine(h)).toMatch(/\/flow use plan 'Plan One'$/);
    await h.press(KEY.tab);
    expect(promptLine(h)).toMatch(/\/flow use plan 'Plan Two'$/);
    // The cursor moved away (Home): Tab completes where it is now, never cycles the old word in there.
    await h.press(KEY.home, KEY.tab);
    await h.waitForFrame(() => h.tui.getState().prompt.field.cursor === 0, 'the cursor at the start');
    expect(h.tui.getState().prompt.field.text).toBe("use plan 'Plan Two'");
    await h.press(KEY.end);
    // A Tab that completes one word at once takes that listing away (it was stale).
    await h.press(KEY.ctrlU);
    await h.type('use plan two');
    await h.press(KEY.tab);
    expect(promptLine(h)).toMatch(/\/flow use plan 'Plan Two'$/);
    await h.waitForFrame(() => !messageLine(h).includes('Tab: next'), 'the listing gone');
    await h.press(KEY.enter);
    await h.waitForFrame(() => lines(h)[0].includes('› Plan Two'), 'the scope on Plan Two');
    // A flow by name after a flag, never cut back to an id prefix.
    await h.type('add plan X --flow Al');
    await h.press(KEY.tab);
    expect(promptLine(h)).toMatch(/\/flow add plan X --flow Alpha$/);
    // Tasks by title: the id goes in (titles are not references).
    await h.press(KEY.ctrlU);
    await h.type('show task secnd');
    await h.press(KEY.tab);
    expect(promptLine(h)).toContain(`/flow show task ${f.second}`);
  });

  it('noun-first lines complete like verb-first ones (the parser’s own word classes)', async () => {
    const { h } = await open();
    await h.press(':');
    await h.type('task add x --pr');
    await h.press(KEY.tab);
    expect(promptLine(h)).toMatch(/\/flow task add x --priority$/);
    await h.press(KEY.ctrlU);
    await h.type('plan use two');
    await h.press(KEY.tab);
    expect(promptLine(h)).toMatch(/\/flow plan use 'Plan Two'$/);
  });

  it('Tab completes ids of what is loaded, once an id is being typed', async () => {
    const { h, f } = await open();
    await h.press(':');
    await h.type('show plan plan_');
    await h.press(KEY.tab);
    // The prefix both plan ids share (at least "plan_") is inserted, both are listed.
    expect(promptLine(h).endsWith(`/flow show plan ${commonPrefix([f.planOne, f.planTwo])}`)).toBe(true);
    await h.waitForFrame(() => messageLine(h).includes(f.planOne) && messageLine(h).includes(f.planTwo), 'both plan ids');
    await h.type(f.planTwo.slice(commonPrefix([f.planOne, f.planTwo]).length, 12));
    await h.press(KEY.tab);
    expect(promptLine(h)).toMatch(new RegExp(`/flow show plan ${f.planTwo}$`));
    await h.press(KEY.enter);
    // show plan opens its text in the output panel.
    await h.waitForFrame((frame) => frame.includes(`Plan Two  ${f.planTwo}`) && frame.includes('j/k scroll'), 'the plan shown');
  });
});

describe('panels', () => {
  it('? shows every context’s keys from BINDINGS and a legend; ? or Esc closes it', async () => {
    const { h } = await open();
    await h.press('?');
    await h.waitForText('Keys  (Esc or ? closes)');
    expect(h.lastFrame().split('\n')).toHaveLength(24);
    expect(h.lastFrame()).toMatch(/◐ +in progress/);
    expect(h.lastFrame()).toMatch(/⊘ +blocked/);
    expect(h.lastFrame()).not.toContain('First task');
    // Scroll through it all; every binding of every context is there, with its keys.
    let seen = h.lastFrame();
    for (let i = 0; i < 40 && !/(\d+)\/\1 lines/.test(h.lastFrame()); i++) {
      await h.press(KEY.pageDown);
      seen += h.lastFrame();
    }
    for (const title of Object.values(CONTEXT_TITLES)) expect(seen).toContain(title);
    for (const b of BINDINGS) {
      const keys = b.keys.map(keyLabel).join(' ');
      expect(seen).toMatch(new RegExp(`${escape(keys)} +${escape(b.description.slice(0, 12))}`));
    }
    // Tree keys do nothing while help is open.
    await h.press('g', 'j', '?');
    await h.waitForGone('Keys  (Esc');
    expect(h.selectedLine()).toContain('Plan One');
    await h.press('?');
    await h.waitForText('Keys  (Esc');
    await h.press(KEY.escape);
    await h.waitForGone('Keys  (Esc');
  });

  it('? cuts no description at 80×24, 120×40 or 200×50: columns only where every line fits', async () => {
    for (const [columns, rows] of [[80, 24], [120, 40], [200, 50]]) {
      const { h } = await open();
      await h.resize(columns, rows);
      await h.press('?');
      await h.waitForText('Keys  (Esc or ? closes)');
      let seen = h.lastFrame();
      for (let i = 0; i < 40 && !/(\d+)\/\1 lines/.test(h.lastFrame()); i++) {
        await h.press(KEY.pageDown);
        seen += '\n' + h.lastFrame();
      }
      const cut = seen.split('\n').filter((l) => l.includes('…'));
      expect(cut, `${columns}×${rows}`).toEqual([]);
      await h.press(KEY.escape);
      await h.waitForGone('Keys  (Esc');
    }
  });

  it('/ filters the tree as you type; Enter keeps it, Esc clears it', async () => {
    const { h } = await open();
    await h.press('/');
    await h.type('child');
    await h.waitForFrame((frame) => frame.includes('Child task') && !frame.includes('First task'), 'filtered');
    expect(h.lastFrame()).toContain('Third task');
    expect(h.lastFrame()).not.toContain('Plan Two');
    await h.press(KEY.enter);
    await h.waitForText('child   (/ changes it, Esc clears)');
    await h.press('G');
    expect(h.selectedLine()).toContain('Child task');
    await h.press('/', KEY.escape);
    await h.waitForText('First task');
    expect(h.lastFrame()).not.toContain('(/ changes it');
    expect(h.selectedLine()).not.toBe('');
  });

  it('a filter that matches nothing says so', async () => {
    const { h } = await open();
    await h.press('/');
    await h.type('zzzz');
    await h.waitForText('Nothing matches "zzzz" (Esc clears the filter)');
  });

  it('f switches the session’s flow', async () => {
    const h = await createHarness({
      seed: async (dir) => {
        const f = await seedFixture(dir);
        await seed(dir, ['add flow Beta', `use plan ${f.planOne}`]);
      },
    });
    expect(h.lastFrame()).toMatch(/^Alpha  session default › Plan One/);
    expect(h.lastFrame()).toMatch(/^   Beta 0\/0/m);
    await h.press('f');
    await h.waitForText('Switch flow');
    await h.type('bet');
    await h.waitForFrame((frame) => frame.includes('› Beta') && !frame.includes('› Alpha'), 'Beta chosen');
    await h.press(KEY.enter);
    await h.waitForFrame((frame) => frame.startsWith('Beta  session default'), 'header on Beta');
    expect(h.selectedLine()).toContain('Beta');
  });
});

describe('help where the keys are', () => {
  it('? on the board and in the snapshot browser opens at their keys; k scrolls up to the rest', async () => {
    const h = await createHarness({ seed: seedFixture });
    await h.press('b', '?');
    await h.waitForText('Keys  (Esc or ? closes)');
    expect(h.lastFrame().split('\n')[3]).toContain('Board (b)');
    expect(h.lastFrame()).toContain('move the card one column left');
    await h.press('k');
    await h.waitForFrame((frame) => frame.split('\n')[4].includes('Board (b)'), 'one line up');
    await h.press(KEY.escape, KEY.escape, 's', '?');
    await h.waitForFrame((frame) => frame.split('\n')[3].includes('Snapshot browser (s)'), 'the browser’s keys');
    await h.press('g');
    await h.waitForFrame((frame) => frame.split('\n')[3].includes('Legend'), 'the top');
  });
});
