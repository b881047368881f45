// What can be saved from a damaged flows.json (DESIGN §8: no acknowledged write is ever
// rolled back by a later read). Commands change one flow line at a time, so damage in one
// line (another program's bad write, a flow or an id that appears twice) says nothing
// about the others: every flow line that still reads is kept as the file has it, ids that
// appear twice are told apart, and only flows that cannot be read are taken from the
// newest good snapshot. Pure: bytes in, the repaired document's parts out.
import { FORMAT_MAJOR, FORMAT_VERSION, majorVersion, parseHeader, parseStoredFlow, type Flow } from '../domain/schema.js';
import { IdRegistry, isObject } from './migrate/normalize.js';
import { serialiseMember } from './layout.js';

export interface Salvage {
  /** Top-level members other than `flows`, repaired where they did not validate. */
  header: Record<string, unknown>;
  /** Flow lines of the repaired file, in order: kept bytes or new JSON. */
  members: Array<Buffer | string>;
  /** Ids of the flows kept from the damaged file itself. */
  kept: string[];
  /** Flows that could not be read and came back from the snapshot. */
  restored: string[];
  /** Flows that could not be read and are only in the moved-aside file now. */
  lost: string[];
  /** Repairs that lose nothing: copies removed, ids told apart. */
  repairs: string[];
  /** Damage that cost something: what no longer reads, or may be missing. */
  damage: string[];
}

interface Entry {
  id: string | undefined;
  /** The member line (`    "id": {…}`), when the file is in flow's layout. */
  line?: Buffer;
  value?: unknown;
  problem?: string;
}

interface Scanned {
  header: Record<string, unknown>;
  entries: Entry[];
  damage: string[];
  /** The file ends before its last flow: flows after the cut are unknown. */
  cutShort: boolean;
}

const BOM = '\ufeff';
const FLOWS_OPEN = '  "flows": {';
const FLOWS_EMPTY = '  "flows": {}';

/** The key of a member line, read as far as it goes (for naming a damaged line). */
function keyOf(line: string): string | undefined {
  const match = /^ {4}("(?:[^"\\]|\\.)*")/.exec(line);
  if (!match) return undefined;
  try {
    return JSON.parse(match[1]) as string;
  } catch {
    return undefined;
  }
}

/** A file in flow's layout (or close to it), read line by line. */
function scanLines(text: string): Scanned | undefined {
  const lines = text.split('\n');
  if (lines[0] !== '{') return undefined;
  const open = lines.findIndex((line) => line === FLOWS_OPEN || line === FLOWS_EMPTY);
  if (open < 0) return undefined;
  const header: Record<string, unknown> = {};
  const damage: string[] = [];
  let headerLinesRead = true;
  for (const line of lines.slice(1, open)) {
    try {
      Object.assign(header, JSON.parse(`{${line.replace(/,$/, '')}}`));
    } catch {
      headerLinesRead = false;
      damage.push(`a top-level line does not read: ${JSON.stringify(line.slice(0, 60))}`);
    }
  }
  const entries: Entry[] = [];
  // The line that closes the flows: `  "flows": {}` itself, or the `  }` after the flow lines.
  const close = lines[open] === FLOWS_EMPTY ? open : lines.indexOf('  }', open + 1);
  for (const line of lines[open] === FLOWS_OPEN ? lines.slice(open + 1, close < 0 ? lines.length : close) : []) {
    const member = line.replace(/,$/, '');
    if (member === '') continue;
    try {
      const parsed = JSON.parse(`{${member}}`) as Record<string, unknown>;
      const keys = Object.keys(parsed);
      if (keys.length !== 1 || !member.startsWith('    "')) throw new SyntaxError('not one flow');
      entries.push({ id: keys[0], line: Buffer.from(member), value: parsed[keys[0]] });
    } catch {
      entries.push({ id: keyOf(line), problem: 'its line is not valid JSON' });
    }
  }
  // Pretty-printed JSON has lines like these too, none of which read on its own.
  if (!headerLinesRead && !entries.some((entry) => entry.problem === undefined)) return undefined;
  const cutShort = close < 0;
  if (cutShort) damage.push('the file ends early: flows after the cut are not in it');
  else {
    const tail = lines.slice(close + 1);
    if (tail[0] !== '}') damage.push('the end of the document is not as flow writes it');
    if (tail.slice(1).some((line) => line !== '')) damage.push('bytes follow the end of the document');
  }
  return { header, entries, damage, cutShort };
}

/** A file in another layout that is still valid JSON: flow by flow from the parse. */
function scanDocument(text: string): Scanned | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isObject(raw) || !isObject(raw.flows)) return undefined;
  const { flows, ...header } = raw;
  const entries = Object.entries(flows as Record<string, unknown>).map(([id, value]) => ({ id, value }));
  return { header, entries, damage: [], cutShort: false };
}

/** The header with any standard field that does not validate set back to its default. */
function repairHeader(raw: Record<string, unknown>, damage: string[]): Record<string, unknown> {
  try {
    parseHeader(raw);
    return { version: FORMAT_VERSION, ...raw };
  } catch (err) {
    damage.push(`the top level does not validate (${(err as Error).message})`);
  }
  const header: Record<string, unknown> = { ...raw, version: FORMAT_VERSION };
  const meta = isObject(raw.meta) ? { ...raw.meta } : {};
  if (!Number.isInteger(meta.file_revision) || (meta.file_revision as number) < 0) delete meta.file_revision;
  header.meta = meta;
  if (typeof raw.current_flow_id !== 'string') header.current_flow_id = null;
  try {
    parseHeader(header);
    return header;
  } catch {
    return { version: FORMAT_VERSION, meta: {}, current_flow_id: null };
  }
}

/** Every plan and task of a flow with its kind, without recursion. */
function objectsOf(flow: Flow): Array<{ object: { id: string; old_id?: unknown; updated?: string }; kind: 'plan' | 'task' }> {
  const out: Array<{ object: { id: string; old_id?: unknown; updated?: string }; kind: 'plan' | 'task' }> = [];
  for (const plan of flow.plans) {
    out.push({ object: plan, kind: 'plan' });
    const stack = [...plan.tasks];
    for (let task = stack.pop(); task; task = stack.pop()) {
      out.push({ object: task, kind: 'task' });
      stack.push(...task.subtasks);
    }
  }
  return out;
}

interface Candidate {
  key: string;
  flow: Flow;
  /** Tasks left out because the flow nests too deeply (then it can only be kept as it is). */
  hidden: number;
  /** The line as the file has it; undefined for a flow from the snapshot or a parsed document. */
  line: Buffer | undefined;
}

/**
 * Repairs damaged bytes, or returns undefined when they hold no flow to save (not JSON,
 * not flow's layout, another format). `fromSnapshot` gives the newest good snapshot's
 * document, asked for only when something must be taken from it.
 */
export function salvage(buf: Buffer, fromSnapshot: () => Record<string, unknown> | undefined): Salvage | undefined {
  let text = buf.toString('utf8');
  const repairs: string[] = [];
  const damage: string[] = [];
  if (text.startsWith(BOM)) {
    text = text.slice(BOM.length);
    damage.push('the file starts with a byte order mark');
  }
  // flow's layout, read line by line, is the better witness (JSON.parse keeps only the last
  // of two lines for one flow), as long as its lines read; else the whole JSON document.
  const lines = scanLines(text);
  const clean = lines && lines.damage.length === 0 && lines.entries.every((entry) => entry.problem === undefined);
  const scanned = clean ? lines : (scanDocument(text) ?? lines);
  if (!scanned) return undefined;
  const version = scanned.header.version;
  if (version !== undefined && majorVersion(String(version)) !== FORMAT_MAJOR) return undefined;
  damage.push(...scanned.damage);
  const header = repairHeader(scanned.header, damage);

  let snapshot: Record<string, unknown> | null | undefined;
  const snapshotDoc = (): Record<string, unknown> => {
    if (snapshot === undefined) snapshot = fromSnapshot() ?? null;
    return snapshot ?? {};
  };
  const snapshotFlows = (): Record<string, unknown> => {
    const flows = snapshotDoc().flows;
    return isObject(flows) ? flows : {};
  };
  const read = (key: string, value: unknown, line: Buffer | undefined): Candidate | string => {
    try {
      const { flow, hidden } = parseStoredFlow(privateCopy(value, line), `flows.${key}`);
      if (flow.id !== key) return `its id is ${JSON.stringify(flow.id)}, not its key`;
      JSON.stringify(flow); // what every read of it does: an unknown field nested past the stack fails here
      return { key, flow, hidden, line };
    } catch (err) {
      return err instanceof RangeError ? 'it is nested too deeply to process' : (err as Error).message;
    }
  };

  // 1. What reads: the file's own lines, then the snapshot's version of what does not.
  const candidates: Candidate[] = [];
  const keys = new Set<string>();
  const restored: string[] = [];
  const lost = new Set<string>();
  for (const entry of scanned.entries) {
    const got = entry.problem ?? (entry.id === undefined ? 'it has no id' : read(entry.id, entry.value, entry.line));
    if (typeof got !== 'string') {
      const twin = candidates.find((c) => c.key === got.key);
      if (twin?.line && got.line?.equals(twin.line)) {
        repairs.push(`flow ${got.key} appeared twice, identically: one copy removed`);
        continue;
      }
      candidates.push(got);
      keys.add(got.key);
      continue;
    }
    if (entry.id !== undefined && keys.has(entry.id)) {
      damage.push(`a second copy of flow ${entry.id} does not read (${got}); it is only in the moved file`);
      continue;
    }
    damage.push(`${entry.id === undefined ? 'a flow line' : `flow ${entry.id}`} does not read: ${got}`);
    if (entry.id === undefined) continue;
    const flows = snapshotFlows();
    const older = Object.hasOwn(flows, entry.id) ? read(entry.id, flows[entry.id], undefined) : undefined;
    if (older && typeof older !== 'string') {
      candidates.push(older);
      keys.add(older.key);
      restored.push(older.key);
    } else {
      lost.add(entry.id);
    }
  }
  // Cut short: the flows after the cut may still be in the snapshot.
  if (scanned.cutShort) {
    for (const [id, value] of Object.entries(snapshotFlows())) {
      if (keys.has(id) || lost.has(id)) continue;
      const older = read(id, value, undefined);
      if (typeof older === 'string') continue;
      candidates.push(older);
      keys.add(id);
      restored.push(id);
    }
  }

  // 2. An id that appears twice stays with the copy changed last (the one a command just
  // wrote), the first one on a tie; the other copies get new ids.
  const owner = new Map<string, { object: object; updated: string }>();
  for (const candidate of candidates) {
    for (const { object } of objectsOf(candidate.flow)) {
      const updated = object.updated ?? '';
      const held = owner.get(object.id);
      if (!held || updated > held.updated) owner.set(object.id, { object, updated });
    }
  }

  // 3. The flow lines of the repaired file.
  const ids = new IdRegistry();
  for (const key of keys) ids.claim(key);
  const members: Array<Buffer | string> = [];
  const kept: string[] = [];
  const written = new Set<string>();
  for (const candidate of candidates) {
    const { key, flow } = candidate;
    let renamed = false;
    if (written.has(key)) {
      flow.id = ids.keep(key);
      flow.old_id ??= key;
      renamed = true;
      repairs.push(`flow ${key} appeared twice: the second copy is now flow ${flow.id}`);
    }
    for (const { object, kind } of objectsOf(flow)) {
      if (owner.get(object.id)?.object === object) continue;
      const fresh = ids.fresh(kind);
      repairs.push(`${kind} ${object.id} appeared twice: the copy in flow ${flow.id} is now ${fresh}`);
      object.old_id ??= object.id;
      object.id = fresh;
      renamed = true;
    }
    // A flow read cut short (too deep) can only be kept exactly as the file has it.
    if (candidate.hidden > 0 && (renamed || !candidate.line)) {
      damage.push(`flow ${key} nests too deeply to repair; it is only in the moved file`);
      lost.add(key);
      continue;
    }
    written.add(flow.id);
    members.push(renamed || !candidate.line ? serialiseMember(flow.id, flow) : candidate.line);
    if (!restored.includes(key) && !kept.includes(key)) kept.push(key);
  }
  // A current flow that did not survive: the snapshot's, if that one is here, else none.
  if (typeof header.current_flow_id === 'string' && !written.has(header.current_flow_id)) {
    const fallback = snapshot ? snapshotDoc().current_flow_id : undefined;
    header.current_flow_id = typeof fallback === 'string' && written.has(fallback) ? fallback : null;
  }
  return { header, members, kept, restored, lost: [...lost], repairs, damage };
}

/** A private copy to validate (validation may cut a too-deep flow in place). */
function privateCopy(value: unknown, line: Buffer | undefined): unknown {
  if (line) {
    const text = line.toString('utf8');
    return JSON.parse(text.slice(text.indexOf(': ') + 2));
  }
  return JSON.parse(JSON.stringify(value));
}
