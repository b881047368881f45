// What flow offers agents to read besides tools: the workflow guide, this session's
// context, and the JSON Schema of flows.json. The context is `context export` when the
// table has that command; until then, the session's scope, summary and decisions as
// context.json holds them.
import type { CommandBus } from '../commands/bus.js';
import { PLAIN } from '../commands/style.js';
import { readContext } from '../context/context.js';
import { NotFoundError } from '../domain/errors.js';
import { oneLine } from '../domain/sanitize.js';
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
    description: "This session's flow and plan, summary and decisions.",
    mimeType: 'text/markdown',
  },
  {
    uri: 'flow://schema',
    name: 'schema',
    title: 'flows.json JSON Schema',
    description: 'The format of .flow/flows.json (3.0), generated from its validators.',
    mimeType: 'application/schema+json',
  },
];

const EXPORT = 'export context';

/** The text of a resource. */
export async function readResource(uri: string, bus: CommandBus, tools: readonly Tool[]): Promise<string> {
  switch (uri) {
    case 'flow://guide':
      return workflowGuide(tools);
    case 'flow://context': {
      if (!bus.table.get(EXPORT)) return sessionContext(bus);
      const output = await bus.execute({ name: EXPORT, args: {} });
      return typeof output.json === 'string' ? output.json : output.human(PLAIN);
    }
    case 'flow://schema':
      return JSON.stringify((await bus.execute({ name: 'schema', args: {} })).json, null, 2);
    default:
      throw new NotFoundError('resource', uri, `(resources: ${RESOURCES.map((r) => r.uri).join(', ')})`);
  }
}

/** The session's context as context.json has it, with the names of its flow and plan. */
async function sessionContext(bus: CommandBus): Promise<string> {
  const { services } = bus;
  const entry = readContext(services.dir).sessions[services.session];
  const view = await services.store.read();
  const flow = entry?.flow_id ? view.flow(entry.flow_id) : undefined;
  const plan = entry?.plan_id ? view.locate(entry.plan_id) : undefined;
  const lines = [`# Context of session "${oneLine(services.session)}"`, ''];
  lines.push(`- Flow: ${flow ? `${oneLine(flow.name)} (${flow.id})` : entry?.flow_id ? `${entry.flow_id} (no longer exists)` : 'none chosen'}`);
  lines.push(`- Plan: ${plan?.kind === 'plan' ? `${oneLine(plan.plan.title)} (${plan.plan.id})` : entry?.plan_id ? `${entry.plan_id} (no longer exists)` : 'none chosen'}`);
  if (entry?.summary) lines.push('', '## Summary', '', entry.summary);
  const decisions = entry?.decisions ?? [];
  if (decisions.length) {
    lines.push('', '## Decisions', '');
    for (const decision of decisions) lines.push(`- ${typeof decision === 'string' ? decision : JSON.stringify(decision)}`);
  }
  return `${lines.join('\n')}\n`;
}
