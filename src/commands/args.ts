// Building blocks for argument schemas shaped like the domain (DESIGN §6): a title is a
// string, a plan is a reference to a plan, a limit is a number. Nothing here knows argv;
// the parser reads these schemas' own types (and the reference kinds registered below).
import * as z from 'zod/mini';
import { ConflictError } from '../domain/errors.js';
import { once } from '../domain/once.js';

/** What a reference can point at (DESIGN §6: a full id, a unique prefix, a list number, a name). */
export type RefKind = 'flow' | 'plan' | 'task' | 'snapshot' | 'doc';

/** A reference as the person or agent gave it, not yet resolved; branded with its kind. */
export type Ref<K extends RefKind> = string & z.core.$brand<K>;

/** The kind of every reference schema, for the parser, completion and help. */
export const REF_KINDS = z.registry<{ kind: RefKind }>();

function refSchema<K extends RefKind>(kind: K) {
  const schema = z.string().check(z.minLength(1, 'must not be empty'));
  schema.register(REF_KINDS, { kind });
  return schema;
}

// One schema per kind, each branded with its kind (a literal, so the brand survives),
// built when a command's arguments first need one.
const refSchemas = once(() => ({
  flow: refSchema('flow').brand<'flow'>(),
  plan: refSchema('plan').brand<'plan'>(),
  task: refSchema('task').brand<'task'>(),
  snapshot: refSchema('snapshot').brand<'snapshot'>(),
  doc: refSchema('doc').brand<'doc'>(),
}));

/** A reference to one object of a kind. */
export function ref<K extends RefKind>(kind: K): ReturnType<typeof refSchemas>[K] {
  return refSchemas()[kind];
}

/** One reference or more (`done task 1 2 3`). */
export const refs = <K extends RefKind>(kind: K) => z.array(ref(kind)).check(z.minLength(1, 'needs at least one reference'));

/** A one-line text that must say something: titles and names, surrounding blanks dropped. */
export const text = () => z.string().check(z.trim(), z.minLength(1, 'must not be empty'));

/** A whole number ≥ 1 (limits, counts). */
export const count = () => z.int().check(z.positive('must be a whole number ≥ 1'));

const UNIT_MS: Readonly<Record<string, number>> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const DURATION = /^(?:\d+[smhd])+$/;

/** A span of time as people write it: 90s, 30m, 1h30m, 2d. */
export const duration = () => z.string().check(z.regex(DURATION, 'expected a duration such as 90s, 30m, 1h30m or 2d'));

/** Milliseconds of a duration() value. */
export function durationMs(text: string): number {
  let ms = 0;
  for (const [, n, unit] of text.matchAll(/(\d+)([smhd])/g)) ms += Number(n) * UNIT_MS[unit];
  return ms;
}

/**
 * `--expect field=value`: optimistic concurrency for people and agents. The change is
 * applied only if each field still has the value the writer saw; otherwise exit 3 with
 * both values, never a silent overwrite.
 */
export const expectations = () => z.optional(z.record(z.string().check(z.minLength(1)), z.string()));

export function checkExpectations(
  kind: string,
  object: Record<string, unknown>,
  expected: Readonly<Record<string, string>> | undefined,
): void {
  for (const [field, want] of Object.entries(expected ?? {})) {
    const actual = object[field];
    const shown = typeof actual === 'string' ? actual : JSON.stringify(actual ?? null);
    if (shown !== want) {
      throw new ConflictError(
        `${kind} ${String(object.id)} field "${field}" changed since you read it: ` +
          `you expected ${JSON.stringify(want)}, it is now ${JSON.stringify(shown)}`,
        { id: object.id, field, expected: want, actual },
      );
    }
  }
}
