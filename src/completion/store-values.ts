// The values shell completion offers from the data directory: task numbers and ids of the
// plan in scope, plan titles of the flow in scope, flow names, snapshot ids, document
// names and numbers. Read without a lock, and without writing anything but the
// completion index in .flow/cache (a keystroke must never move a file aside or migrate
// it); scope and numbering by the rules of the reference module and documents/numbers.ts.
// Only what the word needs is read: with
// the index (flow-index.ts), its names and the lines of the flows in scope; without one,
// from the start of the file only as far as those lines are.
import { join } from 'node:path';
import type { Candidate, ValueSource } from '../commands/candidates.js';
import { numberedTasks, resolvePlan, scopeFlow, scopePlan, type ScopeEnv } from '../commands/refs.js';
import { STATUS_GLYPH } from '../commands/render.js';
import type { Scope } from '../context/context.js';
import { readManifest, type DocumentEntry } from '../documents/manifest.js';
import { numberedDocuments } from '../documents/numbers.js';
import { existingPlans } from '../documents/references.js';
import { oneLine } from '../domain/sanitize.js';
import { parseHeader, type Flow } from '../domain/schema.js';
import { Image } from '../store/layout.js';
import { readFileInside, readRegularFile } from '../store/regular-file.js';
import { StoreView } from '../store/state.js';
import { withFlowIndex, type BuildLater, type FlowIndex, type FlowNames } from './flow-index.js';
import { flowLines, headerBytes, headerImage, linesImage, searchLines, withChunks, type FlowLine } from './flow-lines.js';

/** Enough for a menu; a plan of thousands is completed by typing a digit more. */
const MAX_CANDIDATES = 500;
const DESCRIPTION = 60;

export interface StoreValueOptions {
  dir: string;
  session: string;
  /** A --plan given earlier on the line: task numbers count in it. */
  plan?: string;
  /** Hands building the completion index to another process (flow-index.ts). */
  buildIndexLater?: BuildLater;
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
    bytes = readRegularFile(file);
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

/**
 * The header and the lines of the flows `wanted` (by id), as an Image of just those: a
 * plan's tasks at 10k flows cost that flow's line, not the whole file. `linesOf` gives the
 * lines of the ids (undefined: it cannot). Undefined when the file is not in flow's layout
 * (the caller reads it whole).
 */
function wantedImage(head: Buffer | undefined, wanted: (header: Image) => string[], linesOf: (ids: Set<string>) => Buffer[] | undefined): Image | undefined {
  const headerOnly = head && headerImage(head);
  if (!head || !headerOnly) return undefined;
  const lines = linesOf(new Set(wanted(headerOnly)));
  return lines && linesImage(head, lines);
}

/** The flows' lines where the completion index says they are. */
function indexedLines(index: FlowIndex, ids: Iterable<string>): Buffer[] | undefined {
  const lines: Buffer[] = [];
  for (const id of ids) {
    const line = index.line(id);
    if (line === undefined) return undefined;
    if (line) lines.push(line);
  }
  return lines;
}

/** Without an index: the lines searched for from the start of the file, only as far as they are. */
const scannedImage = (file: string, wanted: (header: Image) => string[]) =>
  withChunks(file, (chunks) => {
    const head = headerBytes(chunks);
    return wantedImage(head, wanted, (ids) => head && searchLines(chunks, head, ids));
  });

type FlowName = Pick<FlowLine, 'id' | 'name'>;

/** Without an index: flow names from the start of the file, only until `max` of them are `wanted`. */
const scannedNames = (file: string, wanted: (flow: FlowName, number: number) => boolean, max: number) =>
  withChunks(file, (chunks) => {
    const head = headerBytes(chunks);
    let found = 0;
    return head && flowLines(chunks, head, (flow, number) => wanted(flow, number) && ++found >= max);
  });

const columns = (flows: readonly FlowName[]): FlowNames => ({ names: flows.map((f) => f.name), ids: flows.map((f) => f.id) });

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
    const file: unknown = JSON.parse(readFileInside(join(dir, 'context.json'), 'context.json', dir).toString('utf8'));
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
    const index: unknown = JSON.parse(readFileInside(join(dir, 'snapshots', 'index.json'), 'snapshots/index.json', dir).toString('utf8'));
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

/**
 * Documents as documents_manifest.json lists them, in its order, read and checked as every
 * document command reads it: an entry `list doc` skips as damaged has no number here either.
 */
function documents(dir: string): DocumentEntry[] {
  try {
    return readManifest(dir).list();
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
  description: (item: T, index: number) => string,
  numbersFirst = false,
): Candidate[] {
  const byNumber = /^\d+$/.test(prefix) || (numbersFirst && prefix === '');
  const lower = prefix.toLowerCase();
  const out: Candidate[] = [];
  for (let i = 0; i < items.length && out.length < MAX_CANDIDATES; i++) {
    const number = String(i + 1);
    const text = value(items[i]);
    if (byNumber ? number.startsWith(prefix) : text.toLowerCase().startsWith(lower) && insertable(text)) {
      // The description as the shell shows it: one line, no escape a terminal would obey.
      out.push({ value: byNumber ? number : text, description: about(byNumber ? `${text}  ${description(items[i], i)}`.trim() : description(items[i], i)) });
    }
  }
  return out;
}

export function storeValues(options: StoreValueOptions): ValueSource {
  const file = join(options.dir, 'flows.json');
  const env: ScopeEnv = { scope: sessionScope(options.dir, options.session), session: options.session, warn: () => {} };
  const viewOf = (image: Image | undefined) => (image ? { view: new StoreView(image, parseHeader(image.header)), image } : undefined);
  /** The flows the scope rules may look at: the session's flow, and the file's current one. */
  const scoped = () => {
    const header = (image: Image) => [env.scope.flowId, typeof image.header.current_flow_id === 'string' ? image.header.current_flow_id : null];
    const wanted = (image: Image) => header(image).filter((id): id is string => !!id);
    const indexed = withFlowIndex(options.dir, (index) => wantedImage(index.header(), wanted, (ids) => indexedLines(index, ids)), options.buildIndexLater);
    return viewOf(indexed ?? scannedImage(file, wanted) ?? readImage(file));
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
        const docs = documents(options.dir);
        // A number is the one `list doc` shows, whatever --plan says; the numbering needs
        // the plans that exist (the whole file, read only once a digit is typed).
        if (/^\d+$/.test(prefix)) {
          const view = viewOf(readImage(file))?.view;
          const present = view ? existingPlans(view, docs.flatMap((d) => d.plans)) : new Map();
          return numbered(numberedDocuments(docs, present), prefix, (d) => d.name, (d) => d.id, true);
        }
        const live = docs.filter((d) => !d.deleted_at);
        const byId = prefix.startsWith('doc_');
        return live
          .map((d) => (byId ? { value: d.id, description: about(d.name) } : { value: d.name, description: about(d.id) }))
          .filter((c) => matches(prefix)(c.value) && insertable(c.value))
          .slice(0, MAX_CANDIDATES);
      }
      if (kind === 'flow') {
        // A menu's worth of matches is enough: numbers count in file order as names do.
        const wanted = /^\d+$/.test(prefix) ? (_: FlowName, n: number) => String(n).startsWith(prefix) : (f: FlowName) => matches(prefix)(f.name) && insertable(f.name);
        const flows = withFlowIndex(options.dir, (index) => index.names(), options.buildIndexLater) ?? columns(scannedNames(file, wanted, MAX_CANDIDATES) ?? flowNamesOfImage(readImage(file)));
        return numbered(flows.names, prefix, (name) => name, (_, i) => flows.ids[i]);
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
