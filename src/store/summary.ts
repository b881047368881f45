// What reads that need little (`list flow`, names for references and completion) know of
// a flow, read from its line's bytes without building its plans: its own fields and how
// many plans, tasks and done tasks it holds (issue 15: reads that need little read
// little). The scan checks the line's JSON syntax as it goes and the shape of what it
// counts (plans and tasks are objects in lists, a status is one of the statuses); the
// flow's own fields are checked as the flow schema checks them. Full validation of plans and
// tasks stays on full loads: whatever the scan cannot vouch for (bad JSON, a list or
// status of the wrong shape, a key that matters given twice or spelt with escapes, tasks
// nested past MAX_TASK_DEPTH) gives undefined, and the caller reads that flow the full
// way, which reports or quarantines as any read does.
//
// One flat loop over the bytes with a small stack (a recursive descent costs a call per
// value, and most values are short strings): this is what makes `list flow` at 100k
// flows cheaper than a bare JSON.parse of the file.
import { MAX_TASK_DEPTH, TASK_STATUSES, type Flow } from '../domain/schema.js';
import { flowCounts, type FlowCounts } from '../domain/tree.js';

/** A flow's own fields (all but its plans), in the order validation gives them. */
export type FlowFields = { [K in keyof Flow as K extends 'plans' ? never : K]: Flow[K] };

export interface FlowSummary extends FlowCounts {
  fields: FlowFields;
}

/** The summary of a flow read in full. */
export function summaryOf(flow: Flow): FlowSummary {
  const { plans: _plans, ...fields } = flow;
  return { fields, ...flowCounts(flow) };
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_LIST = 0x5b;
const CLOSE_LIST = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;
const isSpace = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

/** Nesting the scan follows (flow, plans, tasks and other tools' values); deeper goes the full way. */
const MAX_NESTING = 1024;

// What an open object or list is. Objects come first: `kind <= OTHER_OBJECT` is an object.
const FLOW = 0;
const PLAN = 1;
const TASK = 2;
const OTHER_OBJECT = 3;
const PLAN_LIST = 4;
const TASK_LIST = 5;
const OTHER_LIST = 6;

// What the scan expects next.
const VALUE = 0;
const VALUE_OR_CLOSE = 1;
const KEY = 2;
const KEY_OR_CLOSE = 3;
const COLON_NEXT = 4;
const COMMA_OR_CLOSE = 5;

// What the key just read means; each is also its bit among an object's keys seen.
const OTHER_KEY = 0;
const PLANS_KEY = 1;
const TASKS_KEY = 2;
const SUBTASKS_KEY = 3;
const STATUS_KEY = 4;

// The stack, reused by every scan (scans never overlap: they are synchronous).
const kinds = new Uint8Array(MAX_NESTING);
const levels = new Uint16Array(MAX_NESTING);
const keysSeen = new Uint8Array(MAX_NESTING);
const done = new Uint8Array(MAX_NESTING);

/** Bytes a JSON string may hold after a backslash. */
const ESCAPES = new Uint8Array(128);
for (const c of '"\\/bfnrtu') ESCAPES[c.charCodeAt(0)] = 1;
const HEX4 = /^[0-9a-fA-F]{4}$/;
const SCALAR = /^(-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?|true|false|null)$/;

/** True when the string token [start, end) (quotes included) is `word`. */
function tokenIs(b: Buffer, start: number, end: number, word: string): boolean {
  if (end - start !== word.length + 2) return false;
  for (let k = 0; k < word.length; k++) if (b[start + 1 + k] !== word.charCodeAt(k)) return false;
  return true;
}

/** A status token is one of the statuses (compared in place: this runs for every task). */
const isStatus = (b: Buffer, start: number, end: number) => TASK_STATUSES.some((status) => tokenIs(b, start, end, status));

interface Counts extends FlowCounts {
  /** The flow's `plans` member, from its key to past its value (-1: none). */
  plansFrom: number;
  plansTo: number;
}

/** Counts the flow whose JSON is b[start, end); undefined when the scan cannot vouch for it. */
function scan(b: Buffer, start: number, end: number): Counts | undefined {
  const counts: Counts = { plans: 0, total: 0, done: 0, plansFrom: -1, plansTo: -1 };
  let depth = -1;
  let expect = VALUE;
  let key = OTHER_KEY;
  for (let i = start; i < end; i++) {
    const c = b[i];
    if (c === QUOTE) {
      const from = i;
      let escapes = false;
      for (i++; ; i++) {
        if (i >= end) return undefined;
        const d = b[i];
        if (d > BACKSLASH) continue; // letters and the bytes of multi-byte characters
        if (d === QUOTE) break;
        if (d === BACKSLASH) {
          escapes = true;
          const escaped = b[++i];
          if (escaped >= 128 || ESCAPES[escaped] === 0) return undefined;
          if (escaped === 0x75 && !HEX4.test(b.toString('latin1', i + 1, i + 5))) return undefined;
        } else if (d < 0x20) return undefined;
      }
      const to = i + 1;
      if (expect === KEY || expect === KEY_OR_CLOSE) {
        const kind = kinds[depth];
        key = OTHER_KEY;
        // "pl\u0061ns" is plans to JSON.parse: a key of ours spelt with escapes goes the full way.
        if (escapes && kind <= TASK) return undefined;
        if (kind === FLOW) {
          if (tokenIs(b, from, to, 'plans')) {
            key = PLANS_KEY;
            counts.plansFrom = from;
          }
        } else if (kind === PLAN) {
          if (tokenIs(b, from, to, 'tasks')) key = TASKS_KEY;
        } else if (kind === TASK) {
          if (tokenIs(b, from, to, 'subtasks')) key = SUBTASKS_KEY;
          else if (tokenIs(b, from, to, 'status')) key = STATUS_KEY;
        }
        if (key !== OTHER_KEY) {
          // JSON.parse keeps the last of two: counting both would be wrong.
          if (keysSeen[depth] & (1 << key)) return undefined;
          keysSeen[depth] |= 1 << key;
        }
        expect = COLON_NEXT;
      } else if (expect === VALUE || expect === VALUE_OR_CLOSE) {
        if (key === PLANS_KEY || key === TASKS_KEY || key === SUBTASKS_KEY || kinds[depth] === PLAN_LIST || kinds[depth] === TASK_LIST) return undefined;
        if (key === STATUS_KEY) {
          // A status spelt with escapes, or not one of the statuses, is read the full way.
          if (escapes || !isStatus(b, from, to)) return undefined;
          done[depth] = tokenIs(b, from, to, 'done') ? 1 : 0;
        }
        key = OTHER_KEY;
        expect = COMMA_OR_CLOSE;
      } else return undefined;
    } else if (c === COLON) {
      if (expect !== COLON_NEXT) return undefined;
      expect = VALUE;
    } else if (c === COMMA) {
      if (expect !== COMMA_OR_CLOSE) return undefined;
      expect = kinds[depth] <= OTHER_OBJECT ? KEY : VALUE;
    } else if (c === OPEN_OBJECT || c === OPEN_LIST) {
      if (expect !== VALUE && expect !== VALUE_OR_CLOSE) return undefined;
      if (++depth >= MAX_NESTING) return undefined;
      const parent = depth > 0 ? kinds[depth - 1] : -1;
      let level = depth > 0 ? levels[depth - 1] : 0;
      let kind: number;
      // Plans and tasks are objects, and so is what holds them; a status is a string.
      if (key === STATUS_KEY || (c === OPEN_LIST && (parent === PLAN_LIST || parent === TASK_LIST))) return undefined;
      if (c === OPEN_OBJECT && (key === PLANS_KEY || key === TASKS_KEY || key === SUBTASKS_KEY)) return undefined;
      if (c === OPEN_OBJECT) {
        if (depth === 0) kind = FLOW;
        else if (parent === PLAN_LIST) {
          kind = PLAN;
          counts.plans++;
        } else if (parent === TASK_LIST) {
          kind = TASK;
          counts.total++;
          // Deeper than flow reads whole: the full read cuts it and says so.
          if (level > MAX_TASK_DEPTH) return undefined;
        } else kind = OTHER_OBJECT;
        expect = KEY_OR_CLOSE;
      } else {
        if (key === PLANS_KEY) kind = PLAN_LIST;
        else if (key === TASKS_KEY || key === SUBTASKS_KEY) {
          kind = TASK_LIST;
          level++;
        } else kind = OTHER_LIST;
        expect = VALUE_OR_CLOSE;
      }
      if (depth === 0 && kind !== FLOW) return undefined;
      kinds[depth] = kind;
      levels[depth] = level;
      keysSeen[depth] = 0;
      done[depth] = 0;
      key = OTHER_KEY;
    } else if (c === CLOSE_OBJECT || c === CLOSE_LIST) {
      if (depth < 0) return undefined;
      const kind = kinds[depth];
      const object = kind <= OTHER_OBJECT;
      if (object !== (c === CLOSE_OBJECT)) return undefined;
      if (expect !== COMMA_OR_CLOSE && expect !== (object ? KEY_OR_CLOSE : VALUE_OR_CLOSE)) return undefined;
      if (kind === TASK && done[depth]) counts.done++;
      if (kind === PLAN_LIST) counts.plansTo = i + 1;
      expect = COMMA_OR_CLOSE;
      if (--depth < 0) {
        for (i++; i < end; i++) if (!isSpace(b[i])) return undefined;
        return counts;
      }
    } else if (!isSpace(c)) {
      // A number, true, false or null: up to the next separator, checked as JSON has them.
      if (expect !== VALUE && expect !== VALUE_OR_CLOSE) return undefined;
      if (key !== OTHER_KEY || kinds[depth] === PLAN_LIST || kinds[depth] === TASK_LIST) return undefined;
      const from = i;
      while (i + 1 < end && b[i + 1] !== COMMA && b[i + 1] !== CLOSE_OBJECT && b[i + 1] !== CLOSE_LIST && !isSpace(b[i + 1])) i++;
      if (!SCALAR.test(b.toString('latin1', from, i + 1))) return undefined;
      key = OTHER_KEY;
      expect = COMMA_OR_CLOSE;
    }
  }
  return undefined;
}

/** The flow's own fields as a full read gives them, or undefined when they do not validate. */
export function ownFields(id: string, value: unknown): FlowFields | undefined {
  if (!isRecord(value)) return undefined;
  // FlowSchema's own fields, checked as it checks them (a test keeps the two in step);
  // its fields come first, then the others as they came.
  const { id: ownId, name, created, updated } = value;
  if (ownId !== id || id === '' || typeof name !== 'string') return undefined;
  if ((created !== undefined && typeof created !== 'string') || (updated !== undefined && typeof updated !== 'string')) return undefined;
  // Already in that order and without plans (what the summary cache holds): as it is.
  if (inOwnOrder(value, created !== undefined, updated !== undefined)) return value as FlowFields;
  const { id: _id, name: _name, created: _created, updated: _updated, plans: _plans, ...rest } = value;
  return { id, name, ...(created !== undefined && { created }), ...(updated !== undefined && { updated }), ...rest };
}

/** Keys are id, name, then created and updated where present, then others but plans. */
function inOwnOrder(value: Record<string, unknown>, created: boolean, updated: boolean): boolean {
  const order = created && updated ? OWN_ORDER : ['id', 'name', ...(created ? ['created'] : []), ...(updated ? ['updated'] : [])];
  let k = 0;
  for (const key in value) {
    if (k < order.length ? key !== order[k] : key === 'plans' || key === 'created' || key === 'updated') return false;
    k++;
  }
  return k >= order.length;
}
const OWN_ORDER = ['id', 'name', 'created', 'updated'];

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const STATUS_SET: ReadonlySet<unknown> = new Set(TASK_STATUSES);

/** Counts of a parsed flow, with what the scan vouches for (lists of objects, statuses, depth). */
function countParsed(flow: Record<string, unknown>): FlowCounts | undefined {
  const { plans = [] } = flow;
  if (!Array.isArray(plans)) return undefined;
  const counts: FlowCounts = { plans: plans.length, done: 0, total: 0 };
  const lists: Array<[unknown, number]> = [];
  for (const plan of plans) {
    if (!isRecord(plan)) return undefined;
    lists.push([plan.tasks === undefined ? [] : plan.tasks, 1]);
  }
  for (let next = lists.pop(); next; next = lists.pop()) {
    const [tasks, level] = next;
    if (!Array.isArray(tasks)) return undefined;
    if (tasks.length > 0 && level > MAX_TASK_DEPTH) return undefined;
    for (const task of tasks) {
      if (!isRecord(task)) return undefined;
      // Defaults fill what is absent, never a null (as the schema's).
      const status = task.status === undefined ? 'todo' : task.status;
      if (!STATUS_SET.has(status)) return undefined;
      counts.total++;
      if (status === 'done') counts.done++;
      lists.push([task.subtasks === undefined ? [] : task.subtasks, level + 1]);
    }
  }
  return counts;
}

/**
 * Below this many bytes of flow lines, JSON.parse and a walk cost less than the scan,
 * which is not yet compiled to machine code that early in a run.
 */
export const SCAN_FROM_BYTES = 8 << 20;

/**
 * The summary of the flow `id` whose JSON is b[start, end), or undefined when the scan
 * cannot vouch for it (see the top of this file). `parse`: read it with JSON.parse and
 * a walk instead of the scan (a small store, see SCAN_FROM_BYTES).
 */
export function summariseFlow(id: string, b: Buffer, start: number, end: number, parse = false): FlowSummary | undefined {
  if (parse) {
    let value: unknown;
    try {
      value = JSON.parse(b.toString('utf8', start, end));
    } catch {
      return undefined;
    }
    const fields = ownFields(id, value);
    const counts = isRecord(value) && countParsed(value);
    return fields && counts ? { fields, ...counts } : undefined;
  }
  const counts = scan(b, start, end);
  // A `plans` that is not a list (plansTo unset) is for validation to report.
  if (!counts || (counts.plansFrom >= 0 && counts.plansTo < 0)) return undefined;
  // The flow's own members are the bytes around `plans`: joined, they are one small object.
  let text: string;
  if (counts.plansFrom >= 0) {
    const head = b.toString('utf8', start, counts.plansFrom).trimEnd();
    const tail = b.toString('utf8', counts.plansTo, end).trimStart();
    text = head.endsWith('{') ? `${head}${tail.replace(/^,/, '')}` : `${head.replace(/,$/, '')}${tail}`;
  } else text = b.toString('utf8', start, end);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isRecord(parsed) || 'plans' in parsed) return undefined;
  const fields = ownFields(id, parsed);
  return fields && { fields, plans: counts.plans, done: counts.done, total: counts.total };
}
