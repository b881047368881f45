// The command table: every row the parser, help, completion and bus know.
import { CONFIG_COMMANDS } from './nouns/config.js';
import { DOC_COMMANDS } from './nouns/doc.js';
import { FLOW_COMMANDS } from './nouns/flow.js';
import { META_COMMANDS } from './nouns/meta.js';
import { PLAN_COMMANDS } from './nouns/plan.js';
import { SEARCH_COMMANDS } from './nouns/search.js';
import { SNAPSHOT_COMMANDS } from './nouns/snapshot.js';
import { TASK_COMMANDS } from './nouns/task.js';
import { CommandTable } from './parse.js';
import type { CommandSpec } from './spec.js';

export const COMMANDS: readonly CommandSpec[] = [
  ...FLOW_COMMANDS,
  ...PLAN_COMMANDS,
  ...TASK_COMMANDS,
  ...DOC_COMMANDS,
  ...SEARCH_COMMANDS,
  ...SNAPSHOT_COMMANDS,
  ...CONFIG_COMMANDS,
  ...META_COMMANDS,
] as readonly CommandSpec[];

export function createTable(): CommandTable {
  return new CommandTable(COMMANDS);
}
