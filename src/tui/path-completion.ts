// Tab in the "add a document" input: file paths completed as a shell does, from the
// folder the workspace was started in. One match goes in whole (a folder with its "/"),
// several go in as far as they agree and are listed.
import { readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { resolve } from 'node:path';
import { commonPrefix } from '../commands/complete.js';

export interface PathCompletion {
  /** The text with the completion put in. */
  text: string;
  /** The names that match, when more than one does. */
  candidates: string[];
}

const LIMIT = 200;

/** Where a typed path points: `~/` is the home folder, a relative path is from `cwd`. */
export function expandPath(typed: string, cwd = process.cwd()): string {
  const home = typed === '~' || typed.startsWith('~/') ? homedir() + typed.slice(1) : typed;
  return resolve(cwd, home);
}

export function completePath(typed: string, cwd = process.cwd()): PathCompletion {
  const slash = typed.lastIndexOf('/');
  const folder = slash < 0 ? '' : typed.slice(0, slash + 1);
  const start = typed.slice(slash + 1);
  let names: string[];
  try {
    names = readdirSync(expandPath(folder || '.', cwd), { withFileTypes: true })
      // Hidden files only when asked for, as shells do.
      .filter((e) => e.name.startsWith(start) && (start.startsWith('.') || !e.name.startsWith('.')))
      .map((e) => (e.isDirectory() ? `${e.name}/` : e.name))
      .sort()
      .slice(0, LIMIT);
  } catch {
    return { text: typed, candidates: [] };
  }
  if (names.length === 1) return { text: folder + names[0], candidates: [] };
  return { text: folder + (commonPrefix(names) || start), candidates: names };
}
