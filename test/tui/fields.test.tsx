// Every field from the keyboard (issue 11 item 4), the selection, the filter's terms and
// numbers, live scope, and the questions destructive keys ask: real keys, the real bus,
// assertions on the frame and on flows.json.
import { afterEach, describe, expect, it } from 'vitest';
import { osc52 } from '../../src/tui/clipboard.js';
import { flow, readStore } from '../helpers.js';
import { createHarness, diskTask, KEY, plain, seed, seedFixture, stopAll, type Fixture, type Harness } from './harness.js';

afterEach(stopAll);

async function open(extra: (f: Fixture) => string[] = () => []): Promise<{ h: Harness; f: Fixture }> {
  let f: Fixture | undefined;
  const h = await createHarness({
    seed: async (dir) => {
      f = await seedFixture(dir);
      const more = extra(f);
      if (more.length) await seed(dir, [...more, `use plan ${f.planOne}`]);
    },
  });
  return { h, f: f as Fixture };
}

const lines = (h: Harness) => plain(h.lastFrame()).split('\n');
const messageLine = (h: Harness) => lines(h)[lines(h).findIndex((l) => l.includes('› /flow')) - 1] ?? '';
const plans = (h: Harness, f: Fixture) => h.store().flows[f.flowId].plans as any[];
const planOf = (h: Harness, f: Fixture, id: string) => plans(h, f).find((p) => p.id === id);

describe('every field from the keyboard', () => {
  it('p cycles the priority; S offers all five statuses', async () => {
    const { h, f } = await open();
    await h.press('j', 'p');
    await h.waitForFrame(() => diskTask(h.dir, f.first).priority === 'high', 'medium → high');
    await h.press('p');
    await h.waitForFrame(() => diskTask(h.dir, f.first).priority === 'low', 'high → low');
    await h.press('S');
    await h.waitForText('Status of "First task"');
    for (const label of ['todo', 'in progress', 'blocked', 'done', 'cancelled']) expect(h.lastFrame()).toContain(label);
    await h.type('bloc');
    await h.press(KEY.enter);
    await h.waitForFrame(() => diskTask(h.dir, f.first).status === 'blocked', 'blocked on disk');
    await h.waitForFrame((frame) => /status +⊘ blocked/.test(frame), 'blocked on screen');
    // The menu opens on the status the task has: two down from blocked is cancelled.
    await h.press('S', KEY.down, KEY.down, KEY.enter);
    await h.waitForFrame(() => diskTask(h.dir, f.first).status === 'cancelled', 'cancelled, picked with ↓↓');
  });

  it('t edits the tags, with or without #, space or comma between', async () => {
    const { h, f } = await open();
    await h.press('j', 'j', 'j', 't');
    await h.waitForText('Tags (space or comma between): demo');
    await h.type(' #ux, api');
    await h.press(KEY.enter);
    await h.waitForFrame(() => JSON.stringify(diskTask(h.dir, f.third).tags) === '["demo","ux","api"]', 'the tags on disk');
    await h.waitForText('Third task #demo #ux #api');
    await h.press('t', KEY.ctrlU, KEY.enter);
    await h.waitForFrame(() => diskTask(h.dir, f.third).tags.length === 0, 'tags cleared');
  });

  it('D picks dependencies by title (ids beside them); a cycle is refused with a message', async () => {
    const { h, f } = await open();
    await h.press('j', 'D');
    await h.waitForText('"First task" depends on');
    expect(h.lastFrame()).toContain(f.second); // the id beside the title
    await h.type('second');
    await h.press(KEY.tab, KEY.enter);
    await h.waitForFrame(() => diskTask(h.dir, f.first).depends_on.join() === f.second, 'the dependency on disk');
    await h.waitForFrame((frame) => /depends +○ Second task/.test(frame), 'shown by title, with its status');
    // Second depending on First would go round in a circle.
    await h.press('j', 'D');
    await h.waitForText('"Second task" depends on');
    await h.type('first');
    await h.press(KEY.tab, KEY.enter);
    await h.waitForFrame(() => messageLine(h).includes('Not saved: that makes a dependency cycle ("Second task" → "First task" → "Second task")'), 'the refusal');
    expect(diskTask(h.dir, f.second).depends_on).toEqual([]);
  });

  it('o adds a subtask under the cursor; > makes a task a subtask of the one above; < moves it out', async () => {
    const { h, f } = await open();
    await h.press('j', 'o');
    await h.waitForText('New subtask of "First task":');
    await h.type('Sub of first');
    await h.press(KEY.enter);
    await h.waitForFrame(() => diskTask(h.dir, f.first).subtasks.some((t: any) => t.title === 'Sub of first'), 'the subtask on disk');
    await h.waitForFrame(() => h.selectedLine().includes('Sub of first'), 'the subtask selected');
    // Second task goes under First (after its subtask), then back out, right after First.
    await h.press('j', '>');
    await h.waitForFrame(() => diskTask(h.dir, f.first).subtasks.map((t: any) => t.title).join() === 'Sub of first,Second task', 'indented');
    await h.waitForFrame(() => h.selectedLine().includes('Second task'), 'the cursor stays on it');
    await h.press('<');
    await h.waitForFrame(() => planOf(h, f, f.planOne).tasks.map((t: any) => t.title).join() === 'First task,Second task,Third task', 'outdented after its parent');
    await h.waitForText('3. ○ ! Second task');
    await h.press('<');
    await h.waitForText('Already at the top level of its plan');
    await h.press('k', 'k', '>');
    await h.waitForText('No task above at this level to go under');
  });

  it('m moves the task to another plan, picked by title', async () => {
    const { h, f } = await open();
    await h.press('j', 'm');
    await h.waitForText('Move "First task" to plan');
    expect(h.lastFrame()).toContain('Plan Two');
    expect(h.lastFrame()).toContain(f.planTwo);
    await h.type('two');
    await h.press(KEY.enter);
    await h.waitForFrame(() => planOf(h, f, f.planTwo).tasks.some((t: any) => t.id === f.first), 'moved on disk');
  });

  it('J/K reorder plans too', async () => {
    const { h, f } = await open();
    expect(h.selectedLine()).toContain('Plan One');
    await h.press('J');
    await h.waitForFrame(() => plans(h, f)[1]?.id === f.planOne, 'Plan One second on disk');
    await h.waitForFrame(() => /Plan Two[^\n]*\n(.*\n)*.*Plan One/.test(plain(h.lastFrame())), 'in the tree too');
    expect(h.selectedLine()).toContain('Plan One');
    await h.press('K');
    await h.waitForFrame(() => plans(h, f)[0]?.id === f.planOne, 'back first');
  });

  it('keys typed after J act after the task moved: J j goes below it; k K J J move it up once, down twice', async () => {
    const { h, f } = await open();
    const order = () => planOf(h, f, f.planOne).tasks.map((t: any) => t.id).join(' ');
    await h.press('j');
    expect(h.selectedLine()).toContain('First task');
    // One read each, as a quick hand sends them.
    await h.type('Jj');
    await h.waitForFrame(() => order() === [f.second, f.first, f.third].join(' '), 'First task second on disk');
    await h.waitForFrame(() => h.selectedLine().includes('Third task'), 'the cursor below First task');
    await h.type('kKJJ');
    await h.waitForFrame(() => order() === [f.second, f.third, f.first].join(' '), 'First task last on disk');
    await h.waitForFrame(() => h.selectedLine().includes('First task'), 'the cursor still on it');
  });

  it('every key typed after J waits for it, in order: J j Space cycles the task the cursor shows; k K j n opens the notes of the task below the moved one', async () => {
    const { h, f } = await open();
    await h.press('j');
    expect(h.selectedLine()).toContain('First task');
    await h.type('Jj ');
    await h.waitForFrame(() => diskTask(h.dir, f.third).status === 'in_progress', 'Third task in progress');
    expect(diskTask(h.dir, f.first).status).toBe('todo');
    expect(h.selectedLine()).toContain('Third task');
    // k to First task, K moves it to the top, j is then Second task: its notes open.
    await h.type('kKjn');
    await h.waitForText('Notes of "Second task"');
  });

  it('x selects; space, p, m and d then act on every selected task', async () => {
    const { h, f } = await open();
    await h.press('j', 'x', 'j', 'x');
    await h.waitForText('2 selected');
    expect(lines(h).filter((l) => l.startsWith('✓') || (l.startsWith('›') && l.includes('Second task')))).toHaveLength(2);
    await h.press(KEY.space);
    await h.waitForFrame(() => diskTask(h.dir, f.first).status === 'in_progress' && diskTask(h.dir, f.second).status === 'in_progress', 'both in progress');
    await h.press('p');
    // Medium → high, and every selected task gets what the first one got.
    await h.waitForFrame(() => diskTask(h.dir, f.first).priority === 'high' && diskTask(h.dir, f.second).priority === 'high', 'both high');
    await h.press('d');
    await h.waitForText('Delete 2 tasks?');
    expect(h.lastFrame()).toContain('First task');
    await h.press('y');
    await h.waitForFrame(() => !diskTask(h.dir, f.first) && !diskTask(h.dir, f.second), 'both gone');
    await h.waitForFrame(() => !h.lastFrame().includes('selected'), 'the selection gone with them');
    expect(diskTask(h.dir, f.third)).toBeDefined();
  });

  it('Esc clears the selection', async () => {
    const { h } = await open();
    await h.press('j', 'x');
    await h.waitForText('1 selected');
    await h.press(KEY.escape);
    await h.waitForFrame(() => !lines(h).some((l) => l.startsWith('✓')) && !messageLine(h).includes('1 selected'), 'cleared');
  });

  it('y copies the id: through OSC 52 only once the person turned it on', async () => {
    const { h, f } = await open();
    const env = { ...process.env };
    delete process.env.TMUX;
    delete process.env.DISPLAY;
    delete process.env.WAYLAND_DISPLAY;
    try {
      await h.press('j', 'y');
      await h.waitForFrame(() => messageLine(h).includes(`${f.first} (no clipboard found`), 'the id shown');
      expect(h.written()).not.toContain('\u001b]52;');
      await seed(h.dir, ['config set clipboard.osc52 on']);
      await h.press('y');
      await h.waitForFrame(() => messageLine(h).includes(`Copied ${f.first} to the terminal (OSC 52)`), 'copied');
      expect(h.written()).toContain(osc52(f.first));
    } finally {
      Object.assign(process.env, env);
    }
  });
});

describe('the board', () => {
  it('b shows the plan in a column per status; h/l move a card; it follows other writers live', async () => {
    const { h, f } = await open((fx) => [`start task ${fx.second}`]);
    await h.press('j', 'b');
    await h.waitForText('Board of "Plan One"');
    const head = lines(h).find((l) => l.includes('todo'))!;
    expect(head).toMatch(/○ todo 3 +◐ in progress 1 +⊘ blocked 0 +● done 0 +✕ cancelled 0/);
    expect(h.lastFrame()).toContain('↳ Third task'); // the subtask names its parent
    // The cursor is on First task (todo); l moves it to in progress, l again to blocked.
    await h.press('l');
    await h.waitForFrame(() => diskTask(h.dir, f.first).status === 'in_progress', 'in progress on disk');
    await h.press('l');
    await h.waitForFrame(() => diskTask(h.dir, f.first).status === 'blocked', 'blocked on disk');
    await h.waitForFrame(() => /⊘ blocked 1/.test(plain(h.lastFrame())), 'the column counts');
    await h.press('h', 'h');
    await h.waitForFrame(() => diskTask(h.dir, f.first).status === 'todo', 'back to todo');
    await h.waitForFrame(() => /○ todo 3/.test(plain(h.lastFrame())), 'back in its column on screen');
    // ←/→ move between columns; keys of the tree act on the card there.
    await h.press(KEY.right, 'e');
    await h.waitForText('Title of task: Second task');
    await h.press(KEY.escape);
    // Another process adds a task and finishes one: the board shows both within a moment.
    const added = await flow(h.dir, ['add', 'task', 'From outside', '--plan', f.planOne]);
    expect(added.code, added.stderr).toBe(0);
    const done = await flow(h.dir, ['done', 'task', f.third]);
    expect(done.code, done.stderr).toBe(0);
    await h.waitForFrame(() => plain(h.lastFrame()).includes('From outside') && /● done 1/.test(plain(h.lastFrame())), 'the board updated');
    // b (or Esc) goes back to the tree, on the card that was selected.
    await h.press('b');
    await h.waitForGone('Board of');
    expect(h.selectedLine()).toContain('Second task');
  });

  it('keys typed after l act after the card landed: l → goes to the column after its new one', async () => {
    const { h, f } = await open((fx) => [`start task ${fx.second}`]);
    await h.press('j', 'b');
    await h.waitForText('Board of "Plan One"');
    // One read, as a quick hand sends them: First task to in progress, then one column on.
    await h.type('l' + KEY.right);
    await h.waitForFrame(() => diskTask(h.dir, f.first).status === 'in_progress', 'in progress on disk');
    await h.waitForText('(empty: a adds)'); // blocked, empty: not back on in progress
  });

  it('b and Esc leave the board from an empty column too', async () => {
    const { h } = await open();
    for (const leave of ['b', KEY.escape]) {
      await h.press('b');
      await h.waitForText('Board of "Plan One"');
      await h.press(KEY.right, KEY.right);
      await h.waitForText('(empty: a adds)');
      await h.press(leave);
      await h.waitForGone('Board of');
      expect(messageLine(h)).not.toContain('No card here');
    }
  });

  it('an empty column says which key adds; a adds to the board’s plan', async () => {
    const { h, f } = await open();
    await h.press('b');
    await h.waitForText('Board of "Plan One"');
    await h.press(KEY.right);
    await h.waitForText('(empty: a adds)');
    await h.press('a');
    await h.waitForText('New task in "Plan One":');
    await h.type('From the board');
    await h.press(KEY.enter);
    await h.waitForFrame(() => planOf(h, f, f.planOne).tasks.some((t: any) => t.title === 'From the board'), 'added');
  });
});

describe('filter and numbers', () => {
  it('/ matches #tag, status:, priority: and words in notes; Esc keeps the cursor on its task', async () => {
    const { h, f } = await open((fx) => [`set task ${fx.child} --notes "remember the cache"`, `start task ${fx.first}`]);
    await h.press('/');
    await h.type('#demo');
    await h.waitForFrame((frame) => frame.includes('Third task') && !frame.includes('First task'), '#demo');
    await h.press(KEY.ctrlU);
    await h.type('status:in');
    await h.waitForFrame((frame) => frame.includes('First task') && !frame.includes('Third task'), 'status:in');
    await h.press(KEY.ctrlU);
    await h.type('priority:high');
    await h.waitForFrame((frame) => frame.includes('Second task') && !frame.includes('First task'), 'priority:high');
    await h.press(KEY.ctrlU);
    await h.type('cache');
    await h.waitForFrame((frame) => frame.includes('Child task') && !frame.includes('Second task'), 'a word in the notes');
    await h.press(KEY.enter, 'G');
    expect(h.selectedLine()).toContain('Child task');
    // Esc in the tree clears the filter; the cursor stays on Child task, opened to show it.
    await h.press(KEY.escape);
    await h.waitForText('Second task');
    expect(h.selectedLine()).toContain('Child task');
    expect(f.child).toBeTruthy();
  });

  it('the tree numbers the tasks of the session’s plan as prompt commands take them; . is the cursor', async () => {
    const { h, f } = await open();
    expect(lines(h).find((l) => l.includes('First task'))).toMatch(/1\. ○ First task/);
    expect(lines(h).find((l) => l.includes('Third task'))).toMatch(/3\. ○ Third task/);
    // Plan Two is not the session's plan: no numbers there.
    await h.press('G', 'l');
    await h.waitForText('Other task');
    expect(lines(h).find((l) => l.includes('Other task'))).not.toMatch(/\d\. ○ Other/);
    await h.press('g', 'j', 'j', ':');
    await h.type('done task 2');
    await h.press(KEY.enter);
    await h.waitForFrame(() => diskTask(h.dir, f.second).status === 'done', 'number 2 is Second task');
    // The cursor is on First task.
    await h.type('start task .');
    await h.press(KEY.enter);
    await h.waitForFrame(() => diskTask(h.dir, f.first).status === 'in_progress', '. is the task under the cursor');
    // A quoted "." is a title, not the cursor.
    await h.type('add task "."');
    await h.press(KEY.enter);
    await h.waitForFrame(() => planOf(h, f, f.planOne).tasks.some((t: any) => t.title === '.'), 'a task titled "."');
  });
});

describe('live scope', () => {
  it('a scope changed by another process of the same session shows within a second, and prompt commands act in it', async () => {
    const { h, f } = await open();
    expect(lines(h)[0]).toContain('› Plan One');
    const changedAt = Date.now();
    const used = await flow(h.dir, ['use', 'plan', f.planTwo]);
    expect(used.code, used.stderr).toBe(0);
    await h.waitForFrame(() => lines(h)[0].includes('› Plan Two'), 'the header on Plan Two', 2000);
    expect(Date.now() - changedAt).toBeLessThan(2000);
    await h.waitForFrame(() => messageLine(h).includes('now works in plan "Plan Two" (changed by another process)'), 'said so');
    expect(lines(h).at(-1)).toContain('Alpha:Plan Two › /flow');
    await h.press(':');
    await h.type('add task "Lands in Plan Two"');
    await h.press(KEY.enter);
    await h.waitForFrame(() => planOf(h, f, f.planTwo).tasks.some((t: any) => t.title === 'Lands in Plan Two'), 'added to the new scope');
  });
});

describe('questions', () => {
  it('d on a task with subtasks, and on a plan with tasks, says what goes with it', async () => {
    const { h } = await open();
    await h.press('j', 'j', 'j', 'd');
    await h.waitForText('Delete task "Third task" and 1 subtask?');
    await h.press('n');
    await h.press('k', 'k', 'k', 'd');
    await h.waitForText('Delete plan "Plan One" and its 4 tasks?');
    await h.press(KEY.escape);
    await h.press('g', 'd');
    await h.waitForText('Delete flow "Alpha" with its 2 plans and 5 tasks?');
    await h.press('n');
    await h.waitForGone('Delete flow');
  });

  it('d on a flow whose line is still being read asks nothing and deletes nothing: it says to wait', async () => {
    const { h, f } = await open();
    // The state a load leaves while Alpha's line is not parsed yet: a row from its name and counts.
    const state = h.tui.getState();
    const flows = new Map(state.flows);
    flows.delete(f.flowId);
    h.tui.setState({ flows, version: state.version + 1, pending: { indexOf: new Map([[f.flowId, 0]]), names: ['Alpha'], counts: Int32Array.of(2, 0, 5) } });
    await h.press('g', 'd');
    await h.waitForText('"Alpha" is still being read: delete it once it is in');
    expect(plain(h.lastFrame())).not.toContain('Delete flow');
    expect(readStore(h.dir).flows[f.flowId]?.name).toBe('Alpha');
  });

  it('a conflict with a task the other writer deleted offers no "keep mine"', async () => {
    const { h, f } = await open();
    await h.press('j', 'e');
    await h.waitForText('Title of task: First task');
    await seed(h.dir, [`rm task ${f.first}`]);
    await h.type(' renamed');
    await h.press(KEY.enter);
    await h.waitForText('Conflict:');
    expect(h.lastFrame()).toContain('was removed by another writer');
    expect(h.lastFrame()).not.toContain('keep mine');
    await h.press('m'); // not offered: does nothing
    expect(h.lastFrame()).toContain('Conflict:');
    await h.press('t');
    await h.waitForGone('Conflict:');
    expect(diskTask(h.dir, f.first)).toBeUndefined();
  });
});
