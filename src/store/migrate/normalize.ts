// Shared pieces of the format adapters: unique ids with DESIGN §3's `_dup` rule, and
// turning loosely-typed older tasks and plans into 3.0 ones without dropping anything.
// A value that cannot be used as-is stays on the object under `old_<field>`.
import { newId, type IdKind } from '../../domain/ids.js';
import { PLAN_STATUSES, PRIORITIES, TASK_STATUSES } from '../../domain/schema.js';

export type Raw = Record<string, unknown>;

export function isObject(value: unknown): value is Raw {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Ids seen so far in the whole document. */
export class IdRegistry {
  private readonly taken = new Set<string>();

  /** A new id of flow's own form. */
  fresh(kind: IdKind): string {
    for (;;) {
      const id = newId(kind);
      if (this.claim(id)) return id;
    }
  }

  claim(id: string): boolean {
    if (this.taken.has(id)) return false;
    this.taken.add(id);
    return true;
  }

  /** Keeps `id` if free, else `<id>_dup`, `<id>_dup2`, … (the first holder keeps it). */
  keep(id: string): string {
    if (this.claim(id)) return id;
    for (let n = 1; ; n++) {
      const candidate = n === 1 ? `${id}_dup` : `${id}_dup${n}`;
      if (this.claim(candidate)) return candidate;
    }
  }
}

const STATUS_SYNONYMS: Record<string, (typeof TASK_STATUSES)[number]> = {
  todo: 'todo', 'to do': 'todo', open: 'todo', pending: 'todo', new: 'todo', backlog: 'todo',
  in_progress: 'in_progress', 'in-progress': 'in_progress', 'in progress': 'in_progress',
  inprogress: 'in_progress', doing: 'in_progress', active: 'in_progress', started: 'in_progress',
  wip: 'in_progress',
  blocked: 'blocked', waiting: 'blocked', 'on hold': 'blocked', on_hold: 'blocked',
  done: 'done', complete: 'done', completed: 'done', finished: 'done', closed: 'done',
  resolved: 'done',
  cancelled: 'cancelled', canceled: 'cancelled', dropped: 'cancelled', abandoned: 'cancelled',
  'won\'t do': 'cancelled', wontdo: 'cancelled',
};

const PLAN_STATUS_SYNONYMS: Record<string, (typeof PLAN_STATUSES)[number]> = {
  draft: 'draft', planned: 'draft', proposed: 'draft',
  active: 'active', open: 'active', in_progress: 'active', 'in-progress': 'active',
  done: 'done', complete: 'done', completed: 'done', finished: 'done', closed: 'done',
  archived: 'archived', cancelled: 'archived', canceled: 'archived',
};

const PRIORITY_SYNONYMS: Record<string, (typeof PRIORITIES)[number]> = {
  low: 'low', l: 'low', minor: 'low', '3': 'low',
  medium: 'medium', m: 'medium', normal: 'medium', med: 'medium', '2': 'medium',
  high: 'high', h: 'high', urgent: 'high', critical: 'high', major: 'high', '1': 'high',
};

/**
 * Puts the mapped value of `field` on `out`; when the original was absent it gets the
 * default, and when it could not be used verbatim the original goes to `old_<field>`.
 */
function mapped<T>(
  out: Raw,
  raw: Raw,
  field: string,
  map: (value: unknown) => T | undefined,
  fallback: T,
): void {
  if (!(field in raw) || raw[field] === undefined || raw[field] === null) {
    out[field] = fallback;
    return;
  }
  const value = map(raw[field]);
  out[field] = value ?? fallback;
  if (value === undefined || !sameJson(value, raw[field])) out[`old_${field}`] = raw[field];
}

function sameJson(a: unknown, b: unknown): boolean {
  return a === b || JSON.stringify(a) === JSON.stringify(b);
}

const fromSynonyms =
  <T>(table: Record<string, T>) =>
  (value: unknown): T | undefined =>
    typeof value === 'string' || typeof value === 'number'
      ? table[String(value).trim().toLowerCase()]
      : undefined;

const asText = (value: unknown): string | undefined =>
  typeof value === 'string' ? value : undefined;

const asStringList = (value: unknown): string[] | undefined => {
  if (typeof value === 'string') return value.split(',').map((s) => s.trim()).filter(Boolean);
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value;
  return undefined;
};

const asTimestamp = (value: unknown): string | undefined => {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) {
    // Seconds or milliseconds since the epoch.
    const date = new Date(value < 1e11 ? value * 1000 : value);
    return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
  }
  return undefined;
};

function optionalTimestamp(out: Raw, raw: Raw, field: string): void {
  if (raw[field] === undefined) return;
  const value = asTimestamp(raw[field]);
  if (value !== undefined) out[field] = value;
  if (value !== raw[field]) out[`old_${field}`] = raw[field];
}

function title(out: Raw, raw: Raw, fallbackField: string): void {
  const value = raw.title ?? raw[fallbackField];
  if (typeof value === 'string') out.title = value;
  else {
    out.title = value === undefined || value === null ? '(untitled)' : String(value);
    if (value !== undefined && value !== null) out.old_title = value;
  }
  // A `name` used as the title moves there; if both exist, `name` stays as it was.
  if (raw.title === undefined && fallbackField in raw) delete out[fallbackField];
}

/**
 * The `meta` of an upgraded document: the older one's fields are kept, values the 3.0
 * schema would reject (and so quarantine the file for) move to `old_<field>`, and
 * `migrated_from` records the step.
 */
export function upgradedMeta(raw: unknown, format: string, version: unknown, at: string): Raw {
  const meta: Raw = isObject(raw) ? { ...raw } : {};
  if (raw !== undefined && !isObject(raw)) meta.old_meta = raw;
  const revision = meta.file_revision;
  if (revision !== undefined && !(Number.isInteger(revision) && (revision as number) >= 0)) {
    meta.old_file_revision = revision;
    delete meta.file_revision;
  }
  for (const field of ['last_saved', 'writer']) {
    if (meta[field] !== undefined && typeof meta[field] !== 'string') {
      meta[`old_${field}`] = meta[field];
      delete meta[field];
    }
  }
  meta.file_revision ??= 0;
  meta.migrated_from = { format, version: version ?? null, at };
  return meta;
}

export interface IdPlan {
  /** Give every object a new id and keep the former in `old_id` (1.x), or keep ids (2.x). */
  renew: boolean;
}

/** Assigns the object's id and records the former one when it changed. */
export function assignId(out: Raw, raw: Raw, kind: IdKind, ids: IdRegistry, plan: IdPlan): string {
  const former = raw.id;
  const usable = typeof former === 'string' && former.length > 0 ? former : undefined;
  let id: string;
  if (plan.renew || former === undefined || former === null || former === '') id = ids.fresh(kind);
  else id = ids.keep(usable ?? String(former));
  out.id = id;
  if (former !== undefined && former !== null && former !== id) out.old_id = former;
  return id;
}

export interface TaskContext {
  ids: IdRegistry;
  idPlan: IdPlan;
  /** former id (as a string) → new id, to rewrite depends_on afterwards. */
  renamed: Map<string, string>;
}

export function normalizeTask(raw: unknown, ctx: TaskContext): Raw {
  const source: Raw = isObject(raw) ? raw : { title: raw };
  const out: Raw = { ...source };
  const id = assignId(out, source, 'task', ctx.ids, ctx.idPlan);
  if (source.id !== undefined && source.id !== null) ctx.renamed.set(String(source.id), id);
  title(out, source, 'name');
  mapped(out, source, 'status', fromSynonyms(STATUS_SYNONYMS), 'todo');
  mapped(out, source, 'priority', fromSynonyms(PRIORITY_SYNONYMS), 'medium');
  mapped(out, source, 'notes', asText, '');
  mapped(out, source, 'tags', asStringList, []);
  mapped(out, source, 'depends_on', (v) => (Array.isArray(v) ? v.map(String) : undefined), []);
  optionalTimestamp(out, source, 'created');
  optionalTimestamp(out, source, 'updated');
  const subtasks = source.subtasks;
  out.subtasks = Array.isArray(subtasks) ? subtasks.map((t) => normalizeTask(t, ctx)) : [];
  if (subtasks !== undefined && !Array.isArray(subtasks)) out.old_subtasks = subtasks;
  return out;
}

/** Points depends_on entries that named a former id at the new id. */
export function relinkDependencies(tasks: Raw[], renamed: Map<string, string>): void {
  for (const task of tasks) {
    task.depends_on = (task.depends_on as string[]).map((dep) => renamed.get(dep) ?? dep);
    relinkDependencies(task.subtasks as Raw[], renamed);
  }
}

export function normalizePlan(raw: unknown, ctx: TaskContext): Raw {
  const source: Raw = isObject(raw) ? raw : { title: raw };
  const out: Raw = { ...source };
  assignId(out, source, 'plan', ctx.ids, ctx.idPlan);
  title(out, source, 'name');
  mapped(out, source, 'status', fromSynonyms(PLAN_STATUS_SYNONYMS), 'active');
  mapped(out, source, 'summary', asText, '');
  optionalTimestamp(out, source, 'created');
  optionalTimestamp(out, source, 'updated');
  const tasks = source.tasks;
  out.tasks = Array.isArray(tasks) ? tasks.map((t) => normalizeTask(t, ctx)) : [];
  if (tasks !== undefined && !Array.isArray(tasks)) out.old_tasks = tasks;
  return out;
}
