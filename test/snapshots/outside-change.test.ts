// The note of a session's last document change (src/snapshots/outside-change.ts): what
// counts, and that a note another writer damaged or planted counts as none.
import { appendFileSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { noteOutsideChange, pendingOutsideChange, takeBackCommand, type OutsideChange } from '../../src/snapshots/outside-change.js';
import { UndoLog } from '../../src/snapshots/undo.js';
import { tempDir } from '../helpers.js';

const CHANGE: OutsideChange = { change: 'rm doc "a.md"', takeBack: [{ verb: 'link', doc: 'doc_aaaaaaaa', plan: 'plan_1' }] };

function logIn(session = 's1') {
  const dir = join(tempDir(), '.flow');
  mkdirSync(dir, { recursive: true });
  return new UndoLog(dir, session);
}

const entryLine = (revision: number) =>
  `${JSON.stringify({ revision, at: `2026-01-01T00:00:0${revision}.000Z`, command: 'add task', kind: 'do', touched: [], objects: [] })}\n`;

const noteFile = (log: UndoLog) => join(log.dir, 'undo', readdirSync(join(log.dir, 'undo')).find((n) => n.endsWith('.outside.json'))!);

describe('outside-change note', () => {
  it('counts while nothing was appended to the log after it', () => {
    const log = logIn();
    mkdirSync(join(log.dir, 'undo'), { recursive: true });
    appendFileSync(log.file, entryLine(1));
    noteOutsideChange(log, CHANGE, () => undefined);
    expect(pendingOutsideChange(log)).toEqual(CHANGE);
    appendFileSync(log.file, entryLine(2));
    expect(pendingOutsideChange(log)).toBeUndefined();
  });

  it('belongs to its session', () => {
    const mine = logIn('mine');
    noteOutsideChange(mine, CHANGE, () => undefined);
    expect(pendingOutsideChange(mine)).toEqual(CHANGE);
    expect(pendingOutsideChange(new UndoLog(mine.dir, 'theirs'))).toBeUndefined();
  });

  it('counts as none when torn, not JSON, of another shape, naming a command of its own, or oversized', () => {
    const log = logIn();
    noteOutsideChange(log, CHANGE, () => undefined);
    const file = noteFile(log);
    const good = { change: CHANGE.change, take_back: [{ verb: 'link', doc: 'doc_aaaaaaaa', plan: 'plan_1' }], after: null };
    for (const bad of [
      JSON.stringify(good).slice(0, 20),
      'not json',
      JSON.stringify({ ...good, take_back: ['rm -rf ~'] }),
      JSON.stringify({ ...good, take_back: [{ verb: 'gc', doc: 'doc_aaaaaaaa' }] }),
      JSON.stringify({ ...good, take_back: [{ verb: 'rm', doc: 'doc_a; rm -rf ~' }] }),
      JSON.stringify({ ...good, change: 'x'.repeat(70_000) }),
    ]) {
      writeFileSync(file, bad);
      expect(pendingOutsideChange(log)).toBeUndefined();
    }
    writeFileSync(file, JSON.stringify(good));
    expect(pendingOutsideChange(log)).toEqual(CHANGE);
  });

  it('builds each command line itself, quoting ids that are not plain words', () => {
    expect(takeBackCommand({ verb: 'rm', doc: 'doc_aaaaaaaa' })).toBe('flow rm doc doc_aaaaaaaa');
    expect(takeBackCommand({ verb: 'unlink', doc: 'doc_aaaaaaaa', task: 'task_1' })).toBe('flow unlink doc doc_aaaaaaaa --task task_1');
    // Ids from older formats are kept as they were: one with a space or a quote is one word still.
    expect(takeBackCommand({ verb: 'link', doc: 'doc_aaaaaaaa', plan: "old plan's; rm -rf ~" })).toBe(`flow link doc doc_aaaaaaaa --plan 'old plan'\\''s; rm -rf ~'`);
  });

  it('a store that cannot take the note warns and goes on', () => {
    const log = logIn();
    // undo/ is a file: the note cannot be written.
    writeFileSync(join(log.dir, 'undo'), 'in the way');
    const warned: string[] = [];
    noteOutsideChange(log, CHANGE, (m) => warned.push(m));
    expect(warned).toHaveLength(1);
    expect(warned[0]).toContain('flow undo will not know of this change');
  });
});
