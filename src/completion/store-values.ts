// The values shell completion offers from the data directory: task numbers and ids of the
// plan in scope, plan titles of the flow in scope, flow names, snapshot ids, document
// names. Read without
// a lock and without writing anything (a keystroke must never move a file aside or
// migrate it); scope and numbering by the reference module's own rules. Only what the
// word needs is read: one flow's line for tasks and plans, the start of each line for
// flow names.
import { closeSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs';
import { join } from 'node:path';
import type { Candidate, ValueSource } from '../commands/candidates.js';
import { numberedTasks, resolvePlan, scopeFlow, scopePlan, type ScopeEnv } from '../commands/refs.js';
import { STATUS_GLYPH } from '../commands/render.js';
import type { Scope } from '../context/context.js';
import { oneLine } from '../domain/sanitize.js';
import { parseHeader, type Flow } from '../domain/schema.js';
import { Image } from '../store/layout.js';
import { StoreView } from '../store/state.js';

/** Enough for a menu; a plan of thousands is completed by typing a digit more. */
const MAX_CANDIDATES = 500;
const DESCRIPTION = 60;

export interface StoreValueOptions {
  dir: string;
  session: string;
  /** A --plan given earlier on the line: task numbers count in it. */
  plan?: string;
}

/** Text a shell can show and insert as it is: one line, no control characters. */
const insertable = (text: string) => text !== '' && oneLine(text) === text;
const about = (text: string) => {
  const line = oneLine(text);
  return line.length > DESCRIPTION ? `${line.slice(0, DESCRIPTION - 1)}…` : line;
};
const matches = (prefix: string) => (text: string) => text.toLowerCase().startsWith(prefix.toLowerCase());

/** The whole file, for what needs every flow (their names). */
function readImage(file: string): Image | undefined {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch {
    return undefined;
  }
  const image = Image.fromBytes(bytes, { checkLines: false });
  if (image) return image;
  // Another layout (formatted by hand, an older format): read whole, never rewritten here.
  try {
    const doc: unknown = JSON.parse(bytes.toString('utf8'));
    if (!doc || typeof doc !== 'object' || !('flows' in doc) || !doc.flows || typeof doc.flows !== 'object' || Array.isArray(doc.flows)) return undefined;
    const { flows, ...header } = doc;
    return Image.fromDocument(header, Object.entries(flows));
  } catch {
    return undefined;
  }
}

const CHUNK = 1 << 20;
// flow's layout (src/store/layout.ts): the line that opens the flows, what follows the
// last flow line, and how a header with no flows ends.
const FLOWS_LINE = Buffer.from('\n  "flows": {\n');
const CLOSING = Buffer.from('\n  }\n}\n');
const EMPTY_END = Buffer.from('}\n}\n');

/** A file read from its start in chunks, only as far as a search needs. */
class ChunkedFile {
  readonly bytes: Buffer;
  filled = 0;

  /** What is read so far (one view a chunk, not one a search). */
  private loaded: Buffer;

  constructor(private readonly fd: number) {
    this.bytes = Buffer.allocUnsafe(fstatSync(fd).size);
    this.loaded = this.bytes.subarray(0, 0);
  }

  /** Reads on; false at the end of the file. */
  more(): boolean {
    const read = readSync(this.fd, this.bytes, this.filled, Math.min(CHUNK, this.bytes.length - this.filled), this.filled);
    this.filled += read;
    this.loaded = this.bytes.subarray(0, this.filled);
    return read > 0;
  }

  /** Where `needle` is from `from`, reading on until found; -1 at the end of the file. */
  find(needle: Buffer | number, from: number): number {
    let searched = from;
    for (;;) {
      const at = this.loaded.indexOf(needle, searched);
      if (at >= 0) return at;
      searched = Math.max(from, this.filled - (typeof needle === 'number' ? 1 : needle.length));
      if (!this.more()) return -1;
    }
  }
}

/** Runs `read` on the file read in chunks; undefined when it cannot be opened. */
function withChunks<T>(file: string, read: (chunks: ChunkedFile) => T | undefined): T | undefined {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return undefined;
  }
  try {
    return read(new ChunkedFile(fd));
  } finally {
    closeSync(fd);
  }
}

/**
 * The header and the lines of the flows `wanted` (by id), read from the start of the file
 * only as far as they are, as an Image of just those: a plan's tasks at 10k flows cost
 * reading up to that flow's line, not the whole file. Undefined when the file is not in
 * flow's layout (the caller reads it whole).
 */
function readFlowLines(file: string, wanted: (header: Image) => string[]): Image | undefined {
  return withChunks(file, (chunks) => {
    const flowsLine = chunks.find(FLOWS_LINE, 0);
    if (flowsLine < 0) return undefined;
    // The header up to the line that opens the flows, which ends in "{".
    const head = chunks.bytes.subarray(0, flowsLine + FLOWS_LINE.length - 1);
    const headerOnly = Image.fromBytes(Buffer.concat([head, EMPTY_END]), { checkLines: false });
    if (!headerOnly) return undefined;
    const lines: Buffer[] = [];
    for (const id of new Set(wanted(headerOnly))) {
      const at = chunks.find(Buffer.from(`\n    ${JSON.stringify(id)}: `), head.length);
      const end = at < 0 ? -1 : chunks.find(0x0a, at + 1);
      if (end >= 0) lines.push(chunks.bytes.subarray(at + 1, chunks.bytes[end - 1] === 0x2c ? end - 1 : end));
    }
    if (!lines.length) return headerOnly;
    const joined = lines.flatMap((line, i) => (i ? [Buffer.from(',\n'), line] : [line]));
    return Image.fromBytes(Buffer.concat([head, Buffer.from('\n'), ...joined, CLOSING]), { checkLines: false });
  });
}

interface FlowName {
  id: string;
  name: string;
}

const LINE_START = Buffer.from('    "');
const VALUE_START = Buffer.from('": ');
const NAME_AT_START = Buffer.from('{"id":');
const NAME_KEY = Buffer.from('","name":"');

/** Whether `line` holds `needle` at `at`. */
function bytesAt(line: Buffer, needle: Buffer, at: number): boolean {
  return at + needle.length <= line.length && line.compare(needle, 0, needle.length, at, at + needle.length) === 0;
}

/** JSON text's value; undefined for text that is not JSON. */
function parsed(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * A flow line's id and name: where flow wrote the line, the name follows the id at its
 * start and is cut out of the bytes; any other line is parsed whole.
 */
function nameOfLine(line: Buffer): FlowName | undefined {
  if (!bytesAt(line, LINE_START, 0)) return undefined;
  const sep = line.indexOf(VALUE_START, LINE_START.length);
  if (sep < 0) return undefined;
  const id = parsed(line.toString('utf8', LINE_START.length - 1, sep + 1));
  if (typeof id !== 'string') return undefined;
  const valueStart = sep + VALUE_START.length;
  const end = line[line.length - 1] === 0x2c ? line.length - 1 : line.length;
  // `{"id":"<id>","name":"…`: the name's key right after the id's closing quote.
  const key = valueStart + NAME_AT_START.length + 1 + Buffer.byteLength(id);
  let name: unknown;
  if (bytesAt(line, NAME_AT_START, valueStart) && bytesAt(line, NAME_KEY, key)) {
    const start = key + NAME_KEY.length;
    let close = start;
    let escaped = false;
    while (close < end && line[close] !== 0x22) {
      escaped ||= line[close] === 0x5c;
      close += line[close] === 0x5c ? 2 : 1;
    }
    name = escaped ? parsed(line.toString('utf8', start - 1, close + 1)) : line.toString('utf8', start, close);
  } else {
    const whole = parsed(line.toString('utf8', valueStart, end));
    name = whole && typeof whole === 'object' && 'name' in whole ? whole.name : undefined;
  }
  return typeof name === 'string' ? { id, name } : undefined;
}

const FLOWS_END = Buffer.from('  }');

/**
 * Flow names in file order, read line by line from the start and only until `max` of them
 * are `wanted` (by name, or by list number): a menu of the first names does not read 10k
 * flows. Undefined when the file is not in flow's layout.
 */
function flowNamesIn(file: string, wanted: (flow: FlowName, number: number) => boolean, max: number): FlowName[] | undefined {
  return withChunks(file, (chunks) => {
    const flowsLine = chunks.find(FLOWS_LINE, 0);
    if (flowsLine < 0) return undefined;
    const names: FlowName[] = [];
    let found = 0;
    let start = flowsLine + FLOWS_LINE.length;
    while (found < max) {
      const end = chunks.find(0x0a, start);
      if (end < 0) return undefined;
      const line = chunks.bytes.subarray(start, end);
      if (line.equals(FLOWS_END)) break;
      const flow = nameOfLine(line);
      if (!flow) return undefined;
      names.push(flow);
      if (wanted(flow, names.length)) found++;
      start = end + 1;
    }
    return names;
  });
}

/** Flow names from a file in another layout (formatted by hand, an older format). */
function flowNamesOfImage(image: Image | undefined): FlowName[] {
  if (!image) return [];
  return [...image.members()].flatMap(([id, member]) => {
    const whole: unknown = image.value(member);
    return whole && typeof whole === 'object' && 'name' in whole && typeof whole.name === 'string' ? [{ id, name: whole.name }] : [];
  });
}

/**
 * The session's scope as context.json holds it. Read as plain JSON here, not through the
 * context module, whose validators and lock a keystroke should not load; anything odd
 * reads as no scope.
 */
function sessionScope(dir: string, session: string): Scope {
  const none: Scope = { flowId: null, planId: null };
  try {
    const file: unknown = JSON.parse(readFileSync(join(dir, 'context.json'), 'utf8'));
    const sessions = file && typeof file === 'object' && 'sessions' in file ? file.sessions : undefined;
    const entry: unknown = sessions && typeof sessions === 'object' ? Object.entries(sessions).find(([name]) => name === session)?.[1] : undefined;
    if (!entry || typeof entry !== 'object') return none;
    const id = (key: string) => {
      const value: unknown = Object.entries(entry).find(([k]) => k === key)?.[1];
      return typeof value === 'string' ? value : null;
    };
    return { flowId: id('flow_id'), planId: id('plan_id') };
  } catch {
    return none;
  }
}

function snapshots(dir: string): { id: string; label: string; created: string }[] {
  try {
    const index: unknown = JSON.parse(readFileSync(join(dir, 'snapshots', 'index.json'), 'utf8'));
    const list: unknown[] = index && typeof index === 'object' && 'snapshots' in index && Array.isArray(index.snapshots) ? index.snapshots : [];
    return list.flatMap((s) =>
      s && typeof s === 'object' && 'id' in s && typeof s.id === 'string'
        ? [{ id: s.id, label: 'label' in s && typeof s.label === 'string' ? s.label : '', created: 'created' in s && typeof s.created === 'string' ? s.created : '' }]
        : [],
    );
  } catch {
    return [];
  }
}

/** Documents not deleted, as documents_manifest.json lists them (ids and names only). */
function documents(dir: string): { id: string; name: string }[] {
  try {
    const file: unknown = JSON.parse(readFileSync(join(dir, 'documents_manifest.json'), 'utf8'));
    const entries = file && typeof file === 'object' && 'documents' in file && file.documents && typeof file.documents === 'object' ? Object.values(file.documents) : [];
    return entries.flatMap((e: unknown) =>
      e && typeof e === 'object' && 'id' in e && typeof e.id === 'string' && 'name' in e && typeof e.name === 'string' && !('deleted_at' in e && e.deleted_at)
        ? [{ id: e.id, name: e.name }]
        : [],
    );
  } catch {
    return [];
  }
}

/**
 * List numbers when the word is a number (or, with `numbersFirst`, nothing yet), else the
 * names that start with it.
 */
function numbered<T>(
  items: readonly T[],
  prefix: string,
  value: (item: T) => string,
  description: (item: T) => string,
  numbersFirst = false,
): Candidate[] {
  const byNumber = /^\d+$/.test(prefix) || (numbersFirst && prefix === '');
  const out: Candidate[] = [];
  items.forEach((item, i) => {
    const number = String(i + 1);
    if (byNumber ? number.startsWith(prefix) : matches(prefix)(value(item)) && insertable(value(item))) {
      out.push({ value: byNumber ? number : value(item), description: byNumber ? `${value(item)}  ${description(item)}`.trim() : description(item) });
    }
  });
  return out.slice(0, MAX_CANDIDATES);
}

export function storeValues(options: StoreValueOptions): ValueSource {
  const file = join(options.dir, 'flows.json');
  const env: ScopeEnv = { scope: sessionScope(options.dir, options.session), session: options.session, warn: () => {} };
  const viewOf = (image: Image | undefined) => (image ? { view: new StoreView(image, parseHeader(image.header)), image } : undefined);
  /** The flows the scope rules may look at: the session's flow, and the file's current one. */
  const scoped = () => {
    const header = (image: Image) => [env.scope.flowId, typeof image.header.current_flow_id === 'string' ? image.header.current_flow_id : null];
    return viewOf(readFlowLines(file, (image) => header(image).filter((id): id is string => !!id)) ?? readImage(file));
  };
  const guarded = (read: () => Candidate[]): Candidate[] => {
    try {
      return read();
    } catch {
      // Completion never fails a keystroke: a damaged or changing file offers nothing.
      return [];
    }
  };
  return (kind, prefix) =>
    guarded(() => {
      if (kind === 'config-key') return [];
      if (kind === 'snapshot') return numbered(snapshots(options.dir), prefix, (s) => s.id, (s) => about(`${s.created.slice(0, 16)} ${s.label}`), true);
      if (kind === 'doc') {
        // A document is found by id, id prefix, name or path (no list numbers).
        const docs = documents(options.dir);
        const byId = prefix.startsWith('doc_');
        return docs
          .map((d) => (byId ? { value: d.id, description: about(d.name) } : { value: d.name, description: about(d.id) }))
          .filter((c) => matches(prefix)(c.value) && insertable(c.value))
          .slice(0, MAX_CANDIDATES);
      }
      if (kind === 'flow') {
        // A menu's worth of matches is enough: numbers count in file order as names do.
        const wanted = /^\d+$/.test(prefix) ? (_: FlowName, n: number) => String(n).startsWith(prefix) : (f: FlowName) => matches(prefix)(f.name) && insertable(f.name);
        const names = flowNamesIn(file, wanted, MAX_CANDIDATES) ?? flowNamesOfImage(readImage(file));
        return numbered(names, prefix, (f) => f.name, (f) => f.id);
      }
      const store = scoped();
      if (!store) return [];
      const { view } = store;
      const flow: Flow | undefined = scopeFlow(view, env);
      if (kind === 'plan') return numbered(flow?.plans ?? [], prefix, (p) => p.title, (p) => p.id);
      if (kind === 'task') {
        const plan = options.plan ? resolvePlan(view, options.plan, flow) : scopePlan(view, env);
        const tasks = plan ? numberedTasks(plan.plan).map((e) => e.task) : [];
        if (prefix === '' || /^\d+$/.test(prefix)) return numbered(tasks, prefix, (t) => `${STATUS_GLYPH[t.status]} ${about(t.title)}`, () => '', true);
        return tasks
          .filter((t) => matches(prefix)(t.id) || matches(prefix)(t.id.replace(/^task_/, '')))
          .map((t) => ({ value: t.id, description: about(t.title) }))
          .slice(0, MAX_CANDIDATES);
      }
      return [];
    });
}
