// Shell completion as the shells run it: the scripts `flow completion` prints, driven in
// real shells (bash through `complete -p` and COMPREPLY), and `flow __complete` itself.
import { spawnSync } from 'node:child_process';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/commands/table.js';
import { HOSTILE } from '../hostile.js';
import { FLOW_BIN, flowSync, json, tempDir } from '../helpers.js';

let dir: string;
let bin: string;

beforeAll(() => {
  dir = tempDir();
  json(flowSync(dir, ['add', 'flow', 'Project A', '--json']));
  json(flowSync(dir, ['add', 'flow', 'Backlog', '--json']));
  json(flowSync(dir, ['add', 'plan', 'Storage layer', '--json']));
  json(flowSync(dir, ['add', 'plan', 'Sync', '--json']));
  for (const title of ['Atomic writes', 'Fsync the folder', 'Lock tests']) flowSync(dir, ['add', 'task', title]);
  // `flow` on PATH, as an installed program would be.
  bin = tempDir();
  writeFileSync(join(bin, 'flow'), `#!/bin/sh\nexec "${process.execPath}" "${FLOW_BIN}" "$@"\n`);
  chmodSync(join(bin, 'flow'), 0o755);
});

const shellEnv = () => ({ ...process.env, PATH: `${bin}:${process.env.PATH}`, FLOW_DIR: dir, NO_COLOR: '1', FLOW_SESSION: undefined });

/** What bash offers for each line: the function `complete -p flow` names, called as bash would. */
function bashComplete(lines: readonly string[]): string[][] {
  const script = [
    'eval "$(flow completion bash)"',
    `fn=$(complete -p flow | sed -E 's/.*-F ([^ ]+).*/\\1/')`,
    'run() {',
    '  COMP_LINE="$1"; COMP_POINT=${#1}',
    '  read -ra COMP_WORDS <<< "$1"',
    '  [[ "$1" == *" " ]] && COMP_WORDS+=("")',
    '  COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 )); COMPREPLY=()',
    '  "$fn" flow "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"',
    '  printf "%s\\n" "${COMPREPLY[@]}"; echo "--end--"',
    '}',
    ...lines.map((line) => `run ${JSON.stringify(line)}`),
  ].join('\n');
  const result = spawnSync('bash', ['--norc', '--noprofile', '-c', script], { encoding: 'utf8', env: shellEnv() });
  expect(result.status, result.stderr).toBe(0);
  const blocks = result.stdout.split('--end--\n');
  return lines.map((_, i) => blocks[i].split('\n').filter(Boolean));
}

function complete(shell: string, line: string, word?: string) {
  const result = spawnSync(process.execPath, [FLOW_BIN, '__complete', shell, line, ...(word === undefined ? [] : [word])], {
    encoding: 'utf8',
    env: shellEnv(),
  });
  return { code: result.status, lines: result.stdout.split('\n').filter(Boolean), stderr: result.stderr };
}

describe('bash', () => {
  it('completes verbs, nouns in either order, flags and their values, plan titles and task numbers', () => {
    const cases: Array<[string, (got: string[]) => void]> = [
      ['flow ', (got) => expect(got).toEqual(expect.arrayContaining(['add', 'list', 'ready', 'claim', 'completion']))],
      ['flow ad', (got) => expect(got).toEqual(['add'])],
      ['flow add ', (got) => expect(got).toEqual(expect.arrayContaining(['flow', 'plan', 'task']))],
      ['flow task ', (got) => expect(got).toEqual(expect.arrayContaining(['add', 'list', 'done', 'claim', 'release']))],
      ['flow task cl', (got) => expect(got).toEqual(['claim'])],
      ['flow plan ', (got) => expect(got).toEqual(expect.arrayContaining(['add', 'use', 'rm']))],
      ['flow add task x --pr', (got) => expect(got).toEqual(['--priority'])],
      ['flow task add x --pri', (got) => expect(got).toEqual(['--priority'])],
      ['flow add task x --priority ', (got) => expect(got).toEqual(['low', 'medium', 'high'])],
      ['flow list task --status todo,b', (got) => expect(got).toEqual(['todo,blocked'])],
      ['flow list task --fields id,ti', (got) => expect(got).toEqual(['id,title'])],
      ['flow use plan ', (got) => expect(got).toEqual(['Storage\\ layer', 'Sync'])],
      ['flow use plan St', (got) => expect(got).toEqual(['Storage\\ layer'])],
      ['flow plan use "St', (got) => expect(got).toEqual(['"Storage layer"'])],
      ['flow done task ', (got) => expect(got).toEqual(['1', '2', '3'])],
      ['flow task done 2', (got) => expect(got).toEqual(['2'])],
      ['flow use flow ', (got) => expect(got).toEqual(['Project\\ A', 'Backlog'])],
      ['flow use flow 2', (got) => expect(got).toEqual(['2'])],
      ['flow config get snapshots.k', (got) => expect(got).toEqual(['snapshots.keep'])],
      ['flow completion ', (got) => expect(got).toEqual(['bash', 'zsh', 'fish'])],
      ['flow show task 1 ', (got) => expect(got).toEqual([])],
    ];
    const results = bashComplete(cases.map(([line]) => line));
    cases.forEach(([line, check], i) => {
      try {
        check(results[i]);
      } catch (err) {
        throw new Error(`${JSON.stringify(line)}: got ${JSON.stringify(results[i])}\n${(err as Error).message}`);
      }
    });
  });

  it('completes every verb of the table, the words of docs, context and schema, and documents by name or id', () => {
    const files = tempDir();
    writeFileSync(join(files, 'spec.md'), '# Spec\n');
    writeFileSync(join(files, 'notes.txt'), 'notes\n');
    const docs = tempDir();
    flowSync(docs, ['add', 'flow', 'Docs']);
    flowSync(docs, ['add', 'plan', 'Research']);
    const added = json(flowSync(docs, ['add', 'doc', join(files, 'spec.md'), join(files, 'notes.txt'), '--json']));
    const spec = JSON.stringify(added).match(/"(doc_[0-9a-z]+)","name":"spec\.md"/)?.[1];
    expect(spec).toBeDefined();
    flowSync(docs, ['rm', 'doc', 'notes.txt']);
    const [names, ids, context, schema, verbs] = bashComplete([
      `flow --dir ${docs} show doc `,
      `flow --dir ${docs} doc link ${spec?.slice(0, 6)}`,
      'flow context ',
      'flow schema ',
      'flow ',
    ]);
    // A deleted document is not offered.
    expect(names).toEqual(['spec.md']);
    expect(ids).toEqual([spec]);
    expect(context).toEqual(['show', 'set', 'note', 'list', 'rm', 'export']);
    expect(schema).toEqual(['flows', 'hook']);
    // Every verb of the table, in its order: the manifest built into dist/complete.js is the table's.
    expect(verbs).toEqual([...new Set(COMMANDS.map((c) => c.verb))]);
  });

  it('looks where --dir and --session on the line say', () => {
    const other = tempDir();
    flowSync(other, ['add', 'flow', 'Elsewhere']);
    flowSync(other, ['--session', 's2', 'add', 'plan', 'Only here']);
    flowSync(other, ['--session', 's2', 'add', 'task', 'One']);
    const [plans, tasks, none] = bashComplete([
      `flow --dir ${other} use plan `,
      `flow --dir=${other} --session s2 done task `,
      `flow --dir ${other} --session s3 done task `,
    ]);
    expect(plans).toEqual(['Only\\ here']);
    expect(tasks).toEqual(['1']);
    // Session s3 has no plan, and the flow's only plan is its scope: numbers count there.
    expect(none).toEqual(['1']);
  });
});

describe('zsh and fish', () => {
  it('their scripts are produced and parse', () => {
    for (const [shell, check] of [
      ['zsh', ['zsh', '-n']],
      ['fish', ['fish', '-n']],
      ['bash', ['bash', '-n']],
    ] as const) {
      const script = flowSync(dir, ['completion', shell]);
      expect(script.code, script.stderr).toBe(0);
      const file = join(tempDir(), `flow.${shell}`);
      writeFileSync(file, script.stdout);
      const parsed = spawnSync(check[0], [check[1], file], { encoding: 'utf8' });
      expect(parsed.error, `${shell} is needed for this test (.ci/run installs it)`).toBeUndefined();
      expect(parsed.status, `${shell}: ${parsed.stderr}`).toBe(0);
      expect(readFileSync(file, 'utf8')).toContain('flow __complete');
    }
  });

  it('get values with descriptions in their own formats', () => {
    expect(complete('zsh', 'flow done task ').lines).toEqual(['1:○ Atomic writes', '2:○ Fsync the folder', '3:○ Lock tests']);
    expect(complete('fish', 'flow done task ').lines).toEqual(['1\t○ Atomic writes', '2\t○ Fsync the folder', '3\t○ Lock tests']);
    const keys = complete('zsh', 'flow config get snapshots.k').lines;
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatch(/^snapshots\.keep:keep at most/);
    expect(complete('zsh', 'flow use plan S').lines.map((l) => l.split(/(?<!\\):/)[0])).toEqual(['Storage layer', 'Sync']);
  });
});

describe('flow __complete', () => {
  it('never offers a name a terminal would obey, and shows titles made harmless', () => {
    const hostile = tempDir();
    flowSync(hostile, ['add', 'flow', HOSTILE['OSC 0 title']]);
    flowSync(hostile, ['add', 'flow', 'Plain']);
    flowSync(hostile, ['add', 'plan', 'P']);
    flowSync(hostile, ['add', 'task', HOSTILE['CSI clear']]);
    const env = { ...shellEnv(), FLOW_DIR: hostile };
    const run = (shell: string, line: string) => spawnSync(process.execPath, [FLOW_BIN, '__complete', shell, line], { encoding: 'utf8', env }).stdout;
    expect(run('bash', 'flow use flow ').split('\n').filter(Boolean)).toEqual(['Plain']);
    // By number, the name is the description zsh and fish show.
    for (const shell of ['zsh', 'fish']) {
      const numbered = run(shell, 'flow use flow 1');
      expect(numbered).toContain('pwned');
      expect(numbered).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
    }
    const tasks = run('fish', 'flow done task ');
    expect(tasks).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
    expect(tasks).toContain('\\x1b[2J');
  });

  it('completes flow names from a file in another layout (formatted by hand) as well', () => {
    const formatted = tempDir();
    flowSync(formatted, ['add', 'flow', 'First one']);
    flowSync(formatted, ['add', 'flow', 'Second']);
    const path = join(formatted, 'flows.json');
    writeFileSync(path, JSON.stringify(JSON.parse(readFileSync(path, 'utf8')), null, 2));
    const [names, numbers] = bashComplete([`flow --dir ${formatted} use flow `, `flow --dir ${formatted} use flow 2`]);
    expect(names).toEqual(['First\\ one', 'Second']);
    expect(numbers).toEqual(['2']);
  });

  it('reads a damaged store without touching it and offers nothing from it', () => {
    const damaged = tempDir();
    writeFileSync(join(damaged, 'flows.json'), '{"flows": {"broken"');
    const result = spawnSync(process.execPath, [FLOW_BIN, '__complete', 'bash', 'flow use flow '], { encoding: 'utf8', env: { ...shellEnv(), FLOW_DIR: damaged } });
    expect(result.status).toBe(0);
    expect(result.stdout).toBe('');
    expect(readFileSync(join(damaged, 'flows.json'), 'utf8')).toBe('{"flows": {"broken"');
    expect(spawnSync('ls', [damaged], { encoding: 'utf8' }).stdout.trim()).toBe('flows.json');
  });

  it('refuses an unknown shell (exit 2), as does flow completion', () => {
    expect(complete('tcsh', 'flow ').code).toBe(2);
    const r = flowSync(dir, ['completion', 'tcsh']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/"tcsh" is not one of bash, zsh, fish/);
  });
});
