// The completion index, .flow/cache/completion.index: every flow's id and name, in file
// order, and where its line is in flows.json. With it a Tab at 10k flows reads a few
// hundred kilobytes instead of the 12 MB file (issue 12 item 5). It is derived, never
// needed and never believed: it is used only while flows.json is the very file it was
// built from (inode, size, mtime, ctime) and that file had settled before it was read;
// every line it points to is checked to be that flow's line before it is used; anything
// else (stale, racy, damaged, hostile) is ignored and built again. It is data, never code
// (DESIGN §8): its names reach the shell only through the checks store data passes.
//
// Only __complete writes it, lazily: the CLI's saves do not pay for it. Building reads the
// whole file, so it is built by the second Tab that finds the same file: the first after a
// change reads only as far as its word needs (as without an index) and notes the file as
// seen. A Tab after each write (add a task, complete its number) costs no more than before;
// Tabs on a file that stays pay one build, then little. Written to a temp file in the cache
// folder and renamed, so a reader never sees half of one; no lock, since whichever of two
// Tabs renames last wrote an index as good as the other's.
import { closeSync, fstatSync, mkdirSync, readSync, renameSync, rmdirSync, statSync, unlinkSync, writeFileSync, type BigIntStats } from 'node:fs';
import { join } from 'node:path';
import { removeStaleTemps, tempPathFor } from '../store/atomic-write.js';
import { assertResolvesInside } from '../store/contain.js';
import { openRegularFile, readFileInside } from '../store/regular-file.js';
import { fileIdentity, identityOf, settled } from '../store/identity.js';
import { bytesAt, everyFlowLine, headerAt, isHeader, lineKey, parsed, type FlowLine } from './flow-lines.js';

export const INDEX_FILE = join('cache', 'completion.index');
const FORMAT = 'flow completion index';
const VERSION = 1;

/** What the index knows, however it was had. */
export interface FlowIndex {
  /** The header's bytes, up to the `{` that opens the flows; undefined when the index lies. */
  header(): Buffer | undefined;
  /** Every flow's name in file order; undefined when the index is damaged. */
  names(): FlowNames | undefined;
  /** Flow `id`'s line (no comma); null when there is no such flow, undefined when the index lies. */
  line(id: string): Buffer | null | undefined;
}

/** Flow names in file order, and the id of the flow at each place. */
export interface FlowNames {
  names: readonly string[];
  ids: readonly string[];
}


const nowNs = () => BigInt(Date.now()) * 1_000_000n;

/** Where a flow's line is, as the index writes it, checked: undefined for anything else. */
function entryOf(raw: unknown): Place | undefined {
  if (!Array.isArray(raw) || raw.length !== 3) return undefined;
  const [id, offset, length]: unknown[] = raw;
  if (typeof id !== 'string' || !isCount(offset) || !isCount(length)) return undefined;
  return { id, offset, length };
}

const isCount = (value: unknown): value is number => typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;

type Place = Omit<FlowLine, 'name'>;

const strings = (raw: unknown, count: number): raw is string[] => Array.isArray(raw) && raw.length === count && raw.every((s) => typeof s === 'string');

/** The lines and the header from wherever flows.json's bytes are, each checked against what the index says. */
function indexOver(
  read: (offset: number, length: number) => Buffer | undefined,
  headerLength: number,
  names: () => FlowNames | undefined,
  find: (id: string) => Place | null | undefined,
): FlowIndex {
  return {
    header: () => {
      const head = read(0, headerLength);
      return head && isHeader(head) ? head : undefined;
    },
    names,
    line: (id) => {
      const entry = find(id);
      if (!entry) return entry;
      // The newline and key before the line, and the comma or newline after it.
      const key = lineKey(id);
      const bytes = read(entry.offset - 1, entry.length + 2);
      if (!bytes || entry.offset <= headerLength || !bytesAt(bytes, key, 0) || (bytes[bytes.length - 1] !== 0x2c && bytes[bytes.length - 1] !== 0x0a)) return undefined;
      return bytes.subarray(1, bytes.length - 1);
    },
  };
}

interface Meta {
  identity: string;
  readAt: bigint;
  /** The header's length and how many flows there are; none when the file was only seen. */
  indexed?: { header: number; flows: number };
  /** When a Tab started a builder for the file as it is (only seen, not indexed yet). */
  building?: bigint;
}

/** The index's first line, checked; undefined when it is not one this version wrote. */
function metaOf(text: string): Meta | undefined {
  const raw = parsed(text);
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return undefined;
  const field = (key: string): unknown => (Object.hasOwn(raw, key) ? Reflect.get(raw, key) : undefined);
  const [identity, readAt, header, flows, building] = ['identity', 'readAt', 'header', 'flows', 'building'].map(field);
  const time = (value: unknown): value is string => typeof value === 'string' && /^\d{1,25}$/.test(value);
  if (field('format') !== FORMAT || field('version') !== VERSION || typeof identity !== 'string' || !time(readAt)) return undefined;
  if (header === undefined && flows === undefined) return { identity, readAt: BigInt(readAt), ...(time(building) && { building: BigInt(building) }) };
  if (!isCount(header) || !isCount(flows) || header === 0) return undefined;
  return { identity, readAt: BigInt(readAt), indexed: { header, flows } };
}

const firstLine = (meta: Meta) =>
  JSON.stringify({
    format: FORMAT,
    version: VERSION,
    identity: meta.identity,
    readAt: String(meta.readAt),
    header: meta.indexed?.header,
    flows: meta.indexed?.flows,
    building: meta.building === undefined ? undefined : String(meta.building),
  });

/** A file seen as it is, not yet indexed: the next Tab that finds it so builds the index. */
const SEEN = 'seen';
/** A file a builder was started for a moment ago: Tabs meanwhile start no other. */
const BUILDING = 'building';
/** How long a started builder is waited for before a Tab starts another (it may have died). */
const BUILD_WAIT_NS = 10_000_000_000n;

/** Starts building `dir`'s index elsewhere; false when it cannot (then the Tab builds it). */
export type BuildLater = (dir: string) => boolean;

/** Whether the index on disk already indexes the file of this identity (its first line says so). */
function indexedAlready(dir: string, identity: string): boolean {
  let fd: number;
  try {
    assertResolvesInside(dir, join(dir, INDEX_FILE), 'the completion index');
    fd = openRegularFile(join(dir, INDEX_FILE));
  } catch {
    return false;
  }
  try {
    const head = Buffer.allocUnsafe(4096);
    const read = readSync(fd, head, 0, head.length, 0);
    const end = head.subarray(0, read).indexOf(0x0a);
    const meta = end < 0 ? undefined : metaOf(head.toString('utf8', 0, end));
    return meta?.identity === identity && meta.indexed !== undefined;
  } catch {
    return false;
  } finally {
    closeSync(fd);
  }
}

/** Builds and writes the index of `dir`'s flows.json (what a Tab hands off). */
export function buildFlowIndex(dir: string): void {
  let fd: number;
  try {
    fd = openRegularFile(join(dir, 'flows.json'));
  } catch {
    return;
  }
  try {
    const stat = fstatSync(fd, { bigint: true });
    // Tabs in a row may each start a builder: the first to finish writes the index.
    if (stat.isFile() && !indexedAlready(dir, identityOf(stat))) builtIndex(dir, fd, stat, () => !indexedAlready(dir, identityOf(stat)));
  } catch {
    // Derived and never needed: the next Tab tries again.
  } finally {
    closeSync(fd);
  }
}

/**
 * The index on disk: trusted when it is of the file `fd` is open on as it is now and that
 * file had settled; else, when it is an index at all, stale (its places are hints only).
 */
function storedIndex(dir: string, fd: number, stat: BigIntStats): { trusted: FlowIndex } | { stale: FlowIndex } | typeof SEEN | typeof BUILDING | undefined {
  let bytes: Buffer;
  try {
    // Not through a link that leads out of .flow/, nor from a FIFO or device (DESIGN §8).
    bytes = readFileInside(join(dir, INDEX_FILE), 'the completion index', dir);
  } catch {
    return undefined;
  }
  const metaEnd = bytes.indexOf(0x0a);
  const meta = metaEnd < 0 ? undefined : metaOf(bytes.toString('utf8', 0, metaEnd));
  if (!meta) return undefined;
  const trusted = meta.identity === identityOf(stat) && settled(stat, meta.readAt);
  if (!meta.indexed) {
    if (!trusted) return undefined;
    // A time to come (a clock set back, a forged marker) is no builder at work.
    const age = meta.building === undefined ? undefined : nowNs() - meta.building;
    return age !== undefined && age >= 0n && age < BUILD_WAIT_NS ? BUILDING : SEEN;
  }
  const { header, flows } = meta.indexed;
  // Then a line of names, a line of ids (each one JSON list), and a line for each flow.
  const namesEnd = bytes.indexOf(0x0a, metaEnd + 1);
  const idsEnd = namesEnd < 0 ? -1 : bytes.indexOf(0x0a, namesEnd + 1);
  if (idsEnd < 0) return undefined;
  const names = () => {
    const list = parsed(bytes.toString('utf8', metaEnd + 1, namesEnd));
    const ids = parsed(bytes.toString('utf8', namesEnd + 1, idsEnd));
    return strings(list, flows) && strings(ids, flows) ? { names: list, ids } : undefined;
  };
  /** One flow's place, found by its line's start without reading the others. */
  const find = (id: string) => {
    const start = `\n[${JSON.stringify(id)}`;
    const at = bytes.indexOf(start, idsEnd);
    if (at < 0) return null;
    const end = bytes.indexOf(0x0a, at + 1);
    // Only a place's line has a comma after the id: anything else there is damage.
    if (bytes[at + Buffer.byteLength(start)] !== 0x2c) return undefined;
    const entry = end < 0 ? undefined : entryOf(parsed(bytes.toString('utf8', at + 1, end)));
    return entry?.id === id ? entry : undefined;
  };
  if (!trusted) return { stale: hintedIndex(fd, stat, header, find) };
  if (header > stat.size) return undefined;
  return { trusted: indexOver(fileReader(fd, stat), header, names, find) };
}

/**
 * A stale index's places as hints, for the first Tab after a change: a save rewrites the
 * header (its revision and writer) and the lines of the flows it changes, so a flow's
 * line still starts where it did, moved by what the header grew, when no flow before it
 * changed length (adding a task to the flow in scope, the usual case). A line is taken
 * only where it starts with that flow's key right after a newline, and is read to its end
 * as it is now; anything else, names above all, is for the file to say.
 */
function hintedIndex(fd: number, stat: BigIntStats, headerWas: number, find: (id: string) => Place | null | undefined): FlowIndex {
  const head = headerAt(fd);
  return {
    header: () => head,
    names: () => undefined,
    line: (id) => {
      // Not there is no answer either: the flow may be new.
      const place = find(id);
      const offset = head && place ? place.offset + head.length - headerWas : -1;
      if (!head || offset <= head.length || offset >= stat.size) return undefined;
      return lineFrom(fd, Number(stat.size), offset, id);
    },
  };
}

/** Flow `id`'s line (no comma) when one starts at `offset` of the file `fd` is open on. */
function lineFrom(fd: number, size: number, offset: number, id: string): Buffer | undefined {
  const key = lineKey(id);
  for (let length = 1 << 16; ; length *= 2) {
    const buf = Buffer.allocUnsafe(Math.min(length, size - offset + 1));
    const read = readSync(fd, buf, 0, buf.length, offset - 1);
    if (!bytesAt(buf.subarray(0, read), key, 0)) return undefined;
    const end = buf.indexOf(0x0a, key.length);
    if (end >= 0 && end < read) return buf.subarray(1, buf[end - 1] === 0x2c ? end - 1 : end);
    if (read < length) return undefined;
  }
}

function serialise(meta: Meta, flows: readonly FlowLine[]): string {
  const places = flows.map((f) => `${JSON.stringify([f.id, f.offset, f.length])}\n`).join('');
  return `${firstLine(meta)}\n${JSON.stringify(flows.map((f) => f.name))}\n${JSON.stringify(flows.map((f) => f.id))}\n${places}`;
}

/** A folder someone made read-only is respected even where this process could write (root), as the store does. */
function writable(folder: string): boolean {
  try {
    return (statSync(folder).mode & 0o222) !== 0;
  } catch {
    return true; // not there yet: made when written
  }
}

/**
 * Writes `text` as the index, through a temp file in the cache folder; nothing when the
 * index cannot be written there (a read-only store, a cache folder that leads outside).
 */
function save(dir: string, text: string): void {
  const target = join(dir, INDEX_FILE);
  let temp: string | undefined;
  let made: string | undefined;
  try {
    if (![dir, join(dir, 'cache')].every(writable)) return;
    assertResolvesInside(dir, target, 'the completion index');
    made = mkdirSync(join(dir, 'cache'), { recursive: true });
    // A Tab that died before its rename left its temp file: nothing else removes it.
    removeStaleTemps(target);
    temp = tempPathFor(target);
    writeFileSync(temp, text, { flag: 'wx', mode: 0o644 });
    renameSync(temp, target);
  } catch {
    // Only slower next time. A temp file not renamed goes, and the cache folder if made for it.
    try {
      if (temp) unlinkSync(temp);
      if (made) rmdirSync(made);
    } catch {
      // gone already, or someone else put something there meanwhile
    }
  }
}

/**
 * The index built from the whole file `fd` is open on, written for the Tabs after this one
 * when the file had settled and did not change while it was read. Undefined when the file
 * is not in flow's layout.
 */
function builtIndex(dir: string, fd: number, stat: BigIntStats, stillWanted: () => boolean = () => true): FlowIndex | undefined {
  const readAt = nowNs();
  const head = headerAt(fd);
  const flows = head && everyFlowLine(fd, head.length + 1);
  if (!head || !flows) return undefined;
  const identity = identityOf(stat);
  // Written only for the file flows.json still is (a builder in the background may finish
  // after a save replaced it) and while no one wrote an index of it meanwhile.
  if (identityOf(fstatSync(fd, { bigint: true })) === identity && settled(stat, readAt) && fileIdentity(join(dir, 'flows.json')) === identity && stillWanted()) {
    save(dir, serialise({ identity, readAt, indexed: { header: head.length, flows: flows.length } }, flows));
  }
  const byId = new Map(flows.map((f) => [f.id, f]));
  const names = { names: flows.map((f) => f.name), ids: flows.map((f) => f.id) };
  return indexOver(fileReader(fd, stat), head.length, () => names, (id) => byId.get(id) ?? null);
}

/** Bytes of the file `fd` is open on, as `stat` describes it; undefined outside it. */
function fileReader(fd: number, stat: BigIntStats): (offset: number, length: number) => Buffer | undefined {
  return (offset, length) => {
    if (offset < 0 || length < 0 || offset + length > stat.size) return undefined;
    const buf = Buffer.allocUnsafe(length);
    return readSync(fd, buf, 0, length, offset) === length ? buf : undefined;
  };
}

/**
 * Runs `use` on the index of `dir`'s flows.json: the stored one when it may be trusted, or
 * one built from the file when an earlier Tab saw the file as it is, or when `use` finds
 * the stored one damaged or lying (undefined). After a change, `use` gets the stale one's
 * hints (lines only). Undefined when there is no file, it is not in flow's layout, or
 * nothing could be had from an index: the caller reads the file itself.
 */
export function withFlowIndex<T>(dir: string, use: (index: FlowIndex) => T | undefined, buildLater?: BuildLater): T | undefined {
  let fd: number;
  try {
    fd = openRegularFile(join(dir, 'flows.json'));
  } catch {
    return undefined;
  }
  try {
    const stat = fstatSync(fd, { bigint: true });
    if (!stat.isFile()) return undefined;
    const stored = storedIndex(dir, fd, stat);
    // A builder is at work on this very file: the caller reads what its word needs.
    if (stored === BUILDING) return undefined;
    if (stored !== SEEN) {
      const found = stored && 'trusted' in stored ? use(stored.trusted) : undefined;
      if (found !== undefined) return found;
      if (!stored || 'stale' in stored) {
        // None of this file: the word is read with the stale one's hints or without, and a
        // file in flow's layout noted as seen.
        const hinted = stored && use(stored.stale);
        const readAt = nowNs();
        if (settled(stat, readAt) && headerAt(fd)) save(dir, `${firstLine({ identity: identityOf(stat), readAt })}\n`);
        return hinted;
      }
    }
    // Seen as it is by an earlier Tab, or an index of it that is damaged or lies: build,
    // in another process when this Tab can hand it off (reading the whole file would make
    // it the one slow keystroke after every change); the caller reads what its word needs.
    if (buildLater) {
      // Noted first, so Tabs meanwhile start no builder of their own; a damaged or lying
      // index of this very file goes with it (a builder leaves an indexed file alone).
      save(dir, `${firstLine({ identity: identityOf(stat), readAt: nowNs(), building: nowNs() })}\n`);
      if (buildLater(dir)) return undefined;
    }
    const built = builtIndex(dir, fd, stat);
    return built && use(built);
  } catch {
    // Never a failed Tab: the caller reads the file without an index.
    return undefined;
  } finally {
    closeSync(fd);
  }
}
