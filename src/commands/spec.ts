// The shape of a command-table row. Commands are data: the parser, help, completion and
// the bus all read the same rows (DESIGN §6).
import type * as z from 'zod/mini';
import type { Env } from './env.js';
import type { Output } from './output.js';

/** list: repeatable and comma-separated; multi: repeatable, taken verbatim. */
export type FlagType = 'string' | 'boolean' | 'list' | 'multi';

export interface FlagSpec {
  type: FlagType;
  description: string;
  /** Allowed values, for help, completion and "did you mean". */
  values?: readonly string[];
  /** Placeholder in help: --plan REF. */
  placeholder?: string;
  /** What completion offers for the value. */
  complete?: Completion;
}

export interface PositionalSpec {
  name: string;
  description: string;
  required?: boolean;
  /** Takes every remaining positional (joined with spaces for titles). */
  variadic?: boolean;
  values?: readonly string[];
  complete?: Completion;
}

/** What a value is, for Tab completion in the TUI prompt. */
export type Completion = 'flow' | 'plan' | 'task' | 'snapshot' | 'doc' | 'config-key' | 'noun' | 'verb';

export interface CommandSpec<A = Record<string, unknown>> {
  verb: string;
  /** Absent for commands that are a verb alone: `flow schema`, `flow undo`. */
  noun?: string;
  /** Other spellings of the whole command, e.g. "ls task". */
  aliases?: readonly string[];
  summary: string;
  /** Longer help text, shown by `flow help <verb> <noun>`. */
  details?: string;
  positionals?: readonly PositionalSpec[];
  flags?: Readonly<Record<string, FlagSpec>>;
  /** Validates and converts the collected positionals and flags. */
  args: z.ZodMiniType<A>;
  examples?: readonly string[];
  /** Changes the store (used by help, by hooks and by the TUI's read-only mode). */
  writes?: boolean;
  run(args: A, env: Env): Output | Promise<Output>;
}

export function commandName(spec: Pick<CommandSpec, 'verb' | 'noun'>): string {
  return spec.noun ? `${spec.verb} ${spec.noun}` : spec.verb;
}

/** Flags every command accepts (DESIGN §6), parsed wherever they appear. */
export const GLOBAL_FLAGS: Readonly<Record<string, FlagSpec>> = {
  dir: { type: 'string', placeholder: 'PATH', description: 'data directory (default: nearest .flow/)' },
  session: { type: 'string', placeholder: 'NAME', description: 'session whose scope to use (env FLOW_SESSION; default "default")' },
  json: { type: 'boolean', description: 'print exactly one JSON document' },
  quiet: { type: 'boolean', description: 'print nothing on success' },
  'no-color': { type: 'boolean', description: 'no colours (also when NO_COLOR is set or output is piped)' },
  help: { type: 'boolean', description: 'show help for the command' },
  version: { type: 'boolean', description: 'print the version of flow and of the file format it writes' },
  theme: { type: 'string', placeholder: 'NAME', description: 'TUI theme (dark, light, high-contrast, or a file in .flow/themes/)' },
};

export interface GlobalOptions {
  dir?: string;
  session?: string;
  json?: boolean;
  quiet?: boolean;
  'no-color'?: boolean;
  help?: boolean;
  version?: boolean;
  theme?: string;
}
