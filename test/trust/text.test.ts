// DESIGN §8 "Data never drives the terminal": each hostile string of test/hostile.ts,
// written by another process straight into flows.json (flow names, plan titles and
// summaries, task titles, notes and tags) and into the snapshot index (labels), comes out
// of every text command with no control character but the newline, and round-trips
// unchanged through --json. (The TUI side is tested with the TUI.)
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { serialiseDocument } from '../../src/store/layout.js';
import { HOSTILE } from '../hostile.js';
import { flowInProcess, flowSync, tempDir, type RunResult } from '../helpers.js';

/** Anything a terminal would act on: C0 but the newline, DEL, C1, bidi controls, line separators. */
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/u;

const STRINGS = Object.entries(HOSTILE);
const at = '2026-05-10T12:00:00.000Z';
const hex = (i: number) => i.toString(16).padStart(8, '0');

interface Ids {
  flow: string;
  plan: string;
  task: string;
  sub: string;
}
const ids: Ids[] = STRINGS.map((_, i) => ({ flow: `flow_f${hex(i)}`, plan: `plan_p${hex(i)}`, task: `task_t${hex(i)}`, sub: `task_s${hex(i)}` }));

/** The store another program wrote: one flow per hostile string, the string in every text field. */
function hostileDocument(): { header: Record<string, unknown>; flows: Array<[string, unknown]> } {
  const flows = STRINGS.map(([, text], i) => {
    const task = (id: string, subtasks: unknown[]) => ({
      id, title: text, status: 'todo', priority: 'high', notes: text, tags: [text], depends_on: [], created: at, updated: at, subtasks,
    });
    const plan = { id: ids[i].plan, title: text, status: 'active', summary: text, created: at, updated: at, tasks: [task(ids[i].task, [task(ids[i].sub, [])])] };
    return [ids[i].flow, { id: ids[i].flow, name: text, created: at, updated: at, plans: [plan] }] as [string, unknown];
  });
  return { header: { version: '3.0', meta: { file_revision: 3, writer: 'agent:1:x' }, current_flow_id: ids[0].flow }, flows };
}

/** flow's own colours (SGR, from paint()), taken out before looking when colour is on. */
const OWN_COLOURS = /\u001b\[[0-9;]*m/g;

function expectClean(r: RunResult, what: string, colour = false): void {
  for (const [stream, raw] of [['stdout', r.stdout], ['stderr', r.stderr]] as const) {
    const text = colour ? raw.replace(OWN_COLOURS, '') : raw;
    const found = CONTROL.exec(text);
    expect(found, `${what} ${stream}: ${found ? `U+${found[0].codePointAt(0)?.toString(16)} at ${found.index}: ${JSON.stringify(text.slice(Math.max(0, found.index - 20), found.index + 20))}` : ''}`).toBeNull();
  }
}

let dir = '';
beforeAll(() => {
  dir = tempDir('flow-text-');
  const { header, flows } = hostileDocument();
  writeFileSync(join(dir, 'flows.json'), serialiseDocument(header, flows));
  // Two snapshots whose labels are hostile (the index written directly too), with a change
  // in between so that diff shows hostile titles.
  expect(flowSync(dir, ['snapshot', 'create', '--label', 'one']).code).toBe(0);
  const doc = JSON.parse(readFileSync(join(dir, 'flows.json'), 'utf8'));
  for (const [i, [, text]] of STRINGS.entries()) doc.flows[ids[i].flow].plans[0].tasks[0].title = `${text} (changed)`;
  writeFileSync(join(dir, 'flows.json'), JSON.stringify(doc));
  expect(flowSync(dir, ['snapshot', 'create', '--label', 'two']).code).toBe(0);
  const indexFile = join(dir, 'snapshots', 'index.json');
  const index = JSON.parse(readFileSync(indexFile, 'utf8'));
  index.snapshots.forEach((s: { label: string }, i: number) => (s.label = STRINGS[i][1]));
  writeFileSync(indexFile, JSON.stringify(index));
  writeFileSync(join(dir, 'flows.json'), serialiseDocument(hostileDocument().header, hostileDocument().flows));
});

describe(`${STRINGS.length} hostile strings written into the store by another process`, () => {
  it('leave every text command (real processes) without a control character', () => {
    const commands = [
      ['list', 'flow'],
      ['show', 'flow'],
      ['list', 'plan'],
      ['list', 'task', '--plan', ids[0].plan],
      ['snapshot', 'list'],
      ['snapshot', 'show', '1'],
      ['snapshot', 'diff', '1', '2'],
      ['snapshot', 'diff', '1'],
      ['help'],
      ['help', 'add', 'task'],
      ['config', 'list'],
    ];
    for (const args of commands) {
      const r = flowSync(dir, args);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
      expectClean(r, args.join(' '));
    }
    // The hostile text is there, shown (not dropped): the printable part of each string.
    const listed = flowSync(dir, ['list', 'flow']).stdout;
    expect(listed).toContain('Title');
    expect(listed).toContain('cleared');
    expect(listed).toContain('\\x1b');
  });

  it('show of every flow, plan and task, in colour as well, and errors that quote stored text on stderr', async () => {
    for (const [i, [label]] of STRINGS.entries()) {
      for (const args of [['show', 'flow', ids[i].flow], ['show', 'plan', ids[i].plan], ['show', 'task', ids[i].task], ['show', 'task', ids[i].sub]]) {
        for (const colour of [false, true]) {
          const r = await flowInProcess(dir, args, colour ? { NO_COLOR: '', FORCE_COLOR: '1' } : {});
          expect(r.code, `${label}: ${args.join(' ')}: ${r.stderr}`).toBe(0);
          expectClean(r, `${label}: ${args.join(' ')}`, colour);
          // Colour codes in the data are shown, never passed on (so never taken for flow's own).
          if (label === 'CSI colour') expect(r.stdout).toContain('\\x1b[31mred\\x1b[0m');
        }
      }
      // A conflict names the stored value it met.
      const conflict = await flowInProcess(dir, ['set', 'task', ids[i].task, '--title', 'x', '--expect', 'title=something else']);
      expect(conflict.code, label).toBe(3);
      expect(conflict.stderr).toMatch(/changed since you read it/);
      expectClean(conflict, `${label}: conflict`);
      const asJson = await flowInProcess(dir, ['--json', 'set', 'task', ids[i].task, '--title', 'x', '--expect', 'title=something else']);
      expectClean(asJson, `${label}: conflict --json`);
      expect(JSON.parse(asJson.stderr).error.actual, label).toBe(STRINGS[i][1]);
    }
  });

  it('round-trip unchanged through --json, which itself holds no control character', async () => {
    const flows = await flowInProcess(dir, ['--json', 'list', 'flow']);
    expectClean(flows, 'list flow --json');
    expect(JSON.parse(flows.stdout).map((f: { name: string }) => f.name)).toEqual(STRINGS.map(([, text]) => text));
    for (const [i, [label, text]] of STRINGS.entries()) {
      const plan = await flowInProcess(dir, ['--json', 'show', 'plan', ids[i].plan]);
      expectClean(plan, `${label}: show plan --json`);
      expect(JSON.parse(plan.stdout), label).toMatchObject({ title: text, summary: text });
      const task = await flowInProcess(dir, ['--json', 'show', 'task', ids[i].task]);
      expectClean(task, `${label}: show task --json`);
      expect(JSON.parse(task.stdout), label).toMatchObject({ title: text, notes: text, tags: [text] });
    }
    const snapshots = await flowInProcess(dir, ['--json', 'snapshot', 'list']);
    expectClean(snapshots, 'snapshot list --json');
    expect(JSON.parse(snapshots.stdout).map((s: { label: string }) => s.label)).toEqual([STRINGS[0][1], STRINGS[1][1]]);
  });

  it('a write through flow keeps each string byte for byte', async () => {
    for (const [i, [label, text]] of STRINGS.entries()) {
      expect((await flowInProcess(dir, ['set', 'task', ids[i].task, '--notes', `${text}!`])).code, label).toBe(0);
    }
    const doc = JSON.parse(readFileSync(join(dir, 'flows.json'), 'utf8'));
    for (const [i, [label, text]] of STRINGS.entries()) {
      const task = doc.flows[ids[i].flow].plans[0].tasks[0];
      expect(task.notes, label).toBe(`${text}!`);
      expect(task.title, label).toBe(text);
    }
  });
});
