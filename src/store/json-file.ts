// Small JSON side files (context.json, config.json): validated on read, changed under
// their own lock with an atomic replace, unknown fields kept. Never read through a
// symbolic link that leads out of their folder (DESIGN §8).
import { lstatSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type * as z from 'zod/mini';
import { FlowError } from '../domain/errors.js';
import { parseWith, SchemaError } from '../domain/schema.js';
import { removeStaleTemps, writeFileAtomic } from './atomic-write.js';
import { asFlowError } from './errno.js';
import { acquireLock } from './lock.js';
import { readFileInside } from './regular-file.js';

/**
 * JSON.parse, refusing a key "__proto__": JSON allows it, but an object built from it by
 * assignment (a schema's output) turns it into a prototype, so it would be silently
 * dropped from what is written back.
 */
function parseJson(text: string): unknown {
  // Only a text that spells it, or escapes a character (and so could), is read key by key.
  if (!/__proto__|\\u/.test(text)) return JSON.parse(text);
  let proto = false;
  const value: unknown = JSON.parse(text, (key, v: unknown) => {
    if (key === '__proto__') proto = true;
    return v;
  });
  if (proto) throw new SyntaxError('it has a key named "__proto__", which flow cannot keep');
  return value;
}

/**
 * The file read and validated. `schema` is called only when there is a file to check;
 * `absent` (what the schema makes of `{}`) stands for a file that is not there, so a
 * command in a store without that file does not build the schema.
 */
export function readJsonFile<T>(path: string, schema: () => z.ZodMiniType<T>, name: string, absent?: () => T): T {
  let text: string;
  try {
    // The common case of nothing there at all, without the containment walk and an ENOENT
    // error; a link, even one that leads nowhere, is checked below (a file that goes away
    // between the two is met there too).
    if (absent && lstatSync(path, { throwIfNoEntry: false }) === undefined) return absent();
    text = readFileInside(path, name).toString('utf8');
  } catch (err) {
    if (err instanceof FlowError) throw err;
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return absent ? absent() : parseWith(schema(), {}, name);
    throw asFlowError(err);
  }
  try {
    return parseWith(schema(), text.trim() === '' ? {} : parseJson(text), name);
  } catch (err) {
    if (err instanceof SyntaxError || err instanceof SchemaError) {
      throw new FlowError('invalid', `${path} is not valid: ${err.message}. Fix or remove it.`);
    }
    throw err;
  }
}

export async function updateJsonFile<T, R>(
  path: string,
  schema: z.ZodMiniType<T>,
  name: string,
  change: (value: T) => R,
): Promise<R> {
  try {
    mkdirSync(dirname(path), { recursive: true });
    const lock = await acquireLock(path);
    try {
      removeStaleTemps(path);
      const value = readJsonFile(path, () => schema, name);
      const result = change(value);
      writeFileAtomic(path, [Buffer.from(`${JSON.stringify(value, null, 2)}\n`)], {
        beforeRename: () => lock.assertHeld(),
      });
      return result;
    } finally {
      await lock.release();
    }
  } catch (err) {
    throw asFlowError(err);
  }
}
