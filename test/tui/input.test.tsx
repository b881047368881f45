// The text-input layer in the rendered workspace: keys that arrive together all count,
// readline keys in every input, a paste is text, keys typed ahead of an input go into it,
// and the notes editor (multi-line, Ctrl-S, Esc asks, $EDITOR) loses nothing.
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers.js';
import { createHarness, diskTask, KEY, plain, seed, seedFixture, stopAll, type Fixture, type Harness } from './harness.js';

afterEach(stopAll);

async function open(): Promise<{ h: Harness; f: Fixture }> {
  let f: Fixture | undefined;
  const h = await createHarness({ seed: async (dir) => (f = await seedFixture(dir)) });
  return { h, f: f as Fixture };
}

const promptLine = (h: Harness) => plain(h.lastFrame()).split('\n').find((l) => l.includes('› /flow')) ?? '';
const messageLine = (h: Harness) => {
  const lines = h.lastFrame().split('\n');
  return lines[lines.findIndex((l) => l.includes('› /flow')) - 1] ?? '';
};
/** The text typed at the prompt, as the frame shows it. */
const promptText = (h: Harness) => promptLine(h).replace(/^.*› \/flow ?/, '').trimEnd();
/** The one-line input's row. */
const inputLine = (h: Harness) => (plain(h.lastFrame()).split('\n').find((l) => l.startsWith('Title of task:')) ?? '').trimEnd();
const planTasks = (h: Harness, f: Fixture) => h.store().flows[f.flowId].plans.find((p: any) => p.id === f.planOne).tasks as any[];

describe('keys that arrive together', () => {
  it('five backspaces in one read delete five characters; Left Left moves twice', async () => {
    const { h, f } = await open();
    await h.press('j', 'e');
    await h.waitForText('Title of task: First task');
    await h.type(KEY.backspace.repeat(5));
    await h.waitForFrame(() => inputLine(h) === 'Title of task: First', 'five characters gone');
    await h.type(`${KEY.left}${KEY.left}X`);
    await h.waitForFrame(() => inputLine(h) === 'Title of task: FirXst', 'two steps left');
    await h.press(KEY.enter);
    await h.waitForFrame(() => diskTask(h.dir, f.first).title === 'FirXst', 'the title on disk');
  });

  it('Down Down Down in one read walks the history three steps', async () => {
    const { h, f } = await open();
    await h.press(':');
    for (const title of ['H1', 'H2', 'H3', 'H4']) {
      await h.type(`add task ${title}`);
      await h.press(KEY.enter);
      await h.waitForFrame(() => planTasks(h, f).some((t) => t.title === title), `${title} on disk`);
      await h.waitForFrame(() => promptText(h) === '', 'the prompt cleared');
    }
    await h.type(KEY.up.repeat(4));
    await h.waitForFrame(() => promptText(h) === 'add task H1', 'the oldest line');
    await h.type(KEY.down.repeat(3));
    await h.waitForFrame(() => promptText(h) === 'add task H4', 'three steps forward');
    // Past the newest: the line being typed before browsing comes back.
    await h.type(`${KEY.down}draft`);
    await h.type(`${KEY.up}${KEY.down}`);
    await h.waitForFrame(() => promptText(h) === 'draft', 'the draft back');
  });

  it('":" again on the empty prompt after a command (out of habit) is not typed; inside a line it is', async () => {
    const { h, f } = await open();
    await h.press(':');
    await h.type('add task One');
    await h.press(KEY.enter);
    await h.waitForFrame(() => planTasks(h, f).some((t) => t.title === 'One'), 'One on disk');
    await h.waitForFrame(() => promptText(h) === '', 'the prompt cleared');
    await h.press(':');
    await h.type('add task Two:b');
    await h.waitForFrame(() => promptText(h) === 'add task Two:b', 'the line without its leading colon');
    await h.press(KEY.enter);
    await h.waitForFrame(() => planTasks(h, f).some((t) => t.title === 'Two:b'), 'Two:b on disk');
  });

  it('a fast "--pr" and Tab in one read completes the flag', async () => {
    const { h } = await open();
    await h.press(':');
    await h.type('add task x --pr\t');
    await h.waitForFrame(() => promptText(h) === 'add task x --priority', 'completed');
    await h.type('hi\t');
    await h.waitForFrame(() => promptText(h) === 'add task x --priority high', 'the value completed');
  });

  it('keys typed ahead of an input go into it: "a", a title and Enter in one read add the task', async () => {
    const { h, f } = await open();
    await h.type('jaTyped ahead\rj');
    await h.waitForFrame(() => planTasks(h, f).some((t) => t.title === 'Typed ahead'), 'the task on disk');
    // The j after Enter was a tree key again.
    await h.waitForFrame(() => !h.lastFrame().includes('New task in'), 'the input closed');
  });

  it('Esc and a key in one read (typed while the workspace was busy) are both pressed', async () => {
    const { h } = await open();
    await h.press(':');
    await h.type('j');
    await h.waitForFrame(() => promptText(h) === 'j', 'j typed at the prompt');
    // What a terminal also sends for Alt-J: the prompt binds no Alt-J, so Esc closes it and j moves.
    await h.type('\u001bj');
    await h.waitForFrame(() => h.selectedLine().includes('First task'), 'the tree moved down');
    expect(promptText(h)).toBe('j');
    // Alt-B is the prompt's own key: a word back, not Esc and b.
    await h.press(':');
    await h.type(' two');
    await h.type(`${KEY.altB}X`);
    await h.waitForFrame(() => promptText(h) === 'j Xtwo', 'Alt-B moved a word back');
  });

  it('two Escapes in one read are two: the prompt closes and the selection is cleared', async () => {
    const { h } = await open();
    await h.press('j', 'x');
    await h.waitForText('1 selected');
    await h.press(':');
    await h.type('\u001b\u001b');
    await h.waitForFrame(() => !plain(h.lastFrame()).split('\n').some((l) => l.startsWith('✓')) && !h.lastFrame().includes('1 selected'), 'cleared');
  });

  it('two quick spaces move a task two statuses on, each from the status before it', async () => {
    const { h, f } = await open();
    await h.press('j');
    await h.type('  ');
    await h.waitForFrame(() => diskTask(h.dir, f.first).status === 'done', 'done on disk');
    expect(h.store().meta.file_revision).toBe(10);
    expect(h.lastFrame()).not.toContain('Conflict');
  });

  it('a message is always the latest key’s: a late result does not replace a newer message', async () => {
    const { h } = await open();
    // Space on a task (a command through the bus), then at once Space on the plan (a
    // message straight away): the command's "Updated" arrives later and must not win.
    await h.type('j k ');
    await h.waitForFrame(() => h.store().meta.file_revision === 9, 'the first change on disk');
    await h.controller.idle();
    await h.waitForFrame(() => messageLine(h).includes('Space cycles the status of a task'), 'the newer message');
    expect(messageLine(h)).not.toContain('Updated task');
  });
});

describe('readline keys', () => {
  it('Ctrl-A/E, Alt-B/F, Ctrl-W, Ctrl-U, Ctrl-K, Ctrl-Y, Home, End and Delete edit the prompt', async () => {
    const { h } = await open();
    await h.press(':');
    await h.type('add task one two three');
    await h.press(KEY.ctrlW);
    await h.waitForFrame(() => promptText(h) === 'add task one two', 'Ctrl-W');
    await h.press(KEY.altB, KEY.altB);
    await h.type('X');
    await h.waitForFrame(() => promptText(h) === 'add task Xone two', 'Alt-B twice');
    await h.press(KEY.altF);
    await h.type('Y');
    await h.waitForFrame(() => promptText(h) === 'add task XoneY two', 'Alt-F');
    await h.press(KEY.ctrlK);
    await h.waitForFrame(() => promptText(h) === 'add task XoneY', 'Ctrl-K');
    await h.press(KEY.ctrlA);
    await h.type('[');
    await h.press(KEY.ctrlE);
    await h.type(']');
    await h.waitForFrame(() => promptText(h) === '[add task XoneY]', 'Ctrl-A and Ctrl-E');
    await h.press(KEY.home, KEY.delete, KEY.end, KEY.backspace);
    await h.waitForFrame(() => promptText(h) === 'add task XoneY', 'Home, Delete, End, Backspace');
    await h.press(KEY.ctrlU);
    await h.waitForFrame(() => promptText(h) === '', 'Ctrl-U');
    await h.press(KEY.ctrlY);
    await h.waitForFrame(() => promptText(h) === 'add task XoneY', 'Ctrl-Y puts it back');
  });

  it('work in the one-line inputs and the filter too', async () => {
    const { h, f } = await open();
    await h.press('j', 'e');
    await h.waitForText('Title of task: First task');
    await h.press(KEY.ctrlU);
    await h.type('Renamed with readline');
    await h.press(KEY.ctrlW, KEY.ctrlW, KEY.enter);
    await h.waitForFrame(() => diskTask(h.dir, f.first).title === 'Renamed', 'the title on disk');
    await h.press('/');
    await h.type('zzz third');
    await h.press(KEY.altB, KEY.ctrlU);
    await h.waitForFrame((frame) => frame.includes('Third task') && !frame.includes('Second task'), 'filtered on "third"');
  });
});

describe('paste', () => {
  it('a bracketed paste is text: line breaks do not run it, keys in it do nothing', async () => {
    const { h, f } = await open();
    const before = h.store().meta.file_revision;
    await h.press(':');
    await h.type(`${KEY.pasteStart}add task Pasted\rq${KEY.up}d${KEY.pasteEnd}`);
    await h.waitForFrame(() => promptText(h).startsWith('add task Pasted q'), 'the pasted text');
    expect(h.store().meta.file_revision).toBe(before);
    expect(h.quits).toBe(0);
    await h.press(KEY.ctrlU);
    await h.type(`${KEY.pasteStart}add task "Pasted title"${KEY.pasteEnd}`);
    await h.press(KEY.enter);
    await h.waitForFrame(() => planTasks(h, f).some((t) => t.title === 'Pasted title'), 'the pasted command run');
  });

  it('pasted lines stay lines in the notes editor', async () => {
    const { h, f } = await open();
    await h.press('j', 'n');
    await h.waitForText('Notes of "First task"');
    await h.type(`${KEY.pasteStart}one\r\ntwo\rthree${KEY.pasteEnd}`);
    await h.press(KEY.ctrlS);
    await h.waitForFrame(() => diskTask(h.dir, f.first).notes === 'one\ntwo\nthree', 'the notes on disk');
  });
});

describe('sequences Ink cannot read', () => {
  it('a paste with colour escapes in it, and a status report, leave the workspace running', async () => {
    const { h, f } = await open();
    await h.press('j', 'n');
    await h.waitForText('Notes of "First task"');
    // Copied from a coloured terminal: ESC [ 31 m stopped the workspace (Ink's useInput threw).
    await h.type(`${KEY.pasteStart}one \u001b[31mred\u001b[0m two${KEY.pasteEnd}`);
    await h.waitForText('two');
    await h.press('\u001b[0n'); // a terminal's answer to a status request
    await h.press(KEY.ctrlS);
    // Kept as pasted (the screen shows it through the sanitizer, as any writer's text).
    await h.waitForFrame(() => diskTask(h.dir, f.first).notes === 'one \u001b[31mred\u001b[0m two', 'the notes on disk');
    expect(h.quits).toBe(0);
  });
});

describe('the notes editor', () => {
  async function withNotes(notes: string) {
    let f: Fixture | undefined;
    const h = await createHarness({
      seed: async (dir) => {
        f = await seedFixture(dir);
        await seed(dir, [`set task ${f.first} --notes '${notes}'`]);
      },
    });
    return { h, f: f as Fixture };
  }

  it('opens every line of multi-line notes; Enter is a new line; Ctrl-S saves exactly what is shown', async () => {
    const lines = Array.from({ length: 30 }, (_, i) => `line ${i + 1}`);
    const { h, f } = await withNotes(lines.join('\n'));
    await h.press('j', 'n');
    await h.waitForText('Notes of "First task"');
    expect(h.lastFrame()).toContain('line 1');
    // Down to the end: the editor scrolls, nothing is cut off.
    await h.type(KEY.down.repeat(40));
    await h.waitForText('line 30/30');
    expect(h.lastFrame()).toContain('line 30');
    await h.type(`${KEY.end}\rline 31\rline 32`);
    await h.waitForText('line 32/32');
    await h.press(KEY.ctrlS);
    await h.waitForFrame(() => diskTask(h.dir, f.first).notes === [...lines, 'line 31', 'line 32'].join('\n'), 'all the notes on disk');
    await h.waitForGone('Notes of');
  });

  it('Esc with changes asks first: n keeps editing, y discards', async () => {
    const { h, f } = await withNotes('keep me');
    const before = h.store().meta.file_revision;
    await h.press('j', 'n');
    await h.waitForText('Notes of "First task"');
    await h.type(' and more');
    await h.press(KEY.escape);
    await h.waitForText('Discard your changes to the text?');
    await h.press('n');
    await h.waitForGone('Discard your changes');
    expect(h.lastFrame()).toContain('keep me and more');
    await h.press(KEY.escape);
    await h.waitForText('Discard your changes');
    await h.press('y');
    await h.waitForGone('Notes of');
    expect(diskTask(h.dir, f.first).notes).toBe('keep me');
    expect(h.store().meta.file_revision).toBe(before);
    // Esc without changes closes at once.
    await h.press('n');
    await h.waitForText('Notes of');
    await h.press(KEY.escape);
    await h.waitForGone('Notes of');
  });

  it('E and Ctrl-X edit in $VISUAL (a script here), and what it wrote is saved', async () => {
    const { h, f } = await withNotes('from before');
    const bin = tempDir('flow-editor-');
    const script = join(bin, 'editor.sh');
    writeFileSync(script, '#!/bin/sh\nprintf "%s\\nadded by the editor\\n" "$(cat "$1")" > "$1"\n');
    chmodSync(script, 0o755);
    const saved = process.env.VISUAL;
    process.env.VISUAL = script;
    try {
      await h.press('j', 'E');
      await h.waitForFrame(() => diskTask(h.dir, f.first).notes === 'from before\nadded by the editor', 'the editor’s text on disk');
      await h.waitForText('added by the editor');
      // From the editor: Ctrl-X hands the text over and brings it back for review.
      await h.press('n');
      await h.waitForText('Notes of');
      await h.press(KEY.ctrlX);
      await h.waitForText('Back from the editor');
      await h.press(KEY.ctrlS);
      await h.waitForFrame(
        () => diskTask(h.dir, f.first).notes === 'from before\nadded by the editor\nadded by the editor',
        'the second edit on disk',
      );
      // An editor that fails changes nothing and says so.
      process.env.VISUAL = 'false';
      const revision = h.store().meta.file_revision;
      await h.press('E');
      await h.waitForFrame(() => messageLine(h).includes('false exited with 1; nothing was changed'), 'the failure');
      expect(h.store().meta.file_revision).toBe(revision);
    } finally {
      if (saved === undefined) delete process.env.VISUAL;
      else process.env.VISUAL = saved;
    }
  });
});

describe('while loading', () => {
  it('keys pressed before the store is read wait for the tree instead of acting on nothing', async () => {
    let f: Fixture | undefined;
    const h = await createHarness({ seed: async (dir) => (f = await seedFixture(dir)), start: false });
    expect(h.lastFrame()).toContain('Loading…');
    await h.type('jj');
    await h.press(KEY.space);
    await h.controller.start();
    await h.waitForFrame(() => diskTask(h.dir, (f as Fixture).second).status === 'in_progress', 'the second task started');
    expect(h.selectedLine()).toContain('Second task');
  });

  it('a J typed before the store is read is saved before the keys after it act: j J j Space starts the task below the moved one', async () => {
    let f: Fixture | undefined;
    const h = await createHarness({ seed: async (dir) => (f = await seedFixture(dir)), start: false });
    await h.type('jJj');
    await h.press(KEY.space);
    await h.controller.start();
    const fx = f as Fixture;
    await h.waitForFrame(() => diskTask(h.dir, fx.third).status === 'in_progress', 'Third task started');
    expect(diskTask(h.dir, fx.first).status).toBe('todo');
    expect(h.selectedLine()).toContain('Third task');
  });
});
