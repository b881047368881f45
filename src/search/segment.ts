// An index segment: the inverted index of a set of items, laid out so that a search
// reads only what its words need, and reads it without decoding (issue 13 item 6,
// "cost follows the query").
//
//   line 1   header (JSON): item count, total field lengths, where each section is, and
//            what the cache keeps beside it (identities, a delta's overrides)
//   postings per term and field (title, then text): the items holding the term, their
//            term frequencies and field lengths, each a uint32 column
//   parts    the dictionary in 64 parts by a term's first character, each: the number
//            of terms; per term where its postings are, how many items of each field
//            hold it (uint32) and the postings' checksum (8 bytes); the terms, sorted,
//            one per line
//   records  one line per item, `checksum json`: what a hit is shown from
//   offsets  where each record starts (uint32), read one entry at a time
//   kinds    one byte per item (task, plan, doc), for --in
//   lengths  each item's two field lengths (uint32), read only to merge segments
//   state    what the items were indexed from (JSON), read only to bring the index up to date
//
// Numbers are in this machine's byte order (the header says which): the cache is local.
// Every piece read is checked first (a part, a term's postings, a record, a section,
// against its checksum): a damaged cache is rebuilt, never believed.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { endianness } from 'node:os';
import { nodeCrypto } from '../node-modules.js';
import { indexTerms } from './tokenize.js';

export const SEGMENT_VERSION = 6;
/** Parts of the dictionary, by the first character of a term. */
export const PARTS = 64;
export const KINDS = ['task', 'plan', 'doc'] as const;
export type Kind = (typeof KINDS)[number];
const BYTE_ORDER = endianness();

export const partOf = (term: string): number => (term.codePointAt(0) ?? 0) % PARTS;

// One-shot hashing where this Node has it (20.12 on): several times cheaper for the
// small pieces a search checks.
function sha1(data: Buffer | string): Buffer {
  const crypto = nodeCrypto();
  return typeof crypto.hash === 'function' ? crypto.hash('sha1', data, 'buffer') : crypto.createHash('sha1').update(data).digest();
}

/** A short checksum (sha1, base64, 12 characters: 72 bits). */
export function checksum(data: Buffer | string): string {
  return sha1(data).toString('base64', 0, 9);
}

/** The 8 bytes of a term's postings checksum. */
const postingsSum = (data: Buffer): Buffer => sha1(data).subarray(0, 8);

/** A part of the cache that does not match what was written: the index is built again. */
export class DamagedIndexError extends Error {
  constructor(what: string) {
    super(`search index: ${what} does not match what was written`);
  }
}

export interface SectionRange {
  offset: number;
  length: number;
  sum: string;
}

/** A dictionary entry: a term, where its postings are, in how many items each field holds it. */
export interface TermEntry {
  term: string;
  offset: number;
  df: [number, number];
  sum: Buffer;
}

/** Bytes of one posting of one field: item, term frequency, field length. */
const POSTING_BYTES = 12;
const ENTRY_BYTES = 20;

const postingsLength = (df: readonly [number, number]) => (df[0] + df[1]) * POSTING_BYTES;

/** One part of the dictionary: its terms, sorted, and their entries read on demand. */
export class DictionaryPart {
  constructor(
    readonly terms: readonly string[],
    private readonly table: Buffer,
    private readonly postingsSection: number,
  ) {}

  entry(index: number): TermEntry {
    const at = index * ENTRY_BYTES;
    const offset = this.table.readUInt32LE(at);
    const df: [number, number] = [this.table.readUInt32LE(at + 4), this.table.readUInt32LE(at + 8)];
    if (offset + postingsLength(df) > this.postingsSection) throw new DamagedIndexError(`the dictionary entry of "${this.terms[index]}"`);
    return { term: this.terms[index], offset, df, sum: this.table.subarray(at + 12, at + 20) };
  }
}

/** The postings of one field: items (in increasing order), term frequencies, field lengths. */
export interface FieldPostings {
  ids: Uint32Array;
  tf: Uint32Array;
  length: Uint32Array;
}

export interface HeaderFields {
  version: number;
  byteOrder: string;
  items: number;
  /** Sum over items of each field's length (in distinct terms): for the average BM25 needs. */
  lengths: [number, number];
  postings: SectionRange;
  parts: SectionRange[];
  records: SectionRange;
  offsets: SectionRange;
  kinds: SectionRange;
  lengthTable: SectionRange;
  state: SectionRange;
  /** What the cache keeps beside the segment. */
  extra: Record<string, unknown>;
}

/** An item to index: its two fields and the record a hit is shown from. */
export interface IndexItem {
  kind: Kind;
  record: unknown[];
  title: string;
  text: string;
}

/** A growing column of (item, term frequency, field length) triples. */
class Triples {
  values = new Uint32Array(6);
  count = 0;

  push(id: number, tf: number, length: number): void {
    if ((this.count + 1) * 3 > this.values.length) {
      const grown = new Uint32Array(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    const at = this.count++ * 3;
    this.values[at] = id;
    this.values[at + 1] = tf;
    this.values[at + 2] = length;
  }
}

/** Builds a segment in memory: items are added in the order of their numbers. */
export class SegmentBuilder {
  private readonly terms = new Map<string, [Triples, Triples]>();
  private readonly records: string[] = [];
  private readonly kinds: number[] = [];
  private readonly lengthList: number[] = [];
  readonly lengths: [number, number] = [0, 0];

  get items(): number {
    return this.records.length;
  }

  /** Adds an item; returns its number. */
  add(item: IndexItem): number {
    const fields = [indexTerms(item.title), indexTerms(item.text)].map((terms) => {
      const counts = new Map<string, number>();
      for (const term of terms) counts.set(term, (counts.get(term) ?? 0) + 1);
      return counts;
    });
    // A field's length is how many distinct terms it has, as MiniSearch counts it.
    const id = this.addRecord(KINDS.indexOf(item.kind), JSON.stringify(item.record), fields[0].size, fields[1].size);
    fields.forEach((counts, field) => {
      for (const [term, tf] of counts) this.addPosting(term, field, id, tf, counts.size);
    });
    return id;
  }

  /** Adds an item's record as it is (its postings follow with addPosting). */
  addRecord(kind: number, record: string, titleLength: number, textLength: number): number {
    this.records.push(record);
    this.kinds.push(kind);
    this.lengthList.push(titleLength, textLength);
    this.lengths[0] += titleLength;
    this.lengths[1] += textLength;
    return this.records.length - 1;
  }

  /** One posting of a field (0 title, 1 text); for each term and field, items come in increasing order. */
  addPosting(term: string, field: number, id: number, tf: number, length: number): void {
    let lists = this.terms.get(term);
    if (!lists) this.terms.set(term, (lists = [new Triples(), new Triples()]));
    lists[field].push(id, tf, length);
  }

  /** The segment's bytes: the header line, then the sections. */
  encode(state: unknown, extra: Record<string, unknown>): Buffer[] {
    const sorted = [...this.terms.keys()].sort();
    const byPart: TermEntry[][] = Array.from({ length: PARTS }, () => []);
    const postingPieces: Buffer[] = [];
    let at = 0;
    for (const term of sorted) byPart[partOf(term)].push({ term, offset: 0, df: [0, 0], sum: Buffer.alloc(0) });
    // Postings in part order, so that merging reads them front to back.
    for (const entries of byPart) {
      for (const entry of entries) {
        const lists = this.terms.get(entry.term) as [Triples, Triples];
        const bytes = Buffer.from(new Uint32Array(postingsLength([lists[0].count, lists[1].count]) / 4).buffer);
        const columns = new Uint32Array(bytes.buffer);
        let out = 0;
        for (const list of lists) {
          for (let c = 0; c < 3; c++) for (let i = 0; i < list.count; i++) columns[out++] = list.values[i * 3 + c];
        }
        Object.assign(entry, { offset: at, df: [lists[0].count, lists[1].count], sum: postingsSum(bytes) });
        postingPieces.push(bytes);
        at += bytes.length;
      }
    }
    const recordLines = this.records.map((json) => Buffer.from(`${checksum(json)} ${json}\n`));
    const offsets = new Uint32Array(this.records.length + 1);
    let end = 0;
    recordLines.forEach((line, i) => (offsets[i + 1] = end += line.length));
    const sections: Array<[keyof HeaderFields | `part${number}`, Buffer[]]> = [
      ['postings', postingPieces],
      ...byPart.map((entries, i): [`part${number}`, Buffer[]] => [`part${i}`, [encodePart(entries)]]),
      ['records', recordLines],
      ['offsets', [Buffer.from(offsets.buffer)]],
      ['kinds', [Buffer.from(Uint8Array.from(this.kinds))]],
      ['lengthTable', [Buffer.from(Uint32Array.from(this.lengthList).buffer)]],
      ['state', [Buffer.from(JSON.stringify(state))]],
    ];
    const ranges = new Map<string, SectionRange>();
    let offset = 0;
    for (const [name, pieces] of sections) {
      // Postings and records are checked piece by piece: their sections need no checksum of their own.
      const whole = name !== 'postings' && name !== 'records';
      const digest = nodeCrypto().createHash('sha1');
      let length = 0;
      for (const piece of pieces) {
        if (whole) digest.update(piece);
        length += piece.length;
      }
      ranges.set(name, { offset, length, sum: whole ? digest.digest('base64').slice(0, 12) : '' });
      offset += length;
    }
    const range = (name: string) => ranges.get(name) as SectionRange;
    const header: HeaderFields = {
      version: SEGMENT_VERSION,
      byteOrder: BYTE_ORDER,
      items: this.records.length,
      lengths: this.lengths,
      postings: range('postings'),
      parts: byPart.map((_, i) => range(`part${i}`)),
      records: range('records'),
      offsets: range('offsets'),
      kinds: range('kinds'),
      lengthTable: range('lengthTable'),
      state: range('state'),
      extra,
    };
    // Sections that hold uint32 columns start at a multiple of 4 of the body: the header line is padded to it.
    let line = JSON.stringify(header);
    line += ' '.repeat((4 - ((Buffer.byteLength(line) + 1) % 4)) % 4);
    return [Buffer.from(`${line}\n`), ...sections.flatMap(([, pieces]) => pieces)];
  }
}

function encodePart(entries: readonly TermEntry[]): Buffer {
  const table = Buffer.alloc(4 + entries.length * ENTRY_BYTES);
  table.writeUInt32LE(entries.length, 0);
  entries.forEach((entry, i) => {
    const at = 4 + i * ENTRY_BYTES;
    table.writeUInt32LE(entry.offset, at);
    table.writeUInt32LE(entry.df[0], at + 4);
    table.writeUInt32LE(entry.df[1], at + 8);
    entry.sum.copy(table, at + 12);
  });
  return Buffer.concat([table, Buffer.from(entries.map((e) => e.term).join('\n'))]);
}

/** Where a segment's bytes are: a file (read piece by piece) or memory. */
interface Source {
  read(position: number, length: number): Buffer;
  readonly size: number;
  close(): void;
}

function fileSource(path: string): Source {
  const fd = openSync(path, 'r');
  const size = fstatSync(fd).size;
  return {
    size,
    read(position, length) {
      const buffer = Buffer.allocUnsafeSlow(length);
      let done = 0;
      while (done < length) {
        const n = readSync(fd, buffer, done, length - done, position + done);
        if (n === 0) break;
        done += n;
      }
      return done === length ? buffer : buffer.subarray(0, done);
    },
    close: () => closeSync(fd),
  };
}

function memorySource(bytes: Buffer): Source {
  return { size: bytes.length, read: (position, length) => bytes.subarray(position, position + length), close() {} };
}

const isRange = (value: unknown): value is SectionRange =>
  typeof value === 'object' &&
  value !== null &&
  Number.isSafeInteger((value as SectionRange).offset) &&
  Number.isSafeInteger((value as SectionRange).length) &&
  (value as SectionRange).offset >= 0 &&
  (value as SectionRange).length >= 0 &&
  typeof (value as SectionRange).sum === 'string';

function isHeader(value: unknown): value is HeaderFields {
  if (typeof value !== 'object' || value === null) return false;
  const h = value as HeaderFields;
  return (
    h.version === SEGMENT_VERSION &&
    h.byteOrder === BYTE_ORDER &&
    Number.isSafeInteger(h.items) &&
    h.items >= 0 &&
    Array.isArray(h.lengths) &&
    h.lengths.length === 2 &&
    h.lengths.every((n) => Number.isFinite(n) && n >= 0) &&
    Array.isArray(h.parts) &&
    h.parts.length === PARTS &&
    h.parts.every(isRange) &&
    [h.postings, h.records, h.offsets, h.kinds, h.lengthTable, h.state].every(isRange) &&
    h.postings.offset % 4 === 0 &&
    h.offsets.length === (h.items + 1) * 4 &&
    h.kinds.length === h.items &&
    h.lengthTable.length === h.items * 8 &&
    typeof h.extra === 'object' &&
    h.extra !== null
  );
}

/** The largest header the reader accepts (a delta's overrides included). */
const MAX_HEADER = 64 * 1024 * 1024;
/** The largest record: a document's names and its plans. */
const MAX_RECORD = 1024 * 1024;

/** uint32 columns over bytes (copied when they do not start at a multiple of 4). */
function uint32s(bytes: Buffer): Uint32Array {
  const aligned = bytes.byteOffset % 4 === 0 ? bytes : Buffer.from(bytes);
  return new Uint32Array(aligned.buffer, aligned.byteOffset, aligned.length / 4);
}

/** Reads a segment; every piece is checked when it is first read. */
export class SegmentReader {
  private readonly partCache = new Map<number, DictionaryPart>();
  private kindTable: Uint8Array | undefined;

  private constructor(
    private readonly source: Source,
    readonly header: HeaderFields,
    /** Checksum of the header line: names this segment. */
    readonly id: string,
    private readonly bodyStart: number,
  ) {
    const end = [header.postings, ...header.parts, header.records, header.offsets, header.kinds, header.lengthTable, header.state].reduce(
      (max, r) => Math.max(max, r.offset + r.length),
      0,
    );
    if (bodyStart % 4 !== 0 || bodyStart + end > source.size) throw new DamagedIndexError('a segment cut short');
  }

  /** The segment in a file; undefined when there is none or it does not read as one. */
  static open(path: string): SegmentReader | undefined {
    let source: Source;
    try {
      source = fileSource(path);
    } catch {
      return undefined;
    }
    const reader = SegmentReader.from(source);
    if (!reader) source.close();
    return reader;
  }

  static fromBytes(pieces: readonly Buffer[]): SegmentReader {
    const reader = SegmentReader.from(memorySource(Buffer.concat(pieces)));
    if (!reader) throw new Error('internal: a segment just built does not read');
    return reader;
  }

  private static from(source: Source): SegmentReader | undefined {
    try {
      let head: Buffer = Buffer.alloc(0);
      let newline = -1;
      for (let chunk = 16 * 1024; newline < 0 && head.length < Math.min(source.size, MAX_HEADER); chunk *= 4) {
        head = source.read(0, Math.min(chunk, source.size, MAX_HEADER));
        newline = head.indexOf(0x0a);
      }
      if (newline < 0) return undefined;
      const text = head.toString('utf8', 0, newline);
      const header: unknown = JSON.parse(text);
      if (!isHeader(header)) return undefined;
      return new SegmentReader(source, header, checksum(text), newline + 1);
    } catch {
      return undefined;
    }
  }

  get items(): number {
    return this.header.items;
  }

  close(): void {
    this.source.close();
  }

  private section(range: SectionRange, what: string): Buffer {
    const bytes = this.source.read(this.bodyStart + range.offset, range.length);
    if (bytes.length !== range.length || checksum(bytes) !== range.sum) throw new DamagedIndexError(what);
    return bytes;
  }

  /** One part of the dictionary. */
  part(index: number): DictionaryPart {
    const cached = this.partCache.get(index);
    if (cached) return cached;
    const bytes = this.section(this.header.parts[index], `dictionary part ${index}`);
    const count = bytes.length >= 4 ? bytes.readUInt32LE(0) : -1;
    const tableEnd = 4 + count * ENTRY_BYTES;
    if (count < 0 || tableEnd > bytes.length) throw new DamagedIndexError(`dictionary part ${index}`);
    const terms = count ? bytes.toString('utf8', tableEnd).split('\n') : [];
    if (terms.length !== count) throw new DamagedIndexError(`dictionary part ${index}`);
    const part = new DictionaryPart(terms, bytes.subarray(4, tableEnd), this.header.postings.length);
    this.partCache.set(index, part);
    return part;
  }

  /** A term's postings, title field then text field, checked against their checksum. */
  postings(entry: TermEntry): [FieldPostings, FieldPostings] {
    const length = postingsLength(entry.df);
    const bytes = this.source.read(this.bodyStart + this.header.postings.offset + entry.offset, length);
    if (bytes.length !== length || !postingsSum(bytes).equals(entry.sum)) throw new DamagedIndexError(`the postings of "${entry.term}"`);
    const columns = uint32s(bytes);
    const [titles, texts] = entry.df;
    const field = (start: number, n: number): FieldPostings => ({
      ids: columns.subarray(start, start + n),
      tf: columns.subarray(start + n, start + 2 * n),
      length: columns.subarray(start + 2 * n, start + 3 * n),
    });
    return [field(0, titles), field(3 * titles, texts)];
  }

  /** An item's record, checked. */
  record(id: number): unknown[] {
    if (!(id >= 0 && id < this.header.items)) throw new DamagedIndexError(`record ${id}`);
    const bounds = uint32s(this.source.read(this.bodyStart + this.header.offsets.offset + id * 4, 8));
    const [start, end] = bounds;
    if (!(start < end && end - start <= MAX_RECORD && end <= this.header.records.length)) throw new DamagedIndexError(`record ${id}`);
    const line = this.source.read(this.bodyStart + this.header.records.offset + start, end - start).toString('utf8');
    const json = line.slice(13, -1);
    if (line[12] !== ' ' || !line.endsWith('\n') || checksum(json) !== line.slice(0, 12)) throw new DamagedIndexError(`record ${id}`);
    const record: unknown = JSON.parse(json);
    if (!Array.isArray(record)) throw new DamagedIndexError(`record ${id}`);
    return record;
  }

  /** Every record in order, as its JSON text (for merging). */
  records(): string[] {
    const offsets = uint32s(this.section(this.header.offsets, 'record offsets'));
    const all = this.source.read(this.bodyStart + this.header.records.offset, this.header.records.length);
    const out: string[] = [];
    for (let id = 0; id < this.header.items; id++) {
      const line = offsets[id + 1] > offsets[id] && offsets[id + 1] <= all.length ? all.toString('utf8', offsets[id], offsets[id + 1]) : '';
      const json = line.slice(13, -1);
      if (!line.endsWith('\n') || checksum(json) !== line.slice(0, 12)) throw new DamagedIndexError(`record ${id}`);
      out.push(json);
    }
    return out;
  }

  kinds(): Uint8Array {
    this.kindTable ??= new Uint8Array(this.section(this.header.kinds, 'kinds'));
    return this.kindTable;
  }

  /** Each item's title and text length, two numbers per item. */
  lengthTable(): Uint32Array {
    return uint32s(this.section(this.header.lengthTable, 'lengths'));
  }

  state(): unknown {
    return JSON.parse(this.section(this.header.state, 'state').toString('utf8'));
  }
}
