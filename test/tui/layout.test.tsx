// Layout at 80×24, 100×30 and 120×40 and across resizes (issue 11 item 3): every row is
// one row no wider than the terminal, the header never wraps, the detail pane shows its
// lines in order without drawing over itself, and titles in CJK or emoji are cut with …
// at a character boundary.
import { afterEach, describe, expect, it } from 'vitest';
import { BINDINGS } from '../../src/tui/keys.js';
import { cells } from '../../src/tui/text.js';
import { createHarness, KEY, seed, seedFixture, stopAll, type Harness } from './harness.js';

afterEach(stopAll);

const LONG = 'A very long title that goes on and on well past the edge of any reasonable terminal window';

async function busy(dir: string): Promise<void> {
  const f = await seedFixture(dir);
  await seed(dir, [
    `rename flow ${f.flowId} "Payments platform with a long name 日本語"`,
    `set task ${f.first} --title "${LONG}" --tag backend --tag api --tag urgent --priority high --depends ${f.second}`,
    `set task ${f.first} --notes "Line one of the notes\nLine two, which is long enough to wrap around at eighty columns for sure, more text\nLine three"`,
    `set task ${f.second} --title "日本語のとても長いタイトルは端で切られるべきです、そして絵文字も 👨‍👩‍👧 🇩🇪"`,
    `use plan ${f.planOne}`,
  ]);
}

function checkLayout(h: Harness, columns: number, rows: number): string[] {
  const lines = h.lastFrame().split('\n');
  expect(lines).toHaveLength(rows);
  for (const line of lines) expect(cells(line), line).toBeLessThanOrEqual(columns);
  return lines;
}

describe('layout', () => {
  for (const [columns, rows] of [[80, 24], [100, 30], [120, 40]] as const) {
    it(`is intact at ${columns}×${rows}`, async () => {
      const h = await createHarness({ seed: busy, size: { columns, rows } });
      let lines = checkLayout(h, columns, rows);
      // The header is one line whatever it holds.
      expect(lines[0]).toMatch(/● live$/);
      expect(lines[0]).toContain('Payments platform');
      await h.press('j');
      lines = checkLayout(h, columns, rows);
      // The long title is cut with … in the tree, wrapped whole in the detail pane.
      const row = lines.find((l) => l.includes('1. ○ ! A very long'))!;
      expect(row).toMatch(/…/);
      expect(lines.join('\n')).toContain('goes on');
      // Title, id, status, priority and tags, each on a line of its own and in order.
      const at = (pattern: RegExp) => lines.findIndex((l) => pattern.test(l));
      const order = [/A very long/, /task task_/, /status +○ todo/, /priority +high/, /tags +#backend #api #urgent/];
      const found = order.map(at);
      expect(found.every((i) => i > 0), `${found} in\n${lines.join('\n')}`).toBe(true);
      expect([...found].sort((a, b) => a - b)).toEqual(found);
      // CJK and emoji are cut at a character, never past the edge.
      await h.press('j');
      lines = checkLayout(h, columns, rows);
      expect(lines.find((l) => l.includes('2. ○ ! 日本語のとても'))).toMatch(/…/);
    });
  }

  it('stays intact across resizes, small to large and back', async () => {
    const h = await createHarness({ seed: busy, size: { columns: 120, rows: 40 } });
    await h.press('j');
    for (const [columns, rows] of [[80, 24], [100, 30], [120, 40], [80, 24]] as const) {
      await h.resize(columns, rows);
      await h.waitForFrame((frame) => frame.split('\n').length === rows, `${columns}×${rows}`);
      checkLayout(h, columns, rows);
      expect(h.lastFrame()).toMatch(/priority +high/);
    }
  });

  it('? at 80×24 shows each description whole', async () => {
    const h = await createHarness({ seed: seedFixture, size: { columns: 80, rows: 24 } });
    await h.press('?');
    await h.waitForText('Keys  (Esc or ? closes)');
    let seen = h.lastFrame();
    for (let i = 0; i < 60 && !/(\d+)\/\1 lines/.test(h.lastFrame()); i++) {
      await h.press(KEY.pageDown);
      checkLayout(h, 80, 24);
      seen += h.lastFrame();
    }
    for (const b of BINDINGS) expect(seen).toContain(b.description);
  });
});
