// Data never reaches outside (DESIGN §8): a name or path read from a side file (a
// snapshot's file, a content hash, a session or theme name) is checked against its
// expected shape and resolved inside its folder before anything is read, written or
// deleted, and no symbolic link on the way may lead out of the data directory.
import { lstatSync, realpathSync } from 'node:fs';

// realpath(3) in one call: Node's JS realpathSync stats every part of the path in turn,
// and this check runs for every side file a command touches (issue 15, start-up).
const realpath = realpathSync.native;
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { FlowError } from '../domain/errors.js';

/** A side-file entry that failed its check: reported as damaged, never followed. */
export class DamagedEntryError extends FlowError {
  constructor(what: string, value: string, why: string) {
    super('invalid', `${what} ${JSON.stringify(value)} is damaged (${why}); flow does not follow it`, { entry: value });
  }
}

function within(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

/**
 * Throws unless `path` (under `root`) really is inside `root` once symbolic links are
 * followed: the deepest part of it that exists is resolved, and a link that leads
 * nowhere counts as leading out (writing through it would create a file elsewhere).
 */
export function assertResolvesInside(root: string, path: string, what: string): void {
  let realRoot: string;
  try {
    realRoot = realpath(root);
  } catch {
    return; // no root yet: nothing under it to follow
  }
  for (let probe = resolve(path); within(resolve(root), probe); probe = dirname(probe)) {
    try {
      lstatSync(probe);
    } catch {
      continue; // not there (yet): look at its folder
    }
    let real: string;
    try {
      real = realpath(probe);
    } catch {
      throw new DamagedEntryError(what, path, 'a symbolic link that leads nowhere');
    }
    if (!within(realRoot, real)) throw new DamagedEntryError(what, path, `a symbolic link leads outside ${root}`);
    return;
  }
}

/**
 * `name` (a relative path read from a side file) resolved inside `root`: it must match
 * `shape`, and neither climb out nor reach out through a link.
 */
export function inside(root: string, name: string, shape: RegExp, what: string): string {
  if (!shape.test(name)) throw new DamagedEntryError(what, name, 'not of the expected form');
  const path = resolve(root, name);
  if (!within(resolve(root), path) || path === resolve(root)) throw new DamagedEntryError(what, name, `outside ${root}`);
  assertResolvesInside(root, path, what);
  return path;
}

/** True when `inside` would accept the name: for entries that are skipped rather than reported. */
export function isInside(root: string, name: string, shape: RegExp): boolean {
  try {
    inside(root, name, shape, 'entry');
    return true;
  } catch (err) {
    if (err instanceof DamagedEntryError) return false;
    throw err;
  }
}
