// The numbers `flow list doc` puts before its rows (1., 2., …), and the documents they
// name: one rule for the list, every command that takes a document, and shell completion
// (which reads the manifest without this module's heavier neighbours: keep it small).
// There is one numbering, of the documents some plan that exists references: `--plan`
// and `--all` show fewer or more rows, each with that same number (none for a document no
// plan references), so a number never means another document in another command.
import type { DocumentEntry } from './manifest.js';
import { liveReferences } from './references.js';

/**
 * A text that reads as a number: a list number (1, 2, …), or one that is none (0, -1,
 * 007), which "not found" answers with the list's range. Only these need the list.
 */
export const numeric = (text: string) => /^[-+]?\d+$/.test(text);

/** Which rows `list doc` shows: a plan's documents (--plan), every one (--all), else the numbered ones. */
export interface DocumentList {
  planId?: string;
  all?: boolean;
}

type Listed = Pick<DocumentEntry, 'plans'>;

/**
 * The numbered documents, in the manifest's order: those some plan that exists now
 * references (`present`). Number n is the n-th of them.
 */
export function numberedDocuments<T extends Listed>(entries: readonly T[], present: { has(id: string): boolean }): T[] {
  return entries.filter((entry) => liveReferences(entry, present).length > 0);
}

/**
 * The rows `list doc` shows, in the manifest's order, each with its number (null for a
 * document no plan references, which only --all shows): with a plan, the documents it
 * references; with `all`, every one; else the numbered ones.
 */
export function listedDocuments<T extends Listed>(entries: readonly T[], present: { has(id: string): boolean }, list: DocumentList): Array<{ entry: T; number: number | null }> {
  const rows: Array<{ entry: T; number: number | null }> = [];
  let numbered = 0;
  for (const entry of entries) {
    const live = liveReferences(entry, present);
    const number = live.length > 0 ? ++numbered : null;
    if (list.planId ? live.includes(list.planId) : list.all || number !== null) rows.push({ entry, number });
  }
  return rows;
}

/** How many numbers there are, for "not found": `there are 3 documents: 1–3`. */
export function numberRange(count: number): string {
  const numbers = count === 0 ? '' : count === 1 ? ': 1' : `: 1–${count}`;
  return `${count === 1 ? 'there is' : 'there are'} ${count === 0 ? 'no' : count} document${count === 1 ? '' : 's'}${numbers}`;
}
