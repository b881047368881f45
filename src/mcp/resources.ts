// What flow offers agents to read besides tools: the workflow guide, this session's
// context as `flow context export` prints it, and the JSON Schemas of flows.json and of
// what hooks read on stdin (`flow schema`, `flow schema hook`).
import type { CommandBus } from '../commands/bus.js';
import { PLAIN } from '../commands/style.js';
import type { TypedCommand } from '../commands/table.js';
import { NotFoundError } from '../domain/errors.js';
import { workflowGuide } from './guide.js';
import type { Tool } from './tools.js';

export interface Resource {
  uri: string;
  name: string;
  title: string;
  description: string;
  mimeType: string;
}

export const RESOURCES: readonly Resource[] = [
  {
    uri: 'flow://guide',
    name: 'guide',
    title: 'Working with flow',
    description: 'How the tools fit together: references, scope, the ready queue and claims, lists, errors.',
    mimeType: 'text/markdown',
  },
  {
    uri: 'flow://context',
    name: 'context',
    title: 'Session context',
    description: "This session's summary, its plan with the open tasks, and the newest decisions (flow context export).",
    mimeType: 'text/markdown',
  },
  {
    uri: 'flow://schema',
    name: 'schema',
    title: 'flows.json JSON Schema',
    description: 'The format of .flow/flows.json (3.0), generated from its validators.',
    mimeType: 'application/schema+json',
  },
  {
    uri: 'flow://schema/hook',
    name: 'hook-schema',
    title: 'Hook payload JSON Schema',
    description: 'The JSON document every hook reads on stdin.',
    mimeType: 'application/schema+json',
  },
];

/** The commands whose output a resource is. */
const SOURCES: Readonly<Record<string, TypedCommand>> = {
  'flow://context': { name: 'export context', args: {} },
  'flow://schema': { name: 'schema', args: {} },
  'flow://schema/hook': { name: 'schema', args: { what: 'hook' } },
};

/** The text of a resource. */
export async function readResource(uri: string, bus: CommandBus, tools: readonly Tool[]): Promise<string> {
  if (uri === 'flow://guide') return workflowGuide(tools);
  const source = Object.hasOwn(SOURCES, uri) ? SOURCES[uri] : undefined;
  if (!source) throw new NotFoundError('resource', uri, `(resources: ${RESOURCES.map((r) => r.uri).join(', ')})`);
  const output = await bus.execute(source);
  // A schema as JSON; the export as the text it prints, already made safe by the export.
  return source.name === 'schema' ? JSON.stringify(output.json, null, 2) : output.human(PLAIN);
}
