// How completion reads flows.json in flow's layout (src/store/layout.ts) without parsing
// it: from the start in chunks, only as far as a word needs, cutting each flow's id and
// name out of its line's bytes. A file in any other layout reads as undefined here, and
// the caller reads it whole.
import { closeSync, fstatSync, readSync } from 'node:fs';
import { Image } from '../store/layout.js';
import { openRegularFile } from '../store/regular-file.js';

const CHUNK = 1 << 20;
// flow's layout: the line that opens the flows, what follows the last flow line, how a
// header with no flows ends, and where a flow line starts.
const FLOWS_LINE = Buffer.from('\n  "flows": {\n');
const CLOSING = Buffer.from('\n  }\n}\n');
const EMPTY_END = Buffer.from('}\n}\n');
const FLOWS_END = Buffer.from('  }');
const LINE_START = Buffer.from('    "');
const VALUE_START = Buffer.from('": ');
const NAME_AT_START = Buffer.from('{"id":');
const NAME_KEY = Buffer.from('","name":"');

/** A flow's line in flows.json: the flow's id and name, and where the line's bytes are (no comma). */
export interface FlowLine {
  id: string;
  name: string;
  offset: number;
  length: number;
}

/** A file read from its start in chunks, only as far as a search needs. */
export class ChunkedFile {
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
export function withChunks<T>(file: string, read: (chunks: ChunkedFile) => T | undefined): T | undefined {
  let fd: number;
  try {
    fd = openRegularFile(file);
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
 * The header's bytes, up to the `{` that opens the flows; undefined when the file is not
 * in flow's layout.
 */
export function headerBytes(chunks: ChunkedFile): Buffer | undefined {
  const flowsLine = chunks.find(FLOWS_LINE, 0);
  return flowsLine < 0 ? undefined : chunks.bytes.subarray(0, flowsLine + FLOWS_LINE.length - 1);
}

/** The header's bytes as headerBytes gives them, from the file's first 64 KB (flow writes a few hundred bytes). */
export function headerAt(fd: number): Buffer | undefined {
  const buf = Buffer.allocUnsafe(1 << 16);
  const read = readSync(fd, buf, 0, buf.length, 0);
  const flowsLine = buf.subarray(0, read).indexOf(FLOWS_LINE);
  return flowsLine < 0 ? undefined : buf.subarray(0, flowsLine + FLOWS_LINE.length - 1);
}

/** Whether `bytes` are a header as headerBytes gives it. */
export const isHeader = (bytes: Buffer) => bytes.length >= FLOWS_LINE.length && bytesAt(bytes, FLOWS_LINE.subarray(0, -1), bytes.length - FLOWS_LINE.length + 1);

/** What comes before the line of flow `id`: the newline and the key. */
export const lineKey = (id: string) => Buffer.from(`\n    ${JSON.stringify(id)}: `);

/** The line of each of the flows `ids`, found by searching for its key after the header. */
export function searchLines(chunks: ChunkedFile, head: Buffer, ids: Iterable<string>): Buffer[] {
  const lines: Buffer[] = [];
  for (const id of ids) {
    const at = chunks.find(lineKey(id), head.length);
    const end = at < 0 ? -1 : chunks.find(0x0a, at + 1);
    if (end >= 0) lines.push(chunks.bytes.subarray(at + 1, chunks.bytes[end - 1] === 0x2c ? end - 1 : end));
  }
  return lines;
}

/** The header on its own, as an Image of no flows. */
export const headerImage = (head: Buffer) => Image.fromBytes(Buffer.concat([head, EMPTY_END]), { checkLines: false });

/** The header and the given flow lines, as an Image of just those flows. */
export function linesImage(head: Buffer, lines: readonly Buffer[]): Image | undefined {
  if (!lines.length) return headerImage(head);
  const joined = lines.flatMap((line, i) => (i ? [Buffer.from(',\n'), line] : [line]));
  return Image.fromBytes(Buffer.concat([head, Buffer.from('\n'), ...joined, CLOSING]), { checkLines: false });
}

/** Whether `line` holds `needle` at `at`. */
export function bytesAt(line: Buffer, needle: Buffer, at: number): boolean {
  return at >= 0 && at + needle.length <= line.length && line.compare(needle, 0, needle.length, at, at + needle.length) === 0;
}

/** JSON text's value; undefined for text that is not JSON. */
export function parsed(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The JSON string between quotes at [start, end) when it needs no unescaping (ids do not). */
function plainString(line: Buffer, start: number, end: number): string | undefined {
  for (let i = start; i < end; i++) if (line[i] < 0x20 || line[i] === 0x22 || line[i] === 0x5c) return undefined;
  return line.toString('utf8', start, end);
}

/**
 * A flow line's id and name: where flow wrote the line, the name follows the id at its
 * start and is cut out of the bytes; any other line is parsed whole.
 */
function nameOfLine(line: Buffer): { id: string; name: string } | undefined {
  if (!bytesAt(line, LINE_START, 0)) return undefined;
  const sep = line.indexOf(VALUE_START, LINE_START.length);
  if (sep < 0) return undefined;
  const id = plainString(line, LINE_START.length, sep) ?? parsed(line.toString('utf8', LINE_START.length - 1, sep + 1));
  if (typeof id !== 'string') return undefined;
  const valueStart = sep + VALUE_START.length;
  const end = line[line.length - 1] === 0x2c ? line.length - 1 : line.length;
  // `{"id":"<id>","name":"…`: the name's key right after the id's closing quote.
  const key = valueStart + NAME_AT_START.length + 1 + Buffer.byteLength(id);
  let name: unknown;
  if (bytesAt(line, NAME_AT_START, valueStart) && bytesAt(line, NAME_KEY, key)) {
    const start = key + NAME_KEY.length;
    // Most names hold no backslash: their closing quote is the first quote (a native search).
    let close = line.indexOf(0x22, start);
    const slash = line.indexOf(0x5c, start);
    const escaped = slash >= 0 && (close < 0 || slash < close);
    if (escaped) {
      close = start;
      while (close < end && line[close] !== 0x22) close += line[close] === 0x5c ? 2 : 1;
    }
    name = escaped ? parsed(line.toString('utf8', start - 1, close + 1)) : close >= 0 && close < end ? line.toString('utf8', start, close) : undefined;
  } else {
    const whole = parsed(line.toString('utf8', valueStart, end));
    name = whole && typeof whole === 'object' && 'name' in whole ? whole.name : undefined;
  }
  return typeof name === 'string' ? { id, name } : undefined;
}

/**
 * Every flow's line in file order, from byte `start` (after the header) to the end of the
 * flows, read through one buffer that moves along the file (the whole file is never in
 * memory: at 12 MB, allocating and collecting it costs more than reading it). Undefined
 * when the file is not in flow's layout.
 */
export function everyFlowLine(fd: number, start: number): FlowLine[] | undefined {
  let buf = Buffer.allocUnsafe(CHUNK);
  /** The file offset of buf[0], what of buf holds the file, and where the next line starts. */
  let base = start;
  let filled = 0;
  let at = 0;
  const flows: FlowLine[] = [];
  for (;;) {
    const end = buf.indexOf(0x0a, at);
    if (end < 0 || end >= filled) {
      // The rest of a line: moved to the front (into a larger buffer when it fills one), and read on.
      const rest = filled - at;
      if (rest === buf.length) {
        const larger = Buffer.allocUnsafe(buf.length * 2);
        buf.copy(larger, 0, at, filled);
        buf = larger;
      } else {
        buf.copyWithin(0, at, filled);
      }
      base += at;
      filled = rest;
      at = 0;
      const read = readSync(fd, buf, filled, buf.length - filled, base + filled);
      if (read === 0) return undefined;
      filled += read;
      continue;
    }
    const line = buf.subarray(at, end);
    if (line.equals(FLOWS_END)) return flows;
    const named = nameOfLine(line);
    if (!named) return undefined;
    flows.push({ id: named.id, name: named.name, offset: base + at, length: line.length - (line[line.length - 1] === 0x2c ? 1 : 0) });
    at = end + 1;
  }
}

/**
 * The flows' lines in file order, read from the start and only until `enough` says so
 * (given each flow and its list number): a menu of the first names does not read 10k
 * flows. Undefined when the file is not in flow's layout.
 */
export function flowLines(chunks: ChunkedFile, head: Buffer, enough: (flow: FlowLine, number: number) => boolean): FlowLine[] | undefined {
  const flows: FlowLine[] = [];
  for (let start = head.length + 1; ; ) {
    const end = chunks.find(0x0a, start);
    if (end < 0) return undefined;
    const line = chunks.bytes.subarray(start, end);
    if (line.equals(FLOWS_END)) return flows;
    const named = nameOfLine(line);
    if (!named) return undefined;
    const flow = { ...named, offset: start, length: line.length - (line[line.length - 1] === 0x2c ? 1 : 0) };
    flows.push(flow);
    if (enough(flow, flows.length)) return flows;
    start = end + 1;
  }
}
