// One side of a merge (the common ancestor, ours, theirs) read from its bytes. Pure.
// Everything but ours comes from another clone: it is untrusted data (DESIGN §8), so it
// is read as flow's own reader does (layout, zod), with nesting bounded before anything
// recursive touches it, and a side that fails is refused as a whole.
import { FlowError } from '../domain/errors.js';
import { FORMAT_MAJOR, MAX_TASK_DEPTH, parseFlow, parseHeader, SchemaError, TooDeepWriteError, type Flow, type Header } from '../domain/schema.js';
import { Image, LayoutError, type MemberRange } from '../store/layout.js';
import { detectFormat } from '../store/migrate/index.js';

export type SideName = 'base' | 'ours' | 'theirs';

const LABEL: Record<SideName, string> = {
  base: 'the common ancestor',
  ours: 'the local side',
  theirs: 'the incoming side',
};

/** JSON nesting allowed in one flow line or header member: 256 task levels and room for other tools' fields. */
export const MAX_NESTING = 1024;
export { MAX_TASK_DEPTH };

export class MergeRefusedError extends FlowError {
  constructor(
    readonly side: SideName,
    readonly reason: string,
  ) {
    super('invalid', `${LABEL[side]} of flows.json was refused: ${reason}`, { side, reason });
  }
}

export interface Side {
  name: SideName;
  image: Image;
  header: Header;
  /** Flow lines in file order. */
  members: Map<string, MemberRange>;
}

/** Who made a side's last revision, for conflict records. */
export function originOf(side: Side): { writer?: string; revision: number } {
  return { writer: side.header.meta.writer, revision: side.header.meta.file_revision };
}

/**
 * Reads one side. An empty common ancestor (git passes one when the file was added on
 * both sides) and one in an older format (the file was upgraded since) give null: the
 * merge then treats everything as added on both sides.
 */
export function readSide(name: SideName, bytes: Buffer): Side | null {
  if (isBlank(bytes)) {
    if (name === 'base') return null;
    throw new MergeRefusedError(name, 'the file is empty');
  }
  let image = Image.fromBytes(bytes);
  if (!image) {
    // Another layout (hand-formatted, written by jq): read it whole, then lay it out.
    if (!withinNesting(bytes, 0, bytes.length)) throw new MergeRefusedError(name, `nested more than ${MAX_NESTING} levels deep`);
    let raw: unknown;
    try {
      raw = JSON.parse(bytes.toString('utf8'));
    } catch (err) {
      throw new MergeRefusedError(name, `not valid JSON: ${(err as Error).message}`);
    }
    const detected = detectFormat(raw);
    if (detected.kind === 'older' && name === 'base') return null;
    refuseFormat(name, detected);
    const { flows, ...header } = raw as { flows: Record<string, unknown> };
    image = Image.fromDocument(header, Object.entries(flows));
  }
  const headerText = JSON.stringify(image.header);
  if (!withinNesting(Buffer.from(headerText), 0, headerText.length)) {
    throw new MergeRefusedError(name, `the top level is nested more than ${MAX_NESTING} levels deep`);
  }
  const detected = detectFormat({ ...image.header, flows: {} });
  if (detected.kind === 'older' && name === 'base') return null;
  refuseFormat(name, detected);
  let header: Header;
  let members: Map<string, MemberRange>;
  try {
    header = parseHeader(image.header);
    members = image.members();
  } catch (err) {
    if (err instanceof SchemaError || err instanceof LayoutError) throw new MergeRefusedError(name, err.message);
    throw err;
  }
  return { name, image, header, members };
}

function refuseFormat(name: SideName, detected: ReturnType<typeof detectFormat>): void {
  switch (detected.kind) {
    case 'current':
      return;
    case 'newer':
      throw new MergeRefusedError(name, `it is format ${detected.version}, newer than this flow writes (${FORMAT_MAJOR}.x)`);
    case 'older':
      throw new MergeRefusedError(name, `it is format ${detected.migration.from}; open it with flow once to upgrade it`);
    default:
      throw new MergeRefusedError(name, detected.reason);
  }
}

/** The flow line's JSON value as bytes (no key, no comma), for comparing sides. */
export function flowBytes(side: Side | null, id: string): Buffer | undefined {
  const member = side?.members.get(id);
  return member ? side?.image.buf.subarray(member.valueStart, member.end) : undefined;
}

/** Parses and validates one flow of a side; refuses the side if the flow is bad. */
export function flowOf(side: Side, id: string): Flow | undefined {
  const member = side.members.get(id);
  if (!member) return undefined;
  if (!withinNesting(side.image.buf, member.valueStart, member.end)) {
    throw new MergeRefusedError(side.name, `flow ${JSON.stringify(id)} is nested more than ${MAX_NESTING} levels deep`);
  }
  let flow: Flow;
  try {
    flow = parseFlow(side.image.value(member), `flows.${id}`);
  } catch (err) {
    if (err instanceof SyntaxError || err instanceof SchemaError) throw new MergeRefusedError(side.name, err.message);
    if (err instanceof TooDeepWriteError) throw new MergeRefusedError(side.name, `tasks nest deeper than ${MAX_TASK_DEPTH} levels`);
    throw err;
  }
  if (flow.id !== id) throw new MergeRefusedError(side.name, `flows.${id}.id is ${JSON.stringify(flow.id)}, not its key`);
  return flow;
}

/** True when no JSON value in bytes [start, end) nests deeper than MAX_NESTING. */
function withinNesting(buf: Buffer, start: number, end: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = start; i < end; i++) {
    const c = buf[i];
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > MAX_NESTING) return false;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return true;
}

/** meta.file_revision of a flows.json's bytes, 0 when they do not say: for messages and counts. */
export function revisionIn(bytes: Buffer): number {
  try {
    const header = Image.fromBytes(bytes)?.header ?? (JSON.parse(bytes.toString('utf8')) as Record<string, unknown>);
    const revision = (header.meta as { file_revision?: unknown } | undefined)?.file_revision;
    return typeof revision === 'number' ? revision : 0;
  } catch {
    return 0;
  }
}

function isBlank(bytes: Buffer): boolean {
  for (const byte of bytes) if (byte !== 0x20 && byte !== 0x0a && byte !== 0x0d && byte !== 0x09) return false;
  return true;
}
