// Building blocks for the zod schemas that validate a command's arguments.
import * as z from 'zod/mini';
import { ConflictError } from '../domain/errors.js';

/** Words of a variadic positional joined into one text: `flow add task Write tests`. */
export const text = () =>
  z.pipe(
    z.array(z.string()),
    z.pipe(
      z.transform((words: string[]) => words.join(' ').trim()),
      z.string().check(z.minLength(1, 'must not be empty')),
    ),
  );

export const optionalText = () => z.optional(z.string());

export const refs = () => z.array(z.string()).check(z.minLength(1, 'needs at least one reference'));

export const flag = () => z.optional(z.boolean());

export const list = () => z.optional(z.array(z.string()));

export const oneOf = <T extends readonly [string, ...string[]]>(values: T) => z.optional(z.enum(values));

export const count = () =>
  z.optional(
    z.pipe(
      z.string(),
      z.pipe(
        z.transform((s: string) => Number(s)),
        z.int().check(z.positive('must be a whole number ≥ 1')),
      ),
    ),
  );

/**
 * `--expect field=value`: optimistic concurrency for people and agents. The change is
 * applied only if each field still has the value the writer saw; otherwise exit 3 with
 * both values, never a silent overwrite.
 */
export const expectations = () =>
  z.optional(z.array(z.string().check(z.regex(/^[^=]+=/, 'needs FIELD=VALUE, e.g. --expect title=Old'))));

export function checkExpectations(
  kind: string,
  object: Record<string, unknown>,
  expected: readonly string[] | undefined,
): void {
  for (const entry of expected ?? []) {
    const eq = entry.indexOf('=');
    const field = entry.slice(0, eq);
    const want = entry.slice(eq + 1);
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
