// Every one-line field from the store (titles, names, tags, labels) is one line in every
// command's text output: a newline or tab in it is shown as \n or \t, never laid out, so
// a title cannot forge a line of output. Notes and summaries keep their lines.
import { describe, expect, it } from 'vitest';
import { flowInProcess, json, flowSync, tempDir } from '../helpers.js';

const FORGED = 'first\nsecond\tthird';
const SHOWN = 'first\\nsecond\\tthird';

describe('one-line fields in text output', () => {
  const dir = tempDir();
  const setup = () => {
    json(flowSync(dir, ['add', 'flow', `flow ${FORGED}`, '--json']));
    json(flowSync(dir, ['add', 'plan', `plan ${FORGED}`, '--summary', 'line one\nline two', '--json']));
    json(flowSync(dir, ['add', 'task', `task ${FORGED}`, '--tag', `tag ${FORGED}`, '--notes', 'note one\nnote two', '--json']));
    json(flowSync(dir, ['snapshot', 'create', '--label', `label ${FORGED}`, '--json']));
  };
  setup();

  it.each([
    ['list', 'flow'],
    ['show', 'flow'],
    ['list', 'plan'],
    ['show', 'plan', '1'],
    ['use', 'plan', '1'],
    ['list', 'task'],
    ['show', 'task', '1'],
    ['set', 'task', '1', '--priority', 'high'],
    ['done', 'task', '1'],
    ['snapshot', 'list'],
    ['snapshot', 'show', '1'],
    ['snapshot', 'pin', '1'],
  ])('flow %s %s', async (...args) => {
    const result = await flowInProcess(dir, args);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(SHOWN);
    for (const line of result.stdout.split('\n')) expect(line).not.toMatch(/^(second|third)|\t/);
  });

  it('multi-line fields keep their lines', async () => {
    expect((await flowInProcess(dir, ['show', 'task', '1'])).stdout).toMatch(/^ {2}note two$/m);
    expect((await flowInProcess(dir, ['show', 'plan', '1'])).stdout).toMatch(/^ {2}line two$/m);
  });

  it('a reference matching several objects names them on one line each', async () => {
    flowSync(dir, ['add', 'flow', `flow ${FORGED}`]);
    const result = await flowInProcess(dir, ['show', 'flow', `flow ${FORGED}`]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(SHOWN);
    expect(result.stderr.split('\n').filter(Boolean)).toHaveLength(1);
  });
});

describe('config set', () => {
  it('takes a value that is not a JSON list as one command', async () => {
    const dir = tempDir();
    const set = await flowInProcess(dir, ['config', 'set', 'hooks.pre_save', '[ -f x ] || true']);
    expect(set.stderr).toBe('');
    expect(set.code).toBe(0);
    expect(JSON.parse((await flowInProcess(dir, ['config', 'get', 'hooks.pre_save', '--json'])).stdout).value).toEqual(['[ -f x ] || true']);
    // A JSON list is still a list, and a list of non-strings still refused.
    expect((await flowInProcess(dir, ['config', 'set', 'hooks.post_save', '["a", "b"]'])).code).toBe(0);
    expect(JSON.parse((await flowInProcess(dir, ['config', 'get', 'hooks.post_save', '--json'])).stdout).value).toEqual(['a', 'b']);
    const bad = await flowInProcess(dir, ['config', 'set', 'hooks.post_save', '[1, 2]']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('must be a list of commands');
  });
});
