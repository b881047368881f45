// Readable files: documents/<plan_id>/<name> is where people and editors find a
// document. It is a hard link to the stored content (one copy on disk, an ordinary file
// to git, editors and Windows), read-only like the content, so an editor asks before
// writing through it. Where a hard link cannot be made (another filesystem, no link
// support) it is a copy. Large files kept by git-lfs get a relative symbolic link
// instead, so git commits a link and git-lfs the content.
import { copyFileSync, constants, fsyncSync, closeSync, linkSync, lstatSync, mkdirSync, openSync, readdirSync, readlinkSync, renameSync, rmdirSync, statSync, symlinkSync, unlinkSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fsyncDirectory, tempPathFor } from '../store/atomic-write.js';
import { hashFileSync } from './content-store.js';
import { resolveInside } from './contain.js';

export type Placement = 'link' | 'symlink' | 'copy';

/** Errors that mean "no hard link here", not "something is wrong". */
const NO_LINK = new Set(['EXDEV', 'EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'EMLINK', 'ENOSYS']);

/**
 * Puts the readable file of a content at `path` (relative to `root`, documents/),
 * replacing what is there in one rename. With `folders`, the folder to fsync is added
 * there instead of synced at once (see ContentStore.putFile).
 */
export function placeReadable(root: string, path: string, blob: string, wantSymlink = false, folders?: Set<string>): Placement {
  const target = resolveInside(root, path);
  mkdirSync(dirname(target), { recursive: true });
  const temp = tempPathFor(target);
  let placement: Placement;
  try {
    if (wantSymlink) {
      symlinkSync(relative(dirname(target), blob), temp);
      placement = 'symlink';
    } else {
      try {
        linkSync(blob, temp);
        placement = 'link';
      } catch (err) {
        if (!NO_LINK.has((err as NodeJS.ErrnoException).code ?? '')) throw err;
        copyFileSync(blob, temp, constants.COPYFILE_FICLONE);
        const fd = openSync(temp, 'r');
        try {
          fsyncSync(fd);
        } finally {
          closeSync(fd);
        }
        placement = 'copy';
      }
    }
    renameSync(temp, target);
  } catch (err) {
    try {
      unlinkSync(temp);
    } catch {
      // never made
    }
    throw err;
  }
  if (folders) folders.add(dirname(target));
  else fsyncDirectory(dirname(target));
  return placement;
}

export type ReadableState = 'same' | 'missing' | 'changed' | 'foreign-link' | 'not-a-file';

/** What the readable file at `path` holds compared with the content `sha256` stored at `blob`. */
export function readableState(root: string, path: string, sha256: string, blob: string | undefined): ReadableState {
  const target = resolveInside(root, path);
  let stat;
  try {
    stat = lstatSync(target);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
    throw err;
  }
  if (stat.isSymbolicLink()) {
    // Only links flow made (into the store) are followed, never one pointing elsewhere.
    return blob && readlinkSync(target) === relative(dirname(target), blob) ? 'same' : 'foreign-link';
  }
  if (!stat.isFile()) return 'not-a-file';
  if (blob) {
    const stored = statSync(blob);
    if (stored.ino === stat.ino && stored.dev === stat.dev) return 'same';
  }
  return hashFileSync(target) === sha256 ? 'same' : 'changed';
}

/**
 * Removes the readable file at `path` when it still holds the content (a person's edits
 * are never deleted), then the folders it leaves empty. Returns false when it was kept.
 */
export function removeReadable(root: string, path: string, sha256: string, blob: string | undefined): boolean {
  const state = readableState(root, path, sha256, blob);
  if (state === 'missing') return true;
  if (state !== 'same') return false;
  const target = resolveInside(root, path);
  unlinkSync(target);
  for (let folder = dirname(target); folder.startsWith(root + '/') && folder !== root; folder = dirname(folder)) {
    if (readdirSync(folder).length) break;
    rmdirSync(folder);
  }
  return true;
}

/** Every file under documents/ outside flow's own folders, as paths relative to it. */
export function* readableFiles(root: string, skip: ReadonlySet<string>): Generator<string> {
  const walk = function* (folder: string, prefix: string): Generator<string> {
    let names: string[];
    try {
      names = readdirSync(folder);
    } catch {
      return;
    }
    for (const name of names) {
      if ((!prefix && skip.has(name)) || name.includes('.tmp-')) continue;
      const full = join(folder, name);
      const stat = lstatSync(full);
      const rel = prefix ? `${prefix}/${name}` : name;
      if (stat.isDirectory()) yield* walk(full, rel);
      else if (stat.isFile() || stat.isSymbolicLink()) yield rel;
    }
  };
  yield* walk(root, '');
}
