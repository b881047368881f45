// flow sync and the merge driver with real git: two clones of a bare repository on
// local disk (issue 16, "Must show").
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { flowSync } from '../helpers.js';
import { Clone, HAS_GIT, remoteRepository } from './git.js';
import { bytes, doc, plan, task } from './support.js';

/** Two clones sharing a store: A wrote a flow with a plan of two tasks and synced; B synced. */
function sharedPair() {
  const repo = remoteRepository();
  const a = repo.clone('a');
  mkdirSync(a.dir);
  writeFileSync(join(a.dir, 'flows.json'), bytes(doc([{ id: 'flow_project', plans: [plan('plan_storage', [task('task_one'), task('task_two')])] }])));
  expect(a.flow('sync').code).toBe(0);
  const b = repo.clone('b');
  expect(b.flow('sync').code).toBe(0);
  return { repo, a, b, plan: 'plan_storage', one: 'task_one', two: 'task_two' };
}

const tasksOf = (clone: Clone, plan: string) =>
  clone.json<Array<{ id: string; title: string; notes: string; status: string; conflicts?: unknown[] }>>('list', 'task', '--plan', plan);

describe.skipIf(!HAS_GIT)('flow sync through git', () => {
  it('merges different fields of one task, different tasks of one plan, and additions to the same plan', () => {
    const { a, b, plan, one, two } = sharedPair();
    a.json('set', 'task', one, '--title', 'one, retitled by A');
    b.json('set', 'task', one, '--notes', 'notes by B');
    a.json('done', 'task', two);
    b.json('add', 'task', 'added by B');
    a.json('add', 'task', 'added by A');
    expect(a.flow('sync').code).toBe(0);
    const synced = b.flow('sync');
    expect(synced.code, synced.stderr).toBe(0);
    expect(synced.stdout).toMatch(/merged origin\/main \(merge\)/);
    expect(a.flow('sync').code).toBe(0);
    for (const clone of [a, b]) {
      const tasks = tasksOf(clone, plan);
      // At one place, what was already shared comes first: B synced after A.
      expect(tasks.map((t) => t.title)).toEqual(['one, retitled by A', 'task_two', 'added by A', 'added by B']);
      expect(tasks[0].notes).toBe('notes by B');
      expect(tasks[1].status).toBe('done');
    }
    expect(a.store().equals(b.store())).toBe(true);
  });

  it('reports the same field changed on both sides (exit 3), keeps both values, and resolve settles it', () => {
    const { a, b, plan, one } = sharedPair();
    a.json('set', 'task', one, '--title', 'title by A');
    b.json('set', 'task', one, '--title', 'title by B');
    expect(a.flow('sync').code).toBe(0);
    const conflicted = b.flow('sync', '--json');
    expect(conflicted.code).toBe(3);
    const report = JSON.parse(conflicted.stdout);
    expect(report.conflicts).toMatchObject([
      { id: one, object: 'task', kind: 'field', field: 'title', mine: { value: 'title by B' }, theirs: { value: 'title by A' } },
    ]);
    expect(report.pushed).toBe(true);
    // The conflict travels: A sees it too after its next sync, and so does every list.
    expect(a.flow('sync').code).toBe(3);
    expect(a.json('conflicts')).toHaveLength(1);
    expect(b.flow('resolve', 'task', one, '--take', 'theirs').code).toBe(0);
    expect(tasksOf(b, plan)[0]).toMatchObject({ title: 'title by A' });
    expect(tasksOf(b, plan)[0].conflicts).toBeUndefined();
    expect(b.flow('sync').code).toBe(0);
    expect(a.flow('sync').code).toBe(0);
    expect(a.json('conflicts')).toEqual([]);
    expect(a.store().equals(b.store())).toBe(true);
  });

  it('resolve takes a VALUE of its own, and says which field when there are several', () => {
    const { a, b, plan, one } = sharedPair();
    a.json('set', 'task', one, '--title', 'A', '--notes', 'a');
    b.json('set', 'task', one, '--title', 'B', '--notes', 'b');
    expect(a.flow('sync').code).toBe(0);
    expect(b.flow('sync').code).toBe(3);
    const ambiguous = b.flow('resolve', 'task', one, '--take', 'Both');
    expect(ambiguous.code).toBe(2);
    expect(ambiguous.stderr).toMatch(/--field/);
    expect(b.flow('resolve', 'task', one, '--field', 'title', '--take', 'A and B').code).toBe(0);
    expect(b.flow('resolve', 'task', one, '--take', 'mine').code).toBe(0);
    expect(tasksOf(b, plan)[0]).toMatchObject({ title: 'A and B', notes: 'b' });
    expect(b.flow('resolve', 'task', one, '--take', 'mine').code).toBe(1);
  });

  it('keeps fields another tool wrote, through a merge', () => {
    const { a, b, plan, one } = sharedPair();
    const file = join(a.dir, 'flows.json');
    const doc = JSON.parse(readFileSync(file, 'utf8'));
    const flow = Object.values(doc.flows)[0] as any;
    doc.tool_settings = { board: 'kanban' };
    flow.x_colour = 'teal';
    flow.plans[0].x_sprint = 12;
    flow.plans[0].tasks[0].x_estimate = { hours: 3, by: ['tool'] };
    writeFileSync(file, JSON.stringify(doc, null, 2));
    expect(a.flow('sync').code).toBe(0);
    b.json('set', 'task', one, '--notes', 'B was here');
    expect(b.flow('sync').code).toBe(0);
    const merged = JSON.parse(b.store().toString());
    const mergedFlow = Object.values(merged.flows)[0] as any;
    expect(merged.tool_settings).toEqual({ board: 'kanban' });
    expect(mergedFlow.x_colour).toBe('teal');
    expect(mergedFlow.plans[0].x_sprint).toBe(12);
    expect(mergedFlow.plans[0].tasks[0]).toMatchObject({ x_estimate: { hours: 3, by: ['tool'] }, notes: 'B was here' });
    expect(tasksOf(b, plan)).toHaveLength(2);
  });

  it('a plain git pull uses the merge driver', () => {
    const { a, b, plan, one, two } = sharedPair();
    a.json('set', 'task', one, '--title', 'by A');
    expect(a.flow('sync').code).toBe(0);
    b.json('set', 'task', two, '--title', 'by B');
    expect(b.git('commit', '-qam', 'local work').code).toBe(0);
    const pull = b.git('pull', '--no-rebase', '-q');
    expect(pull.code, pull.stderr).toBe(0);
    expect(tasksOf(b, plan).map((t) => t.title)).toEqual(['by A', 'by B']);
    expect(b.store().toString()).not.toMatch(/^(<<<<<<<|=======|>>>>>>>)/m);
  });

  it('refuses a corrupt or hostile incoming side (driver exit 2), leaving the local file as it was', () => {
    const { a, b, one } = sharedPair();
    // Someone pushes a flows.json with a task id used twice, bypassing flow.
    const file = join(a.dir, 'flows.json');
    const doc = JSON.parse(readFileSync(file, 'utf8'));
    const tasks = (Object.values(doc.flows)[0] as any).plans[0].tasks;
    tasks.push({ ...tasks[0], title: '\u001b]0;pwned\u0007 twin' });
    writeFileSync(file, JSON.stringify(doc));
    expect(a.git('commit', '-qam', 'hostile').code).toBe(0);
    expect(a.git('push', '-q').code).toBe(0);

    b.json('set', 'task', one, '--title', 'local work');
    expect(b.git('commit', '-qam', 'local').code).toBe(0);
    const before = b.store();
    const pull = b.git('pull', '--no-rebase');
    expect(pull.code).not.toBe(0);
    expect(`${pull.stdout}${pull.stderr}`).toMatch(/refused: id "task_\w+" appears twice/);
    expect(`${pull.stdout}${pull.stderr}`).not.toContain('\u001b');
    expect(b.store().equals(before)).toBe(true);
    expect(b.git('merge', '--abort').code).toBe(0);

    // flow sync says so, undoes the merge, and changes nothing.
    const synced = b.flow('sync');
    expect(synced.code).toBe(1);
    expect(synced.stderr).toMatch(/incoming side of flows.json was refused: id "task_\w+" appears twice; the merge was undone/);
    expect(b.store().equals(before)).toBe(true);
    expect(b.git('status', '--porcelain').stdout).toBe('');
  });

  it('the driver itself: exit 0 clean, 1 conflicts recorded, 2 refused with ours untouched', () => {
    const { a } = sharedPair();
    const base = a.store();
    const edit = (title: string) => base.toString().replace('"title":"task_one"', `"title":${JSON.stringify(title)}`);
    const dir = a.path;
    const files = { O: join(dir, 'O'), A: join(dir, 'A'), B: join(dir, 'B') };
    const driver = (ours: string, theirs: string) => {
      writeFileSync(files.O, base);
      writeFileSync(files.A, ours);
      writeFileSync(files.B, theirs);
      return a.flow('merge-driver', files.O, files.A, files.B, '.flow/flows.json');
    };
    expect(driver(edit('x'), base.toString()).code).toBe(0);
    expect(readFileSync(files.A, 'utf8')).toContain('"title":"x"');
    const conflicted = driver(edit('x'), edit('y'));
    expect(conflicted.code).toBe(1);
    expect(conflicted.stderr).toMatch(/1 conflict\(s\) recorded/);
    expect(readFileSync(files.A, 'utf8')).toMatch(/"conflicts":\[\{"kind":"field","field":"title"/);
    for (const hostile of ['{"version":"3.0","flows":', `${'['.repeat(100_000)}`, '{"version":"9.0","flows":{}}', '']) {
      const refused = driver(edit('x'), hostile);
      expect(refused.code).toBe(2);
      expect(readFileSync(files.A, 'utf8')).toBe(edit('x'));
    }
  });

  it('says what it would do with --dry-run, changing nothing but the remote-tracking ref', () => {
    const { a, b, one } = sharedPair();
    a.json('set', 'task', one, '--title', 'A');
    expect(a.flow('sync').code).toBe(0);
    b.json('set', 'task', one, '--title', 'B');
    const before = b.store();
    const head = b.git('rev-parse', 'HEAD').stdout;
    const preview = b.json('sync', '--dry-run');
    expect(preview).toMatchObject({ unsynced: 1, waiting: 1, preview: { conflicts: 1 }, dry_run: true });
    expect(b.store().equals(before)).toBe(true);
    expect(b.git('rev-parse', 'HEAD').stdout).toBe(head);
  });

  it('explains a missing git, a missing remote, a folder outside git, and work outside .flow/ it leaves alone', () => {
    const repo = remoteRepository();
    const lonely = repo.clone('lonely');
    lonely.json('add', 'flow', 'P');
    expect(lonely.git('remote', 'remove', 'origin').code).toBe(0);
    const noGit = flowSync(lonely.dir, ['sync'], { cwd: lonely.path, env: { ...lonely.env, PATH: join(repo.remote, '..') } });
    expect(noGit.code).toBe(1);
    expect(noGit.stderr).toMatch(/git was not found: flow sync needs the git program/);
    const noRemote = lonely.flow('sync');
    expect(noRemote.code).toBe(1);
    expect(noRemote.stderr).toMatch(/no remote to sync with: add one \(git remote add origin URL\)/);

    const plain = join(repo.remote, '..', 'plain');
    mkdirSync(plain);
    const outside = new Clone(plain, lonely.env);
    const notRepo = outside.flow('add', 'flow', 'P') && outside.flow('sync');
    expect(notRepo.code).toBe(1);
    expect(notRepo.stderr).toMatch(/not inside a git repository/);

    const withWork = repo.clone('work');
    writeFileSync(join(withWork.path, 'README.md'), 'one');
    expect(withWork.git('add', 'README.md').code).toBe(0);
    expect(withWork.git('commit', '-qm', 'readme').code).toBe(0);
    writeFileSync(join(withWork.path, 'README.md'), 'two, staged');
    expect(withWork.git('add', 'README.md').code).toBe(0);
    writeFileSync(join(withWork.path, 'notes.md'), 'draft');
    withWork.json('add', 'flow', 'P');
    const synced = withWork.flow('sync');
    expect(synced.code).toBe(0);
    expect(synced.stdout).toMatch(/2 file\(s\) outside \.flow\/ have uncommitted changes; sync left them alone: README\.md, notes\.md/);
    const committed = withWork.git('show', '--name-only', '--format=', 'HEAD').stdout.split('\n').filter(Boolean);
    expect(committed).toContain('.flow/flows.json');
    expect(committed.every((p) => p.startsWith('.flow/'))).toBe(true);
    expect(withWork.git('status', '--porcelain').stdout).toBe('M  README.md\n?? notes.md\n');
  });

  it('writers working while sync merges lose nothing, and neither does the merge', async () => {
    const { a, b, plan, one } = sharedPair();
    a.json('set', 'task', one, '--title', 'remote change');
    expect(a.flow('sync').code).toBe(0);
    b.json('add', 'task', 'local before sync');
    const [synced, ...added] = await Promise.all([
      b.flowAsync('sync'),
      ...Array.from({ length: 5 }, (_, i) => b.flowAsync('add', 'task', `during sync ${i}`, '--plan', plan)),
    ]);
    expect(synced.code, synced.stderr).toBe(0);
    for (const result of added) expect(result.code, result.stderr).toBe(0);
    const titles = tasksOf(b, plan).map((t) => t.title);
    expect(titles).toContain('remote change');
    for (let i = 0; i < 5; i++) expect(titles).toContain(`during sync ${i}`);
    expect(b.flow('sync').code).toBe(0);
    expect(a.flow('sync').code).toBe(0);
    expect(a.store().equals(b.store())).toBe(true);
  });

  it('concurrent syncs from both clones, 20 rounds each, end with identical stores holding every task', async () => {
    const { a, b, plan } = sharedPair();
    const round = async (clone: Clone, name: string) => {
      for (let i = 1; i <= 20; i++) {
        const added = await clone.flowAsync('add', 'task', `${name} ${i}`, '--plan', plan);
        expect(added.code, added.stderr).toBe(0);
        const synced = await clone.flowAsync('sync');
        expect(synced.code, synced.stderr).toBe(0);
      }
    };
    await Promise.all([round(a, 'A'), round(b, 'B')]);
    for (const clone of [a, b, a]) expect(clone.flow('sync').code).toBe(0);
    expect(a.store().equals(b.store())).toBe(true);
    const titles = tasksOf(a, plan).map((t) => t.title);
    for (const name of ['A', 'B']) for (let i = 1; i <= 20; i++) expect(titles).toContain(`${name} ${i}`);
    expect(titles).toHaveLength(42);
  }, 300_000);
});
