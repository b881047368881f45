// What flow search finds (issue 13 item 6): task titles and notes, plan titles and
// summaries, and the text of text documents.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import type { DocumentEntry } from '../documents/manifest.js';
import { isTextual } from '../documents/media.js';
import type { Flow } from '../domain/schema.js';
import { walkTasks } from '../domain/tree.js';

export const ITEM_KINDS = ['task', 'plan', 'doc'] as const;
export type ItemKind = (typeof ITEM_KINDS)[number];

export interface Item {
  /** `<kind>:<object id>`: one id space for the whole index, the kind readable from it. */
  id: string;
  title: string;
  text: string;
}

/** The text of a document that is indexed: its first MAX_TEXT_BYTES. */
export const MAX_TEXT_BYTES = 256 * 1024;

export function itemId(kind: ItemKind, id: string): string {
  return `${kind}:${id}`;
}

/** The kind and object id of an item id; undefined for one flow did not make. */
export function splitItemId(id: string): { kind: ItemKind; id: string } | undefined {
  const at = id.indexOf(':');
  const kind = ITEM_KINDS.find((k) => k === id.slice(0, at));
  return kind && { kind, id: id.slice(at + 1) };
}

/** The items of a flow, and which tasks each of its plans holds (for --plan and for showing hits). */
export function flowItems(flow: Flow): { items: Item[]; plans: Record<string, string[]> } {
  const items: Item[] = [];
  const plans: Record<string, string[]> = {};
  for (const plan of flow.plans) {
    items.push({ id: itemId('plan', plan.id), title: plan.title, text: plan.summary });
    plans[plan.id] = [];
    for (const { task } of walkTasks(plan.tasks)) {
      const text = task.tags.length ? `${task.notes}\n${task.tags.join(' ')}` : task.notes;
      items.push({ id: itemId('task', task.id), title: task.title, text });
      plans[plan.id].push(task.id);
    }
  }
  return { items, plans };
}

/** The searchable text of a document's content (text documents only). */
export function documentText(entry: DocumentEntry, contentPath: string | undefined): string | undefined {
  if (!contentPath || !isTextual(entry.media_type)) return undefined;
  return readPrefix(contentPath, MAX_TEXT_BYTES);
}

export function documentItem(entry: DocumentEntry, text: string): Item {
  return { id: itemId('doc', entry.id), title: entry.name, text };
}

/** The first `limit` bytes of a file as UTF-8 (a character cut at the end is dropped). */
export function readPrefix(path: string, limit: number): string {
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.allocUnsafe(Math.min(limit, fstatSync(fd).size));
    let length = 0;
    for (let n = 1; n > 0 && length < buffer.length; length += n) n = readSync(fd, buffer, length, buffer.length - length, null);
    return new TextDecoder('utf-8').decode(buffer.subarray(0, length)).replace(/\uFFFD$/, '');
  } finally {
    closeSync(fd);
  }
}
