// context.json: per-session context (DESIGN §1, §6). Each session has its scope (current
// flow and plan), a "where we are" summary and a log of decisions, so a person or an agent
// coming back after a break finds what they left; two sessions never change each other's.
// Versioned; fields other tools add are kept and written back.
import { join } from 'node:path';
import * as z from 'zod/mini';
import { FlowError } from '../domain/errors.js';
import { nestingDepth } from '../domain/schema.js';
import { now } from '../domain/time.js';
import { readJsonFile, updateJsonFile } from '../store/json-file.js';
import { hasRollForward } from '../store/roll-forward.js';

import { checkSessionName } from './session.js';
import { once } from '../domain/once.js';

export { checkSessionName, DEFAULT_SESSION, sessionName } from './session.js';

export const CONTEXT_FILE = 'context.json';
/** The format this program writes; a newer one is read, never written. */
export const CONTEXT_VERSION = 1;

/** Built on first use: a store without context.json never builds them (issue 15, start-up). */
const contextSchemas = once(() => {
  const DecisionSchema = z.looseObject({
    time: z.string(),
    text: z.string(),
    plan_id: z.optional(z.string()),
    task_id: z.optional(z.string()),
    /** Who noted it: `cli|tui|hook:<pid>:<session>`, like meta.writer of flows.json. */
    writer: z.optional(z.string()),
  });

  /**
   * Why a session's scope was last cleared: the plan or flow it pointed at was deleted. Until
   * the session chooses again, commands that would act in that plan say so instead of
   * acting in another one.
   */
  const ClearedSchema = z.looseObject({
    kind: z.enum(['plan', 'flow']),
    id: z.string(),
    title: z.string(),
    time: z.string(),
    writer: z.optional(z.string()),
  });

  const SessionSchema = z.looseObject({
    flow_id: z._default(z.nullable(z.string()), null),
    plan_id: z._default(z.nullable(z.string()), null),
    cleared: z.optional(ClearedSchema),
    summary: z._default(z.string(), ''),
    decisions: z._default(z.array(DecisionSchema), () => []),
    updated: z.optional(z.string()),
    writer: z.optional(z.string()),
  });

  const ContextSchema = z.looseObject({
    version: z._default(z.int(), CONTEXT_VERSION),
    sessions: z._default(z.record(z.string(), SessionSchema), () => ({})),
  });
  return { DecisionSchema, ClearedSchema, SessionSchema, ContextSchema };
});
export const contextSchema = () => contextSchemas().ContextSchema;

type Schemas = ReturnType<typeof contextSchemas>;
export type Decision = z.infer<Schemas['DecisionSchema']>;
export type Cleared = z.infer<Schemas['ClearedSchema']>;
export type SessionContext = z.infer<Schemas['SessionSchema']>;
export type ContextFile = z.infer<Schemas['ContextSchema']>;

export interface Scope {
  flowId: string | null;
  planId: string | null;
  /** Set when the scope was cleared because what it pointed at was deleted. */
  cleared?: Cleared;
}

export function contextPath(dir: string): string {
  return join(dir, CONTEXT_FILE);
}

export function readContext(dir: string): ContextFile {
  return readJsonFile(contextPath(dir), contextSchema, CONTEXT_FILE, () => ({ version: CONTEXT_VERSION, sessions: {} }));
}

/** The session's own entry: never one inherited from Object (a session named "constructor"). */
export function sessionOf(file: ContextFile, session: string): SessionContext | undefined {
  return Object.hasOwn(file.sessions, session) ? file.sessions[session] : undefined;
}

export function scopeOf(entry: SessionContext | undefined): Scope {
  return { flowId: entry?.flow_id ?? null, planId: entry?.plan_id ?? null, ...(entry?.cleared ? { cleared: entry.cleared } : {}) };
}

export function readScope(dir: string, session: string): Scope {
  return scopeOf(sessionOf(readContext(dir), session));
}

// Deeper than this, writing the file back (JSON.stringify recurses) could run out of stack
// mid-transaction; what flow itself writes nests 5 levels.
const MAX_NESTING = 256;

/**
 * A context.json of a newer format is read, never written (like flows.json, DESIGN §3);
 * so is one another program nested too deeply to be written back.
 */
export function assertWritable(file: ContextFile): void {
  if (file.version > CONTEXT_VERSION) {
    throw new FlowError(
      'too_new',
      `context.json is version ${file.version}, newer than this flow understands (${CONTEXT_VERSION}); ` +
        'it is read-only: nothing was saved. Upgrade flow to change it.',
      { version: file.version },
    );
  }
  if (nestingDepth(file, MAX_NESTING) > MAX_NESTING) {
    throw new FlowError(
      'too_deep',
      `context.json nests deeper than ${MAX_NESTING} levels (written by another program), which flow cannot write back; ` +
        'it is read-only: nothing was saved. Remove that field to change it.',
    );
  }
}

/** The session's entry to change, made if missing, marked as changed now by `writer`. */
export function editSession(file: ContextFile, session: string, writer: string): SessionContext {
  checkSessionName(session);
  const entry = sessionOf(file, session) ?? (file.sessions[session] = contextSchemas().SessionSchema.parse({}));
  entry.updated = now();
  entry.writer = writer;
  return entry;
}

/** Raised under context.json's lock when a two-file change was left half done. */
class Unfinished extends Error {}

/**
 * Changes context.json alone, under its own lock. A two-file change a crash left half
 * done (its record still there) would put its own context.json over this one: it is
 * finished first (`finishPending` takes flows.json's lock, so never while holding this one).
 */
export async function updateContext<R>(dir: string, change: (file: ContextFile) => R, finishPending: () => Promise<void>): Promise<R> {
  for (;;) {
    try {
      return await updateJsonFile(contextPath(dir), contextSchema(), CONTEXT_FILE, (file) => {
        if (hasRollForward(dir)) throw new Unfinished();
        assertWritable(file);
        return change(file);
      });
    } catch (err) {
      if (!(err instanceof Unfinished)) throw err;
      await finishPending();
    }
  }
}

/** Puts back a whole context.json (a snapshot's), inside a transaction's edit. */
export function replaceContext(file: ContextFile, value: unknown): void {
  for (const key of Object.keys(file)) delete (file as Record<string, unknown>)[key];
  Object.assign(file, contextSchema().parse(value ?? {}));
}
