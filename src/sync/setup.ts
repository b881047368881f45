// What makes a data directory shareable through git: `.flow/.gitignore` (only shared
// state is committed), `.flow/.gitattributes` (flows.json merges with flow's driver) and
// the driver's command in the repository's own config (never committed: it names a
// program on this machine). Both files live inside .flow/, so sync never touches files
// outside it; they are written only when missing, so a team may edit them.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../store/atomic-write.js';
import type { Git } from './git.js';
import { shellWord } from '../domain/shell-word.js';

export const DRIVER_NAME = 'flow';

/**
 * Shared: the store, settings, the documents and their manifest. Everything else is
 * local: undo logs, prompt history, cache, snapshots, locks, temp and quarantined files,
 * and context.json (each person's and agent's session scope).
 */
export const GITIGNORE = `# Written by flow sync: only shared state is committed, the rest of .flow/ stays local
# (undo/, history/, cache/, snapshots/, context.json, locks, temp and quarantined files).
# Edit freely (to share context.json, add !/context.json); flow does not rewrite this file.
/*
!/.gitignore
!/.gitattributes
!/flows.json
!/config.json
!/documents_manifest.json
!/documents/
*.lock
*.tmp-*
*.corrupt.*
`;

export const GITATTRIBUTES = `# Written by flow sync: flows.json merges by id, field by field (flow merge-driver), and
# keeps its line breaks as flow writes them (its layout: one flow per line).
/flows.json merge=${DRIVER_NAME} text eol=lf
`;

/** Writes the two files when missing; returns the ones it wrote. */
export function ensureShareFiles(dir: string): string[] {
  const written: string[] = [];
  for (const [name, text] of [
    ['.gitignore', GITIGNORE],
    ['.gitattributes', GITATTRIBUTES],
  ] as const) {
    const path = join(dir, name);
    if (existsSync(path)) continue;
    writeFileAtomic(path, [Buffer.from(text)]);
    written.push(name);
  }
  return written;
}

/** The driver line for git config: this node running this flow. */
export function driverCommand(node: string, script: string): string {
  return `${shellWord(node)} ${shellWord(script)} merge-driver %O %A %B %P`;
}

/** Registers the driver in the repository's config unless `current` is already this one. */
export async function registerDriver(git: Git, command: string, current: string | undefined): Promise<boolean> {
  if (current === command) return false;
  await git.text(['config', '--local', `merge.${DRIVER_NAME}.driver`, command], 'registering the merge driver');
  await git.text(['config', '--local', `merge.${DRIVER_NAME}.name`, 'flow: three-way merge of flows.json by id'], 'registering the merge driver');
  return true;
}
