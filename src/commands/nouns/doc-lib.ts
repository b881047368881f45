// What the document commands share with show plan and show task: the document modules,
// loaded only when a command needs them, and a document as --json and the screen show it.
import type { DocumentRef, Documents, Existing, PlansNow } from '../../documents/documents.js';
import type { DocumentEntry } from '../../documents/manifest.js';
import { oneLine } from '../../domain/sanitize.js';
import { distrust } from '../../hooks/trust.js';
import type { StoreView } from '../../store/state.js';
import type { Env } from '../env.js';
import { byteSize } from '../render.js';
import type { Style } from '../style.js';

export type Lib = typeof import('../../documents/index.js');

/** The document modules, loaded when a document command runs. */
export const load = (): Promise<Lib> => import('../../documents/index.js');

export function documents(lib: Lib, env: Env): Documents {
  const config = env.config();
  return lib.openDocuments(env.dir, config.documents, (message) => env.warn(message), () => distrust(env.dir, config));
}

export function existingIn(lib: Lib, view: StoreView): Existing {
  return (ids) => lib.existingPlans(view, ids);
}

/**
 * The plans as flows.json holds them when a change asks (under the manifest's lock): the
 * file read again, of which only the flows that name a wanted plan are parsed.
 */
export function plansNow(lib: Lib, env: Env): PlansNow {
  return async () => existingIn(lib, await env.store.read({ validateCurrent: false }));
}

/**
 * A document reference as the commands read it: a number is the one `list doc` shows,
 * whatever else the command is given (numbers.ts), and wins over a name of digits (DESIGN
 * §6, as for tasks). The store is read for that only when the text is a number (`seen`: a
 * view read already); any other text stays a plain reference. A change checks the number
 * again against the store as it is under the manifest's lock (plansNow).
 */
export async function docRef(lib: Lib, env: Env, text: string, seen?: StoreView): Promise<string | DocumentRef> {
  if (!lib.numeric(text)) return text;
  return { text, existing: existingIn(lib, seen ?? (await env.read())) };
}

/** A document as --json shows it: the entry, with the plans that reference it now. */
export function docJson(lib: Lib, entry: DocumentEntry, existing: Existing) {
  const live = lib.liveReferences(entry, existing(entry.plans));
  return { ...entry, path: `documents/${entry.path}`, references: live.length, live_plans: live };
}

export type DocJson = ReturnType<typeof docJson>;

/**
 * For show plan and show task: the rows `list doc --plan` shows, with their numbers (a
 * document marked deleted that the plan references again, after an undo, counts as the
 * numbering counts it), or those of them linked to one of its tasks.
 */
export async function documentsOf(env: Env, view: StoreView, planId: string, taskId?: string): Promise<Array<DocJson & { number: number | null }>> {
  const lib = await load();
  const entries = documents(lib, env).read().list();
  const existing = existingIn(lib, view);
  return lib
    .listedDocuments(entries, existing(entries.flatMap((e) => e.plans)), { planId })
    .filter(({ entry }) => taskId === undefined || entry.tasks.includes(taskId))
    .map(({ entry, number }) => ({ number, ...docJson(lib, entry, existing) }));
}

/** The lines show plan and show task give their documents (none when there are none). */
export function documentLines(style: Style, docs: ReadonlyArray<DocJson & { number: number | null }>): string[] {
  if (!docs.length) return [];
  return [
    `  documents ${docs.length}`,
    ...docs.map((d) => `    ${style.paint('muted', `${d.number}.`)} ${oneLine(d.name)}  ${style.paint('muted', byteSize(d.size))}  ${style.paint('id', d.id)}`),
  ];
}
