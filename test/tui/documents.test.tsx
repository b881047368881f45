// A plan's documents in the workspace (issue 13 item 7): counted in the tree, listed in
// the detail pane (O), opened with Enter as `open doc` does, added by path with Tab
// completion, named when their plan is about to be deleted, and found by Tab in the filter.
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers.js';
import { createHarness, KEY, plain, seed, seedFixture, stopAll, type Fixture, type Harness } from './harness.js';

const visual = process.env.VISUAL;
afterEach(async () => {
  await stopAll();
  if (visual === undefined) delete process.env.VISUAL;
  else process.env.VISUAL = visual;
});

/** The fixture with a markdown file added to Plan One as a document. */
async function withDocument(): Promise<{ h: Harness; f: Fixture; files: string }> {
  const files = tempDir('flow-docs-src-');
  writeFileSync(join(files, 'design.md'), '# Design\n\nThe quokka migration plan.\n');
  let f: Fixture | undefined;
  const h = await createHarness({
    seed: async (dir) => {
      f = await seedFixture(dir);
      await seed(dir, [`add doc ${join(files, 'design.md')} --plan ${f.planOne}`]);
    },
  });
  return { h, f: f as Fixture, files };
}

const lines = (h: Harness) => plain(h.lastFrame()).split('\n');
const manifest = (dir: string) => JSON.parse(readFileSync(join(dir, 'documents_manifest.json'), 'utf8'));

describe("a plan's documents", () => {
  it('are counted in the tree and listed in the detail pane; Enter opens one in $VISUAL', async () => {
    const { h, files } = await withDocument();
    await h.waitForFrame((f) => /Plan One.*· 1 doc\b/.test(plain(f)), 'the count in the tree');
    // An "editor" that writes down the file it was given.
    const opened = join(files, 'opened.txt');
    const script = join(files, 'editor.sh');
    writeFileSync(script, `#!/bin/sh\nprintf '%s' "$1" > '${opened}'\n`);
    chmodSync(script, 0o755);
    process.env.VISUAL = script;
    await h.press('O');
    await h.waitForFrame(() => lines(h).some((l) => /documents\s+› design\.md\s+\d+ B/.test(l)), 'the list with its cursor');
    await h.press(KEY.enter);
    await h.waitForText('Opened "design.md"');
    expect(readFileSync(opened, 'utf8')).toMatch(/documents\/plan_[^/]+\/design\.md$/);
    expect(readFileSync(readFileSync(opened, 'utf8'), 'utf8')).toContain('quokka');
    // Esc gives the keys back to the tree, and takes the list's keys off the message line.
    await h.press(KEY.escape);
    await h.press('O');
    await h.waitForText('Enter opens, a adds a file');
    await h.press(KEY.escape);
    await h.waitForGone('Enter opens, a adds a file');
    await h.press('j');
    await h.waitForFrame(() => h.tui.getState().focus === 'tree' && h.tui.getState().cursor !== h.tui.getState().scope.planId, 'the tree moving again');
  });

  it('a in the list adds a file by its path, Tab completing it', async () => {
    const { h, f, files } = await withDocument();
    mkdirSync(join(files, 'notes'));
    writeFileSync(join(files, 'notes', 'minutes-march.txt'), 'minutes\n');
    await h.press('O', 'a');
    await h.waitForText('Path (Tab completes) to add to "Plan One"');
    await h.type(`${files}/no`);
    await h.press(KEY.tab);
    await h.waitForFrame(() => h.tui.getState().input?.field.text === `${files}/notes/`, 'the folder completed');
    await h.type('mi');
    await h.press(KEY.tab);
    await h.waitForFrame(() => h.tui.getState().input?.field.text === `${files}/notes/minutes-march.txt`, 'the file completed');
    await h.press(KEY.enter);
    await h.waitForFrame(() => lines(h).some((l) => l.includes('minutes-march.txt')), 'the new document listed');
    const names = Object.values<any>(manifest(h.dir).documents).filter((d) => d.plans.includes(f.planOne)).map((d) => d.name);
    expect(names.sort()).toEqual(['design.md', 'minutes-march.txt']);
    expect(h.tui.getState().focus).toBe('documents');
    await h.waitForFrame((fr) => /Plan One.*· 2 docs/.test(plain(fr)), 'the count in the tree');
  });

  it('a path that is not there is refused in the message line, and the text comes back', async () => {
    const { h, files } = await withDocument();
    await h.press('O', 'a');
    await h.type(`${files}/missing.md`);
    await h.press(KEY.enter);
    await h.waitForFrame(() => h.tui.getState().focus === 'input' && h.tui.getState().message?.kind === 'error', 'the error and the input again');
    expect(h.tui.getState().input?.field.text).toBe(`${files}/missing.md`);
  });

  it('deleting the plan names the documents that go with it', async () => {
    const { h } = await withDocument();
    await h.press('d');
    await h.waitForText('Delete plan "Plan One" and its 4 tasks and the 1 document it references?');
    expect(plain(h.lastFrame())).toContain('document "design.md" (no other plan has it: gc doc removes it later)');
    await h.press('n');
  });

  it('Tab in the filter searches documents too (flow search), hits in a panel', async () => {
    const { h } = await withDocument();
    await h.press('/');
    await h.type('quokka');
    await h.press(KEY.tab);
    await h.waitForFrame(() => h.tui.getState().focus === 'output' && /design\.md/.test(plain(h.lastFrame())), 'the document among the hits');
    expect(plain(h.lastFrame())).toMatch(/quokka/);
  });
});
