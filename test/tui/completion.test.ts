// Tab completion (src/commands/complete.ts): from the same command table as the parser,
// ids from whatever the caller has loaded.
import { describe, expect, it } from 'vitest';
import { commonPrefix, complete, type IdSource } from '../../src/commands/complete.js';
import { createTable } from '../../src/commands/table.js';

const table = createTable();

const IDS: Record<string, string[]> = {
  flow: ['flow_aaa111', 'flow_abc222'],
  plan: ['plan_xyz111'],
  task: ['task_a1', 'task_a2', 'task_b1'],
};
const asked: Array<[string, string]> = [];
const ids: IdSource = (kind, prefix) => {
  asked.push([kind, prefix]);
  return (IDS[kind] ?? []).filter((id) => id.startsWith(prefix));
};

const c = (line: string) => complete(table, line, ids);

describe('complete', () => {
  it('completes verbs from the table', () => {
    expect(c('')).toEqual({ from: 0, candidates: [...table.verbs].sort() });
    expect(c('ad')).toEqual({ from: 0, candidates: ['add'] });
    expect(c('s').candidates).toEqual(['schema', 'search', 'set', 'show', 'start', 'stats', 'sync']);
    expect(c('zz').candidates).toEqual([]);
  });

  it('completes nouns for the verb, synonyms included', () => {
    expect(c('add ')).toEqual({ from: 4, candidates: table.nounsFor('add').sort() });
    expect(c('add ').candidates).toEqual(expect.arrayContaining(['flow', 'plan', 'task']));
    expect(c('add t')).toEqual({ from: 4, candidates: ['task'] });
    expect(c('use ').candidates).toEqual(['flow', 'plan']);
    expect(c('rename ').candidates).toEqual(['flow']);
  });

  it('skips a leading /flow or flow', () => {
    expect(c('/flow ad')).toEqual({ from: 6, candidates: ['add'] });
    expect(c('/flow add ta')).toEqual({ from: 10, candidates: ['task'] });
    expect(c('flow rm ')).toEqual({ from: 8, candidates: table.nounsFor('rm').sort() });
    expect(c('flow rm ').candidates).toContain('task');
  });

  it('completes flags of the command and the global ones', () => {
    const flags = c('add task x --').candidates;
    expect(flags).toContain('--priority');
    expect(flags).toContain('--parent');
    expect(flags).toContain('--json');
    expect(flags).not.toContain('--title'); // a flag of set task, not add task
    expect(c('add task x --pri')).toEqual({ from: 11, candidates: ['--priority'] });
    expect(c('set task 1 --ti').candidates).toEqual(['--title']);
  });

  it('completes flag values: allowed values and ids', () => {
    expect(c('add task x --priority ').candidates).toEqual(['high', 'low', 'medium']);
    expect(c('set task 1 --status d').candidates).toEqual(['done']);
    expect(c('add task x --plan ')).toEqual({ from: 18, candidates: ['plan_xyz111'] });
    expect(c('add task x --parent task_a').candidates).toEqual(['task_a1', 'task_a2']);
    expect(asked).toContainEqual(['task', 'task_a']);
  });

  it('a boolean flag takes no value: the next word is a positional', () => {
    expect(c('show task --json task_b').candidates).toEqual(['task_b1']);
  });

  it('completes positional ids by their kind', () => {
    expect(c('show task ').candidates).toEqual(['task_a1', 'task_a2', 'task_b1']);
    expect(c('use flow flow_ab')).toEqual({ from: 9, candidates: ['flow_abc222'] });
    expect(c('use plan p').candidates).toEqual(['plan_xyz111']);
    expect(c('done task task_b').candidates).toEqual(['task_b1']);
    // A flag with its value before the positional does not count as one.
    expect(c('set task --plan plan_xyz111 task_a').candidates).toEqual(['task_a1', 'task_a2']);
  });

  it('completes config keys', () => {
    expect(c('set config snapshots.k').candidates).toEqual(['snapshots.keep']);
    expect(c('get config hist').candidates).toEqual(['history.size']);
  });

  it('offers nothing after the last positional, nothing for a free-text flag', () => {
    expect(c('show task task_a1 ').candidates).toEqual([]);
    expect(c('add task x --notes ').candidates).toEqual([]);
    expect(c('frobnicate task ').candidates).toEqual([]);
  });

  it('quotes candidates that need it and survives unfinished quotes', () => {
    const spaced: IdSource = () => ['has space'];
    expect(complete(table, 'show task h', spaced).candidates).toEqual(["'has space'"]);
    expect(c('add task "unfinished')).toEqual({ from: 20, candidates: [] });
  });

  it('commonPrefix is what every candidate starts with', () => {
    expect(commonPrefix(['task_a1', 'task_a2'])).toBe('task_a');
    expect(commonPrefix(['set', 'show'])).toBe('s');
    expect(commonPrefix(['add'])).toBe('add');
    expect(commonPrefix(['abc', 'xyz'])).toBe('');
    expect(commonPrefix([])).toBe('');
  });
});
