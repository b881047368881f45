// `flow mcp`: flow's commands served to AI agents over MCP on stdio (DESIGN §6). The
// tools come from the command table and run through the same bus and services as the
// command line, one call at a time (the store's transactions are not meant to overlap
// inside one process). Bundled on its own (dist/mcp.js): no other command loads the SDK.
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  CallToolRequestSchema,
  ErrorCode,
  ListResourcesRequestSchema,
  ListToolsRequestSchema,
  McpError,
  ReadResourceRequestSchema,
  type CallToolResult,
} from '@modelcontextprotocol/sdk/types.js';
import { Services } from '../app/services.js';
import { CommandBus } from '../commands/bus.js';
import { nearest, UsageError } from '../commands/parse.js';
import { createTable } from '../commands/table.js';
import { FlowError } from '../domain/errors.js';
import { PROGRAM_VERSION } from '../version.js';
import { readResource, RESOURCES } from './resources.js';
import { failure, success, agentArgs } from './results.js';
import { buildTools, COMMAND_KEY, listedTools, type Tool } from './tools.js';
import { LineTransport } from './transport.js';

export interface ServeOptions {
  dir: string;
  session: string;
  warn: (message: string) => void;
}

function instructions(tools: readonly Tool[]): string {
  const writers = tools.filter((t) => !t.annotations.readOnlyHint).map((t) => t.name);
  return (
    'flow: plans and tasks in .flow/flows.json, shared with people and other agents. ' +
    `Read with \`read\`; change with ${writers.map((n) => `\`${n}\``).join(', ')}. ` +
    'To take work: read "ready task", then task "claim task" with your agent name, then "done task". ' +
    'The guide is the resource flow://guide.'
  );
}

/** Runs one tool call against the bus; every failure becomes an error result. */
async function callTool(bus: CommandBus, tools: readonly Tool[], name: string, input: Record<string, unknown>): Promise<CallToolResult> {
  try {
    const tool = tools.find((t) => t.name === name);
    if (!tool) throw new UsageError(`no tool "${name}" (tools: ${tools.map((t) => t.name).join(', ')})`, undefined, nearest(name, tools.map((t) => t.name)));
    const { [COMMAND_KEY]: commandName, ...args } = input;
    const command = typeof commandName === 'string' ? tool.commands.get(commandName) : undefined;
    if (!command) {
      const elsewhere = tools.find((t) => typeof commandName === 'string' && t.commands.has(commandName));
      const known = [...tool.commands.keys()];
      throw new UsageError(
        elsewhere
          ? `"${String(commandName)}" is a command of the tool "${elsewhere.name}", not "${tool.name}"`
          : `"${tool.name}" needs "${COMMAND_KEY}": one of ${known.join(', ')}`,
        undefined,
        typeof commandName === 'string' && !elsewhere ? nearest(commandName, known) : undefined,
      );
    }
    return success(await bus.execute({ name: command.name, args: agentArgs(command, args) }), command.writes);
  } catch (err) {
    return failure(err);
  }
}

/** Serves until the client closes stdin. */
export async function serve(options: ServeOptions): Promise<void> {
  const table = createTable();
  const services = new Services({ dir: options.dir, session: options.session, writerKind: 'cli', interactive: false, warn: options.warn });
  const bus = new CommandBus(table, services);
  const tools = buildTools(table);
  const server = new Server(
    { name: 'flow', version: PROGRAM_VERSION },
    { capabilities: { tools: {}, resources: {} }, instructions: instructions(tools) },
  );
  // One command at a time, in the order the calls came.
  let queue: Promise<unknown> = Promise.resolve();
  const inTurn = <T>(run: () => Promise<T>): Promise<T> => {
    const turn = queue.then(run);
    queue = turn.catch(() => undefined);
    return turn;
  };
  server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: listedTools(tools) }));
  server.setRequestHandler(CallToolRequestSchema, (request) =>
    inTurn(() => callTool(bus, tools, request.params.name, request.params.arguments ?? {})),
  );
  server.setRequestHandler(ListResourcesRequestSchema, () => ({ resources: [...RESOURCES] }));
  server.setRequestHandler(ReadResourceRequestSchema, (request) =>
    inTurn(async () => {
      const uri = request.params.uri;
      const resource = RESOURCES.find((r) => r.uri === uri);
      try {
        return { contents: [{ uri, mimeType: resource?.mimeType ?? 'text/plain', text: await readResource(uri, bus, tools) }] };
      } catch (err) {
        // A read has no result to carry an error in: a JSON-RPC error, with flow's code as data.
        if (!(err instanceof FlowError)) throw err;
        throw new McpError(resource ? ErrorCode.InternalError : ErrorCode.InvalidParams, err.message, { code: err.code, ...err.details });
      }
    }),
  );
  const closed = new Promise<void>((resolve) => {
    server.onclose = resolve;
  });
  server.onerror = (error) => options.warn(`mcp: ${error.message}`);
  await server.connect(new LineTransport(process.stdin, process.stdout));
  await closed;
}
