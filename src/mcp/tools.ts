// MCP tools generated from the command table (DESIGN §6). Few tools, so their schemas
// cost an agent little context: one read-only tool for every command that only reads,
// one tool per noun for the commands that change something, one for the rest. A tool
// takes `command` (its full name, as the bus knows it) beside that command's arguments;
// each argument's schema is the command schema's own (z.toJSONSchema), a key shared by
// several commands described once.
import * as z from 'zod/mini';
import type { AnyCommand } from '../commands/define.js';
import type { CommandTable } from '../commands/parse.js';

/** The key that names the command in every tool's arguments. */
export const COMMAND_KEY = 'command';

export interface Tool {
  name: string;
  title: string;
  description: string;
  inputSchema: { type: 'object'; properties: Record<string, object>; required: string[]; additionalProperties: false };
  annotations: { readOnlyHint: boolean; destructiveHint: boolean; idempotentHint: boolean; openWorldHint: false };
  /** The commands it runs, by name. */
  commands: ReadonlyMap<string, AnyCommand>;
}

const READ = 'read';
const OTHER = 'other';
/** Commands that throw away what exists (MCP's destructive hint). */
const DESTRUCTIVE_VERBS = new Set(['rm', 'restore', 'prune']);

const GROUP_TEXT: Readonly<Record<string, { title: string; description: string }>> = {
  [READ]: { title: 'Read flow', description: 'Read plans, tasks and snapshots: lists, details, the ready queue. Changes nothing.' },
  [OTHER]: { title: 'Other changes', description: 'Other commands that change something.' },
};

function groupOf(command: AnyCommand): string {
  if (!command.writes) return READ;
  return command.noun ?? OTHER;
}

/** The command's argument schemas, by key, as JSON Schema of the input an agent writes. */
function argumentSchemas(command: AnyCommand): Record<string, Record<string, unknown>> {
  const schema = z.toJSONSchema(command.args, { io: 'input' });
  const properties = schema.properties ?? {};
  return Object.fromEntries(Object.entries(properties).map(([key, value]) => [key, typeof value === 'object' ? withoutSafeBounds(value) : {}]));
}

/** `add task: summary (needs title)` — what one command does and what it cannot do without. */
function commandLine(command: AnyCommand): string {
  const needs = command.fields.filter((f) => f.required).map((f) => f.key);
  return `${command.name}: ${command.summary}${needs.length ? ` (needs ${needs.join(', ')})` : ''}`;
}

function addTo(map: Map<string, Set<string>>, key: string, value: string): void {
  const set = map.get(key) ?? new Set<string>();
  set.add(value);
  map.set(key, set);
}

/** One key's descriptions: the one all commands share, or each with the verbs that say it. */
function describe(byText: ReadonlyMap<string, readonly string[]>): string {
  if (byText.size === 1) return [...byText.keys()][0];
  return [...byText].map(([text, verbs]) => `${[...new Set(verbs)].join('/')}: ${text}`).join('; ');
}

/** JSON Schema noise that says nothing to an agent: JavaScript's safe-integer bounds. */
function withoutSafeBounds(schema: Record<string, unknown>): Record<string, unknown> {
  const out = { ...schema };
  if (out.maximum === Number.MAX_SAFE_INTEGER) delete out.maximum;
  if (out.minimum === Number.MIN_SAFE_INTEGER) delete out.minimum;
  return out;
}

function buildTool(name: string, commands: readonly AnyCommand[]): Tool {
  const properties: Record<string, object> = {};
  const shapes = new Map<string, Set<string>>();
  const descriptions = new Map<string, Map<string, string[]>>();
  for (const command of commands) {
    const schemas = argumentSchemas(command);
    for (const field of command.fields) {
      if (field.key === COMMAND_KEY) throw new Error(`internal: "${command.name}" has a key named ${COMMAND_KEY}`);
      addTo(shapes, field.key, JSON.stringify(schemas[field.key] ?? {}));
      const texts = descriptions.get(field.key) ?? new Map<string, string[]>();
      texts.set(field.description, [...(texts.get(field.description) ?? []), command.verb]);
      descriptions.set(field.key, texts);
    }
  }
  for (const [key, variants] of shapes) {
    const schemas = [...variants].map((json): object => JSON.parse(json));
    const description = describe(descriptions.get(key) ?? new Map());
    properties[key] = schemas.length === 1 ? { ...schemas[0], description } : { anyOf: schemas, description };
  }
  const text = GROUP_TEXT[name] ?? { title: `Change ${name}s`, description: `Change ${name}s (and what goes with them).` };
  const readOnly = name === READ;
  return {
    name,
    title: text.title,
    description: `${text.description} "${COMMAND_KEY}" names the command; its arguments go beside it.`,
    inputSchema: {
      type: 'object',
      properties: {
        [COMMAND_KEY]: { type: 'string', enum: commands.map((c) => c.name), description: commands.map(commandLine).join('\n') },
        ...properties,
      },
      required: [COMMAND_KEY],
      additionalProperties: false,
    },
    annotations: {
      readOnlyHint: readOnly,
      destructiveHint: commands.some((c) => DESTRUCTIVE_VERBS.has(c.verb)),
      idempotentHint: readOnly,
      openWorldHint: false,
    },
    commands: new Map(commands.map((c) => [c.name, c])),
  };
}

/** The tools for a table: `read` first, then one per noun in table order, then `other`. */
export function buildTools(table: CommandTable): Tool[] {
  const groups = new Map<string, AnyCommand[]>([[READ, []]]);
  for (const command of table.commands.filter((c) => c.mcp)) {
    const group = groupOf(command);
    groups.set(group, [...(groups.get(group) ?? []), command]);
  }
  const other = groups.get(OTHER);
  groups.delete(OTHER);
  if (other) groups.set(OTHER, other);
  return [...groups].filter(([, commands]) => commands.length).map(([name, commands]) => buildTool(name, commands));
}

/** What tools/list sends: the tools without their command maps. */
export function listedTools(tools: readonly Tool[]) {
  return tools.map(({ commands: _commands, ...tool }) => tool);
}
