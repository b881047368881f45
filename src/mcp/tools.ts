// MCP tools generated from the command table (DESIGN §6). Few tools, so their schemas
// cost an agent little context: one read-only tool for every command that only reads,
// one tool per noun for the commands that change something (a noun with a single change
// has none of its own), one for the rest. A tool
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
  /** MCP's hints; a hint at its default (idempotent false) is left out, one that means nothing for a reader too. */
  annotations: { readOnlyHint: boolean; destructiveHint?: boolean; idempotentHint?: true; openWorldHint: boolean };
  /** The commands it runs, by name. */
  commands: ReadonlyMap<string, AnyCommand>;
}

const READ = 'read';
const OTHER = 'other';
/** Commands that throw away what exists (MCP's destructive hint). */
const DESTRUCTIVE_VERBS = new Set(['rm', 'restore', 'prune', 'gc']);
/** Commands that reach past the workspace (MCP's open-world hint): sync talks to a git remote. */
const OPEN_WORLD_VERBS = new Set(['sync']);

const GROUP_TEXT: Readonly<Record<string, { title: string; description: string }>> = {
  [READ]: { title: 'Read flow', description: 'Read flows, plans, tasks, documents, snapshots, settings, context: lists, details, search, the ready queue. Changes nothing.' },
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
  return Object.fromEntries(Object.entries(properties).map(([key, value]) => [key, typeof value === 'object' ? withoutNoise(value) : {}]));
}

/**
 * `add: summary (needs title)` — what one command does and what it cannot do without,
 * named as the tool's labeller names it (the enum beside it has the full names).
 */
function commandLine(command: AnyCommand, label: (command: AnyCommand) => string): string {
  const needs = command.fields.filter((f) => f.required).map((f) => f.key);
  return `${label(command)}: ${command.summary}${needs.length ? ` (needs ${needs.join(', ')})` : ''}`;
}

/**
 * How a tool's texts name one of its commands: by verb in a noun's tool, by name in a tool
 * of several nouns (read: `show flow`, `show plan`).
 */
function labeller(commands: readonly AnyCommand[]): (command: AnyCommand) => string {
  const nouns = new Set(commands.map((c) => c.noun));
  return (command) => (nouns.size > 1 ? command.name : command.verb);
}

function addTo(map: Map<string, Set<string>>, key: string, value: string): void {
  const set = map.get(key) ?? new Set<string>();
  set.add(value);
  map.set(key, set);
}

/**
 * One key's descriptions: the text most of its commands share first (unlabelled when it is
 * most commands' text), then each other text with the commands that say it.
 */
function describe(byText: ReadonlyMap<string, readonly AnyCommand[]>, label: (command: AnyCommand) => string): string {
  const labelled = ([text, users]: readonly [string, readonly AnyCommand[]]) => `${[...new Set(users.map(label))].join('/')}: ${text}`;
  const [first, ...others] = [...byText].sort(([, a], [, b]) => b.length - a.length);
  if (!others.length) return first[0];
  const users = [...byText.values()].reduce((sum, list) => sum + list.length, 0);
  return [first[1].length * 2 > users ? first[0] : labelled(first), ...others.map(labelled)].join('; ');
}

/**
 * JSON Schema noise that says nothing to an agent: JavaScript's safe-integer bounds, and
 * "not empty" on every text (flow refuses an empty one with a message that says so; said
 * on each of three dozen texts it cost 540 characters).
 */
function withoutNoise(schema: Record<string, unknown>): Record<string, unknown> {
  const out = { ...schema };
  if (out.maximum === Number.MAX_SAFE_INTEGER) delete out.maximum;
  if (out.minimum === Number.MIN_SAFE_INTEGER) delete out.minimum;
  if (out.minLength === 1) delete out.minLength;
  for (const inner of ['items', 'propertyNames'] as const) {
    const schema = out[inner];
    if (typeof schema === 'object' && schema !== null) out[inner] = withoutNoise({ ...schema });
  }
  return out;
}

function buildTool(name: string, commands: readonly AnyCommand[]): Tool {
  const label = labeller(commands);
  const properties: Record<string, object> = {};
  const shapes = new Map<string, Set<string>>();
  const descriptions = new Map<string, Map<string, AnyCommand[]>>();
  for (const command of commands) {
    const schemas = argumentSchemas(command);
    for (const field of command.fields) {
      if (field.key === COMMAND_KEY) throw new Error(`internal: "${command.name}" has a key named ${COMMAND_KEY}`);
      addTo(shapes, field.key, JSON.stringify(schemas[field.key] ?? {}));
      const texts = descriptions.get(field.key) ?? new Map<string, AnyCommand[]>();
      texts.set(field.description, [...(texts.get(field.description) ?? []), command]);
      descriptions.set(field.key, texts);
    }
  }
  for (const [key, variants] of shapes) {
    const schemas = [...variants].map((json): object => JSON.parse(json));
    const description = describe(descriptions.get(key) ?? new Map(), label);
    properties[key] = schemas.length === 1 ? { ...schemas[0], description } : { anyOf: schemas, description };
  }
  const text = GROUP_TEXT[name] ?? { title: `Change ${name}s`, description: `Change ${name}s.` };
  const readOnly = name === READ;
  return {
    name,
    title: text.title,
    description: `${text.description} Set "${COMMAND_KEY}"; its arguments go beside it.`,
    inputSchema: {
      type: 'object',
      properties: {
        [COMMAND_KEY]: { type: 'string', enum: commands.map((c) => c.name), description: commands.map((c) => commandLine(c, label)).join('\n') },
        ...properties,
      },
      required: [COMMAND_KEY],
      additionalProperties: false,
    },
    annotations: {
      readOnlyHint: readOnly,
      ...(readOnly ? { idempotentHint: true } : { destructiveHint: commands.some((c) => DESTRUCTIVE_VERBS.has(c.verb)) }),
      openWorldHint: commands.some((c) => OPEN_WORLD_VERBS.has(c.verb)),
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
  // A noun with one change (set config) is not worth a tool of its own.
  const other: AnyCommand[] = [];
  for (const [name, commands] of groups) {
    if (name === OTHER || (name !== READ && commands.length === 1)) {
      other.push(...commands);
      groups.delete(name);
    }
  }
  if (other.length) groups.set(OTHER, other);
  return [...groups].filter(([, commands]) => commands.length).map(([name, commands]) => buildTool(name, commands));
}

/** What tools/list sends: the tools without their command maps. */
export function listedTools(tools: readonly Tool[]) {
  return tools.map(({ commands: _commands, ...tool }) => tool);
}
