// The TUI's loader thread: parses and validates flows.json off the main thread, in chunks
// so the first frame and a progress line appear at once, and after a change re-sends
// only the flows whose lines changed (DESIGN §4: the TUI parses the tree once, then
// keeps it current incrementally).
import { readFileSync } from 'node:fs';
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { parseFlow, parseHeader, SchemaError, type Flow, type Header } from '../domain/schema.js';
import { fileIdentity } from '../store/identity.js';
import { Image, type MemberRange } from '../store/layout.js';
import { summariseFlow } from '../store/summary.js';
import { lowerThreadPriority } from './thread-priority.js';

/**
 * `load` parses the flows of one part of the file (the main thread runs a worker per
 * core); with `first`, the flows of the first screen are sent before the rest is parsed.
 */
export type LoaderRequest =
  | {
      type: 'load';
      part: number;
      parts: number;
      first?: FirstScreen;
      paced?: boolean;
      /**
       * Parse below the main thread's priority, for good (big stores: keys are pressed
       * while they are read, and a key cannot wait for parsing; a small store is read
       * before anyone could press one).
       */
      background?: boolean;
      /** false: parse no part, only read the file (first screen, summaries) to compute later saves' changes. */
      parse?: boolean;
      /** Where the chunks' flows go (each chunk's message says only how far it is): the main thread reads them when it has time. */
      chunks: MessagePort;
    }
  /** The main thread took a chunk in: the next may come (paced loads). */
  | { type: 'more' }
  | { type: 'refresh' };

/** What the first screen shows: the session's flow (else the file's current one) and the first `count` flows. */
export interface FirstScreen {
  flowId: string | null;
  count: number;
}

/** Names and counts of flows not parsed yet: the tree's rows for them until they are. */
export interface FlowSummaries {
  /** null: the scan could not vouch for that flow (it shows when parsed). */
  names: Array<string | null>;
  /** plans, done, total for each flow of `names`, three numbers each. */
  counts: Int32Array;
}

export type LoaderMessage =
  | { type: 'first'; header: Header; order: string[]; flows: Flow[]; identity: string }
  /** Every flow's name and counts by a byte scan (store/summary.ts), in the first's order. */
  | { type: 'summaries'; summaries: FlowSummaries }
  /** A chunk's flows are in the load's `chunks` port, in the same order. */
  | { type: 'chunk'; done: number; total: number }
  | { type: 'loaded'; header: Header; order: string[]; identity: string }
  | { type: 'diff'; header: Header; changed: Flow[]; removed: string[]; order: string[] | null; identity: string }
  | { type: 'unchanged' }
  /** Not in flow's layout, older format, missing or invalid: the main thread reads it. */
  | { type: 'fallback'; reason: string };

// Small enough that taking one in (a structured clone on the main thread) never holds a
// key typed on the first screen for long: at 100k flows, keys meanwhile waited p95 ~58 ms
// with 500 a chunk, ~40 with 200, no better with 100 (six runs each, a busy machine).
const CHUNK = 200;

/** Nice value of the loader threads (thread-priority.ts). */
const LOADER_NICE = 10;

interface Seen {
  identity: string;
  image: Image;
  order: string[];
}

let seen: Seen | undefined;

function read(file: string): { image: Image; identity: string; header: Header } | { fallback: string } {
  const identity = (fileIdentity(file) ?? undefined);
  if (!identity) return { fallback: 'no flows.json yet' };
  let buf: Buffer;
  try {
    buf = readFileSync(file);
  } catch (err) {
    return { fallback: (err as Error).message };
  }
  const image = Image.fromBytes(buf);
  if (!image) return { fallback: 'not in flow’s layout' };
  try {
    return { image, identity, header: parseHeader(image.header) };
  } catch (err) {
    return { fallback: (err as Error).message };
  }
}

function validated(image: Image, id: string): Flow {
  const member = image.member(id);
  const flow = parseFlow(image.value(member as NonNullable<typeof member>), `flows.${id}`);
  if (flow.id !== id) throw new SchemaError(`flows.${id}.id is ${JSON.stringify(flow.id)}, not its key`, id);
  return flow;
}

/** The ids of the first screen's flows, in the file's order, the session's flow among them. */
function firstIds(order: readonly string[], members: ReadonlyMap<string, unknown>, header: Header, first: FirstScreen): string[] {
  const ids = new Set(order.slice(0, first.count));
  const focus = [first.flowId, header.current_flow_id].find((id) => id && members.has(id));
  if (focus) ids.add(focus);
  return [...ids];
}

/** Each flow's name and counts from its bytes: a scan, far cheaper than parsing it. */
function summaries(image: Image, order: readonly string[], members: ReadonlyMap<string, MemberRange>): FlowSummaries {
  const names: Array<string | null> = [];
  const counts = new Int32Array(order.length * 3);
  order.forEach((id, i) => {
    const member = members.get(id);
    const summary = member && summariseFlow(id, image.buf, member.valueStart, member.end);
    names.push(summary ? summary.fields.name : null);
    if (summary) counts.set([summary.plans, summary.done, summary.total], i * 3);
  });
  return { names, counts };
}

// Paced loads keep two chunks in flight: a worker that posts faster than the main thread
// takes chunks in fills its queue, and Node hands a port's whole queue over in one go,
// so a key pressed on the first screen would wait for all of it.
let credits = 0;
let wake: (() => void) | null = null;

async function credit(): Promise<void> {
  while (credits === 0) await new Promise<void>((resolve) => (wake = resolve));
  credits--;
}

function more(): void {
  credits++;
  wake?.();
  wake = null;
}

async function load(file: string, post: (m: LoaderMessage) => void, part = 0, parts = 1, first?: FirstScreen, paced = false, parse = true, chunks?: MessagePort): Promise<void> {
  const got = read(file);
  if ('fallback' in got) return post({ type: 'fallback', reason: got.fallback });
  const members = got.image.members();
  const order = [...members.keys()];
  if (first) {
    // A screenful costs a few milliseconds: the tree shows while the rest is parsed. A
    // flow that fails here fails again below, and that part's fallback says why.
    try {
      const flows = firstIds(order, members, got.header, first).map((id) => validated(got.image, id));
      post({ type: 'first', header: got.header, order, flows, identity: got.identity });
    } catch {
      // the full parse reports it
    }
    post({ type: 'summaries', summaries: summaries(got.image, order, members) });
  }
  const from = parse ? Math.floor((order.length * part) / parts) : 0;
  const to = parse ? Math.floor((order.length * (part + 1)) / parts) : 0;
  let chunk: Flow[] = [];
  let done = 0;
  const send = (flows: Flow[]) => {
    chunks?.postMessage(flows);
    post({ type: 'chunk', done, total: order.length });
  };
  credits = 2;
  try {
    for (const id of order.slice(from, to)) {
      chunk.push(validated(got.image, id));
      done++;
      if (chunk.length === CHUNK) {
        // The next chunk is parsed while the main thread takes this one in.
        if (paced) await credit();
        send(chunk);
        chunk = [];
      }
    }
  } catch (err) {
    return post({ type: 'fallback', reason: (err as Error).message });
  }
  if (chunk.length) send(chunk);
  seen = { identity: got.identity, image: got.image, order };
  post({ type: 'loaded', header: got.header, order, identity: got.identity });
}

function refresh(file: string, post: (m: LoaderMessage) => void): void | Promise<void> {
  if (!seen) return load(file, post);
  const identity = (fileIdentity(file) ?? undefined);
  if (identity === seen.identity) return post({ type: 'unchanged' });
  const got = read(file);
  if ('fallback' in got) return post({ type: 'fallback', reason: got.fallback });
  const before = seen.image.members();
  const after = got.image.members();
  const changed: Flow[] = [];
  const removed: string[] = [];
  try {
    for (const [id, member] of after) {
      const old = before.get(id);
      // Same bytes, same flow: the common case costs a memcmp, not a parse.
      if (old && seen.image.raw(old).equals(got.image.raw(member))) continue;
      changed.push(validated(got.image, id));
    }
  } catch (err) {
    return post({ type: 'fallback', reason: (err as Error).message });
  }
  for (const id of before.keys()) if (!after.has(id)) removed.push(id);
  const order = [...after.keys()];
  const sameOrder = order.length === seen.order.length && order.every((id, i) => id === seen?.order[i]);
  seen = { identity: got.identity, image: got.image, order };
  post({ type: 'diff', header: got.header, changed, removed, order: sameOrder ? null : order, identity: got.identity });
}

if (parentPort) {
  const port = parentPort;
  const file = (workerData as { file: string }).file;
  const post = (message: LoaderMessage) => port.postMessage(message);
  port.on('message', (request: LoaderRequest) => {
    if (request.type === 'load') {
      if (request.background) lowerThreadPriority(LOADER_NICE);
      void load(file, post, request.part, request.parts, request.first, request.paced, request.parse, request.chunks);
    }
    else if (request.type === 'more') more();
    else void refresh(file, post);
  });
}
