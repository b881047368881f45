// What `add doc FILE…` is asked to add: files, or folders walked with their structure
// kept, each with the path it gets under its plan's folder. Everything is checked before
// a byte is stored, so a refused name leaves nothing behind.
import { lstatSync, readdirSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { FlowError } from '../domain/errors.js';
import { checkName, checkRelative, UnsafePathError } from './contain.js';

export interface Source {
  /** The file to read. */
  file: string;
  /** Its path under documents/<plan_id>/. */
  relative: string;
  size: number;
}

/** The plan's summary.md mirror lives at the top of its folder. */
export const SUMMARY_NAME = 'summary.md';

export function collectSources(files: readonly string[], name?: string): Source[] {
  if (!files.length) throw new FlowError('invalid', 'name at least one file or folder to add');
  const out: Source[] = [];
  for (const given of files) {
    const file = resolve(given);
    let stat;
    try {
      // A path a person named may be a link they made; links inside a folder are not followed.
      stat = statSync(file);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new FlowError('not_found', code === 'ENOENT' ? `no file ${JSON.stringify(given)}` : `cannot read ${JSON.stringify(given)}: ${code}`);
    }
    if (stat.isDirectory()) {
      if (name !== undefined) throw new FlowError('invalid', '--name names one file; a folder keeps its own names');
      walk(file, checkName(basename(file), 'folder name'), out);
    } else if (stat.isFile()) {
      out.push({ file, relative: checkName(name ?? basename(file)), size: stat.size });
    } else {
      throw new UnsafePathError('file', given, 'it is not a regular file or folder');
    }
  }
  if (name !== undefined && out.length > 1) throw new FlowError('invalid', '--name names one file; give one file with it');
  const seen = new Set<string>();
  for (const source of out) {
    checkRelative(source.relative);
    if (source.relative === SUMMARY_NAME) {
      throw new UnsafePathError('document name', SUMMARY_NAME, "it is where the plan's summary is kept; choose another with --name");
    }
    if (seen.has(source.relative)) throw new FlowError('invalid', `two files would both be ${JSON.stringify(source.relative)}`);
    seen.add(source.relative);
  }
  return out;
}

function walk(folder: string, prefix: string, out: Source[]): void {
  for (const name of readdirSync(folder).sort()) {
    const full = join(folder, name);
    const relative = `${prefix}/${checkName(name, 'file name')}`;
    const stat = lstatSync(full);
    if (stat.isSymbolicLink()) throw new UnsafePathError('file', full, 'it is a symbolic link; add what it points to by its own path');
    if (stat.isDirectory()) walk(full, relative, out);
    else if (stat.isFile()) out.push({ file: full, relative, size: stat.size });
    else throw new UnsafePathError('file', full, 'it is not a regular file or folder');
  }
}
