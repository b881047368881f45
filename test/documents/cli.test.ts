// The document commands and search as a person or an agent uses them: the built `flow`,
// real files, real exit codes.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { flowSync, json, tempDir } from '../helpers.js';
import { HOSTILE_NAMES } from './hostile-names.js';

interface Setup {
  dir: string;
  src: string;
  plans: string[];
  file(name: string, content: string): string;
  run(...args: string[]): ReturnType<typeof flowSync>;
}

function setup(): Setup {
  const root = tempDir();
  const dir = join(root, '.flow');
  const src = join(root, 'src');
  mkdirSync(src);
  const run = (...args: string[]) => flowSync(dir, args, { env: { FLOW_SESSION: 'doc-tests' } });
  json(run('add', 'flow', 'Project', '--json'));
  const plans = [json(run('add', 'plan', 'Storage', '--summary', 'all about storage', '--json')).id, json(run('add', 'plan', 'Search', '--json')).id];
  return {
    dir,
    src,
    plans,
    run,
    file(name, content) {
      const path = join(src, name);
      writeFileSync(path, content);
      return path;
    },
  };
}

const blobs = (dir: string) => {
  const root = join(dir, 'documents', '.blobs');
  return existsSync(root) ? readdirSync(root).flatMap((d) => readdirSync(join(root, d))) : [];
};

describe('flow … doc', () => {
  beforeAll(() => {
    expect(existsSync(join(__dirname, '..', '..', 'dist', 'cli.cjs'))).toBe(true);
  });

  it('adds the same file to two plans once; unlink keeps it; deleting both plans and gc remove it', () => {
    const s = setup();
    const [a, b] = s.plans;
    const spec = s.file('spec.md', '# Spec\n\nline two\n');
    const first = json(s.run('add', 'doc', spec, '--plan', a, '--json'));
    const second = json(s.run('doc', 'add', spec, '--plan', b, '--json')); // noun-first too
    expect(first.outcome).toBe('added');
    expect(second.outcome).toBe('linked');
    expect(second.id).toBe(first.id);
    expect(second.live_plans).toEqual([a, b]);
    expect(blobs(s.dir)).toHaveLength(1);
    // Documents are references in show plan.
    expect(json(s.run('show', 'plan', a, '--json')).documents.map((d: { id: string }) => d.id)).toEqual([first.id]);
    expect(s.run('show', 'plan', a).stdout).toContain('spec.md');
    const shown = s.run('show', 'doc', first.id);
    expect(shown.stdout).toContain('text/markdown');
    expect(shown.stdout).toContain('line two');
    expect(json(s.run('list', 'doc', '--plan', b, '--json')).map((d: { id: string }) => d.id)).toEqual([first.id]);
    const unlinked = json(s.run('unlink', 'doc', first.id, '--plan', a, '--json'));
    expect(unlinked.live_plans).toEqual([b]);
    expect(json(s.run('list', 'doc', '--json'))).toHaveLength(1);
    // Both plans go (each delete takes a snapshot first, which still holds the content).
    expect(s.run('rm', 'plan', a, '--yes').code).toBe(0);
    expect(s.run('rm', 'plan', b, '--yes').code).toBe(0);
    expect(json(s.run('list', 'doc', '--json'))).toEqual([]);
    expect(s.run('config', 'set', 'documents.retention_days', '0').code).toBe(0);
    const held = json(s.run('gc', 'doc', '--json'));
    expect(held.removed.map((r: { id: string }) => r.id)).toEqual([first.id]);
    expect(held.contents).toEqual([]);
    expect(blobs(s.dir)).toHaveLength(1);
    // Once no snapshot holds it, the content goes too.
    expect(s.run('config', 'set', 'snapshots.keep', '0').code).toBe(0);
    expect(s.run('snapshot', 'prune').code).toBe(0);
    const gone = json(s.run('gc', 'doc', '--json'));
    expect(gone.contents).toHaveLength(1);
    expect(blobs(s.dir)).toEqual([]);
    expect(JSON.parse(readFileSync(join(s.dir, 'documents_manifest.json'), 'utf8')).documents).toEqual({});
  });

  it('undo of a plan delete restores its references', () => {
    const s = setup();
    const [a] = s.plans;
    const doc = json(s.run('add', 'doc', s.file('notes.txt', 'notes'), '--plan', a, '--json'));
    expect(s.run('rm', 'plan', a, '--yes').code).toBe(0);
    expect(json(s.run('list', 'doc', '--json'))).toEqual([]);
    expect(s.run('undo').code).toBe(0);
    expect(json(s.run('list', 'doc', '--plan', a, '--json')).map((d: { id: string }) => d.id)).toEqual([doc.id]);
    expect(json(s.run('gc', 'doc', '--json')).removed).toEqual([]);
  });

  it('documents of a task: add doc --task and link doc --task show in show task; unlink --task drops only that reference', () => {
    const s = setup();
    const [a, b] = s.plans;
    const task = json(s.run('add', 'task', 'Write the spec', '--plan', a, '--json')).id;
    const other = json(s.run('add', 'task', 'Review', '--plan', b, '--json')).id;
    const spec = json(s.run('add', 'doc', s.file('spec.md', 'spec'), '--task', task, '--json'));
    expect(spec.tasks).toEqual([task]);
    expect(spec.live_plans).toEqual([a]); // the task's plan references it too
    const documentsOf = (ref: string) => json(s.run('show', 'task', ref, '--json')).documents.map((d: { id: string }) => d.id);
    expect(documentsOf(task)).toEqual([spec.id]);
    expect(s.run('show', 'task', task).stdout).toMatch(/documents 1\n\s+1\. spec\.md/);
    // Linked to a task of another plan: that plan references it as well.
    const linked = s.run('link', 'doc', spec.id, '--task', other);
    expect(linked.code).toBe(0);
    expect(linked.stdout).toContain(`to take it back: flow unlink doc ${spec.id} --task ${other}`);
    expect(documentsOf(other)).toEqual([spec.id]);
    expect(json(s.run('show', 'plan', b, '--json')).documents.map((d: { id: string }) => d.id)).toEqual([spec.id]);
    // Unlinking the task keeps the plan's reference; the task has no documents then.
    const unlinked = json(s.run('unlink', 'doc', spec.id, '--task', other, '--json'));
    expect(unlinked.tasks).toEqual([task]);
    expect(unlinked.live_plans).toEqual([a, b]);
    expect(documentsOf(other)).toEqual([]);
    const again = s.run('unlink', 'doc', spec.id, '--task', other);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`is not linked to task ${other}`);
    // A task that does not exist: nothing changes.
    expect(s.run('link', 'doc', spec.id, '--task', 'task_nosuchtask').code).toBe(1);
    expect(json(s.run('show', 'doc', spec.id, '--json')).tasks).toEqual([task]);
  });

  it('check doc re-links a file renamed by hand and reports a deleted one (exit 1), which stays', () => {
    const s = setup();
    const [a] = s.plans;
    const moved = json(s.run('add', 'doc', s.file('moved.md', 'moved'), '--plan', a, '--json'));
    const gone = json(s.run('add', 'doc', s.file('gone.md', 'gone'), '--plan', a, '--json'));
    expect(s.run('check', 'doc').code).toBe(0);
    renameSync(join(s.dir, 'documents', a, 'moved.md'), join(s.dir, 'documents', a, 'renamed.md'));
    unlinkSync(join(s.dir, 'documents', a, 'gone.md'));
    const check = s.run('check', 'doc', '--json');
    expect(check.code).toBe(1);
    const error = JSON.parse(check.stderr).error;
    expect(error.findings.map((f: { kind: string; id: string }) => [f.kind, f.id])).toEqual([
      ['relinked', moved.id],
      ['missing', gone.id],
    ]);
    expect(s.run('check', 'doc').stderr).toContain('gone.md is gone');
    const listed = json(s.run('list', 'doc', '--json'));
    expect(listed.map((d: { path: string }) => d.path)).toEqual([`documents/${a}/renamed.md`, `documents/${a}/gone.md`]);
    expect(s.run('check', 'doc', '--restore').code).toBe(0);
    expect(readFileSync(join(s.dir, 'documents', a, 'gone.md'), 'utf8')).toBe('gone');
    expect(s.run('open', 'doc', 'renamed.md').stdout.trim()).toBe(join(s.dir, 'documents', a, 'renamed.md'));
  });

  it('refuses hostile names and paths with exit 1 and a clear message, leaving nothing behind', () => {
    const s = setup();
    const source = s.file('real.md', 'real');
    // A NUL cannot even be passed on a command line; the library test covers it.
    for (const [what, name] of Object.entries(HOSTILE_NAMES).filter(([, n]) => !n.includes('\u0000'))) {
      const result = s.run('add', 'doc', source, '--plan', s.plans[0], '--name', name);
      expect(result.code, what).toBe(1);
      expect(result.stderr, what).toMatch(/refused|names one file|must not be empty/);
      // The message never carries the raw control characters.
      expect(result.stderr, what).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u202e]/);
    }
    expect(existsSync(join(s.dir, 'documents_manifest.json'))).toBe(false);
    expect(existsSync(join(s.dir, 'documents'))).toBe(false);
    // A folder holding a symbolic link is refused as a whole.
    mkdirSync(join(s.src, 'folder'));
    writeFileSync(join(s.src, 'folder', 'ok.md'), 'ok');
    symlinkSync('/etc/passwd', join(s.src, 'folder', 'passwd'));
    const folder = s.run('add', 'doc', join(s.src, 'folder'), '--plan', s.plans[0]);
    expect(folder.code).toBe(1);
    expect(folder.stderr).toContain('symbolic link');
    expect(existsSync(join(s.dir, 'documents'))).toBe(false);
  });

  it('says what is wrong: no such file, no such document, no plan', () => {
    const s = setup();
    expect(s.run('add', 'doc', join(s.src, 'nope.md'), '--plan', s.plans[0]).code).toBe(1);
    expect(s.run('show', 'doc', 'doc_nothing').stderr).toContain('no document');
    expect(s.run('show', 'doc', 'doc_nothing').code).toBe(1);
    expect(s.run('add', 'doc').code).toBe(2);
    const root = tempDir();
    const empty = flowSync(join(root, '.flow'), ['add', 'doc', s.file('x.md', 'x')]);
    expect(empty.code).toBe(1);
    expect(empty.stderr).toContain('no flow yet');
  });

  it('a snapshot restore brings back the manifest of its time; contents stay until gc', () => {
    const s = setup();
    const [a] = s.plans;
    const early = json(s.run('add', 'doc', s.file('early.md', 'early'), '--plan', a, '--json'));
    const snap = json(s.run('snapshot', 'create', '--json'));
    const late = json(s.run('add', 'doc', s.file('late.md', 'late text'), '--plan', a, '--json'));
    expect(json(s.run('list', 'doc', '--json'))).toHaveLength(2);
    // A snapshot records the manifest and hashes: no document is copied into snapshots/.
    expect(existsSync(join(s.dir, 'snapshots', 'blobs'))).toBe(false);
    const restored = s.run('snapshot', 'restore', snap.id, '--yes');
    expect(restored.code).toBe(0);
    expect(restored.stdout).toContain('1 added since set aside');
    expect(json(s.run('list', 'doc', '--json')).map((d: { id: string }) => d.id)).toEqual([early.id]);
    expect(existsSync(join(s.dir, 'documents', late.path.replace(/^documents\//, '')))).toBe(false);
    const lateContent = join(s.dir, 'documents', '.blobs', late.sha256.slice(0, 2), late.sha256);
    expect(existsSync(lateContent)).toBe(true);
    // The pre-restore snapshot still names it: gc keeps it, even with no retention.
    expect(s.run('config', 'set', 'documents.retention_days', '0').code).toBe(0);
    expect(s.run('gc', 'doc').code).toBe(0);
    expect(existsSync(lateContent)).toBe(true);
    // A restore of one plan brings back that plan's references only.
    const b = s.plans[1];
    expect(s.run('link', 'doc', early.id, '--plan', b).code).toBe(0);
    const both = json(s.run('snapshot', 'create', '--json'));
    expect(s.run('unlink', 'doc', early.id, '--plan', a).code).toBe(0);
    expect(s.run('unlink', 'doc', early.id, '--plan', b).code).toBe(0);
    expect(s.run('snapshot', 'restore', both.id, '--plan', b, '--yes').code).toBe(0);
    expect(json(s.run('show', 'doc', early.id, '--json')).live_plans).toEqual([b]);
  });
});

describe('flow search', () => {
  it('finds a word in a document, a task note and a plan summary, Korean text, and new text at once', () => {
    const s = setup();
    const [a, b] = s.plans;
    const task = json(s.run('add', 'task', 'Pick a database', '--plan', a, '--notes', 'postgres or sqlite', '--json'));
    json(s.run('set', 'plan', b, '--summary', 'postgres full text search', '--json'));
    const doc = json(s.run('add', 'doc', s.file('db.md', '# DB\n\npostgres postgres postgres'), '--plan', b, '--json'));
    const hits = json(s.run('search', 'postgres', '--json'));
    expect(hits.map((h: { id: string }) => h.id).sort()).toEqual([task.id, b, doc.id].sort());
    expect(hits[0].id).toBe(doc.id);
    expect(s.run('search', 'postgres').stdout).toContain('db.md');
    expect(json(s.run('search', 'postgres', '--in', 'docs', '--json')).map((h: { id: string }) => h.id)).toEqual([doc.id]);
    expect(json(s.run('search', 'postgres', '--plan', a, '--json')).map((h: { id: string }) => h.id)).toEqual([task.id]);
    const korean = json(s.run('add', 'task', '검색 기능', '--plan', a, '--notes', '한국어 문서를 검색한다', '--json'));
    expect(json(s.run('search', '문서', '--json')).map((h: { id: string }) => h.id)).toEqual([korean.id]);
    // Another writer changes flows.json directly.
    const file = join(s.dir, 'flows.json');
    writeFileSync(file, readFileSync(file, 'utf8').replace('Pick a database', 'Pick a wombat'));
    expect(json(s.run('search', 'wombat', '--json')).map((h: { id: string }) => h.id)).toEqual([task.id]);
    expect(s.run('search', 'nothing-at-all').stdout).toContain('nothing found');
    expect(s.run('search', 'x', '--in', 'cats').code).toBe(2);
  });
});
