// Commands about flow itself: help, the JSON Schema of flows.json, and migration.
import * as z from 'zod/mini';
import { toJSONSchema } from 'zod/mini';
import { documentSchema } from '../../domain/schema.js';
import { hookPayloadJsonSchema } from '../../hooks/payload.js';
import { flowCounts, walkTasks } from '../../domain/tree.js';
import { readAnyFormat } from '../../store/migrate/import.js';
import { writeMigrationSnapshot } from '../../store/migrate/snapshot.js';
import { IdRegistry } from '../../store/migrate/normalize.js';
import { completionScript, SHELLS } from '../../completion/scripts.js';
import { defineCommand, type AnyCommand } from '../define.js';
import { commandHelp, overview } from '../help.js';
import { NOUN_SYNONYMS, VERB_SYNONYMS } from '../command-words.js';
import { UsageError, nearest } from '../parse.js';

const help = defineCommand({
  verb: 'help',
  summary: 'explain commands: flow help [VERB] [NOUN]',
  args: () => z.object({ verb: z.optional(z.string()), noun: z.optional(z.string()) }),
  positionals: ['verb', 'noun'],
  argv: {
    verb: { description: 'a verb (add, list, …) or a noun', complete: 'verb' },
    noun: { description: 'a noun (flow, plan, task, …)', complete: 'noun' },
  },
  // Agents get the workflow guide as an MCP resource instead.
  mcp: false,
  run(args, env) {
    const table = env.table;
    const verb = args.verb && (VERB_SYNONYMS[args.verb] ?? args.verb);
    const noun = args.noun && (NOUN_SYNONYMS[args.noun] ?? args.noun);
    let text: (style: Parameters<typeof overview>[1]) => string;
    let json: unknown;
    const command = verb ? (table.lookup(verb, noun) ?? (noun ? undefined : table.lookup(verb))) : undefined;
    if (command) {
      text = (style) => commandHelp(command, style);
      json = { command: command.name, summary: command.summary };
    } else if (verb && !noun && (table.verbs.has(verb) || table.nouns.has(NOUN_SYNONYMS[verb] ?? verb))) {
      const word = NOUN_SYNONYMS[verb] ?? verb;
      const filter = (s: AnyCommand) => s.verb === verb || s.noun === word;
      text = (style) => overview(table, style, filter);
      json = table.commands.filter(filter).map((s) => ({ verb: s.verb, noun: s.noun ?? null, summary: s.summary }));
    } else if (verb) {
      const words = [...table.verbs, ...table.nouns];
      throw new UsageError(`no help for "${[args.verb, args.noun].filter(Boolean).join(' ')}"`, 1, nearest(verb, words));
    } else {
      text = (style) => overview(table, style);
      json = table.commands.map((s) => ({ verb: s.verb, noun: s.noun ?? null, summary: s.summary }));
    }
    return { json, human: text, message: 'help' };
  },
});

const schema = defineCommand({
  verb: 'schema',
  summary: 'print the JSON Schema of flows.json (format 3.0), or with `hook` of what every hook gets on stdin',
  args: () => z.object({ what: z.optional(z.enum(['flows', 'hook'])) }),
  positionals: ['what'],
  argv: { what: { description: 'flows (default): flows.json; hook: the JSON document every hook reads on stdin' } },
  examples: ['flow schema', 'flow schema hook'],
  // Offered to agents as MCP resources, not a tool.
  mcp: false,
  run(args) {
    const [jsonSchema, what] =
      args.what === 'hook'
        ? [hookPayloadJsonSchema(), 'the hook payload']
        : [{ title: 'flows.json (format 3.0)', ...toJSONSchema(documentSchema(), { io: 'input' }) }, 'flows.json'];
    return { json: jsonSchema, human: () => JSON.stringify(jsonSchema, null, 2), message: `JSON Schema of ${what}` };
  },
});

const migrate = defineCommand({
  verb: 'migrate',
  summary: 'upgrade the store, or import a 1.x workflow.json / 2.x flows.json with --from',
  details:
    'Without --from, the store is checked and, if it is an older format, upgraded (flow also\n' +
    'does this on first use). With --from FILE, the flows of FILE (any known format) are added\n' +
    'to the store; ids already in use get a _dup suffix. Original and result are saved in\n' +
    'snapshots/<time>_migration.json. --dry-run shows the result and writes nothing.',
  args: () => z.object({ from: z.optional(z.string()), dry_run: z.optional(z.boolean()) }),
  argv: {
    from: { placeholder: 'FILE', description: 'a workflow.json or flows.json to import' },
    dry_run: { description: 'show what would happen, write nothing' },
  },
  writes: true,
  // Reads files outside the store by path: a person's command, not an agent's tool.
  mcp: false,
  async run(args, env) {
    if (!args.from) {
      // Opening the store upgrades an older format (and saves the migration snapshot).
      const view = await env.read();
      const from = env.store.migrated;
      const message = from
        ? `Upgraded flows.json from format ${from.join(' → ')} to ${view.header.version} (revision ${view.revision}); the original is in snapshots/`
        : `flows.json is format ${view.header.version} at revision ${view.revision}: nothing to migrate`;
      return {
        json: { version: view.header.version, revision: view.revision, migrated: !!from, from: from ?? null },
        human: () => message,
        message,
      };
    }
    const file = readAnyFormat(args.from);
    const counts = file.flows.reduce(
      (sum, flow) => {
        const c = flowCounts(flow);
        return { plans: sum.plans + c.plans, tasks: sum.tasks + c.total };
      },
      { plans: 0, tasks: 0 },
    );
    const what = `${file.flows.length} flows, ${counts.plans} plans, ${counts.tasks} tasks from ${args.from} (format ${file.steps[0] ?? '3.0'})`;
    if (args.dry_run) {
      const document = { ...file.header, flows: Object.fromEntries(file.flows.map((f) => [f.id, f])) };
      return { json: document, human: () => `Would import ${what}; nothing written (--dry-run)`, message: `Would import ${what}` };
    }
    await env.autoSnapshot('auto', `before importing ${args.from}`);
    // Saved before the import is, as DESIGN §3 asks of every upgrade.
    writeMigrationSnapshot(env.dir, {
      from: file.steps.length ? file.steps : ['3.0'],
      source_file: args.from,
      original: file.original,
      result: { ...file.header, flows: Object.fromEntries(file.flows.map((f) => [f.id, f])) },
    });
    const commit = await env.transact((tx) => {
      // Ids must stay unique in the whole file: load it all (imports are rare).
      const ids = new IdRegistry();
      for (const flow of tx.allFlows()) ids.claim(flow.id);
      for (const id of tx.index.ids()) ids.claim(id);
      const renamed = new Map<string, string>();
      const rekey = <T extends { id: string; old_id?: unknown }>(object: T): void => {
        const id = ids.keep(object.id);
        if (id !== object.id) {
          renamed.set(object.id, id);
          object.old_id ??= object.id;
          object.id = id;
        }
      };
      const copies = file.flows.map((flow) => {
        const copy = structuredClone(flow);
        rekey(copy);
        for (const plan of copy.plans) {
          rekey(plan);
          for (const { task } of walkTasks(plan.tasks)) rekey(task);
        }
        return copy;
      });
      for (const copy of copies) {
        // Dependencies inside the imported file follow their tasks' new ids.
        for (const plan of copy.plans) {
          for (const { task } of walkTasks(plan.tasks)) task.depends_on = task.depends_on.map((d) => renamed.get(d) ?? d);
        }
        tx.addFlow(copy);
      }
      if (tx.currentFlowId === null && copies[0]) tx.setCurrentFlow(copies[0].id);
      return copies;
    });
    const message = `Imported ${what} at revision ${commit.revision}`;
    return { json: commit.value, human: () => message, message };
  },
});

const mcp = defineCommand({
  verb: 'mcp',
  summary: 'serve flow to AI agents over MCP on stdio (tools, the workflow guide, the session context)',
  details:
    'Reads JSON-RPC messages on stdin and writes only protocol messages on stdout until stdin\n' +
    'closes; warnings go to stderr. The session (--session, FLOW_SESSION) is the agent\'s scope\n' +
    'and undo history: give each agent its own. See the README for Claude Code, Cursor and Codex.',
  args: () => z.object({}),
  argv: {},
  examples: ['flow --session agent-1 mcp'],
  mcp: false,
  serves: true,
  async run(_args, env) {
    // Loaded only here, from its own bundle beside this one: no other command loads the SDK.
    const server = (await env.importModule(new URL('./mcp.js', import.meta.url).href)) as typeof import('../../mcp/server.js');
    await server.serve({ dir: env.dir, session: env.session, warn: (message) => env.warn(message) });
    return { json: undefined, human: () => '' };
  },
});

const completion = defineCommand({
  verb: 'completion',
  summary: 'print the shell completion script for bash, zsh or fish',
  details:
    'bash: eval "$(flow completion bash)" in ~/.bashrc. zsh: eval "$(flow completion zsh)" in\n' +
    '~/.zshrc after compinit. fish: flow completion fish > ~/.config/fish/completions/flow.fish.\n' +
    'Verbs, nouns (either order), flags, their values, plan titles, task numbers, flow names,\n' +
    'snapshots and settings complete from the same table the parser uses.',
  args: () => z.object({ shell: z.enum(SHELLS) }),
  positionals: ['shell'],
  argv: { shell: { description: 'the shell' } },
  examples: ['eval "$(flow completion bash)"', 'flow completion fish > ~/.config/fish/completions/flow.fish'],
  mcp: false,
  run(args) {
    const script = completionScript(args.shell);
    return { json: { shell: args.shell, script }, human: () => script.trimEnd(), message: `completion script for ${args.shell}` };
  },
});

export const META_COMMANDS = [help, schema, migrate, mcp, completion] as const;
