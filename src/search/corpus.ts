// What flow search finds (issue 13 item 6): task titles and notes, plan titles and
// summaries, and the text of text documents.
import { readPrefix } from '../documents/content-store.js';
import type { DocumentEntry } from '../documents/manifest.js';
import { isTextual } from '../documents/media.js';
import type { Flow } from '../domain/schema.js';
import { walkTasks } from '../domain/tree.js';

export const ITEM_KINDS = ['task', 'plan', 'doc'] as const;
export type ItemKind = (typeof ITEM_KINDS)[number];

export interface Item {
  /** Says what the item is and where: see itemId(). */
  id: string;
  title: string;
  text: string;
}

/** Where a task or plan is, or which document: what a hit needs to be shown from the store. */
export type ItemRef = { kind: 'task'; flow: string; plan: string; id: string } | { kind: 'plan'; flow: string; plan: string } | { kind: 'doc'; id: string };

/** The text of a document that is indexed: its first MAX_TEXT_BYTES. */
export const MAX_TEXT_BYTES = 256 * 1024;

/**
 * An item's id in the index carries its kind and place (as JSON: ids migrated from older
 * formats may hold any character), so a hit is shown and filtered without a look-up.
 */
export function itemId(ref: ItemRef): string {
  if (ref.kind === 'doc') return JSON.stringify(['doc', ref.id]);
  return JSON.stringify(ref.kind === 'task' ? ['task', ref.flow, ref.plan, ref.id] : ['plan', ref.flow, ref.plan]);
}

/** The reference an item id holds; undefined for one flow did not make. */
export function itemRef(id: string): ItemRef | undefined {
  let parts: unknown;
  try {
    parts = JSON.parse(id);
  } catch {
    return undefined;
  }
  if (!Array.isArray(parts) || !parts.every((p) => typeof p === 'string')) return undefined;
  const [kind, a, b, c] = parts;
  if (kind === 'doc' && parts.length === 2) return { kind, id: a };
  if (kind === 'plan' && parts.length === 3) return { kind, flow: a, plan: b };
  if (kind === 'task' && parts.length === 4) return { kind, flow: a, plan: b, id: c };
  return undefined;
}

export function flowItems(flow: Flow): Item[] {
  const items: Item[] = [];
  for (const plan of flow.plans) {
    items.push({ id: itemId({ kind: 'plan', flow: flow.id, plan: plan.id }), title: plan.title, text: plan.summary });
    for (const { task } of walkTasks(plan.tasks)) {
      const text = task.tags.length ? `${task.notes}\n${task.tags.join(' ')}` : task.notes;
      items.push({ id: itemId({ kind: 'task', flow: flow.id, plan: plan.id, id: task.id }), title: task.title, text });
    }
  }
  return items;
}

/** The searchable text of a document's content (text documents only). */
export function documentText(entry: DocumentEntry, contentPath: string | undefined): string | undefined {
  if (!contentPath || !isTextual(entry.media_type)) return undefined;
  return readPrefix(contentPath, MAX_TEXT_BYTES);
}

export function documentItem(entry: DocumentEntry, text: string): Item {
  return { id: itemId({ kind: 'doc', id: entry.id }), title: entry.name, text };
}
