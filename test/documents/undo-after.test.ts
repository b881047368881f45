// `flow undo` right after a document change: the change is in the manifest, not in the
// undo log, so undo used to revert the change before it (deleting the plan the document
// was just removed from). Now it stops once, naming what takes the change back.
import { readdirSync, readFileSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
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
  it('rm doc, then undo: nothing is reverted, the take-back is named; undo again reverts the change before', () => {
    const s = setup();
    const doc = json(s.run('add', 'doc', s.file, '--plan', s.plan, '--json')).id;
    const rm = s.run('rm', 'doc', doc);
    expect(rm.code).toBe(0);
    expect(rm.stdout).toContain(`to take it back: flow link doc ${doc} --plan ${s.plan}`);

    const undo = s.run('undo');
    expect(undo.code).toBe(1);
    expect(undo.stderr).toContain('Not undone: rm doc "spec.md" is a document change');
    expect(undo.stderr).toContain(`flow link doc ${doc} --plan ${s.plan}`);
    expect(undo.stderr).toContain('Undo again reverts "add plan" (revision 2)');
    expect(planIds(s.run)).toEqual([s.plan]);

    // The take-back it named works.
    expect(s.run('link', 'doc', doc, '--plan', s.plan).code).toBe(0);
    expect(json(s.run('list', 'doc', '--json')).map((d: { id: string }) => d.id)).toEqual([doc]);
    // The link is a document change too: undo stops at it, naming the unlink.
    const again = s.run('undo', '--json');
    expect(again.code).toBe(1);
    expect(JSON.parse(again.stderr).error).toMatchObject({ take_back: [`flow unlink doc ${doc} --plan ${s.plan}`] });
    // Spent: the next undo reverts the plan's creation.
    const third = s.run('undo');
    expect(third.code).toBe(0);
    expect(third.stdout).toContain('Undid "add plan"');
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
    expect(undo.stderr).toContain('There is nothing else to undo');
    const next = run('undo');
    expect(next.code).toBe(1);
    expect(next.stderr).toContain('nothing to undo for session "fresh"');
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
