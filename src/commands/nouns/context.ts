// Commands for a session's context (DESIGN §6): its summary ("where we are"), its log of
// decisions, the sessions there are, and an export to paste into a prompt.
import * as z from 'zod/mini';
import { checkSessionName, editSession, scopeOf, sessionOf, type Decision, type SessionContext } from '../../context/context.js';
import { DEFAULT_MAX_CHARS, EXPORT_FORMATS, exportContext, MIN_MAX_CHARS } from '../../context/export.js';
import { FlowError, NotFoundError } from '../../domain/errors.js';
import { oneLine } from '../../domain/sanitize.js';
import type { Plan } from '../../domain/schema.js';
import { age, now } from '../../domain/time.js';
import type { StoreView } from '../../store/state.js';
import { count, ref, text } from '../args.js';
import { defineCommand } from '../define.js';
import type { Env } from '../env.js';
import { paging, listing } from '../list.js';
import { columns } from '../output.js';
import { UsageError } from '../parse.js';
import { resolvePlan, scopeFlow, scopePlan } from '../refs.js';
import { findTask } from './task.js';

const SHOWN_DECISIONS = 10;

/** The scope's flow and plan as they are in the store (either may be gone). */
function scopeNames(view: StoreView, entry: SessionContext | undefined): { flow?: string; plan?: string } {
  const scope = scopeOf(entry);
  const flow = scope.flowId ? view.flow(scope.flowId) : undefined;
  const plan = scope.planId ? view.locate(scope.planId) : undefined;
  return { flow: flow?.name, plan: plan?.kind === 'plan' ? plan.plan.title : undefined };
}

function scopeText(view: StoreView, entry: SessionContext | undefined): string {
  const scope = scopeOf(entry);
  if (!scope.flowId) return 'none';
  const names = scopeNames(view, entry);
  const flow = names.flow === undefined ? `flow ${scope.flowId} (gone)` : `flow "${oneLine(names.flow)}"`;
  if (!scope.planId) return flow;
  return `${flow} › ${names.plan === undefined ? `plan ${scope.planId} (gone)` : `plan "${oneLine(names.plan)}"`}`;
}

const when = (time: string | undefined) => (time ? time.replace('T', ' ').slice(0, 16) : '');

function decisionLine(d: Decision): string {
  const refs = [d.plan_id, d.task_id].filter(Boolean).join(' ');
  const text = d.text.replace(/\n/g, '\n                    ');
  return `  ${when(d.time)}  ${text}${refs ? `  [${oneLine(refs)}]` : ''}`;
}

/** The newest `limit` decisions, newest first. */
function newest(entry: SessionContext | undefined, limit: number): Decision[] {
  return (entry?.decisions ?? []).slice(-limit).reverse();
}

const show = defineCommand({
  verb: 'show',
  noun: 'context',
  summary: "show the session's scope, summary and latest decisions (--session S for another)",
  args: () => z.object({ limit: z.optional(count()) }),
  argv: { limit: { description: `at most N decisions, newest first (default ${SHOWN_DECISIONS})` } },
  examples: ['flow context show', 'flow context show --session agent-1 --json'],
  async run(args, env) {
    const entry = sessionOf(env.context(), env.session);
    const view = await env.read();
    const decisions = newest(entry, args.limit ?? SHOWN_DECISIONS);
    const total = entry?.decisions.length ?? 0;
    const updated = entry?.updated ? `updated ${age(entry.updated, Date.now())}${entry.writer ? ` by ${oneLine(entry.writer)}` : ''}` : 'nothing saved yet';
    return {
      json: { session: env.session, ...scopeJson(entry), summary: entry?.summary ?? '', decision_count: total, decisions, updated: entry?.updated ?? null, writer: entry?.writer ?? null },
      human: (style) =>
        [
          `${style.paint('heading', `Session "${env.session}"`)}  ${style.paint('muted', updated)}`,
          `  scope    ${scopeText(view, entry)}`,
          '',
          entry?.summary ? entry.summary : style.paint('muted', '(no summary: flow context set --summary TEXT)'),
          ...(total
            ? ['', style.paint('heading', `Decisions, newest first (${decisions.length} of ${total})`), ...decisions.map(decisionLine)]
            : []),
        ].join('\n'),
      message: entry?.summary ? oneLine(entry.summary.split('\n')[0]) : `Session "${env.session}" has no summary yet`,
    };
  },
});

function scopeJson(entry: SessionContext | undefined) {
  const scope = scopeOf(entry);
  return { flow_id: scope.flowId, plan_id: scope.planId };
}

const set = defineCommand({
  verb: 'set',
  noun: 'context',
  summary: 'set the session\'s summary: where things stand, for whoever comes back to it ("-" reads it from stdin)',
  args: () => z.object({ summary: z.optional(z.string()) }),
  argv: { summary: { description: 'the summary, or - to read it from stdin' } },
  examples: ['flow context set --summary "Storage done; next: the TUI detail pane"', 'git log -1 --format=%B | flow context set --summary -'],
  writes: true,
  async run(args, env) {
    if (args.summary === undefined) throw new UsageError('say what to set: --summary TEXT (or --summary - to read it from stdin)');
    // From stdin the text usually ends with the newline of its last line: not part of it.
    const summary = args.summary === '-' ? (await env.input()).replace(/\n+$/, '') : args.summary;
    const entry = await env.updateContext((file) => {
      const session = editSession(file, env.session, env.writer);
      session.summary = summary;
      return structuredClone(session);
    });
    const message = `Summary of session "${env.session}" saved (${summary.length} characters)`;
    return { json: { session: env.session, summary: entry.summary, updated: entry.updated, writer: entry.writer }, human: () => message, message };
  },
});

const note = defineCommand({
  verb: 'note',
  noun: 'context',
  summary: 'add a decision to the session\'s log, optionally about a plan or a task',
  args: () => z.object({ text: text(), plan: z.optional(ref('plan')), task: z.optional(ref('task')) }),
  positionals: ['text'],
  argv: {
    text: { description: 'what was decided and why', rest: true },
    plan: { description: 'the plan it is about' },
    task: { description: 'the task it is about (numbers count in --plan, else the scope)' },
  },
  examples: ['flow context note "Keep one lock for both files: a journal makes the second rename safe" --task 3'],
  writes: true,
  async run(args, env) {
    const about = await referencesOf(env, args.plan, args.task);
    const decision: Decision = { time: now(), text: args.text, ...about, writer: env.writer };
    const total = await env.updateContext((file) => {
      const session = editSession(file, env.session, env.writer);
      session.decisions.push(decision);
      return session.decisions.length;
    });
    const message = `Noted for session "${env.session}" (${total} decision${total === 1 ? '' : 's'})`;
    return { json: { session: env.session, ...decision }, human: () => message, message };
  },
});

/** The plan and task a decision is about, resolved as every command resolves them. */
async function referencesOf(env: Env, plan: string | undefined, task: string | undefined): Promise<Pick<Decision, 'plan_id' | 'task_id'>> {
  if (!plan && !task) return {};
  const view = await env.read();
  if (task) {
    const location = findTask(view, env, task, plan);
    return { plan_id: location.plan.id, task_id: location.task.id };
  }
  return { plan_id: resolvePlan(view, plan as string, scopeFlow(view, env)).plan.id };
}

const SESSION_LIST = listing('session', ['session', 'flow_id', 'plan_id', 'summary', 'decision_count', 'updated', 'writer', 'current']);

const list = defineCommand({
  verb: 'list',
  noun: 'context',
  summary: 'list the sessions with their scope, decisions and age',
  args: () => z.object({ ...paging() }),
  argv: { ...SESSION_LIST.argv },
  async run(args, env) {
    const file = env.context();
    const view = await env.read();
    const at = Date.now();
    const rows = Object.entries(file.sessions)
      .sort(([, a], [, b]) => (b.updated ?? '').localeCompare(a.updated ?? ''))
      .map(([session, entry]) => ({
        session,
        ...scopeJson(entry),
        summary: entry.summary,
        decision_count: entry.decisions.length,
        updated: entry.updated ?? null,
        writer: entry.writer ?? null,
        current: session === env.session,
      }));
    return SESSION_LIST.output(
      args,
      rows,
      (style, shown) =>
        columns(
          shown.map((s) => [
            s.current ? style.paint('accent', '›') : ' ',
            oneLine(s.session),
            scopeText(view, sessionOf(file, s.session)),
            style.paint('muted', `${s.decision_count} decision${s.decision_count === 1 ? '' : 's'}`),
            style.paint('muted', s.updated ? age(s.updated, at) : ''),
          ]),
        ),
      '(no sessions yet: flow context set --summary TEXT)',
    );
  },
});

const rm = defineCommand({
  verb: 'rm',
  noun: 'context',
  summary: "remove a session's context: its scope, summary and decisions",
  args: () => z.object({ session: z.string() }),
  positionals: ['session'],
  argv: { session: { description: 'the session to remove' } },
  writes: true,
  async run(args, env) {
    const name = args.session;
    const removed = await env.updateContext((file) => {
      // An entry another program wrote under a name that is not a session name (control
      // characters, say) is removed by that exact name; only a missing one must be a name.
      const entry = sessionOf(file, name);
      if (!entry) throw new NotFoundError('session', checkSessionName(name), 'in context.json');
      delete file.sessions[name];
      return entry;
    });
    const count = removed.decisions.length;
    const message = `Removed the context of session "${oneLine(name)}" (its summary, scope and ${count} decision${count === 1 ? '' : 's'})`;
    return { json: { session: name, ...removed }, human: () => message, message };
  },
});

const exportCommand = defineCommand({
  verb: 'export',
  noun: 'context',
  summary: 'print the session\'s context to paste into a prompt: summary, the plan\'s open tasks, newest decisions',
  details:
    'The summary always comes first; then the plan in scope with its open tasks, then the\n' +
    'newest decisions, as many as fit: what is printed (its final newline included) is at\n' +
    'most --max-chars characters (Unicode code points), with a marker saying what was left out.',
  args: () => z.object({
    format: z.optional(z.enum(EXPORT_FORMATS)),
    max_chars: z.optional(count()),
  }),
  argv: {
    format: { description: 'md (default) or json' },
    max_chars: { placeholder: 'N', description: `at most N characters (default ${DEFAULT_MAX_CHARS})` },
  },
  examples: ['flow context export --max-chars 4000 | pbcopy', 'flow context export --format json --session agent-1'],
  async run(args, env) {
    const entry = sessionOf(env.context(), env.session);
    const view = await env.read();
    const flow = scopeFlow(view, env);
    let plan: Plan | undefined;
    try {
      plan = scopePlan(view, env)?.plan;
    } catch (err) {
      // A scoped plan that is gone: the export says only what is there.
      if (!(err instanceof FlowError && err.code === 'not_found')) throw err;
    }
    const format = args.format ?? 'md';
    const maxChars = args.max_chars ?? DEFAULT_MAX_CHARS;
    // Less would leave no room for the summary beside the marker that says what is missing.
    if (maxChars < MIN_MAX_CHARS) throw new UsageError(`--max-chars must be at least ${MIN_MAX_CHARS}, not ${maxChars}`);
    // The command line ends what it prints with a newline: it counts.
    const result = exportContext({ session: env.session, entry, flow, plan }, format, maxChars - 1);
    return {
      json: { session: env.session, format, max_chars: maxChars, chars: result.chars, omitted: result.omitted, text: result.text },
      human: () => result.text,
      message: `Context of session "${env.session}": ${result.chars} characters`,
    };
  },
});

export const CONTEXT_COMMANDS = [show, set, note, list, rm, exportCommand] as const;
