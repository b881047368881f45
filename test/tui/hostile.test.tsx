// Data never drives the terminal (DESIGN §8): every string of test/hostile.ts, written by
// another writer into names, titles, notes, tags, summaries and labels, reaches the frame
// as visible escapes: no control character, no escape sequence, no bidi override, and
// every row still exactly one row of at most the terminal's width.
import { afterEach, describe, expect, it } from 'vitest';
import { quoteWord } from '../../src/commands/tokenize.js';
import { createFlow, createPlan, createTask, insertPlan, insertTask } from '../../src/domain/tree.js';
import { Store } from '../../src/store/store.js';
import { cells } from '../../src/tui/text.js';
import { HOSTILE } from '../hostile.js';
import { createHarness, KEY, seed, stopAll, type Harness } from './harness.js';

afterEach(stopAll);

// What may be in a frame: printable text and line breaks (tests draw without colours).
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

function checkFrame(h: Harness, columns: number, rows: number, where: string): void {
  const frame = h.lastFrame();
  const bad = CONTROL.exec(frame);
  expect(bad, `${where}: ${JSON.stringify(bad?.[0])} at ${bad?.index} in\n${frame}`).toBeNull();
  const lines = frame.split('\n');
  expect(lines.length, `${where}: rows`).toBe(rows);
  for (const line of lines) expect(cells(line), `${where}: ${line}`).toBeLessThanOrEqual(columns);
}

async function hostileStore(dir: string): Promise<void> {
  const store = new Store(dir, { writer: `cli:1:${HOSTILE['CSI clear']}` });
  await store.transact((tx) => {
    const flow = createFlow(`Flow ${HOSTILE['OSC 0 title']}`);
    tx.addFlow(flow);
    tx.setCurrentFlow(flow.id);
    const plan = createPlan({ title: `Plan ${HOSTILE['bidi RLO']}`, summary: Object.values(HOSTILE).join('\n') });
    insertPlan(tx.index, flow, plan);
    for (const [name, text] of Object.entries(HOSTILE)) {
      insertTask(
        tx.index,
        { planId: plan.id },
        createTask({ title: `${name}: ${text}`, notes: `notes ${text} end`, tags: [`t${text}`] }),
      );
    }
  });
  await seed(dir, [`snapshot create --label ${quoteWord(`label ${HOSTILE['CSI colour']}`)}`]);
}

describe('hostile strings from the store', () => {
  for (const [columns, rows] of [[80, 24], [100, 30], [120, 40]] as const) {
    it(`are shown as escapes at ${columns}×${rows}: tree, detail, board, editor, pickers, output, snapshots`, async () => {
      const h = await createHarness({ seed: hostileStore, size: { columns, rows } });
      await h.press('l', 'j', 'l');
      await h.waitForText('OSC 0 title');
      checkFrame(h, columns, rows, 'tree');
      expect(h.lastFrame()).toContain('\\x1b]0;pwned\\x07Title');
      expect(h.lastFrame()).toContain('Plan abc\\u202edcba');
      // Each task in turn in the detail pane (title, notes, tags).
      for (let i = 0; i < Object.keys(HOSTILE).length; i++) {
        await h.press('j');
        checkFrame(h, columns, rows, `detail of task ${i + 1}`);
      }
      await h.press('b');
      await h.waitForText('Board of');
      checkFrame(h, columns, rows, 'board');
      await h.press('b', 'g', 'j', 'n');
      await h.waitForText('Summary of');
      checkFrame(h, columns, rows, 'summary editor');
      await h.press(KEY.escape, 'f');
      await h.waitForText('Switch flow');
      checkFrame(h, columns, rows, 'flow picker');
      await h.press(KEY.escape, ':');
      await h.type('list task');
      await h.press(KEY.enter);
      await h.waitForText('lines · j/k scroll');
      checkFrame(h, columns, rows, 'output panel');
      await h.press(KEY.escape, 's');
      await h.waitForText('Snapshots (1)');
      checkFrame(h, columns, rows, 'snapshot browser');
      await h.press('d');
      await h.waitForText('Delete snapshot');
      checkFrame(h, columns, rows, 'question');
      expect(h.lastFrame()).toContain('label \\x1b[31mred\\x1b[0m');
    });
  }

  it('a writer name with escape sequences in the header and the message line is shown, not obeyed', async () => {
    const h = await createHarness({ seed: hostileStore, size: { columns: 120, rows: 40 } });
    checkFrame(h, 120, 40, 'header');
    // Another writer with a hostile name saves: the message line names it, escaped.
    const other = new Store(h.dir, { writer: `cli:2:${HOSTILE['OSC 52 clipboard']}` });
    await other.transact((tx) => {
      const flow = createFlow(`Second ${HOSTILE['C1 CSI']}`);
      tx.addFlow(flow);
    });
    await h.waitForText('Second \\x9b2J c1');
    await h.waitForText('changed by cli:2:\\x1b]52;c;');
    checkFrame(h, 120, 40, 'after the external write');
  });
});
