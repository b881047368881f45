// Rows of the command table for sharing a store through git: sync, git's merge driver,
// and settling the conflicts a merge recorded. The work is in src/sync/.
import { realpathSync } from 'node:fs';
import * as z from 'zod/mini';
import { FlowError } from '../../domain/errors.js';
import { oneLine } from '../../domain/sanitize.js';
import { now } from '../../domain/time.js';
import type { Location } from '../../domain/tree.js';
import type { StoreView } from '../../store/state.js';
import { describeConflict, findConflicts, resolveConflicts, type Choice, type ConflictEntry } from '../../sync/conflicts.js';
import { runMergeDriver } from '../../sync/driver.js';
import { driverCommand } from '../../sync/setup.js';
import { syncStatus } from '../../sync/status.js';
import { sync } from '../../sync/sync.js';
import { ref } from '../args.js';
import { defineCommand } from '../define.js';
import type { Env } from '../env.js';
import { listing, paging } from '../list.js';
import { resolveFlow, resolvePlan, resolveTask, scopeFlow, scopePlan } from '../refs.js';
import { UsageError } from '../parse.js';
import type { Style } from '../style.js';

const RESOLVE_HINT = 'settle each with: flow resolve task|plan|flow REF --take mine|theirs|VALUE [--field F]';

function conflictJson(entry: ConflictEntry) {
  return { id: entry.id, object: entry.object, title: entry.title, ...entry.record };
}

function conflictLines(conflicts: readonly ConflictEntry[]): string[] {
  return conflicts.map((c) => `  ${describeConflict(c)}`);
}

const mergeDriver = defineCommand({
  verb: 'merge-driver',
  summary: "git's merge driver for flows.json (flow sync registers it): merges by id, field by field",
  details:
    'Called by git as `flow merge-driver %O %A %B %P`: reads the common ancestor, ours and\n' +
    'theirs, and writes the merge over ours in flow\'s layout. Exit 0: merged cleanly; 1: merged\n' +
    'with conflicts recorded in the file (flow conflicts, flow resolve); 2: refused (a side\n' +
    'is not a readable flows.json), ours left as it was.',
  args: () => z.object({ base: z.string(), ours: z.string(), theirs: z.string(), path: z.optional(z.string()) }),
  positionals: ['base', 'ours', 'theirs', 'path'],
  argv: {
    base: { description: '%O: the common ancestor' },
    ours: { description: '%A: ours, overwritten with the result' },
    theirs: { description: '%B: theirs' },
    path: { description: '%P: the path in the repository (for messages)' },
  },
  // git's to call: it writes over any path it is given.
  mcp: false,
  run(args, env) {
    const name = args.path ?? 'flows.json';
    try {
      const result = runMergeDriver(args, { writer: env.store.writer, at: now() });
      const json = { revision: result.revision, conflicts: result.conflicts.map(conflictJson) };
      if (!result.conflicts.length) return { json, human: () => '', exitCode: 0 };
      env.warn(
        [`${name}: merged with ${result.conflicts.length} conflict(s) recorded in the file:`, ...conflictLines(result.conflicts), RESOLVE_HINT].join('\n'),
      );
      return { json, human: () => '', exitCode: 1 };
    } catch (err) {
      env.warn(`${name} was not merged and was left as it was: ${(err as Error).message}`);
      return { json: { error: (err as Error).message }, human: () => '', exitCode: 2 };
    }
  },
});

const syncCommand = defineCommand({
  verb: 'sync',
  summary: "share the store through the project's git repository: commit .flow/, merge the remote's, push",
  details:
    'Commits the shared files of .flow/ (never anything outside it), fetches and merges the\n' +
    "remote branch (flows.json merges by id through flow's merge driver, registered on first\n" +
    'use), and pushes, merging again when someone pushed in between. Conflicts are recorded\n' +
    'in flows.json, next to the data: sync exits 3 and lists them while any remain.\n' +
    '--dry-run fetches and says what sync would do, changing nothing else.',
  args: () => z.object({ dry_run: z.optional(z.boolean()) }),
  argv: { dry_run: { description: 'say what would happen; only fetches' } },
  examples: ['flow sync', 'flow sync --dry-run'],
  writes: true,
  async run(args, env) {
    if (args.dry_run) {
      const status = await syncStatus(env.store, { fetch: true });
      const preview = status.preview
        ? 'refused' in status.preview
          ? `merging it now would be refused: ${status.preview.refused}`
          : `merging it now would record ${status.preview.conflicts} conflict(s)`
        : undefined;
      const lines = [
        `${status.unsynced} local revision(s) not on ${status.remote} yet; ${status.waiting} remote commit(s) waiting`,
        ...(preview ? [preview] : []),
        ...(status.conflicts.length ? [`${status.conflicts.length} conflict(s) recorded:`, ...conflictLines(status.conflicts)] : []),
        'nothing was changed (--dry-run)',
      ];
      return { json: { ...status, conflicts: status.conflicts.map(conflictJson), dry_run: true }, human: () => lines.join('\n'), message: lines[0] };
    }
    const report = await sync({
      store: env.store,
      session: env.session,
      // Git runs the driver with this node and this flow, whatever PATH holds then.
      driver: driverCommand(process.execPath, realpathSync(process.argv[1])),
      onStep: (step) => env.progress(step),
    });
    const lines = [
      ...(report.setUp.length ? [`set up for sharing: ${report.setUp.join(', ')}`] : []),
      report.committed === null ? 'nothing new to commit in .flow/' : `committed revision ${report.committed}`,
      report.merged === 'none' ? `${report.remote} had nothing new` : `merged ${report.remote} (${report.merged})`,
      report.pushed ? `pushed to ${report.remote}${report.attempts > 1 ? ` (after ${report.attempts} attempts: others pushed in between)` : ''}` : 'nothing to push',
      ...(report.outside.length
        ? [`${report.outside.length} file(s) outside .flow/ have uncommitted changes; sync left them alone: ${report.outside.slice(0, 5).map((p) => oneLine(p)).join(', ')}${report.outside.length > 5 ? ', …' : ''}`]
        : []),
    ];
    if (report.conflicts.length) {
      lines.push(`${report.conflicts.length} conflict(s) remain:`, ...conflictLines(report.conflicts), RESOLVE_HINT);
      env.warn(`${report.conflicts.length} conflict(s) remain in flows.json (flow conflicts)`);
    }
    return {
      json: {
        committed: report.committed,
        merged: report.merged,
        pushed: report.pushed,
        attempts: report.attempts,
        remote: report.remote,
        set_up: report.setUp,
        outside: report.outside,
        conflicts: report.conflicts.map(conflictJson),
      },
      human: () => lines.join('\n'),
      message: report.conflicts.length ? `synced; ${report.conflicts.length} conflict(s) remain` : 'synced',
      exitCode: report.conflicts.length ? 3 : 0,
    };
  },
});

const CONFLICT_LIST = listing('conflict', ['id', 'object', 'title', 'kind', 'field', 'base', 'mine', 'theirs', 'at']);

const conflicts = defineCommand({
  verb: 'conflicts',
  summary: 'list the conflicts merges recorded in flows.json, with both values and their writers',
  args: () => z.object({ ...paging() }),
  argv: { ...CONFLICT_LIST.argv },
  examples: ['flow conflicts', 'flow conflicts --fields id,field --limit 10 --json'],
  async run(args, env) {
    const found = findConflicts(await env.read());
    const rows = found.map(conflictJson);
    // A page's lines are its records' own.
    const entryOf = new Map(rows.map((row, i) => [row, found[i]]));
    const human = (_style: Style, page: readonly (typeof rows)[number][]) =>
      [...conflictLines(page.flatMap((row) => entryOf.get(row) ?? [])), RESOLVE_HINT].join('\n');
    return CONFLICT_LIST.output(args, rows, human, 'no conflicts recorded');
  },
});

const RESOLVE_DETAILS =
  'mine is the side of the clone that made the merge (the value it kept in place), theirs\n' +
  'the incoming one (the value recorded). A VALUE sets the field to it (one field conflict;\n' +
  'name it with --field when there are several). A conflict about a deletion or a place\n' +
  'takes mine or theirs: the deleting side deletes it, the other keeps it.';

/** Flags and help of `resolve task|plan|flow`, one definition each (their refs differ in kind). */
function resolveParts(noun: 'task' | 'plan' | 'flow') {
  return {
    verb: 'resolve',
    summary: `settle a conflict recorded on a ${noun}: --take mine, theirs, or a VALUE`,
    details: RESOLVE_DETAILS,
    positionals: ['ref'] as const,
    argv: {
      ref: { description: `${noun} id, id prefix or list number` },
      take: { placeholder: 'mine|theirs|VALUE', description: 'which value stays' },
      field: { placeholder: 'F', description: 'only the conflict about this field (or place, deleted)' },
    },
    examples: [`flow resolve ${noun} 3 --take theirs`, `flow resolve ${noun} ${noun}_ab12 --field title --take "A new title"`],
    writes: true,
  } as const;
}

/** The handler of `resolve NOUN`: find the object where the transaction runs, settle its records. */
function settle(noun: string, find: (view: StoreView, env: Env, ref: string) => Location) {
  return async (args: { ref: string; take?: string; field?: string }, env: Env) => {
    if (args.take === undefined) throw new UsageError(`say which value stays: flow resolve ${noun} ${args.ref} --take mine|theirs|VALUE`);
    const choice: Choice = args.take === 'mine' || args.take === 'theirs' ? { take: args.take } : { value: args.take };
    const commit = await env.transact((tx) => resolveConflicts(tx, find(tx, env, args.ref), args.field, choice));
    const message = `Resolved: ${commit.value.settled.join('; ')}`;
    return { json: { settled: commit.value.settled, deleted: commit.value.deleted, revision: commit.revision }, human: () => message, message };
  };
}

const takeAndField = () => ({ take: z.optional(z.string()), field: z.optional(z.string()) });

const resolveTaskCommand = defineCommand({
  ...resolveParts('task'),
  noun: 'task',
  args: () => z.object({ ref: ref('task'), ...takeAndField() }),
  run: settle('task', (view, env, id) => resolveTask(view, id, scopePlanIfAny(view, env))),
});

const resolvePlanCommand = defineCommand({
  ...resolveParts('plan'),
  noun: 'plan',
  args: () => z.object({ ref: ref('plan'), ...takeAndField() }),
  run: settle('plan', (view, env, id) => resolvePlan(view, id, scopeFlow(view, env))),
});

const resolveFlowCommand = defineCommand({
  ...resolveParts('flow'),
  noun: 'flow',
  args: () => z.object({ ref: ref('flow'), ...takeAndField() }),
  run: settle('flow', (view, _env, id) => ({ kind: 'flow', flow: resolveFlow(view, id) })),
});

function scopePlanIfAny(view: StoreView, env: Env) {
  try {
    return scopePlan(view, env);
  } catch (err) {
    if (err instanceof FlowError) return undefined;
    throw err;
  }
}

export const SYNC_COMMANDS = [syncCommand, mergeDriver, conflicts, resolveTaskCommand, resolvePlanCommand, resolveFlowCommand] as const;
