// A transaction that changes flows.json and a second file (context.json) publishes them
// with two renames, flows.json first. Before the first, the second file's new bytes are
// recorded in transaction.json (written and synced like any file flow replaces), and
// the record is removed after the second. A crash between the two renames leaves the
// record behind, and whoever takes the lock next finishes the transaction: if flows.json
// is the revision the record belongs to (same revision, writer and save time), the second
// file is written from the record; if not, that save never happened and the record is
// dropped. Either way both files agree again.
import { existsSync, lstatSync, readFileSync, renameSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import * as z from 'zod/mini';
import { fsyncDirectory, writeFileAtomic } from './atomic-write.js';
import { assertResolvesInside } from './contain.js';
import { once } from '../domain/once.js';

export const ROLL_FORWARD_FILE = 'transaction.json';

// Built on first use: a record exists only after a crash between two renames.
const recordSchema = once(() =>
  z.looseObject({
    /** flows.json's meta as the transaction wrote it. */
    revision: z.int(),
    writer: z.string(),
    last_saved: z.string(),
    // The second file is named by a plain name in the data directory, never a path.
    file: z.string().check(z.regex(/^[a-z][a-z0-9_-]*\.json$/)),
    content: z.string(),
  }),
);

export type RollForwardRecord = z.infer<ReturnType<typeof recordSchema>>;

/** What finishing found: nothing, a second file written, a record dropped, or a damaged record moved aside. */
export type RollForwardOutcome =
  | { kind: 'none' }
  | { kind: 'finished'; record: RollForwardRecord }
  | { kind: 'dropped'; record: RollForwardRecord }
  | { kind: 'damaged'; movedTo: string; why: string };

const recordPath = (dir: string) => join(dir, ROLL_FORWARD_FILE);

/** Cheap enough for every command: one stat. */
export function hasRollForward(dir: string): boolean {
  return existsSync(recordPath(dir));
}

export function writeRollForward(dir: string, record: RollForwardRecord): void {
  writeFileAtomic(recordPath(dir), [Buffer.from(JSON.stringify(record))]);
}

export function removeRollForward(dir: string): void {
  try {
    unlinkSync(recordPath(dir));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    return;
  }
  fsyncDirectory(dir);
}

/**
 * Finishes what a crashed transaction left (see above). Runs under flows.json's lock;
 * `meta` is flows.json's meta now (undefined when it cannot be read), `lockSide` takes
 * the second file's lock for the write.
 */
export async function rollForward(
  dir: string,
  meta: { file_revision: number; writer?: string; last_saved?: string } | undefined,
  lockSide: (path: string) => Promise<{ assertHeld(): void; release(): Promise<void> }>,
): Promise<RollForwardOutcome> {
  // Not what flow writes: kept for a person to look at, never followed.
  const moveAside = (why: string): RollForwardOutcome => {
    const movedTo = `${recordPath(dir)}.corrupt.${new Date().toISOString().replace(/:/g, '-')}`;
    renameSync(recordPath(dir), movedTo);
    return { kind: 'damaged', movedTo, why };
  };
  let text: string;
  try {
    // flow writes the record as a file, by a rename: a link (which could lead anywhere) or
    // anything else in its place is not one.
    if (!lstatSync(recordPath(dir)).isFile()) return moveAside('it is not a file');
    text = readFileSync(recordPath(dir), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'none' };
    throw err;
  }
  let record: RollForwardRecord;
  try {
    record = recordSchema().parse(JSON.parse(text));
  } catch (err) {
    return moveAside((err as Error).message.split('\n')[0]);
  }
  const published =
    meta !== undefined && meta.file_revision === record.revision && meta.writer === record.writer && meta.last_saved === record.last_saved;
  if (published) {
    const side = join(dir, record.file);
    assertResolvesInside(dir, side, record.file);
    const lock = await lockSide(side);
    try {
      writeFileAtomic(side, [Buffer.from(record.content)], { beforeRename: () => lock.assertHeld() });
    } finally {
      await lock.release();
    }
  }
  removeRollForward(dir);
  return { kind: published ? 'finished' : 'dropped', record };
}
