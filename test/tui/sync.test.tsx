// Sync in the workspace (issue 16 item 4), with real git: a bare repository on local disk
// and two clones. The workspace runs on clone B; clone A is another person, using the
// built flow. The header's figures, Y running sync, conflicts as a banner settled by R.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FLOW_BIN } from '../helpers.js';
import { Clone, HAS_GIT, remoteRepository } from '../sync/git.js';
import { bytes, doc, plan, task } from '../sync/support.js';
import { createHarness, diskTask, plain, stopAll, type Harness } from './harness.js';

// The sync command registers git's merge driver as "this node, this flow": in the
// workspace that is bin/flow.js, here it would be the test runner.
beforeAll(() => {
  process.argv[1] = FLOW_BIN;
});
afterEach(stopAll);

/** A shared store: A wrote a flow with a plan of two tasks and synced; B synced. */
function sharedPair(): { a: Clone; b: Clone } {
  const repo = remoteRepository();
  const a = repo.clone('a');
  mkdirSync(a.dir);
  writeFileSync(join(a.dir, 'flows.json'), bytes(doc([{ id: 'flow_project', name: 'Project', plans: [plan('plan_storage', [task('task_one'), task('task_two')], { title: 'Storage' })] }])));
  expect(a.flow('sync').code).toBe(0);
  const b = repo.clone('b');
  expect(b.flow('sync').code).toBe(0);
  expect(b.flow('use', 'plan', 'plan_storage').code).toBe(0);
  // The workspace's own git runs (in this process) need the clones' identity and HOME.
  Object.assign(process.env, b.env);
  return { a, b };
}

const header = (h: Harness) => plain(h.lastFrame()).split('\n')[0];
const messageLine = (h: Harness) => plain(h.lastFrame()).split('\n').at(-2) ?? '';

describe.skipIf(!HAS_GIT)('sync in the workspace', () => {
  it('outside a repository: no sync figures, and Y says why it cannot sync', async () => {
    const h = await createHarness({ seed: async (dir) => writeFileSync(join(dir, 'flows.json'), bytes(doc([{ id: 'flow_x', plans: [] }]))) });
    await h.waitForFrame(() => h.tui.getState().sync?.kind === 'off', 'the first sync reading');
    expect(header(h)).not.toMatch(/synced|⇡|⇣/);
    await h.press('Y');
    await h.waitForFrame(() => /not inside a git repository/.test(messageLine(h)), 'why not');
  });

  it('the header counts revisions to share and remote commits waiting; Y syncs, with its steps, and says what it did', async () => {
    const { a, b } = sharedPair();
    a.json('set', 'task', 'task_two', '--title', 'two, by A');
    expect(a.flow('sync').code).toBe(0);
    const h = await createHarness({ dir: b.dir });
    // The first reading is local, the next one fetches: A's commit waits.
    await h.waitForFrame(() => /⇣1 waiting/.test(header(h)), 'a remote commit waiting', 20_000);
    await h.press('j', 'e');
    await h.press('\u0015');
    await h.type('one, by B');
    await h.press('\r');
    await h.waitForFrame(() => diskTask(b.dir, 'task_one')?.title === 'one, by B', 'the edit on disk');
    await h.waitForFrame(() => /⇡1 to share ⇣1 waiting/.test(header(h)), 'a revision to share', 20_000);
    // Y: the steps show while it runs, then what it did; both changes are here.
    const steps = new Set<string>();
    const unsubscribe = h.tui.subscribe((s) => s.progress && steps.add(s.progress));
    await h.press('Y');
    await h.waitForFrame(() => /Synced: committed revision \d+, merged origin\/main, pushed/.test(messageLine(h)), 'the result', 30_000);
    unsubscribe();
    expect([...steps]).toEqual(expect.arrayContaining(['fetching origin/main', 'merging origin/main', 'pushing to origin/main']));
    await h.waitForText('two, by A');
    await h.waitForFrame(() => /synced rev/.test(header(h)), 'nothing left to share', 20_000);
    // A gets B's change with its next sync.
    expect(a.flow('sync').code).toBe(0);
    expect(a.json('show', 'task', 'task_one').title).toBe('one, by B');
  });

  it('a sync that records a conflict shows it as a banner; R shows both sides, t takes theirs through resolve', async () => {
    const { a, b } = sharedPair();
    a.json('set', 'task', 'task_one', '--title', 'title by A');
    expect(a.flow('sync').code).toBe(0);
    b.json('set', 'task', 'task_one', '--title', 'title by B');
    const h = await createHarness({ dir: b.dir });
    // Merging what waits would conflict: the header says so before anything is merged.
    await h.waitForFrame(() => /⇣1!/.test(header(h)), 'a conflict ahead', 20_000);
    await h.press('Y');
    await h.waitForFrame(() => /1 conflict recorded: R settles them/.test(messageLine(h)), 'the result', 30_000);
    await h.waitForText('⚠ 1 conflict from a sync: task "title by B" · title');
    await h.press('R');
    await h.waitForText('Conflict 1 of 1 from a sync');
    const frame = plain(h.lastFrame());
    expect(frame).toMatch(/mine +"title by B" .*\(in place now\)/);
    expect(frame).toMatch(/theirs +"title by A"/);
    // The tree's cursor is on the task, whose detail names the conflict too.
    expect(h.tui.getState().cursor).toBe('task_one');
    expect(frame).toContain('conflict  title: theirs "title by A');
    await h.press('t');
    await h.waitForFrame(() => diskTask(b.dir, 'task_one')?.title === 'title by A' && diskTask(b.dir, 'task_one')?.conflicts === undefined, 'theirs taken');
    await h.waitForFrame(() => /All conflicts settled: Y shares the result/.test(messageLine(h)), 'the message');
    expect(plain(h.lastFrame())).not.toContain('conflict from a sync');
    expect(h.tui.getState().focus).toBe('tree');
  });
});
