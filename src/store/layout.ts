// The byte layout flow writes flows.json in, and the reader that exploits it.
//
//   {
//     "version": "3.0",
//     "meta": {"last_saved":"…","file_revision":17,"writer":"cli:4711:default"},
//     "current_flow_id": "flow_…",
//     "flows": {
//       "flow_a": {"id":"flow_a","name":"…","plans":[…]},
//       "flow_b": {…}
//     }
//   }
//
// Every top-level member and every flow sits on one line of compact JSON. A valid JSON
// string never holds a raw newline, so in this layout a line break is always structure:
// a flow is found with a native byte search and spliced without parsing its neighbours
// (DESIGN §4 "Cost"). It also keeps the file greppable and its diffs one line per flow.
// A file in any other layout (hand-formatted, written by another tool) is read with
// JSON.parse and comes back to this layout on the next save.

const NEWLINE = 0x0a;
const MEMBER_INDENT = '    ';
const FLOWS_OPEN = '  "flows": {\n';
const FLOWS_EMPTY = '  "flows": {}\n';
const CLOSING = '\n  }\n}\n';

export interface MemberRange {
  /** Offset of the line's first byte. */
  start: number;
  /** Offset of the flow's JSON value. */
  valueStart: number;
  /** Exclusive end of the value (before any trailing comma). */
  end: number;
}

export function serialiseMember(id: string, value: unknown): string {
  return `${MEMBER_INDENT}${JSON.stringify(id)}: ${JSON.stringify(value)}`;
}

/** Top-level members other than `flows`, in their given order, one per line. */
export function serialiseHeader(header: Record<string, unknown>): string {
  let out = '{\n';
  for (const [key, value] of Object.entries(header)) {
    if (key === 'flows' || value === undefined) continue;
    out += `  ${JSON.stringify(key)}: ${JSON.stringify(value)},\n`;
  }
  return out;
}

export function serialiseDocument(
  header: Record<string, unknown>,
  flows: Iterable<[string, unknown]>,
): string {
  const members: string[] = [];
  for (const [id, flow] of flows) members.push(serialiseMember(id, flow));
  const body = members.length ? `${FLOWS_OPEN}${members.join(',\n')}${CLOSING}` : `${FLOWS_EMPTY}}\n`;
  return serialiseHeader(header) + body;
}

/** Parses a member line's key: the JSON string right after the indent. */
function memberKey(buf: Buffer, start: number): { id: string; valueStart: number } | undefined {
  let i = start + MEMBER_INDENT.length;
  if (buf[i] !== 0x22) return undefined;
  let escaped = false;
  for (i++; i < buf.length; i++) {
    const c = buf[i];
    if (c === 0x5c) {
      escaped = true;
      i++;
    } else if (c === 0x22) break;
    else if (c === NEWLINE) return undefined;
  }
  const raw = buf.toString('utf8', start + MEMBER_INDENT.length, i + 1);
  if (buf[i + 1] !== 0x3a || buf[i + 2] !== 0x20) return undefined;
  const id = escaped ? (JSON.parse(raw) as string) : raw.slice(1, -1);
  return { id, valueStart: i + 3 };
}

const MEMBER_START = Buffer.from(`${MEMBER_INDENT}"`);

/**
 * Every line of the block starts like a member and every line but the last ends with a
 * comma. One native search per line, so a file with stray lines (an in-place write that
 * left an old tail, a pasted fragment) takes the full-parse path instead.
 */
function wellFormedBlock(buf: Buffer, start: number, end: number): boolean {
  let lineStart = start;
  for (;;) {
    // Byte by byte: Buffer#compare's argument checks cost more than these five bytes.
    for (let k = 0; k < MEMBER_START.length; k++) if (buf[lineStart + k] !== MEMBER_START[k]) return false;
    const newline = buf.indexOf(NEWLINE, lineStart);
    if (newline < 0 || newline > end) return false;
    if (newline === end) return buf[end - 1] === 0x7d;
    if (buf[newline - 1] !== 0x2c) return false;
    lineStart = newline + 1;
  }
}

/**
 * A flows.json in flow's layout: the parsed header and the byte range of the block of
 * flow lines, with look-ups that touch only the lines they need.
 */
export class Image {
  private idsCache: Map<string, MemberRange> | undefined;
  /** Lines already found by a search, so a flow located once is not searched for again. */
  private readonly found = new Map<string, MemberRange>();
  private lookups = 0;

  private constructor(
    readonly buf: Buffer,
    /** Top-level members except `flows`, parsed but not yet validated. */
    readonly header: Record<string, unknown>,
    /** First byte of the first flow line; equals blockEnd when there are no flows. */
    readonly blockStart: number,
    /** Exclusive end of the last flow line. */
    readonly blockEnd: number,
  ) {}

  /**
   * Reads bytes in flow's layout; undefined when they are in any other layout.
   * `checkLines: false` skips looking at every line first, for a reader that only looks
   * and must be quick (shell completion): a malformed line is still refused when met.
   */
  static fromBytes(buf: Buffer, { checkLines = true } = {}): Image | undefined {
    if (buf.length < 4 || buf[0] !== 0x7b || buf[1] !== NEWLINE) return undefined;
    const header: Record<string, unknown> = {};
    let lineStart = 2;
    for (;;) {
      const lineEnd = buf.indexOf(NEWLINE, lineStart);
      if (lineEnd < 0) return undefined;
      const line = buf.toString('utf8', lineStart, lineEnd);
      if (line === FLOWS_OPEN.slice(0, -1)) {
        const closing = buf.length - CLOSING.length;
        if (closing < lineEnd || buf.toString('utf8', closing) !== CLOSING) return undefined;
        if (checkLines && !wellFormedBlock(buf, lineEnd + 1, closing)) return undefined;
        return new Image(buf, header, lineEnd + 1, closing);
      }
      if (line === FLOWS_EMPTY.slice(0, -1)) {
        if (buf.toString('utf8', lineEnd + 1) !== '}\n') return undefined;
        return new Image(buf, header, lineEnd + 1, lineEnd + 1);
      }
      if (!line.startsWith('  "') || !line.endsWith(',')) return undefined;
      let member: unknown;
      try {
        member = JSON.parse(`{${line.slice(0, -1)}}`);
      } catch {
        return undefined;
      }
      Object.assign(header, member);
      lineStart = lineEnd + 1;
    }
  }

  static fromDocument(header: Record<string, unknown>, flows: Iterable<[string, unknown]>): Image {
    const image = Image.fromBytes(Buffer.from(serialiseDocument(header, flows)));
    if (!image) throw new Error('internal: serialised document is not in layout');
    return image;
  }

  get isEmpty(): boolean {
    return this.blockStart === this.blockEnd;
  }

  /** The member whose line contains byte `offset` of the block. */
  private memberAt(offset: number): (MemberRange & { id: string }) | undefined {
    const start = this.buf.lastIndexOf(NEWLINE, offset) + 1;
    if (start < this.blockStart) return undefined;
    let end = this.buf.indexOf(NEWLINE, offset);
    if (end < 0 || end > this.blockEnd) end = this.blockEnd;
    if (this.buf[end - 1] === 0x2c) end--;
    const key = memberKey(this.buf, start);
    if (!key) throw new LayoutError(`malformed flow line at byte ${start}`);
    return { id: key.id, start, valueStart: key.valueStart, end };
  }

  /** The first line found for an id stays: a later duplicate (a damaged file) does not replace it. */
  private remember(member: (MemberRange & { id: string }) | undefined) {
    if (member && !this.found.has(member.id)) this.found.set(member.id, member);
    return member;
  }

  member(id: string): MemberRange | undefined {
    if (this.idsCache) return this.idsCache.get(id);
    const known = this.found.get(id);
    if (known) return known;
    // One search per look-up is right for a command that touches a few flows; one that
    // touches many (restore, undo of a big change) is better off indexing every line.
    if (++this.lookups > 32) return this.members().get(id);
    if (this.isEmpty) return undefined;
    const needle = `${MEMBER_INDENT}${JSON.stringify(id)}: `;
    // The first line has no newline before it inside the block.
    if (this.buf.toString('utf8', this.blockStart, this.blockStart + needle.length) === needle) {
      return this.remember(this.memberAt(this.blockStart));
    }
    const at = this.buf.indexOf(`\n${needle}`, this.blockStart);
    if (at < 0 || at >= this.blockEnd) return undefined;
    return this.remember(this.memberAt(at + 1));
  }

  /** Flows whose line contains `text`, each once, in file order; searched as consumed. */
  *membersContaining(text: string): Generator<MemberRange & { id: string }> {
    let from = this.blockStart;
    for (;;) {
      const at = this.buf.indexOf(text, from);
      if (at < 0 || at >= this.blockEnd) return;
      const member = this.remember(this.memberAt(at));
      if (!member) return;
      yield member;
      from = member.end + 1;
    }
  }

  /** Every flow line in order. Costs one pass over the block's line breaks. */
  members(): Map<string, MemberRange> {
    if (this.idsCache) return this.idsCache;
    const ids = new Map<string, MemberRange>();
    let start = this.blockStart;
    while (start < this.blockEnd) {
      const member = this.memberAt(start);
      if (!member) break;
      if (ids.has(member.id)) throw new DuplicateFlowError(member.id);
      ids.set(member.id, member);
      start = this.buf.indexOf(NEWLINE, member.end) + 1;
      if (start === 0) break;
    }
    this.idsCache = ids;
    return ids;
  }

  /**
   * True when the block's flow lines are those of `ids`, in that order: one pass that
   * keeps nothing (a cached listing is checked against the file with it).
   */
  holdsInOrder(ids: Iterable<string>): boolean {
    let start = this.blockStart;
    for (const id of ids) {
      const key = start < this.blockEnd ? memberKey(this.buf, start) : undefined;
      if (!key || key.id !== id) return false;
      const newline = this.buf.indexOf(NEWLINE, key.valueStart);
      start = newline < 0 || newline >= this.blockEnd ? this.blockEnd : newline + 1;
    }
    return start >= this.blockEnd;
  }

  value(member: MemberRange): unknown {
    return JSON.parse(this.buf.toString('utf8', member.valueStart, member.end));
  }

  /** The flow line's bytes as they are in the file (no trailing comma). */
  raw(member: MemberRange): Buffer {
    return this.buf.subarray(member.start, member.end);
  }
}

export class LayoutError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LayoutError';
  }
}

/** JSON.parse would keep only the last of two lines for one flow: never read it that way. */
export class DuplicateFlowError extends LayoutError {
  constructor(id: string) {
    super(`flow ${JSON.stringify(id)} appears twice`);
  }
}

/** What a transaction did to the flows: new lines for changed or added flows, removals. */
export interface BlockEdits {
  /** Flow id → new value; a flow the image does not have is appended. */
  put: Map<string, unknown>;
  removed: Set<string>;
  /** When given, the block is exactly these flows in this order (restoring a snapshot). */
  order?: readonly string[];
}

/**
 * The new file as a list of buffers: the new header, then the old block with edited lines
 * replaced, removed lines cut out and new lines appended. Untouched lines are slices of
 * the old buffer, so the cost is the size of the change, not of the file.
 */
export function spliceImage(
  image: Image,
  header: Record<string, unknown>,
  edits: BlockEdits,
): Buffer[] {
  if (edits.order) return assemble(header, reordered(image, edits.put, edits.order));
  const replacements: Array<{ start: number; end: number; text: string }> = [];
  const appended: string[] = [];
  for (const [id, value] of edits.put) {
    const member = image.member(id);
    if (member) replacements.push({ start: member.start, end: member.end, text: serialiseMember(id, value) });
    else appended.push(serialiseMember(id, value));
  }
  for (const id of edits.removed) {
    const member = image.member(id);
    if (member) replacements.push({ start: member.start, end: member.end, text: '' });
  }
  replacements.sort((a, b) => a.start - b.start);

  // Kept lines as slices; replaced lines as new text. Separators are rebuilt at the end
  // from the list of non-empty pieces so removals never leave a stray comma.
  const units: Array<Buffer | string> = [];
  let cursor = image.blockStart;
  const pushRange = (from: number, to: number) => {
    // [from, to) covers whole lines with their ",\n" separators; trim the edges.
    let a = from;
    let b = to;
    while (a < b && (image.buf[a] === 0x2c || image.buf[a] === NEWLINE)) a++;
    while (b > a && (image.buf[b - 1] === 0x2c || image.buf[b - 1] === NEWLINE)) b--;
    if (b > a) units.push(image.buf.subarray(a, b));
  };
  for (const r of replacements) {
    pushRange(cursor, r.start);
    if (r.text) units.push(r.text);
    cursor = r.end;
  }
  pushRange(cursor, image.blockEnd);
  units.push(...appended);
  return assemble(header, units);
}

/** Lines in a given order: new values serialised, the others as the image's bytes. */
function reordered(image: Image, put: Map<string, unknown>, order: readonly string[]): Array<Buffer | string> {
  return order.map((id) => {
    if (put.has(id)) return serialiseMember(id, put.get(id));
    const member = image.member(id);
    if (!member) throw new Error(`internal: flow ${id} is neither changed nor in the file`);
    return image.raw(member);
  });
}

/** A whole file from its header and flow lines (each `    "id": {…}`, no separators). */
export function assemble(header: Record<string, unknown>, units: ReadonlyArray<Buffer | string>): Buffer[] {
  const out: Buffer[] = [];
  if (units.length === 0) {
    out.push(Buffer.from(serialiseHeader(header) + FLOWS_EMPTY + '}\n'));
    return out;
  }
  out.push(Buffer.from(serialiseHeader(header) + FLOWS_OPEN));
  units.forEach((unit, i) => {
    if (i > 0) out.push(SEPARATOR);
    out.push(typeof unit === 'string' ? Buffer.from(unit) : unit);
  });
  out.push(Buffer.from(CLOSING));
  return out;
}

const SEPARATOR = Buffer.from(',\n');
