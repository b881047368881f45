// Reads that need little (src/store/summary.ts): a flow line's own fields and counts from
// its bytes agree with a full read wherever the scan answers, and everything it cannot
// vouch for goes the full way (so `list flow` reports what a full read reports).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateDocument, random } from '../../bench/fixtures.js';
import { flowSchema, MAX_TASK_DEPTH, parseStoredFlow, type Flow } from '../../src/domain/schema.js';
import { serialiseDocument } from '../../src/store/layout.js';
import { Store } from '../../src/store/store.js';
import { summariseFlow, summaryOf } from '../../src/store/summary.js';
import { HOSTILE } from '../hostile.js';
import { flowSync, json, tempDir } from '../helpers.js';

/** The scan's answer, checked against the JSON.parse path's where the scan answers. */
const summarise = (id: string, line: string) => {
  const b = Buffer.from(line);
  const scanned = summariseFlow(id, b, 0, b.length);
  if (scanned) expect(summariseFlow(id, b, 0, b.length, true), line).toEqual(scanned);
  return scanned;
};
const parsedPath = (id: string, line: string) => {
  const b = Buffer.from(line);
  return summariseFlow(id, b, 0, b.length, true);
};

/** Counts of a parsed line as the schema reads them (absent lists are empty), without validating. */
function referenceCounts(value: any) {
  let done = 0;
  let total = 0;
  const walk = (tasks: any[]) => {
    for (const task of tasks) {
      total++;
      if ((task.status ?? 'todo') === 'done') done++;
      walk(task.subtasks ?? []);
    }
  };
  for (const plan of value.plans ?? []) walk(plan.tasks ?? []);
  return { plans: (value.plans ?? []).length, done, total };
}

const hostileDocument = () => {
  const doc = generateDocument(40, 'deep', 7);
  const names = Object.values(HOSTILE);
  Object.values(doc.flows).forEach((flow, i) => {
    flow.name = names[i % names.length];
    (flow as Record<string, unknown>).other_tool = { nested: [names[(i + 1) % names.length], { plans: 'not ours' }] };
    if (flow.plans[0]) flow.plans[0].tasks[0].title = names[(i + 2) % names.length];
  });
  return doc;
};

describe('summariseFlow', () => {
  it('agrees with a full read for generated and hostile flows (fields in the same order, counts at every level)', () => {
    for (const doc of [generateDocument(60, 'small', 3), generateDocument(60, 'deep', 4), hostileDocument()]) {
      for (const [id, flow] of Object.entries(doc.flows)) {
        const line = JSON.stringify(flow);
        const full = parseStoredFlow(JSON.parse(line)).flow;
        const quick = summarise(id, line);
        expect(quick).toEqual(summaryOf(full));
        expect(Object.keys(quick?.fields ?? {})).toEqual(Object.keys(summaryOf(full).fields));
      }
    }
  });

  it('leaves to the full read what it cannot vouch for', () => {
    const deep = (levels: number) => {
      let tasks: unknown[] = [];
      for (let i = 0; i < levels; i++) tasks = [{ id: `task_${i}`, title: 't', subtasks: tasks }];
      return `{"id":"flow_a","name":"n","plans":[{"id":"plan_a","title":"p","tasks":${JSON.stringify(tasks)}}]}`;
    };
    const refused = [
      '{"id":"flow_a","name":"n","plans":{}}',
      '{"id":"flow_a","name":"n","plans":null}',
      '{"id":"flow_a","name":"n","plans":[],"plans":[]}',
      '{"id":"flow_a","name":"n","pl\\u0061ns":[]}',
      '{"id":"flow_a","name":"n","plans":[[]]}',
      '{"id":"flow_a","name":"n","plans":["plan"]}',
      '{"id":"flow_a","name":"n","plans":[{"id":"plan_a","title":"p","tasks":null}]}',
      '{"id":"flow_a","name":"n","plans":[{"id":"plan_a","title":"p","ta\\u0073ks":[]}]}',
      '{"id":"flow_a","name":"n","plans":[{"id":"plan_a","title":"p","tasks":[1]}]}',
      '{"id":"flow_a","name":"n","plans":[{"id":"plan_a","title":"p","tasks":[{"id":"task_a","title":"t","status":"d\\u006fne"}]}]}',
      '{"id":"flow_a","name":"n","plans":[{"id":"plan_a","title":"p","tasks":[{"id":"task_a","title":"t","status":"finished"}]}]}',
      '{"id":"flow_a","name":"n","plans":[{"id":"plan_a","title":"p","tasks":[{"id":"task_a","title":"t","status":5}]}]}',
      '{"id":"flow_a","name":"n","plans":[{"id":"plan_a","title":"p","tasks":[{"id":"task_a","title":"t","status":"done","status":"todo"}]}]}',
      '{"id":"flow_a","name":"n","plans":[{"id":"plan_a","title":"p","tasks":[{"id":"task_a","title":"t","subtasks":{}}]}]}',
      deep(MAX_TASK_DEPTH + 1),
      '{"id":"flow_b","name":"n"}',
      '{"id":"","name":"n"}',
      '{"id":"flow_a"}',
      '{"id":"flow_a","name":7}',
      '{"id":"flow_a","name":"n","created":1}',
      '{"id":"flow_a","name":"n"} x',
      '{"id":"flow_a","name":"n",}',
      '{"id":"flow_a","name":"a\u0001b"}',
      '{"id":"flow_a","name":"\\x"}',
      '{"id":"flow_a","name":"\\u12"}',
      '{"id":"flow_a","name":"n","n":01}',
      '{"id":"flow_a","name":"n","n":tru}',
      '["flow_a"]',
    ];
    for (const line of refused) expect(summarise('flow_a', line), line).toBeUndefined();
    // JSON.parse reads escapes and keeps the last of two keys, as a full read does: only
    // the scan refuses those.
    const escapesAndTwice = refused.filter((line) => line.includes('\\u0061') || line.includes('\\u0073') || line.includes('\\u006f') || line.includes('"plans":[],"plans"') || line.includes('"status":"done","status"'));
    expect(escapesAndTwice).toHaveLength(5);
    for (const line of refused.filter((l) => !escapesAndTwice.includes(l))) expect(parsedPath('flow_a', line), line).toBeUndefined();
    const nulls = ['{"id":"flow_a","name":"n","plans":[{"id":"plan_a","title":"p","tasks":[{"id":"task_a","title":"t","status":null}]}]}', '{"id":"flow_a","name":"n","plans":[{"id":"plan_a","title":"p","tasks":[{"id":"task_a","title":"t","subtasks":null}]}]}'];
    for (const line of nulls) expect([summarise('flow_a', line), parsedPath('flow_a', line)], line).toEqual([undefined, undefined]);
    // As deep as flow reads whole still answers.
    expect(summarise('flow_a', deep(MAX_TASK_DEPTH))).toMatchObject({ plans: 1, total: MAX_TASK_DEPTH, done: 0 });
  });

  it('random damage to a line: an answer only for valid JSON, with the counts that JSON holds', () => {
    const rand = random(15);
    const lines = Object.entries(hostileDocument().flows).map(([id, flow]) => [id, JSON.stringify(flow)] as const);
    const alphabet = '{}[]",:\\ 0123456789eE+-.truefalsnulldoneplanstaskssubtasksstatus';
    let answered = 0;
    for (let round = 0; round < 4000; round++) {
      const [id, line] = lines[Math.floor(rand() * lines.length)];
      const chars = [...line];
      for (let k = 0; k < 1 + Math.floor(rand() * 3); k++) {
        const at = Math.floor(rand() * chars.length);
        const piece = alphabet[Math.floor(rand() * alphabet.length)];
        const what = rand();
        if (what < 0.4) chars.splice(at, 1);
        else if (what < 0.7) chars.splice(at, 0, piece);
        else chars[at] = piece;
      }
      const damaged = chars.join('');
      const quick = summarise(id, damaged);
      let parsed: unknown;
      try {
        parsed = JSON.parse(damaged);
      } catch {
        expect(quick, damaged).toBeUndefined();
        continue;
      }
      const viaParse = parsedPath(id, damaged);
      if (viaParse) {
        const { plans, done, total } = viaParse;
        expect({ plans, done, total }, damaged).toEqual(referenceCounts(parsed));
      }
      if (!quick) continue;
      answered++;
      const { plans, done, total } = quick;
      expect({ plans, done, total }, damaged).toEqual(referenceCounts(parsed));
      const { plans: _plans, ...own } = parsed as Record<string, unknown>;
      expect(quick.fields, damaged).toEqual(summaryOf(parseStoredFlow({ ...own, plans: [] }).flow).fields);
    }
    expect(answered).toBeGreaterThan(100);
  });
});

describe('own fields', () => {
  it('are the flow schema\'s: summary.ts checks id, name, created and updated as flowSchema() does', () => {
    expect(Object.keys(flowSchema()._zod.def.shape)).toEqual(['id', 'name', 'created', 'updated', 'plans']);
  });
});

describe('flowSummaries and list flow', () => {
  it('a store mixing flows the scan reads and flows it leaves to the full read lists the same as full reads', async () => {
    const dir = tempDir();
    const doc = generateDocument(30, 'deep', 5);
    const lines = Object.entries(doc.flows).map(([id, flow]) => [id, flow] as [string, unknown]);
    // An escaped status and a flow of another tool's shape the scan does not vouch for.
    const odd = JSON.parse(JSON.stringify(lines[3][1]));
    odd.plans[0].tasks[0].status = 'done';
    lines[3][1] = odd;
    (lines[7][1] as Flow).name = 'the one named so';
    const plain = serialiseDocument(doc as unknown as Record<string, unknown>, lines);
    const at = plain.indexOf(`${JSON.stringify(lines[3][0])}: `);
    const text = plain.slice(0, at) + plain.slice(at).replace('"status":"done"', '"status":"d\\u006fne"');
    expect(text).toContain('d\\u006fne');
    writeFileSync(join(dir, 'flows.json'), text);
    const view = await new Store(dir).read();
    const full = Object.values(JSON.parse(text).flows).map((flow) => summaryOf(parseStoredFlow(flow).flow));
    expect(view.flowSummaries()).toEqual(full);
    const listed = json(flowSync(dir, ['list', 'flow', '--json'])) as Array<Record<string, unknown>>;
    expect(listed.map((f) => [f.id, f.plan_count, f.done, f.task_count])).toEqual(full.map((s) => [s.fields.id, s.plans, s.done, s.total]));
    // A name found from the summaries shows that flow.
    const named = full[7].fields.name;
    expect(full.filter((s) => s.fields.name === named)).toHaveLength(1);
    expect(json(flowSync(dir, ['show', 'flow', named, '--json'])).id).toBe(lines[7][0]);
  });

  it('full validation stays on full loads: list flow counts a flow whose task does not validate, show flow reports it', () => {
    const dir = tempDir();
    const doc = generateDocument(3, 'small', 2);
    // Not the current flow, which every read validates. The scan vouches for the counts;
    // the full read finds the task without a title.
    const id = Object.keys(doc.flows)[2];
    const { title: _title, ...untitled } = doc.flows[id].plans[0].tasks[0];
    const lines = Object.entries(doc.flows).map(([key, flow]): [string, unknown] => [
      key,
      key === id ? { ...flow, plans: [{ ...flow.plans[0], tasks: [untitled, ...flow.plans[0].tasks.slice(1)] }] } : flow,
    ]);
    writeFileSync(join(dir, 'flows.json'), serialiseDocument(doc as unknown as Record<string, unknown>, lines));
    const listed = json(flowSync(dir, ['list', 'flow', '--json'])) as Array<Record<string, unknown>>;
    expect(listed.map((f) => f.task_count)).toEqual(Object.values(doc.flows).map((f) => summaryOf(f as Flow).total));
    const shown = flowSync(dir, ['show', 'flow', id]);
    expect(shown.code).toBe(5);
    expect(shown.stderr).toMatch(/title/);
  });
});
