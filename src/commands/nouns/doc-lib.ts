// What the document commands share with show plan and show task: the document modules,
// loaded only when a command needs them, and a document as --json and the screen show it.
import type { DocumentRef, Documents, Existing } from '../../documents/documents.js';
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
 * A document reference as the commands read it: a number is the one `list doc` shows,
 * whatever else the command is given (numbers.ts), and wins over a name of digits (DESIGN
 * §6, as for tasks). The store is read for that only when the text is a number (`seen`: a
 * view read already); any other text stays a plain reference.
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
 * For show plan and show task: the documents a plan references now, or those linked to
 * one of its tasks (a task's document counts while its plan references it).
 */
export async function documentsOf(env: Env, view: StoreView, planId: string, taskId?: string): Promise<DocJson[]> {
  const lib = await load();
  const manifest = documents(lib, env).read();
  const existing = existingIn(lib, view);
  return manifest
    .list()
    .filter((e) => !e.deleted_at && e.plans.includes(planId) && (taskId === undefined || e.tasks.includes(taskId)))
    .map((e) => docJson(lib, e, existing))
    .filter((d) => d.live_plans.includes(planId));
}

/** The lines show plan and show task give their documents (none when there are none). */
export function documentLines(style: Style, docs: readonly DocJson[]): string[] {
  if (!docs.length) return [];
  return [`  documents ${docs.length}`, ...docs.map((d) => `    ${oneLine(d.name)}  ${style.paint('muted', byteSize(d.size))}  ${style.paint('id', d.id)}`)];
}
