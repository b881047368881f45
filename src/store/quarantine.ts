// Moving an unreadable flows.json aside (DESIGN §4): renamed, so the quarantined copy is
// the same bytes (or the same folder), to a name no earlier quarantine used.
import { linkSync, lstatSync, renameSync, statSync, unlinkSync } from 'node:fs';

function stamp(date: Date): string {
  // 2026-05-10T12-34-56.789Z: sortable, and no ':' so the name works everywhere.
  return date.toISOString().replace(/:/g, '-');
}

/** Any directory entry at `path`, a dangling symlink included (rename would fail on it). */
function exists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/** Moves `file` to `<file>.corrupt.<timestamp>[-n]` and returns the new path. */
export function quarantine(file: string, at = new Date()): string {
  const base = `${file}.corrupt.${stamp(at)}`;
  for (let n = 0; ; n++) {
    const target = n === 0 ? base : `${base}-${n}`;
    if (exists(target)) continue;
    if (statSync(file).isDirectory()) {
      // No link(2) for folders; the exists() check above is the guard (we hold the lock).
      renameSync(file, target);
      return target;
    }
    try {
      // link fails if the name is taken, so an earlier quarantine is never overwritten.
      linkSync(file, target);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') continue;
      throw err;
    }
    unlinkSync(file);
    return target;
  }
}
