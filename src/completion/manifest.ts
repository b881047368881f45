// What shell completion knows of the command table without loading it: every command's
// words and fields, and the names of the settings. scripts/build.js makes it from the
// table once per build and writes it into dist/complete.js, so a keystroke costs a small
// bundle and the reading of what it completes, not the whole program.
import type { Candidate } from '../commands/candidates.js';
import type { CommandShape } from '../commands/define.js';
import { createTable } from '../commands/table.js';
import { CONFIG_KEYS } from '../config/config.js';

export interface CompletionManifest {
  commands: CommandShape[];
  configKeys: Candidate[];
}

export function completionManifest(): CompletionManifest {
  return {
    commands: createTable().commands.map(({ name, verb, noun, aliases, summary, fields }) => ({ name, verb, noun, aliases, summary, fields })),
    configKeys: Object.entries(CONFIG_KEYS).map(([value, spec]) => ({ value, description: spec.description })),
  };
}
