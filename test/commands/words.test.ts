// The word classifier (src/commands/words.ts): what the words of a partial line are, in
// the parser's terms, and completion built on it — noun-first lines like verb-first ones.
import { describe, expect, it } from 'vitest';
import { complete, type IdSource } from '../../src/commands/complete.js';
import { createTable } from '../../src/commands/table.js';
import { classifyLine, type Expectation } from '../../src/commands/words.js';

const table = createTable();
const ids: IdSource = (kind, prefix) => [`${kind}_aa1`, `${kind}_ab2`].filter((id) => id.startsWith(prefix));
const c = (line: string) => complete(table, line, ids).candidates;

/** What the next word can be, in short: `value:plan(ref plan)`, `flag`, `verb`, `noun`. */
function expects(line: string): string[] {
  const describe = (e: Expectation) =>
    e.what === 'value' ? `value:${e.field.key}${e.field.ref ? `(ref ${e.field.ref})` : e.field.values ? `(${e.field.values.join('|')})` : ''}` : e.what;
  return classifyLine(table, line).expects.map(describe);
}

describe('classifyLine', () => {
  it.each<[string, string | undefined, string[]]>([
    ['', undefined, ['verb']],
    ['ad', undefined, ['verb']],
    ['add ', undefined, ['noun']],
    ['task ', undefined, ['verb']],
    ['add task ', 'add task', ['value:title', 'flag']],
    ['task add ', 'add task', ['value:title', 'flag']],
    ['task add x --plan ', 'add task', ['value:plan(ref plan)']],
    ['add task x --priority h', 'add task', ['value:priority(low|medium|high)']],
    ['plan set 2 --status ', 'set plan', ['value:status(draft|active|done|archived)']],
    ['done task 1 ', 'done task', ['value:ref(ref task)', 'flag']],
    ['show task 1 ', 'show task', ['flag']],
    ['show task 1 --', 'show task', ['flag']],
    ['--json --dir /tmp/x set task --plan p ', 'set task', ['value:ref(ref task)', 'flag']],
    ['add task x --dir ', 'add task', []],
    ['snapshot diff 1 ', 'diff snapshot', ['value:other(ref snapshot)', 'flag']],
    ['config set ', 'set config', ['value:key', 'flag']],
    ['help ', 'help', ['value:verb', 'flag']],
    ['/flow flow add task ', 'add task', ['value:title', 'flag']],
    ['frobnicate ', undefined, []],
    ['add "unclosed', undefined, []],
  ])('%j: %s, next %j', (line, name, expected) => {
    const words = classifyLine(table, line);
    expect(words.command?.name).toBe(name);
    expect(expects(line)).toEqual(expected);
  });

  it('says where the word being typed starts and what of it is typed', () => {
    expect(classifyLine(table, 'task add x --pri')).toMatchObject({ from: 11, prefix: '--pri' });
    expect(classifyLine(table, 'add task ')).toMatchObject({ from: 9, prefix: '' });
  });
});

describe('completion of noun-first lines', () => {
  it.each<[string, string, string]>([
    ['task add x --pri', 'add task x --pri', 'flags'],
    ['task add x --priority ', 'add task x --priority ', 'values'],
    ['task show ', 'show task ', 'references'],
    ['plan use p', 'use plan p', 'references by kind'],
    ['snapshot show ', 'show snapshot ', 'snapshot references'],
    ['config get snap', 'get config snap', 'config keys'],
  ])('%j completes like %j (%s)', (nounFirst, verbFirst) => {
    expect(c(verbFirst).length).toBeGreaterThan(0);
    expect(c(nounFirst)).toEqual(c(verbFirst));
  });

  it('a noun first offers the verbs that noun takes', () => {
    expect(c('task ')).toEqual(table.verbsFor('task').sort());
    expect(c('config ')).toEqual(['get', 'list', 'set']);
    expect(c('snapshot p')).toEqual(['pin', 'prune']);
  });
});
