// Rows of the command table for documents (issue 13 item 3) and `flow search`. The work
// is done in src/documents and src/search; these rows resolve references and print.
import { existsSync } from 'node:fs';
import * as z from 'zod/mini';
import { FlowError } from '../../domain/errors.js';
import { oneLine } from '../../domain/sanitize.js';
import type { Plan, Task } from '../../domain/schema.js';
import type { StoreView } from '../../store/state.js';
import { ref } from '../args.js';
import { defineCommand, type ArgSpec } from '../define.js';
import type { Env } from '../env.js';
import { paging, listing } from '../list.js';
import { columns } from '../output.js';
import { progressBar } from '../progress.js';
import { requirePlanScope } from '../refs.js';
import { byteSize } from '../render.js';
import { openerCommand, runOnFile } from '../../app/external-program.js';
import type { Referred } from '../../documents/documents.js';
import { noteOutsideChange, takeBackCommand, type TakeBack } from '../../snapshots/outside-change.js';
import { docJson, docRef, documents, existingIn, load, plansNow, type Lib } from './doc-lib.js';
import { findTask } from './task.js';

// A number comes before a name of digits (as for tasks): such a name is reached by id or path.
const DOC_REF: ArgSpec = { description: 'document id, id prefix, list number, name or path (a name of digits only: by id or path)' };
const PLAN: ArgSpec = { description: 'the plan (default: the session scope)' };
const TASK: ArgSpec = { description: "a task the document is for (it goes to the task's plan)" };

/** Where a document goes: a task and its plan (--task), else a plan (--plan, or the session scope). */
function target(view: StoreView, env: Env, args: { plan?: string; task?: string }): { plan: Plan; task?: Task; where: string } {
  if (args.task === undefined) {
    const { plan } = requirePlanScope(view, env, args.plan);
    return { plan, where: `plan "${oneLine(plan.title)}"` };
  }
  const { plan, task } = findTask(view, env, args.task, args.plan);
  return { plan, task, where: `task "${oneLine(task.title)}" of plan "${oneLine(plan.title)}"` };
}

/**
 * Tells this session's `flow undo` of a document change (the undo log records only
 * flows.json's): undo then stops there, naming `takeBack`, instead of reverting the
 * change before it.
 */
function noteForUndo(env: Env, change: string, takeBack: TakeBack[]): void {
  noteOutsideChange(env.undoLog(), { change, takeBack }, (message) => env.warn(message));
}

/** What unlinks exactly the references a link added (a task's link may add its plan's too). */
function unlinking(doc: string, referred: Referred, planId: string, taskId: string | undefined): TakeBack[] {
  return [
    ...(referred.task && taskId !== undefined ? [{ verb: 'unlink' as const, doc, task: taskId }] : []),
    ...(referred.plan ? [{ verb: 'unlink' as const, doc, plan: planId }] : []),
  ];
}

/** " (to take it back: …)" for a message, or nothing when no command does. */
function takeBackText(steps: readonly TakeBack[]): string {
  return steps.length ? ` (to take it back: ${steps.map(takeBackCommand).join('; ')})` : '';
}

const addDoc = defineCommand({
  verb: 'add',
  noun: 'doc',
  summary: 'add files or folders to a plan as documents (stored once by content, in one step)',
  details:
    'Each file is stored once by its sha256 under .flow/documents/ and appears as documents/<plan_id>/<name>. ' +
    'A folder keeps its structure. The same file added to another plan is one document with two references; ' +
    'a file added again under a name the plan has is a new version of that document.',
  args: () => z.object({
    files: z.array(z.string()).check(z.minLength(1, 'name at least one file or folder')),
    plan: z.optional(ref('plan')),
    task: z.optional(ref('task')),
    name: z.optional(z.string()),
  }),
  positionals: ['files'],
  argv: {
    files: { description: 'files or folders to add', placeholder: 'FILE' },
    plan: PLAN,
    task: TASK,
    name: { description: 'the name to give one file' },
  },
  examples: ['flow add doc spec.md --plan 1', 'flow add doc ./research/', 'flow add doc trace.log --task 3'],
  writes: true,
  async run(args, env) {
    const lib = await load();
    const view = await env.read();
    const { plan, task, where } = target(view, env, args);
    const sources = lib.collectSources(args.files, args.name);
    const docs = documents(lib, env);
    const added = await docs.add(sources, plan.id, progressBar(env, 'adding', byteSize), task?.id);
    mirrorAfterSave(lib, env, docs.root, plan);
    const made = added.filter((a) => a.outcome !== 'unchanged');
    if (made.length) {
      const named = made.length === 1 ? `"${made[0].entry.name}"` : `(${made.length} documents)`;
      noteForUndo(env, `add doc ${named}`, made.flatMap((a): TakeBack[] =>
        a.outcome === 'added' ? [{ verb: 'rm', doc: a.entry.id }] : a.referred ? unlinking(a.entry.id, a.referred, plan.id, task?.id) : []));
    }
    const existing = existingIn(lib, view);
    const json = added.map((a) => ({ outcome: a.outcome, source: a.source, ...docJson(lib, a.entry, existing) }));
    const counts = (['added', 'updated', 'linked', 'unchanged'] as const)
      .map((o) => [o, added.filter((a) => a.outcome === o).length] as const)
      .filter(([, n]) => n > 0)
      .map(([o, n]) => `${n} ${o}`)
      .join(', ');
    const message = `${counts} in ${where}`;
    return {
      json: json.length === 1 ? json[0] : json,
      human: (style) =>
        [
          ...added.map((a) => `${style.paint('muted', a.outcome.padEnd(9))} ${oneLine(a.entry.name)}  documents/${oneLine(a.entry.path)}  ${style.paint('id', a.entry.id)}`),
          message,
        ].join('\n'),
      message,
    };
  },
});

function linkCommand<V extends 'link' | 'unlink'>(verb: V) {
  return defineCommand({
    verb,
    noun: 'doc',
    summary:
      verb === 'link'
        ? 'reference a document from another plan, or from a task (--task)'
        : "drop a plan's reference to a document (the last one marks it deleted), or a task's (--task)",
    details:
      'flow undo takes back changes to flows.json, not to the documents: ' +
      (verb === 'link' ? 'unlink doc takes a link back.' : 'link doc takes an unlink back while the document is kept (documents.retention_days).') +
      ' A number is the one `flow list doc` shows, whatever --plan says.',
    args: () => z.object({ ref: ref('doc'), plan: z.optional(ref('plan')), task: z.optional(ref('task')) }),
    positionals: ['ref'],
    argv: { ref: DOC_REF, plan: PLAN, task: { description: verb === 'link' ? TASK.description : "drop only this task's reference (the plan's stays)" } },
    writes: true,
    async run(args, env) {
      const lib = await load();
      const view = await env.read();
      const { plan, task, where } = target(view, env, args);
      const docs = documents(lib, env);
      const existing = existingIn(lib, view);
      const reference = await docRef(lib, env, args.ref, view);
      if (verb === 'link') {
        const { entry, changed, referred } = await docs.link(reference, plan.id, plansNow(lib, env), task?.id);
        mirrorAfterSave(lib, env, docs.root, plan);
        const back = unlinking(entry.id, referred, plan.id, task?.id);
        if (changed) noteForUndo(env, `link doc "${entry.name}"`, back);
        const message = changed ? `Linked ${entry.id} "${oneLine(entry.name)}" to ${where}${takeBackText(back)}` : `${entry.id} is already linked to ${where}`;
        return { json: docJson(lib, entry, existing), human: () => message, message };
      }
      const { entry, deleted } = await docs.unlink(reference, plan.id, plansNow(lib, env), task?.id);
      const back: TakeBack[] = [task ? { verb: 'link', doc: entry.id, task: task.id } : { verb: 'link', doc: entry.id, plan: plan.id }];
      noteForUndo(env, `unlink doc "${entry.name}"`, back);
      const retention = env.config().documents.retention_days;
      const message =
        `Unlinked ${entry.id} "${oneLine(entry.name)}" from ${where}` +
        (deleted ? `; no plan references it now: gc doc removes it after ${retention} day${retention === 1 ? '' : 's'}` : '') +
        takeBackText(back);
      return { json: docJson(lib, entry, existing), human: () => message, message };
    },
  });
}

const DOC_LIST = listing('document', [
  'number', 'id', 'name', 'path', 'sha256', 'size', 'media_type', 'storage_type', 'plans', 'tasks',
  'created', 'updated', 'deleted_at', 'references', 'live_plans',
]);

const listDoc = defineCommand({
  verb: 'list',
  noun: 'doc',
  summary: 'list documents (of one plan with --plan; --all includes deleted ones)',
  args: () => z.object({ plan: z.optional(ref('plan')), all: z.optional(z.boolean()), ...paging() }),
  argv: { plan: { ...PLAN, description: "only this plan's documents, each with its number" }, all: { description: 'also documents no plan references any more' }, ...DOC_LIST.argv },
  async run(args, env) {
    const lib = await load();
    const view = await env.read();
    const planId = args.plan ? requirePlanScope(view, env, args.plan).plan.id : undefined;
    const entries = documents(lib, env).read().list();
    const existing = existingIn(lib, view);
    const present = existing(entries.flatMap((e) => e.plans));
    const rows = lib
      .listedDocuments(entries, present, { planId, all: args.all })
      .map(({ entry, number }) => ({ number, ...docJson(lib, entry, existing) }));
    return DOC_LIST.output(
      args,
      rows,
      (style, shown) =>
        columns(
          shown.map((row) => [
            style.paint('muted', row.number === null ? '–' : `${row.number}.`),
            oneLine(row.name),
            style.paint('muted', row.media_type),
            byteSize(row.size),
            row.references ? `${row.references} plan${row.references === 1 ? '' : 's'}` : style.paint('warning', 'deleted'),
            style.paint('id', row.id),
          ]),
        ),
      '(no documents)',
    );
  },
});

/** The first lines of a text document, for `show doc`. */
const PREVIEW_LINES = 10;

const showDoc = defineCommand({
  verb: 'show',
  noun: 'doc',
  summary: 'show a document: what it is, where, who references it, and the first lines of a text',
  args: () => z.object({ ref: ref('doc') }),
  positionals: ['ref'],
  argv: { ref: DOC_REF },
  async run(args, env) {
    const lib = await load();
    const view = await env.read();
    const docs = documents(lib, env);
    const entry = lib.findDocument(docs.read(), await docRef(lib, env, args.ref, view));
    const existing = existingIn(lib, view);
    const live = lib.liveReferences(entry, existing(entry.plans));
    const content = await docs.contentPath(entry);
    const preview = content && lib.isTextual(entry.media_type) ? firstLines(lib, content, PREVIEW_LINES) : undefined;
    const planNames = live.map((id) => {
      const found = view.locate(id);
      return found?.kind === 'plan' ? `${oneLine(found.plan.title)} (${id})` : id;
    });
    return {
      json: { ...docJson(lib, entry, existing), stored: !!content, preview: preview ?? null },
      human: (style) =>
        [
          `${style.paint('heading', oneLine(entry.name))}  ${style.paint('id', entry.id)}`,
          `  path      documents/${oneLine(entry.path)}`,
          `  type      ${entry.media_type}, ${byteSize(entry.size)}, ${entry.storage_type}`,
          `  sha256    ${entry.sha256}`,
          `  plans     ${planNames.length ? planNames.join(', ') : style.paint('warning', `none (deleted ${entry.deleted_at ?? ''})`)}`,
          `  created   ${entry.created}`,
          `  updated   ${entry.updated}`,
          ...(content ? [] : [style.paint('warning', '  its content is not stored here')]),
          ...(preview !== undefined ? ['', ...preview.split('\n').map((l) => `  ${l}`)] : []),
        ].join('\n'),
      message: `${oneLine(entry.name)} (${entry.id})`,
    };
  },
});

function firstLines(lib: Lib, path: string, lines: number): string {
  // 16 KB hold the first lines of any text people write.
  return lib.readPrefix(path, 16 * 1024).split('\n').slice(0, lines).join('\n');
}

const openDoc = defineCommand({
  verb: 'open',
  noun: 'doc',
  summary: 'print where a document is; on a terminal, open it ($VISUAL or $EDITOR for text, else xdg-open)',
  args: () => z.object({ ref: ref('doc') }),
  positionals: ['ref'],
  argv: { ref: DOC_REF },
  async run(args, env) {
    const lib = await load();
    const docs = documents(lib, env);
    const entry = lib.findDocument(docs.read(), await docRef(lib, env, args.ref));
    const content = await docs.contentPath(entry);
    if (!content) throw new FlowError('not_found', `the content of ${entry.id} is not stored here (flow check doc says more)`);
    const readable = `${docs.root}/${entry.path}`;
    const path = existsSync(readable) ? readable : content;
    if (env.interactive && process.stdout.isTTY && env.store.writer.startsWith('cli:')) {
      const failed = runOnFile(openerCommand(lib.isTextual(entry.media_type)), path);
      if (failed) env.warn(failed);
    }
    return { json: { id: entry.id, path }, human: () => path, message: path };
  },
});

/**
 * The plan's summary.md beside its documents, after a saved change: a failure (a folder
 * where the file goes, a link out of .flow) only warns, since the change is on disk.
 */
function mirrorAfterSave(lib: Lib, env: Env, root: string, plan: { id: string; summary: string }): void {
  try {
    lib.mirrorSummary(root, plan.id, plan.summary);
  } catch (err) {
    env.warn(`the change is saved, but documents/${plan.id}/summary.md could not be written: ${oneLine((err as Error).message)}`);
  }
}

const rmDoc = defineCommand({
  verb: 'rm',
  noun: 'doc',
  summary: 'remove a document from every plan (gc doc removes its content after the retention period)',
  details:
    'A number is the one `flow list doc` shows. If another writer changed the list after this command read it, ' +
    'so that the number names another document now, nothing is removed (exit 3): run list doc again, or give the id.',
  args: () => z.object({ ref: ref('doc') }),
  positionals: ['ref'],
  argv: { ref: DOC_REF },
  writes: true,
  async run(args, env) {
    const lib = await load();
    const reference = await docRef(lib, env, args.ref);
    const { entry, plans } = await documents(lib, env).remove(reference, plansNow(lib, env));
    const retention = env.config().documents.retention_days;
    // While the content is kept, linking it to its plans again brings it back: to those
    // that exist (a plan deleted since has to come back first).
    const live = plans.length ? existingIn(lib, await env.read())(plans) : new Set<string>();
    const takeBack = plans.filter((id) => live.has(id)).map((id): TakeBack => ({ verb: 'link', doc: entry.id, plan: id }));
    if (plans.length) noteForUndo(env, `rm doc "${entry.name}"`, takeBack);
    // Named in full, whatever it was given as: a number says nothing of what went.
    const asNumber = typeof reference === 'string' ? '' : ` (number ${reference.text} of flow list doc)`;
    const message =
      `Removed ${entry.id} "${oneLine(entry.name)}"${asNumber}; its content stays until gc doc, ${retention} day${retention === 1 ? '' : 's'} from now` +
      takeBackText(takeBack);
    return { json: entry, human: () => message, message };
  },
});

const checkDoc = defineCommand({
  verb: 'check',
  noun: 'doc',
  summary: 'verify every document against its hash; follow files moved by hand, report missing ones (exit 1)',
  args: () => z.object({ restore: z.optional(z.boolean()) }),
  argv: { restore: { description: 'put readable files deleted by hand back from the store' } },
  writes: true,
  async run(args, env) {
    const lib = await load();
    const view = await env.read();
    const report = await lib.checkDocuments(documents(lib, env), existingIn(lib, view), { restore: args.restore });
    const lines = report.findings.map((f) => `${f.kind.padEnd(15)} ${f.message}`);
    const summary = `${report.checked} document${report.checked === 1 ? '' : 's'} checked, ${report.findings.length} finding${report.findings.length === 1 ? '' : 's'}`;
    if (!report.ok) {
      throw new FlowError('failed', [...lines, summary].join('\n'), { checked: report.checked, findings: report.findings });
    }
    return { json: report, human: () => [...lines, summary].join('\n'), message: summary };
  },
});

const gcDoc = defineCommand({
  verb: 'gc',
  noun: 'doc',
  summary: 'remove documents deleted longer than documents.retention_days ago, and contents nothing needs',
  details: 'A content stays while the manifest or any retained snapshot names it.',
  args: () => z.object({ dry_run: z.optional(z.boolean()) }),
  argv: { dry_run: { description: 'say what would be removed, remove nothing' } },
  writes: true,
  // History gone for good, which no undo brings back: a person's call, not an agent's tool.
  mcp: false,
  async run(args, env) {
    const lib = await load();
    const docs = documents(lib, env);
    const report = await lib.collectDocuments(docs, {
      retentionDays: env.config().documents.retention_days,
      dryRun: args.dry_run,
      retained: (fn) => lib.withRetainedHashes(env.dir, env.snapshots(), fn),
      withPlans: async (fn) => (await env.transact((tx) => fn(existingIn(lib, tx)))).value,
    });
    const verb = report.dryRun ? 'would remove' : 'removed';
    const message = `${verb} ${report.removed.length} document${report.removed.length === 1 ? '' : 's'} and ${report.contents.length} stored content${report.contents.length === 1 ? '' : 's'} (${byteSize(report.bytes)})`;
    return {
      json: report,
      human: () =>
        [
          ...report.removed.map((r) => `${verb} ${r.id} "${oneLine(r.name)}" (deleted ${r.deleted_at})`),
          ...report.keptFiles.map((f) => `kept ${oneLine(f)}: it was changed by hand`),
          message,
        ].join('\n'),
      message,
    };
  },
});

export const DOC_COMMANDS = [addDoc, linkCommand('link'), linkCommand('unlink'), listDoc, showDoc, openDoc, rmDoc, checkDoc, gcDoc] as const;
