// What flow search finds (issue 13 item 6): task titles, notes and tags, plan titles and
// summaries, and the text of text documents; and the record each is shown from.
import { readPrefix } from '../documents/content-store.js';
import type { DocumentEntry } from '../documents/manifest.js';
import { isTextual } from '../documents/media.js';
import type { Flow } from '../domain/schema.js';
import { walkTasks } from '../domain/tree.js';
import type { IndexItem } from './segment.js';

export const ITEM_KINDS = ['task', 'plan', 'doc'] as const;
export type ItemKind = (typeof ITEM_KINDS)[number];

/** Where a flow's line was in flows.json when it was indexed ([-1, -1]: not in flow's layout). */
export type LineRange = [number, number];

export const NO_LINE: LineRange = [-1, -1];

/**
 * What a hit is shown from, as the index keeps it. Tasks and plans are read from the
 * store when shown (the line range says where to look first); a document's record holds
 * what its manifest entry said, so a search never reads the manifest.
 */
export type ItemRecord =
  | { kind: 'task'; flow: string; plan: string; id: string; line: LineRange }
  | { kind: 'plan'; flow: string; plan: string; line: LineRange }
  | { kind: 'doc'; id: string; name: string; path: string; sha256: string; media_type: string; plans: string[] };

/** The text of a document that is indexed: its first MAX_TEXT_BYTES. */
export const MAX_TEXT_BYTES = 256 * 1024;

/** A record as stored: a JSON list. */
export function encodeRecord(record: ItemRecord): unknown[] {
  switch (record.kind) {
    case 'task':
      return ['task', record.flow, record.plan, record.id, ...record.line];
    case 'plan':
      return ['plan', record.flow, record.plan, ...record.line];
    case 'doc':
      return ['doc', record.id, record.name, record.path, record.sha256, record.media_type, record.plans];
  }
}

const isText = (v: unknown): v is string => typeof v === 'string';
const isOffset = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= -1;

/** The record a stored list holds; undefined for one that is not in the shape flow writes. */
export function decodeRecord(raw: readonly unknown[]): ItemRecord | undefined {
  const [kind, a, b, c, d, e, f] = raw;
  if (kind === 'task' && raw.length === 6 && isText(a) && isText(b) && isText(c) && isOffset(d) && isOffset(e)) {
    return { kind, flow: a, plan: b, id: c, line: [d, e] };
  }
  if (kind === 'plan' && raw.length === 5 && isText(a) && isText(b) && isOffset(c) && isOffset(d)) return { kind, flow: a, plan: b, line: [c, d] };
  if (kind === 'doc' && raw.length === 7 && [a, b, c, d, e].every(isText) && Array.isArray(f) && f.every(isText)) {
    return { kind, id: a as string, name: b as string, path: c as string, sha256: d as string, media_type: e as string, plans: f };
  }
  return undefined;
}

/** A stored record with its line range moved to where the flow's line is now. */
export function withLine(raw: unknown[], line: LineRange): unknown[] {
  return raw[0] === 'doc' ? raw : [...raw.slice(0, -2), ...line];
}

export function flowItems(flow: Flow, line: LineRange = NO_LINE): IndexItem[] {
  const items: IndexItem[] = [];
  for (const plan of flow.plans) {
    items.push({ kind: 'plan', record: encodeRecord({ kind: 'plan', flow: flow.id, plan: plan.id, line }), title: plan.title, text: plan.summary });
    for (const { task } of walkTasks(plan.tasks)) {
      const text = task.tags.length ? `${task.notes}\n${task.tags.join(' ')}` : task.notes;
      items.push({ kind: 'task', record: encodeRecord({ kind: 'task', flow: flow.id, plan: plan.id, id: task.id, line }), title: task.title, text });
    }
  }
  return items;
}

/** The searchable text of a document's content (text documents only). */
export function documentText(mediaType: string, contentPath: string | undefined): string | undefined {
  if (!contentPath || !isTextual(mediaType)) return undefined;
  return readPrefix(contentPath, MAX_TEXT_BYTES);
}

export function documentItem(entry: DocumentEntry, text: string): IndexItem {
  const { id, name, path, sha256, media_type, plans } = entry;
  return { kind: 'doc', record: encodeRecord({ kind: 'doc', id, name, path, sha256, media_type, plans }), title: name, text };
}

/** What a document was indexed from: a change to any of it indexes the document again. */
export function documentKey(entry: DocumentEntry): string {
  return JSON.stringify([entry.sha256, entry.name, entry.path, entry.media_type, entry.plans]);
}
