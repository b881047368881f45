// Documents by the number `flow list doc` shows (DESIGN §6: a reference is also the list
// number): every command that takes a document counts in the very rows `list doc` prints
// for the same --plan, through the built `flow` and through the command bus (as MCP calls
// it), and what shell completion offers, against real stores in temp dirs.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Services } from '../../src/app/services.js';
import { CommandBus } from '../../src/commands/bus.js';
import { command, createTable } from '../../src/commands/table.js';
import { numberRange } from '../../src/documents/numbers.js';
import { FLOW_BIN, flowSync, json, tempDir } from '../helpers.js';

interface Doc {
  number: number;
  id: string;
  name: string;
  path: string;
  deleted_at: string | null;
}

/** A flow with plans A, B and C; spec.md and notes.md in A, 2024 (a name of digits) and log.txt in B. */
function setup() {
  const root = tempDir();
  const dir = join(root, '.flow');
  const src = join(root, 'src');
  mkdirSync(src);
  const run = (...args: string[]) => flowSync(dir, args, { env: { FLOW_SESSION: 'numbers' } });
  const file = (name: string) => {
    const path = join(src, name);
    writeFileSync(path, `the text of ${name}\n`);
    return path;
  };
  json(run('add', 'flow', 'Project', '--json'));
  const plans = ['A', 'B', 'C'].map((title) => json(run('add', 'plan', title, '--json')).id as string);
  json(run('add', 'doc', file('spec.md'), file('notes.md'), '--plan', plans[0], '--json'));
  json(run('add', 'doc', file('2024'), file('log.txt'), '--plan', plans[1], '--json'));
  const list = (...args: string[]): Doc[] => json(run('list', 'doc', ...args, '--json'));
  const byName = (name: string) => list('--all').find((d) => d.name === name)!;
  return { dir, plans, run, list, byName };
}

describe('documents by list number', () => {
  beforeAll(() => {
    expect(existsSync(join(__dirname, '..', '..', 'dist', 'cli.cjs'))).toBe(true);
  });

  it('show and open doc N name the row N of list doc; deleted documents and those of a deleted plan are not numbered', () => {
    const s = setup();
    expect(s.list().map((d) => [d.number, d.name])).toEqual([[1, 'spec.md'], [2, 'notes.md'], [3, '2024'], [4, 'log.txt']]);
    expect(json(s.run('show', 'doc', '2', '--json')).name).toBe('notes.md');
    expect(s.run('show', 'doc', '4').stdout).toContain('the text of log.txt');
    const opened = json(s.run('open', 'doc', '1', '--json'));
    expect(opened.id).toBe(s.byName('spec.md').id);
    expect(opened.path).toMatch(/spec\.md$/);
    // spec.md removed: the list skips it, and so do the numbers.
    expect(s.run('rm', 'doc', s.byName('spec.md').id).code).toBe(0);
    expect(json(s.run('show', 'doc', '1', '--json')).name).toBe('notes.md');
    // Plan A deleted by its own command: notes.md has no reference that counts (not yet marked deleted).
    expect(s.run('rm', 'plan', s.plans[0], '--yes').code).toBe(0);
    expect(s.list().map((d) => d.name)).toEqual(['2024', 'log.txt']);
    expect(json(s.run('show', 'doc', '2', '--json')).name).toBe('log.txt');
    // --all numbers deleted ones too, but no other command takes --all: its numbers are the plain list's.
    expect(s.list('--all').map((d) => d.name)).toEqual(['spec.md', 'notes.md', '2024', 'log.txt']);
    const beyond = s.run('show', 'doc', '3');
    expect(beyond.code).toBe(1);
    expect(beyond.stderr).toContain('no document "3" (there are 2 documents: 1–2)');
    // A deleted document stays reachable by id.
    expect(json(s.run('show', 'doc', s.byName('spec.md').id, '--json')).deleted_at).not.toBeNull();
  });

  it('one numbering for every command: list doc --plan and --all show each row with its number in the whole list', () => {
    const s = setup();
    const [a, b, c] = s.plans;
    // Plan B's rows keep their numbers of the whole list: 3. 2024, 4. log.txt.
    expect(s.list('--plan', b).map((d) => [d.number, d.name])).toEqual([[3, '2024'], [4, 'log.txt']]);
    const unlinked = s.run('unlink', 'doc', '4', '--plan', b, '--json');
    expect(unlinked.code).toBe(0);
    expect(json(unlinked).name).toBe('log.txt');
    expect(s.list('--plan', b).map((d) => d.name)).toEqual(['2024']);
    // log.txt is referenced by no plan now: --all shows it without a number.
    expect(s.list('--all').map((d) => [d.number, d.name])).toEqual([[1, 'spec.md'], [2, 'notes.md'], [3, '2024'], [null, 'log.txt']]);
    expect(s.run('list', 'doc', '--all').stdout).toMatch(/^– +log\.txt/m);
    // Linking 2 to plan C links notes.md, number 2 of the whole list.
    const linked = s.run('link', 'doc', '2', '--plan', c);
    expect(linked.code).toBe(0);
    expect(linked.stdout).toContain('"notes.md" to plan "C"');
    expect(s.list('--plan', c).map((d) => [d.number, d.name])).toEqual([[2, 'notes.md']]);
    // With --task too.
    const task = json(s.run('add', 'task', 'Read the spec', '--plan', a, '--json')).id;
    expect(s.run('link', 'doc', '1', '--task', '1', '--plan', a).code).toBe(0);
    expect(json(s.run('show', 'task', task, '--json')).documents.map((d: { name: string }) => d.name)).toEqual(['spec.md']);
    expect(json(s.run('unlink', 'doc', '1', '--task', task, '--plan', a, '--json')).tasks).toEqual([]);
    // A number out of the whole list: the message names its range, nothing changes.
    const outside = s.run('unlink', 'doc', '4', '--plan', b);
    expect(outside.code).toBe(1);
    expect(outside.stderr).toContain('no document "4" (there are 3 documents: 1–3)');
    expect(s.list('--plan', b).map((d) => d.name)).toEqual(['2024']);
  });

  it('an entry list doc skips as damaged has no number in completion either; 0 is no id prefix', () => {
    const s = setup();
    const file = join(s.dir, 'documents_manifest.json');
    const manifest = JSON.parse(readFileSync(file, 'utf8'));
    const [first] = Object.values<Record<string, unknown>>(manifest.documents);
    // First in the file: a copy of spec.md whose hash is no hash, and a valid id starting with 0.
    manifest.documents = { doc_damaged1: { ...first, id: 'doc_damaged1', name: 'evil.md', sha256: 'nothex' }, ...manifest.documents };
    writeFileSync(file, JSON.stringify(manifest));
    expect(s.list().map((d) => [d.number, d.name])).toEqual([[1, 'spec.md'], [2, 'notes.md'], [3, '2024'], [4, 'log.txt']]);
    const result = spawnSync(process.execPath, [FLOW_BIN, '__complete', 'fish', `flow --dir ${s.dir} rm doc 1`], { encoding: 'utf8' });
    expect(result.stdout.split('\n').filter(Boolean)).toEqual([`1\tspec.md  ${s.byName('spec.md').id}`]);
    const zero = s.run('rm', 'doc', '0');
    expect(zero.code).toBe(1);
    expect(zero.stderr).toContain('no document "0" (list numbers start at 1; there are 4 documents: 1–4)');
  });

  it('a manifest linked out of .flow is not read, by the commands nor by completion', () => {
    const s = setup();
    const file = join(s.dir, 'documents_manifest.json');
    const outside = join(s.dir, '..', 'elsewhere.json');
    renameSync(file, outside);
    symlinkSync(outside, file);
    const listed = s.run('list', 'doc');
    expect(listed.code).toBe(1);
    expect(listed.stderr).toContain('leads outside');
    expect(s.run('rm', 'doc', '1').code).toBe(1);
    const result = spawnSync(process.execPath, [FLOW_BIN, '__complete', 'fish', `flow --dir ${s.dir} rm doc 1`], { encoding: 'utf8' });
    expect(result.stdout).toBe('');
    expect(readFileSync(outside, 'utf8')).toContain('spec.md');
  });

  it('a plan deleted and brought back: its documents are numbered again, whatever check doc marked meanwhile', () => {
    const s = setup();
    expect(s.run('rm', 'plan', s.plans[0], '--yes').code).toBe(0);
    expect(s.run('check', 'doc').code).toBe(0);
    expect(s.run('undo').code).toBe(0);
    expect(s.list().map((d) => [d.number, d.name])).toEqual([[1, 'spec.md'], [2, 'notes.md'], [3, '2024'], [4, 'log.txt']]);
    expect(s.list('--plan', s.plans[0]).map((d) => [d.number, d.name])).toEqual([[1, 'spec.md'], [2, 'notes.md']]);
    expect(json(s.run('show', 'doc', '1', '--json')).name).toBe('spec.md');
  });

  it('show plan and show task list the documents the numbering counts, with its numbers, also those check doc marked deleted before an undo', () => {
    const s = setup();
    const [a, b] = s.plans;
    const task = json(s.run('add', 'task', 'Read the notes', '--plan', a, '--json')).id as string;
    expect(s.run('link', 'doc', '2', '--task', task, '--plan', a).code).toBe(0);
    expect(s.run('rm', 'plan', a, '--yes').code).toBe(0);
    expect(s.run('check', 'doc').code).toBe(0);
    expect(s.list('--all').filter((d) => d.name.endsWith('.md')).map((d) => [d.number, d.name])).toEqual([[null, 'spec.md'], [null, 'notes.md']]);
    expect(s.run('undo').code).toBe(0);
    // Still marked deleted (nothing wrote the manifest since), yet referenced and numbered.
    expect(s.byName('spec.md').deleted_at).not.toBeNull();
    expect(s.list().map((d) => [d.number, d.name])).toEqual([[1, 'spec.md'], [2, 'notes.md'], [3, '2024'], [4, 'log.txt']]);
    const rows = (docs: Array<{ number: number; name: string }>) => docs.map((d) => [d.number, d.name]);
    expect(rows(json(s.run('show', 'plan', a, '--json')).documents)).toEqual([[1, 'spec.md'], [2, 'notes.md']]);
    expect(rows(json(s.run('show', 'task', task, '--json')).documents)).toEqual([[2, 'notes.md']]);
    expect(rows(json(s.run('show', 'plan', b, '--json')).documents)).toEqual([[3, '2024'], [4, 'log.txt']]);
    const shown = s.run('show', 'plan', a).stdout;
    expect(shown).toMatch(/documents 2\n\s+1\. spec\.md .*\n\s+2\. notes\.md /);
    expect(s.run('show', 'task', task).stdout).toMatch(/documents 1\n\s+2\. notes\.md /);
  });

  it('rm doc N says which document went; out of range, 0 and negative numbers are not found (exit 1) and remove nothing', () => {
    const s = setup();
    const notes = s.byName('notes.md');
    const removed = s.run('rm', 'doc', '2');
    expect(removed.code).toBe(0);
    expect(removed.stdout).toContain(`Removed ${notes.id} "notes.md" (number 2 of flow list doc)`);
    expect(s.list().map((d) => d.name)).toEqual(['spec.md', '2024', 'log.txt']);
    for (const [ref, says] of [
      ['4', 'no document "4" (there are 3 documents: 1–3)'],
      ['0', 'no document "0" (list numbers start at 1; there are 3 documents: 1–3)'],
      ['-1', 'no document "-1" (list numbers start at 1; there are 3 documents: 1–3)'],
    ]) {
      const result = s.run('rm', 'doc', ref);
      expect(result.code, ref).toBe(1);
      expect(result.stderr, ref).toContain(says);
    }
    expect(s.list().map((d) => d.name)).toEqual(['spec.md', '2024', 'log.txt']);
  });

  it('a document named with digits only: the number counts first; its id and path reach it, and "not found" says so', () => {
    const s = setup();
    const named = s.byName('2024');
    const asNumber = s.run('show', 'doc', '2024');
    expect(asNumber.code).toBe(1);
    expect(asNumber.stderr).toContain(`"2024" is read as a list number: the document of that name is ${named.id} (give its id or path)`);
    // In range, the number wins over the name (as for tasks): 3 is the third row, whatever is named "3".
    expect(json(s.run('show', 'doc', '3', '--json')).id).toBe(named.id);
    expect(json(s.run('show', 'doc', named.id, '--json')).name).toBe('2024');
    expect(json(s.run('show', 'doc', named.path, '--json')).id).toBe(named.id); // documents/<plan>/2024, as list and show print it
    expect(json(s.run('show', 'doc', named.path.replace(/^documents\//, ''), '--json')).id).toBe(named.id);
    expect(s.run('rm', 'doc', named.path).code).toBe(0);
    expect(s.list().map((d) => d.name)).toEqual(['spec.md', 'notes.md', 'log.txt']);
  });

  it('through the command bus, as MCP tools call it: the same numbers', async () => {
    const s = setup();
    const bus = new CommandBus(createTable(), new Services({ dir: s.dir, session: 'numbers', writerKind: 'cli', interactive: false }));
    expect(((await bus.execute(command('show doc', { ref: '3' }))).json as { name: string }).name).toBe('2024');
    const unlinked = await bus.execute(command('unlink doc', { ref: '3', plan: s.plans[1] }));
    expect((unlinked.json as { name: string }).name).toBe('2024');
    await expect(bus.execute(command('rm doc', { ref: '9' }))).rejects.toThrow('no document "9" (there are 3 documents: 1–3)');
  });

  it('completion offers the numbers list doc shows, with their names, once a digit is typed; the same with --plan on the line', () => {
    const s = setup();
    const complete = (line: string) => {
      const result = spawnSync(process.execPath, [FLOW_BIN, '__complete', 'fish', `flow --dir ${s.dir} ${line}`], { encoding: 'utf8' });
      expect(result.status, result.stderr).toBe(0);
      return result.stdout.split('\n').filter(Boolean);
    };
    const id = (name: string) => s.byName(name).id;
    expect(s.run('rm', 'doc', id('spec.md')).code).toBe(0);
    expect(complete('show doc 2')).toEqual([`2\t2024  ${id('2024')}`]);
    expect(complete('rm doc 1')).toEqual([`1\tnotes.md  ${id('notes.md')}`]);
    expect(complete('show doc ')).toEqual([`notes.md\t${id('notes.md')}`, `2024\t${id('2024')}`, `log.txt\t${id('log.txt')}`]);
    // --plan changes no number.
    expect(complete(`unlink doc --plan ${s.plans[1]} 2`)).toEqual([`2\t2024  ${id('2024')}`]);
    // Plan A gone: notes.md is no row of the list, so no number either.
    expect(s.run('rm', 'plan', s.plans[0], '--yes').code).toBe(0);
    expect(complete('open doc 1')).toEqual([`1\t2024  ${id('2024')}`]);
    expect(complete('open doc 3')).toEqual([]);
  });

  it('"not found" names the range in words', () => {
    expect([0, 1, 3].map((n) => numberRange(n))).toEqual(['there are no documents', 'there is 1 document: 1', 'there are 3 documents: 1–3']);
  });
});
