// Before an upgrade is saved, the original and the result are saved together
// (DESIGN §3) in snapshots/<timestamp>_migration.json, never overwriting an earlier one.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const SNAPSHOT_DIR = 'snapshots';

export interface MigrationRecord {
  /** Formats passed through, oldest first. */
  from: string[];
  source_file: string;
  original: unknown;
  result: unknown;
}

export function writeMigrationSnapshot(dir: string, record: MigrationRecord, at = new Date()): string {
  const folder = join(dir, SNAPSHOT_DIR);
  mkdirSync(folder, { recursive: true });
  const body = `${JSON.stringify({ kind: 'migration', created: at.toISOString(), ...record }, null, 2)}\n`;
  const stamp = at.toISOString().replace(/:/g, '-');
  for (let n = 0; ; n++) {
    const path = join(folder, `${stamp}${n ? `-${n}` : ''}_migration.json`);
    try {
      writeFileSync(path, body, { flag: 'wx' });
      return path;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
}
