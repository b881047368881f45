// `flow undo` right after a document change: the change is in the manifest, not in the
// undo log, so undo used to revert the change before it (deleting the plan the document
// was just removed from). Now it stops there, changing nothing and naming what takes the
// change back; --past-doc goes on to the change before.
import { mkdirSync, readdirSync, readFileSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { flowSync, json, tempDir } from '../helpers.js';

function setup(session = 'undo-docs') {
  const root = tempDir();
  const dir = join(root, '.flow');
  const run = (...args: string[]) => flowSync(dir, args, { env: { FLOW_SESSION: session } });
  json(run('add', 'flow', 'Project', '--json'));
  const plan: string = json(run('add', 'plan', 'Storage', '--json')).id;
  const file = join(root, 'spec.md');
  writeFileSync(file, '# Spec\n');
  return { root, dir, run, plan, file };
}

const planIds = (run: (...args: string[]) => ReturnType<typeof flowSync>) =>
  json<Array<{ id: string }>>(run('list', 'plan', '--json')).map((p) => p.id);

describe('flow undo after a document change', () => {
  it('rm doc, then undo: nothing is reverted, nothing written, the take-back is named; --past-doc reverts the change before', () => {
    const s = setup();
    const doc = json(s.run('add', 'doc', s.file, '--plan', s.plan, '--json')).id;
    const rm = s.run('rm', 'doc', doc);
    expect(rm.code).toBe(0);
    expect(rm.stdout).toContain(`to take it back: flow link doc ${doc} --plan ${s.plan}`);

    for (let i = 0; i < 2; i++) {
      // A retry stops again: the exit code said nothing was written, and nothing was.
      const undo = s.run('undo');
      expect(undo.code).toBe(1);
      expect(undo.stderr).toContain('Not undone: rm doc "spec.md" is a document change');
      expect(undo.stderr).toContain('undo --past-doc reverts "add plan" (revision 2)');
      expect(undo.stderr).toContain(`to take it back: flow link doc ${doc} --plan ${s.plan}`);
      expect(planIds(s.run)).toEqual([s.plan]);
    }

    // The take-back it named works, and is itself a document change undo stops at.
    expect(s.run('link', 'doc', doc, '--plan', s.plan).code).toBe(0);
    expect(json(s.run('list', 'doc', '--json')).map((d: { id: string }) => d.id)).toEqual([doc]);
    const again = s.run('undo', '--json');
    expect(again.code).toBe(1);
    expect(JSON.parse(again.stderr).error).toMatchObject({ take_back: [`flow unlink doc ${doc} --plan ${s.plan}`], next: 2 });
    const past = s.run('undo', '--past-doc');
    expect(past.code).toBe(0);
    expect(past.stdout).toContain('Undid "add plan"');
    expect(planIds(s.run)).toEqual([]);
  });

  it('add doc, then undo names rm doc for a new document and unlink doc for one linked from another plan', () => {
    const s = setup();
    const other: string = json(s.run('add', 'plan', 'Other', '--json')).id;
    const doc = json(s.run('add', 'doc', s.file, '--plan', s.plan, '--json')).id;
    const first = s.run('undo', '--json');
    expect(first.code).toBe(1);
    expect(JSON.parse(first.stderr).error.take_back).toEqual([`flow rm doc ${doc}`]);
    expect(json(s.run('add', 'doc', s.file, '--plan', other, '--json')).outcome).toBe('linked');
    const second = s.run('undo', '--json');
    expect(JSON.parse(second.stderr).error.take_back).toEqual([`flow unlink doc ${doc} --plan ${other}`]);
  });

  it('a change to flows.json after the document change is what undo reverts', () => {
    const s = setup();
    json(s.run('add', 'doc', s.file, '--plan', s.plan, '--json'));
    json(s.run('add', 'task', 'Write it', '--plan', s.plan, '--json'));
    const undo = s.run('undo');
    expect(undo.code).toBe(0);
    expect(undo.stdout).toContain('Undid "add task"');
  });

  it("another session's document change does not stop this session's undo", () => {
    const s = setup('mine');
    const theirs = (...args: string[]) => flowSync(s.dir, args, { env: { FLOW_SESSION: 'theirs' } });
    json(theirs('add', 'doc', s.file, '--plan', s.plan, '--json'));
    const undo = s.run('undo');
    expect(undo.code).toBe(0);
    expect(undo.stdout).toContain('Undid "add plan"');
  });

  it('with nothing else in the log, undo says so after naming the take-back', () => {
    const root = tempDir();
    const dir = join(root, '.flow');
    const run = (...args: string[]) => flowSync(dir, args, { env: { FLOW_SESSION: 'fresh' } });
    const setupRun = (...args: string[]) => flowSync(dir, args, { env: { FLOW_SESSION: 'setup' } });
    json(setupRun('add', 'flow', 'Project', '--json'));
    const plan: string = json(setupRun('add', 'plan', 'Storage', '--json')).id;
    writeFileSync(join(root, 'a.md'), 'a');
    json(run('add', 'doc', join(root, 'a.md'), '--plan', plan, '--json'));
    const undo = run('undo');
    expect(undo.code).toBe(1);
    expect(undo.stderr).toContain('there is nothing else to undo');
    const next = run('undo', '--past-doc');
    expect(next.code).toBe(1);
    expect(next.stderr).toContain('nothing to undo for session "fresh"');
  });

  it('link doc --task to a plan the document was not in: the take-back unlinks the task and the plan, and does', () => {
    const s = setup();
    const other: string = json(s.run('add', 'plan', 'Other', '--json')).id;
    const task: string = json(s.run('add', 'task', 'Write', '--plan', other, '--json')).id;
    const doc = json(s.run('add', 'doc', s.file, '--plan', s.plan, '--json')).id;
    const link = s.run('link', 'doc', doc, '--task', task, '--plan', other);
    expect(link.code).toBe(0);
    const back = [`flow unlink doc ${doc} --task ${task}`, `flow unlink doc ${doc} --plan ${other}`];
    expect(link.stdout).toContain(`to take it back: ${back.join('; ')}`);
    expect(JSON.parse(s.run('undo', '--json').stderr).error.take_back).toEqual(back);
    for (const line of back) expect(s.run(...line.split(' ').slice(1)).code).toBe(0);
    expect(json(s.run('show', 'doc', doc, '--json'))).toMatchObject({ plans: [s.plan], tasks: [] });
  });

  it('unlink doc names the link that takes it back', () => {
    const s = setup();
    const doc = json(s.run('add', 'doc', s.file, '--plan', s.plan, '--json')).id;
    expect(s.run('unlink', 'doc', doc, '--plan', s.plan).code).toBe(0);
    expect(JSON.parse(s.run('undo', '--json').stderr).error.take_back).toEqual([`flow link doc ${doc} --plan ${s.plan}`]);
  });

  it('rm doc names only plans that exist: one deleted since cannot be linked to', () => {
    const s = setup();
    const gone: string = json(s.run('add', 'plan', 'Gone', '--json')).id;
    const doc = json(s.run('add', 'doc', s.file, '--plan', s.plan, '--json')).id;
    expect(json(s.run('add', 'doc', s.file, '--plan', gone, '--json')).outcome).toBe('linked');
    expect(s.run('rm', 'plan', gone, '--yes').code).toBe(0);
    const rm = s.run('rm', 'doc', doc);
    expect(rm.code).toBe(0);
    expect(rm.stdout).toContain(`to take it back: flow link doc ${doc} --plan ${s.plan})`);
    expect(JSON.parse(s.run('undo', '--json').stderr).error.take_back).toEqual([`flow link doc ${doc} --plan ${s.plan}`]);
  });

  it('a document change whose undo log cannot be read is saved all the same, with a warning (exit 0)', () => {
    const s = setup();
    mkdirSync(join(s.dir, 'undo'), { recursive: true });
    const log = join(s.dir, 'undo', 'undo-docs.jsonl');
    unlinkSync(log);
    symlinkSync(join(tempDir(), 'nowhere.jsonl'), log);
    const add = s.run('add', 'doc', s.file, '--plan', s.plan);
    expect(add.code).toBe(0);
    expect(add.stderr).toContain('flow undo will not know of this change');
    expect(json(s.run('list', 'doc', '--json'))).toHaveLength(1);
  });

  it('a note that leads out of .flow/ is neither followed nor removed: undo goes on as without one', () => {
    const s = setup();
    json(s.run('add', 'doc', s.file, '--plan', s.plan, '--json'));
    const undoDir = join(s.dir, 'undo');
    const note = readdirSync(undoDir).find((n) => n.endsWith('.outside.json'));
    expect(note).toBeDefined();
    // Another writer swaps the note for a link to a note-shaped file elsewhere.
    const outside = join(tempDir(), 'elsewhere.json');
    writeFileSync(outside, JSON.stringify({ change: 'planted', take_back: ['rm -rf /'], after: null }));
    const path = join(undoDir, note!);
    unlinkSync(path);
    symlinkSync(outside, path);
    const undo = s.run('undo');
    expect(undo.code).toBe(0);
    expect(undo.stdout).toContain('Undid "add plan"');
    expect(undo.stderr).not.toContain('planted');
    expect(readFileSync(outside, 'utf8')).toContain('planted');
    expect(readdirSync(undoDir)).toContain(note);
  });
});
