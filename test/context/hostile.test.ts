// context.json and transaction.json as another program (or an attacker with write access
// to the data directory) might leave them: nested past what can be written back, a key
// "__proto__", control characters in every field, times that are not times, a record
// that is a link out. What can be read is read; what cannot be written back is refused
// with a clear message and left byte for byte; nothing reaches the terminal raw.
// (A newer version and unknown fields: commands.test.ts; context.json a link out:
// test/trust/containment.test.ts.)
import { existsSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { flowSync, json, readStore, tempDir } from '../helpers.js';

const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;
const contextFile = (dir: string) => join(dir, 'context.json');
const readContext = (dir: string) => JSON.parse(readFileSync(contextFile(dir), 'utf8'));

function workspace(): { dir: string; planId: string } {
  const dir = tempDir('flow-context-hostile-');
  json(flowSync(dir, ['add', 'flow', 'F', '--json']));
  const plan = json(flowSync(dir, ['add', 'plan', 'P', '--json']));
  expect(flowSync(dir, ['context', 'note', 'kept']).code).toBe(0);
  return { dir, planId: plan.id };
}

/** Each command refused with `code`, saying `why`; both files byte for byte as they were. */
function refused(dir: string, commands: string[][], code: number, why: RegExp): void {
  const context = readFileSync(contextFile(dir));
  const flows = readFileSync(join(dir, 'flows.json'));
  for (const args of commands) {
    const r = flowSync(dir, args);
    expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(code);
    expect(r.stderr).toMatch(why);
  }
  expect(readFileSync(contextFile(dir)).equals(context)).toBe(true);
  expect(readFileSync(join(dir, 'flows.json')).equals(flows)).toBe(true);
}

const WRITES = [['context', 'note', 'x'], ['context', 'set', '--summary', 's'], ['add', 'plan', 'Q'], ['use', 'plan', 'P'], ['rm', 'plan', 'P', '--yes']];

describe('a context.json flow cannot write back', () => {
  it('a field nested 100,000 levels deep: read as usual, every write refused saying so', () => {
    const { dir } = workspace();
    const text = readFileSync(contextFile(dir), 'utf8');
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    writeFileSync(contextFile(dir), text.replace('"sessions": {', `"from_tool": ${deep}, "sessions": {`));
    expect(json(flowSync(dir, ['context', 'show', '--json'])).decision_count).toBe(1);
    expect(flowSync(dir, ['context', 'export']).stdout).toContain('kept');
    expect(flowSync(dir, ['add', 'task', 'T']).code, 'flows.json alone is written as usual').toBe(0);
    refused(dir, WRITES.slice(0, -1), 5, /context\.json nests deeper than 256 levels \(written by another program\), which flow cannot write back; it is read-only: nothing was saved/);
    // rm snapshots the store first, which stops at the same field.
    refused(dir, WRITES.slice(-1), 5, /nests too deeply/);
  });

  it('a key "__proto__", plain or escaped (it would be dropped on writing back): not valid, saying why; nothing written', () => {
    for (const key of ['__proto__', '\\u005f_pr\\u006fto__']) {
      const { dir } = workspace();
      const text = readFileSync(contextFile(dir), 'utf8');
      writeFileSync(contextFile(dir), text.replace('"sessions": {', `"sessions": { "${key}": { "summary": "another tool's" },`));
      refused(dir, [['context', 'list'], ...WRITES], 1, /context\.json is not valid: it has a key named "__proto__", which flow cannot keep\. Fix or remove it/);
    }
  });
});

it('control characters in every field and times that are not times: list, show and export print no control character', () => {
  const { dir, planId } = workspace();
  const file = readContext(dir);
  const evil = 'a\u001b]0;title\u0007b\u001b[2J\u009b31m\r\u202e';
  file.sessions[`agent${evil}`] = {
    flow_id: evil,
    plan_id: planId,
    summary: `summary ${evil}\nsecond line`,
    updated: evil,
    writer: evil,
    decisions: [{ time: evil, text: `text ${evil}`, plan_id: evil, task_id: evil, writer: evil }],
  };
  file.sessions.default.updated = 'not a time';
  writeFileSync(contextFile(dir), JSON.stringify(file));
  const outputs = [
    flowSync(dir, ['context', 'list']),
    flowSync(dir, ['context', 'show']),
    flowSync(dir, ['context', 'export']),
    flowSync(dir, ['context', 'export', '--format', 'json']),
    flowSync(dir, ['context', 'list', '--json']),
  ];
  for (const r of outputs) {
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).not.toMatch(CONTROL);
  }
  const list = outputs[0].stdout;
  expect(list).toContain('agenta\\x1b]0;title\\x07b');
  expect(list).not.toContain('NaN');
  // The JSON is the value itself, escaped for the terminal.
  const sessions = JSON.parse(outputs[4].stdout);
  expect(sessions.find((s: { session: string }) => s.session.startsWith('agent')).writer).toBe(evil);
  // Removable by its exact name, though flow would not give a session that name.
  const removed = flowSync(dir, ['context', 'rm', `agent${evil}`]);
  expect(removed.code, removed.stderr).toBe(0);
  expect(removed.stdout).not.toMatch(CONTROL);
  expect(Object.keys(readContext(dir).sessions)).toEqual(['default']);
  expect(flowSync(dir, ['context', 'rm', `other${evil}`]).code, 'a missing one must be a name').toBe(2);
});

it('a transaction.json that is a link to a file outside holding a valid record: moved aside, never followed or applied', () => {
  const { dir } = workspace();
  const meta = readStore(dir).meta;
  const outside = join(tempDir('flow-context-outside-'), 'record.json');
  const record = { revision: meta.file_revision, writer: meta.writer, last_saved: meta.last_saved, file: 'context.json', content: '{"sessions":{}}\n' };
  writeFileSync(outside, JSON.stringify(record));
  symlinkSync(outside, join(dir, 'transaction.json'));
  const before = readFileSync(contextFile(dir));
  const r = flowSync(dir, ['list', 'plan']);
  expect(r.code, r.stderr).toBe(0);
  expect(r.stderr).toMatch(/transaction\.json\.corrupt\.\S+ is not what flow writes \(it is not a file\)/);
  expect(readFileSync(contextFile(dir)).equals(before), 'context.json was not written from it').toBe(true);
  expect(readFileSync(outside, 'utf8')).toBe(JSON.stringify(record));
  expect(existsSync(join(dir, 'transaction.json'))).toBe(false);
  expect(readdirSync(dir).some((n) => n.startsWith('transaction.json.corrupt.'))).toBe(true);
});
