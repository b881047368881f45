// context.json: per-session context (DESIGN §1, §6). A session's scope (current flow and
// plan) lives here, so two sessions never change each other's scope.
import { join } from 'node:path';
import * as z from 'zod/mini';
import { readJsonFile, updateJsonFile } from '../store/json-file.js';

import { checkSessionName } from './session.js';

export { checkSessionName, DEFAULT_SESSION, sessionName } from './session.js';

export const CONTEXT_FILE = 'context.json';

const SessionSchema = z.looseObject({
  flow_id: z._default(z.nullable(z.string()), null),
  plan_id: z._default(z.nullable(z.string()), null),
  summary: z._default(z.string(), ''),
  decisions: z._default(z.array(z.unknown()), () => []),
  updated: z.optional(z.string()),
});

export const ContextSchema = z.looseObject({
  version: z._default(z.number(), 1),
  sessions: z._default(z.record(z.string(), SessionSchema), () => ({})),
});

export type SessionContext = z.infer<typeof SessionSchema>;
export type ContextFile = z.infer<typeof ContextSchema>;

export interface Scope {
  flowId: string | null;
  planId: string | null;
}

export function readContext(dir: string): ContextFile {
  return readJsonFile(join(dir, CONTEXT_FILE), ContextSchema, 'context.json');
}

/** The session's own entry: never one inherited from Object (a session named "constructor"). */
function sessionEntry(file: ContextFile, session: string): SessionContext | undefined {
  return Object.hasOwn(file.sessions, session) ? file.sessions[session] : undefined;
}

export function readScope(dir: string, session: string): Scope {
  const entry = sessionEntry(readContext(dir), session);
  return { flowId: entry?.flow_id ?? null, planId: entry?.plan_id ?? null };
}

export async function updateSession<R>(
  dir: string,
  session: string,
  change: (entry: SessionContext) => R,
): Promise<R> {
  return updateJsonFile(join(dir, CONTEXT_FILE), ContextSchema, 'context.json', (file) => {
    const entry = sessionEntry(file, checkSessionName(session)) ?? (file.sessions[session] = SessionSchema.parse({}));
    const result = change(entry);
    entry.updated = new Date().toISOString();
    return result;
  });
}

export async function writeScope(dir: string, session: string, scope: Scope): Promise<void> {
  await updateSession(dir, session, (entry) => {
    entry.flow_id = scope.flowId;
    entry.plan_id = scope.planId;
  });
}

/** Puts back a whole context.json (snapshot restore), under its lock. */
export async function replaceContext(dir: string, value: unknown): Promise<void> {
  await updateJsonFile(join(dir, CONTEXT_FILE), ContextSchema, 'context.json', (file) => {
    for (const key of Object.keys(file)) delete (file as Record<string, unknown>)[key];
    Object.assign(file, ContextSchema.parse(value ?? {}));
  });
}
