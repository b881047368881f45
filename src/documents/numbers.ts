// The numbers `flow list doc` puts before its rows (1., 2., …), and the documents they
// name: one rule for the list, every command that takes a document, and shell completion
// (which reads the manifest without this module's heavier neighbours: keep it small).
import { oneLine } from '../domain/sanitize.js';
import type { DocumentEntry } from './manifest.js';
import { liveReferences } from './references.js';

/**
 * A text that reads as a number: a list number (1, 2, …), or one that is none (0, -1,
 * 007), which "not found" answers with the list's range. Only these need the list.
 */
export const numeric = (text: string) => /^[-+]?\d+$/.test(text);

/** Which rows `list doc` shows: a plan's documents (--plan), every one (--all), else those a plan references. */
export interface DocumentList {
  planId?: string;
  all?: boolean;
  /** The plan's title, for messages. */
  planTitle?: string;
}

type Listed = Pick<DocumentEntry, 'plans' | 'deleted_at'>;

/**
 * The documents `list doc` shows, in its order (the manifest's): with a plan, those it
 * references; else those some plan that exists references and that are not deleted
 * (`all`: every one). `present` holds the plans that exist now.
 */
export function listedDocuments<T extends Listed>(entries: readonly T[], present: { has(id: string): boolean }, list: DocumentList): T[] {
  return entries.filter((entry) => {
    const live = liveReferences(entry, present);
    return list.planId ? live.includes(list.planId) : !!list.all || (live.length > 0 && !entry.deleted_at);
  });
}

/** How many numbers a list has, for "not found": `there are 3 documents: 1–3`. */
export function numberRange(count: number, list: DocumentList): string {
  const has = list.planTitle === undefined ? (count === 1 ? 'there is' : 'there are') : `plan "${oneLine(list.planTitle)}" has`;
  const numbers = count === 0 ? '' : count === 1 ? ': 1' : `: 1–${count}`;
  return `${has} ${count === 0 ? 'no' : count} document${count === 1 ? '' : 's'}${numbers}`;
}
