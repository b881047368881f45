// Moving an unreadable flows.json aside (DESIGN §4, §8): the moved-aside copy is the same
// bytes (or the same folder), under a name no earlier quarantine used, and the move
// happens only once its replacement is written and synced. If anything fails before
// that (a full disk, a read-only folder), the store is left exactly as it was.
import { linkSync, lstatSync, renameSync, statSync } from 'node:fs';
import { writeFileAtomic } from './atomic-write.js';

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

/**
 * Gives `file` a second name `<file>.corrupt.<timestamp>[-n]` (a hard link, so no byte
 * is copied; a folder is renamed) and returns it.
 */
function setAside(file: string, at: Date): string {
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
    return target;
  }
}

/**
 * Replaces the unreadable `file` by `pieces` and keeps the old bytes under a quarantine
 * name, which it returns: the replacement is written and synced first, then the old file
 * is set aside and the replacement renamed over it.
 */
export function quarantineReplacing(
  file: string,
  pieces: readonly Buffer[],
  options: { beforeRename?: () => void; at?: Date } = {},
): string {
  let aside = '';
  const folder = statSync(file).isDirectory();
  writeFileAtomic(file, pieces, {
    mode: folder ? 0o644 : undefined,
    beforeRename: () => {
      options.beforeRename?.();
      aside = setAside(file, options.at ?? new Date());
    },
  });
  return aside;
}
