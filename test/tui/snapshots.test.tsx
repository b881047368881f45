// The snapshot browser (s): open, move, preview the diff against now, restore with a
// confirmation (whole store, or the plan under the cursor), pin and delete.
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers.js';
import { createHarness, KEY, seed, seedFixture, stopAll, type Fixture, type Harness } from './harness.js';

afterEach(stopAll);

async function withSnapshots(): Promise<{ h: Harness; fx: Fixture; first: string; second: string }> {
  let fx!: Fixture;
  let first = '';
  let second = '';
  const h = await createHarness({
    seed: async (dir) => {
      fx = await seedFixture(dir);
      [first] = await seed(dir, ['snapshot create --label "before edits"']);
      await seed(dir, [`set task ${fx.first} --title "First renamed"`, `add task "Added later" --plan ${fx.planOne}`]);
      [second] = await seed(dir, ['snapshot create --label "after edits"']);
      await seed(dir, [`done task ${fx.second}`]);
    },
  });
  return { h, fx, first, second };
}

describe('snapshot browser', () => {
  it('opens with s, lists snapshots newest selected, and previews what a restore would change', async () => {
    const { h, fx } = await withSnapshots();
    await h.press('s');
    await h.waitForText('Snapshots (2)');
    const frame = h.lastFrame();
    expect(frame).toContain('before edits');
    expect(frame).toContain('after edits');
    // The newest is selected: restoring it only undoes the last `done`.
    expect(frame.split('\n').find((l) => l.includes('›') && l.includes('edits'))).toContain('after edits');
    await h.waitForText(`~ task ${fx.second}`);
    expect(h.lastFrame()).toContain('status: "done" → "todo"');
    expect(h.lastFrame()).not.toContain('Added later');
    // k moves to the older one; the preview follows.
    await h.press('k');
    await h.waitForText('- task');
    const older = h.lastFrame();
    expect(older.split('\n').find((l) => l.includes('›') && l.includes('edits'))).toContain('before edits');
    expect(older).toContain('"Added later"');
    expect(older).toContain('title: "First renamed" → "First task"');
  });

  it('restores the whole store after a confirmation; n cancels, y restores', async () => {
    const { h, fx } = await withSnapshots();
    await h.press('s');
    await h.waitForText('Snapshots (2)');
    await h.press('k', 'r');
    await h.waitForText('[y] yes');
    await h.press('n');
    await h.waitForGone('[y] yes');
    const taskTitles = () => h.store().flows[fx.flowId].plans[0].tasks.map((t: { title: string }) => t.title);
    expect(taskTitles()).toContain('Added later');
    await h.press('s');
    await h.waitForText('Snapshots (2)');
    await h.press('k', 'r');
    await h.waitForText('[y] yes');
    await h.press('y');
    await waitFor(() => !taskTitles().includes('Added later'), { what: 'the restore on disk' });
    expect(taskTitles()).toContain('First task');
    // The tree shows the restored state and a pre-restore snapshot now exists.
    await h.waitForText('Restored the whole store');
    expect(h.bus.services.snapshots().list().some((s) => s.kind === 'pre-restore')).toBe(true);
  });

  it('R restores only the plan under the tree cursor', async () => {
    const { h, fx } = await withSnapshots();
    // The cursor starts on the session's plan (Plan One).
    expect(h.selectedLine()).toContain('Plan One');
    await h.press('s');
    await h.waitForText('Snapshots (2)');
    await h.press('k', 'R');
    await h.waitForText('Other plans stay as they are');
    await h.press('y');
    const plans = () => h.store().flows[fx.flowId].plans;
    await waitFor(() => plans()[0].tasks.every((t: { title: string }) => t.title !== 'Added later'), { what: 'the plan restored' });
    expect(plans()[1].tasks.map((t: { title: string }) => t.title)).toEqual(['Other task']);
  });

  it('p pins and unpins, d deletes, c takes a snapshot now', async () => {
    const { h } = await withSnapshots();
    await h.press('s');
    await h.waitForText('Snapshots (2)');
    await h.press('p');
    await waitFor(() => h.bus.services.snapshots().list().at(-1)?.pinned === true, { what: 'pinned' });
    await h.waitForText('pinned');
    await h.press('p');
    await waitFor(() => h.bus.services.snapshots().list().at(-1)?.pinned === false, { what: 'unpinned' });
    // c asks for a label: what is typed is the label, Enter on nothing takes the one offered.
    await h.press('c');
    await h.waitForText('Snapshot label (empty: from the TUI):');
    await h.type('checkpoint');
    await h.press(KEY.enter);
    await h.waitForText('Snapshots (3)');
    expect(h.bus.services.snapshots().list().at(-1)?.label).toBe('checkpoint');

    // The new one is selected; d asks first, naming it; n keeps it, y deletes it.
    await h.press('d');
    await h.waitForText('Delete snapshot');
    expect(h.lastFrame()).toContain('"checkpoint"');
    await h.press('n');
    await h.waitForGone('Delete snapshot');
    expect(h.bus.services.snapshots().list()).toHaveLength(3);
    await h.press('d');
    await h.waitForText('Delete snapshot');
    await h.press('y');
    await h.waitForText('Snapshots (2)');
    await h.press('c');
    await h.waitForText('Snapshot label');
    await h.press(KEY.enter);
    await h.waitForText('Snapshots (3)');
    expect(h.bus.services.snapshots().list().at(-1)?.label).toBe('from the TUI');
    await h.press(KEY.escape);
    await h.waitForGone('Snapshots (');
  });
});
