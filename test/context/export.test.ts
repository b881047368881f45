// `context export --max-chars N`: never more than N characters, the summary always in it,
// a marker that says what was left out, for both formats, with text that is long, multi-line,
// astral (two UTF-16 units per character) and hostile.
import { describe, expect, it } from 'vitest';
import { contextSchema, type SessionContext } from '../../src/context/context.js';
import { charCount, exportContext, type ExportFormat } from '../../src/context/export.js';
import { createFlow, createPlan, createTask } from '../../src/domain/tree.js';
import type { Plan } from '../../src/domain/schema.js';
import { HOSTILE } from '../hostile.js';

const SUMMARY = 'Where we are: storage 🧱 done, TUI next';

function session(decisions: number, summary = SUMMARY): SessionContext {
  const hostile = Object.values(HOSTILE);
  return contextSchema().parse({
    sessions: {
      s: {
        summary,
        updated: '2026-05-10T12:34:56.789Z',
        writer: 'cli:1:s',
        decisions: Array.from({ length: decisions }, (_, i) => ({
          time: new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString(),
          text: `decision ${i}: ${hostile[i % hostile.length]} ${'🙂'.repeat(i % 7)} ${'why '.repeat(i % 13)}`,
          task_id: i % 3 ? `task_${i}` : undefined,
          writer: `agent:${i % 4}:s`,
        })),
      },
    },
  }).sessions.s;
}

function scope(tasks: number) {
  const flow = createFlow('Project \u001b[31mA');
  const plan: Plan = createPlan({ title: 'Storage layer', summary: 'The plan\nin two lines' });
  for (let i = 0; i < tasks; i++) {
    const task = createTask({ title: `task ${i} ${'é'.repeat(i % 5)}` });
    if (i % 4 === 0) task.status = 'done';
    if (i % 5 === 0) task.subtasks.push(createTask({ title: `sub of ${i}` }));
    plan.tasks.push(task);
  }
  flow.plans.push(plan);
  return { flow, plan };
}

const LIMITS = [100, 101, 117, 150, 199, 256, 400, 999, 1000, 2048, 4096, 7777, 10_000, 33_333, 65_536, 99_999, 100_000];

describe.each<ExportFormat>(['md', 'json'])('export as %s', (format) => {
  const input = { session: 's', entry: session(3000), ...scope(400) };

  it.each(LIMITS)('at most %i characters, always with the summary', (max) => {
    const out = exportContext(input, format, max);
    expect(out.chars).toBe(charCount(out.text));
    expect(out.chars).toBeLessThanOrEqual(max);
    if (format === 'md') expect(out.text).toContain(SUMMARY);
    else expect(JSON.parse(out.text).summary).toBe(SUMMARY);
    // Nothing a terminal would act on (newlines are layout in Markdown).
    expect(out.text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
    // 3000 decisions never fit: the marker says so.
    expect(out.omitted.decisions).toBeGreaterThan(0);
    // With room, the marker says what; with very little, only that something is missing.
    const marker = format === 'md' ? /\n\[(left out: .*decisions|more left out)\]$/.exec(out.text)?.[1] : JSON.parse(out.text).omitted;
    expect(marker).toBeTruthy();
    if (max >= 200) expect(marker === true || marker === 'more left out').toBe(false);
    if (format === 'json' && marker !== true) expect(marker.decisions).toBe(out.omitted.decisions);
  });

  it('uses the room it has: the plan\'s open tasks in order, then the newest decisions, no gaps', () => {
    const out = exportContext({ ...input, ...scope(40) }, format, 20_000);
    expect(out.chars).toBeGreaterThan(19_000);
    if (format === 'json') {
      const doc = JSON.parse(out.text);
      expect(doc.decisions[0].text).toMatch(/^decision 2999:/);
      doc.decisions.forEach((d: { text: string }, i: number) => expect(d.text).toMatch(new RegExp(`^decision ${2999 - i}:`)));
      const titles = doc.scope.open_tasks.map((t: { title: string }) => t.title);
      // Task 0 is done; its subtask is not.
      expect(titles.slice(0, 4)).toEqual(['sub of 0', 'task 1 é', 'task 2 éé', 'task 3 ééé']);
      expect(doc.scope.open_tasks.length + out.omitted.open_tasks).toBe(doc.scope.open_task_count);
    } else {
      expect(out.text.indexOf('decision 2999:')).toBeGreaterThan(out.text.indexOf('task 1 é'));
      expect(out.text.indexOf('decision 2998:')).toBeGreaterThan(out.text.indexOf('decision 2999:'));
    }
  });

  it('a summary longer than the limit is cut (never inside a character) and the marker says by how much', () => {
    const long = '🧱'.repeat(5000);
    const out = exportContext({ ...input, entry: session(10, long) }, format, 1000);
    expect(out.chars).toBeLessThanOrEqual(1000);
    expect(out.omitted.summary_chars).toBeGreaterThan(4000);
    const kept = format === 'md' ? out.text.split('\n')[0] : JSON.parse(out.text).summary;
    expect(kept).toMatch(/^(🧱)+$/u);
    expect(Array.from(kept).length + out.omitted.summary_chars).toBe(5000);
    if (format === 'md') expect(out.text).toContain(`${out.omitted.summary_chars} characters of the summary`);
  });

  it('counts in words: one of a thing is singular in the heading and the marker', () => {
    const { flow, plan } = scope(1);
    const one = exportContext({ session: 's', entry: session(1), flow, plan }, 'md', 100_000);
    expect(one.text).toContain(': 1 open task\n');
    // Room for the summary and the plan's heading only: one decision is left out.
    const cut = exportContext({ session: 's', entry: session(1), flow, plan }, 'md', one.chars - 1);
    if (format === 'md') expect(cut.text).toMatch(/\[left out: .*\b1 decision\]$/);
  });

  it('everything, with no marker, when it fits', () => {
    const small = { session: 's', entry: session(5), ...scope(6) };
    const out = exportContext(small, format, 100_000);
    expect(out.omitted).toEqual({ summary_chars: 0, heading: false, scope: false, open_tasks: 0, decisions: 0 });
    if (format === 'md') {
      expect(out.text).not.toContain('left out]');
      expect(out.text).toContain('## Plan "Storage layer"');
      expect(out.text).toContain('  - todo sub of 5');
    } else {
      expect(JSON.parse(out.text).decisions).toHaveLength(5);
      expect(JSON.parse(out.text).omitted).toBeUndefined();
    }
  });

  it('without a session or scope it still says so, within the limit', () => {
    const out = exportContext({ session: 's', entry: undefined }, format, 100);
    expect(out.chars).toBeLessThanOrEqual(100);
    if (format === 'md') expect(out.text).toContain('(no summary yet)');
    else expect(JSON.parse(out.text).summary).toBe('');
  });
});

it('10,000 decisions: every limit holds', () => {
  const input = { session: 's', entry: session(10_000), ...scope(50) };
  for (const max of [100, 16_000, 100_000]) {
    const out = exportContext(input, 'md', max);
    expect(out.chars).toBeLessThanOrEqual(max);
  }
});

describe('every limit from 100 to 100,000', () => {
  // Every N up to 400 (where the marker and the summary compete for room), then N spread
  // over the whole range by a fixed sequence, so that a run is the same run every time.
  const spread = Array.from({ length: 100 }, (_, i) => 400 + Math.floor(((i * 37) % 100) * (99_600 / 99)));
  const limits = [...Array.from({ length: 301 }, (_, i) => 100 + i), ...spread, 100_000];
  const input = { session: 's', entry: session(3000), ...scope(400) };

  it.each<ExportFormat>(['md', 'json'])('%s: never more than N, always the whole summary', (format) => {
    for (const max of limits) {
      const out = exportContext(input, format, max);
      if (out.chars > max || charCount(out.text) !== out.chars) throw new Error(`${format} at ${max}: ${charCount(out.text)} characters`);
      const summary = format === 'md' ? out.text : JSON.parse(out.text).summary;
      if (!summary.includes(SUMMARY)) throw new Error(`${format} at ${max}: no summary`);
    }
  });
});

it('a huge context costs what fits: a summary of millions of characters, 200,000 decisions, one of a million characters', () => {
  const entry = session(10);
  entry.summary = `${SUMMARY} ${'🧱'.repeat(2_000_000)}`;
  entry.decisions = Array.from({ length: 200_000 }, (_, i) => ({ time: '2026-01-01T00:00:00.000Z', text: `d${i}` }));
  entry.decisions.push({ time: '2026-01-02T00:00:00.000Z', text: 'x'.repeat(1_000_000), writer: 'w'.repeat(1_000_000) });
  for (const format of ['md', 'json'] as const) {
    for (const max of [100, 16_000, 100_000]) {
      const out = exportContext({ session: 's', entry }, format, max);
      expect(out.chars).toBeLessThanOrEqual(max);
      const summary = format === 'md' ? out.text.split('\n')[0] : JSON.parse(out.text).summary;
      expect(entry.summary.startsWith(summary)).toBe(true);
      expect(charCount(summary) + out.omitted.summary_chars).toBe(charCount(entry.summary));
      expect(charCount(summary)).toBeGreaterThan(max - 100);
      // The summary, cut, fills what the marker leaves: nothing else.
      expect(out.omitted).toMatchObject({ decisions: 200_001, heading: true });
    }
  }
  // With the summary short, the newest decision (a million characters) cannot fit: none is
  // shown before it, since the newest come first.
  entry.summary = SUMMARY;
  const out = exportContext({ session: 's', entry }, 'json', 100_000);
  expect(out.omitted.decisions).toBe(200_001);
  expect(JSON.parse(out.text).session).toBe('s');
});
