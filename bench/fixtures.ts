// Deterministic flows.json fixtures for benchmarks and stress tests.
// Shape "small": 1 plan × 3 tasks per flow. Shape "deep": 2 plans × 5 tasks, some with
// subtasks. Strings vary in length and include non-ASCII text, as real stores do.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Flow, FlowDocument, Plan, Task } from '../src/domain/schema.js';
import { serialiseDocument } from '../src/store/layout.js';

export type FixtureShape = 'small' | 'deep';

/** Mulberry32: a tiny seeded generator, so the same arguments give the same bytes. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = [
  'storage', 'layer', 'atomic', 'writes', 'review', 'ship', 'Übersicht', 'naïve', 'café',
  'データ', '計画', 'тест', 'λόγος', 'emoji ✅', 'refactor', 'parser', 'tests', 'docs',
  'benchmark', 'cache', 'index', 'lock', 'retry', 'snapshot', 'theme', 'prompt',
];
const STATUSES = ['todo', 'in_progress', 'blocked', 'done', 'cancelled'] as const;
const PRIORITIES = ['low', 'medium', 'high'] as const;

function id(prefix: string, n: number): string {
  return `${prefix}_${n.toString(16).padStart(10, '0')}`;
}

export function generateDocument(flowCount: number, shape: FixtureShape = 'small', seed = 1): FlowDocument {
  const rand = random(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)];
  const words = (min: number, max: number): string => {
    const n = min + Math.floor(rand() * (max - min + 1));
    return Array.from({ length: n }, () => pick(WORDS)).join(' ');
  };
  const at = '2026-01-01T00:00:00.000Z';
  let serial = 0;
  const task = (depth: number): Task => ({
    id: id('task', ++serial),
    title: words(2, 8),
    status: pick(STATUSES),
    priority: pick(PRIORITIES),
    notes: rand() < 0.3 ? words(5, 40) : '',
    tags: rand() < 0.5 ? [pick(WORDS)] : [],
    depends_on: [],
    created: at,
    updated: at,
    subtasks: depth < 2 && shape === 'deep' && rand() < 0.3 ? [task(depth + 1)] : [],
  });
  const plan = (tasks: number): Plan => ({
    id: id('plan', ++serial),
    title: words(1, 5),
    status: 'active',
    summary: rand() < 0.2 ? words(3, 20) : '',
    created: at,
    updated: at,
    tasks: Array.from({ length: tasks }, () => task(0)),
  });
  const flows: Record<string, Flow> = {};
  let first: string | null = null;
  for (let f = 0; f < flowCount; f++) {
    const flowId = id('flow', ++serial);
    first ??= flowId;
    const plans = shape === 'small' ? [plan(3)] : [plan(5), plan(5)];
    flows[flowId] = { id: flowId, name: words(1, 4), created: at, updated: at, plans };
  }
  return {
    version: '3.0',
    meta: { last_saved: at, file_revision: 1, writer: 'bench:0:fixture' },
    current_flow_id: first,
    flows,
  };
}

/** The plan id of the first plan of flow number `n` (0-based) in a generated document. */
export function firstPlanId(doc: FlowDocument, n = 0): string {
  const flow = Object.values(doc.flows)[n];
  return flow.plans[0].id;
}

/** A data directory `.flow` in a new temp folder `root`, holding `flows` flows of the small shape; with a plan id. */
export function storeDir(flows: number, prefix: string): { dir: string; plan: string; root: string } {
  const root = mkdtempSync(join(tmpdir(), prefix));
  const dir = join(root, '.flow');
  mkdirSync(dir, { recursive: true });
  const doc = generateDocument(flows);
  const { flows: all, ...header } = doc;
  writeFileSync(join(dir, 'flows.json'), serialiseDocument(header, Object.entries(all)));
  return { dir, plan: firstPlanId(doc), root };
}

/** One flow with one plan of `tasks` tasks (the plan an undo is measured in). */
export function bigPlanDocument(tasks: number): FlowDocument {
  const doc = generateDocument(Math.ceil(tasks / 3), 'small', 2);
  const all = Object.values(doc.flows);
  const [first] = all;
  first.plans[0].tasks = all.flatMap((flow) => flow.plans[0].tasks).slice(0, tasks);
  return { ...doc, flows: { [first.id]: first } };
}
