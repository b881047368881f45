// The command table: every command the parser, help, completion and bus know. A new noun
// is a module under nouns/ and one line here.
import type * as z from 'zod/mini';
import { CONFIG_COMMANDS } from './nouns/config.js';
import { CONTEXT_COMMANDS } from './nouns/context.js';
import { DOC_COMMANDS } from './nouns/doc.js';
import { FLOW_COMMANDS } from './nouns/flow.js';
import { META_COMMANDS } from './nouns/meta.js';
import { PLAN_COMMANDS } from './nouns/plan.js';
import { SEARCH_COMMANDS } from './nouns/search.js';
import { SNAPSHOT_COMMANDS } from './nouns/snapshot.js';
import { STATS_COMMANDS } from './nouns/stats.js';
import { SYNC_COMMANDS } from './nouns/sync.js';
import { TASK_COMMANDS } from './nouns/task.js';
import { TRUST_COMMANDS } from './nouns/trust.js';
import { CommandTable } from './parse.js';

export const COMMANDS = [
  ...FLOW_COMMANDS,
  ...PLAN_COMMANDS,
  ...TASK_COMMANDS,
  ...DOC_COMMANDS,
  ...SEARCH_COMMANDS,
  ...SNAPSHOT_COMMANDS,
  ...STATS_COMMANDS,
  ...CONFIG_COMMANDS,
  ...CONTEXT_COMMANDS,
  ...SYNC_COMMANDS,
  ...META_COMMANDS,
  ...TRUST_COMMANDS,
] as const;

type Row = (typeof COMMANDS)[number];

/** Every command's name: "add task", "undo", … */
export type CommandName = Row['name'];

/** The arguments a command takes, as its schema's input: what a caller writes. */
export type CommandArgs<N extends CommandName> = z.input<Extract<Row, { name: N }>['args']>;

/** A command object of this table, checked at compile time: the TUI's and MCP's calls. */
export type TypedCommand<N extends CommandName = CommandName> = { [K in N]: { name: K; args: CommandArgs<K> } }[N];

/** Builds a command object: `command('set task', { ref: 't1', status: 'done' })`. */
export function command<N extends CommandName>(name: N, args: CommandArgs<N>): { name: N; args: CommandArgs<N> } {
  return { name, args };
}

export function createTable(): CommandTable {
  return new CommandTable(COMMANDS);
}
