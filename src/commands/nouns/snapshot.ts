// Commands for snapshots, and undo/redo.
import * as z from 'zod/mini';
import { FlowError } from '../../domain/errors.js';
import { oneLine } from '../../domain/sanitize.js';
import type { Flow } from '../../domain/schema.js';
import { describeChange, diffFlows } from '../../snapshots/diff.js';
import type { SnapshotEngine, SnapshotMeta, SnapshotState } from '../../snapshots/engine.js';
import type { SideParts } from '../../snapshots/files-backend.js';
import { flowName, plansMentioning, prepareRestore, restoreInto, snapshotFlows, type PreparedRestore } from '../../snapshots/restore.js';
import { pendingOutsideChange, takeBackCommand, type OutsideChange } from '../../snapshots/outside-change.js';
import { nothingTo, revertEntry, type UndoEntry } from '../../snapshots/undo.js';
import { replaceContext, type ContextFile } from '../../context/context.js';
import { ref } from '../args.js';
import { defineCommand, type ArgSpec } from '../define.js';
import type { Env } from '../env.js';
import { listing, paging } from '../list.js';
import { columns, type Output } from '../output.js';
import { resolveInSnapshot, resolveSnapshot } from '../refs.js';
import { byteSize, quoted } from '../render.js';
import { documents, load, type Lib } from './doc-lib.js';
import { confirmDeletion } from './plan.js';

const SNAP_REF: ArgSpec = { description: 'snapshot id, id prefix or list number' };

function metaLine(meta: SnapshotMeta): string {
  return `${meta.id} ${meta.kind}${meta.label ? ` ${quoted(meta.label)}` : ''} (revision ${meta.file_revision})`;
}

/** The snapshot a reference names, among those the engine lists. */
function findSnapshot(env: Env, ref: string): SnapshotMeta {
  return resolveSnapshot(env.snapshots().list(), ref);
}

function stateFlows(state: SnapshotState): Record<string, Flow> {
  return Object.fromEntries(snapshotFlows(state).map((f) => [f.id, f]));
}

async function currentFlows(env: Env): Promise<Record<string, Flow>> {
  const view = await env.read();
  return Object.fromEntries(view.allFlows().map((f) => [f.id, f]));
}

const create = defineCommand({
  verb: 'create',
  noun: 'snapshot',
  aliases: ['add snapshot'],
  summary: 'save a snapshot of flows.json, context.json and the documents',
  args: () => z.object({ label: z.optional(z.string()), pin: z.optional(z.boolean()) }),
  argv: {
    label: { description: 'a note to find it by' },
    pin: { description: 'keep it through pruning' },
  },
  writes: true,
  async run(args, env) {
    const engine = env.snapshots();
    const meta = await engine.create(env.store, { label: args.label, pinned: args.pin, kind: 'manual' });
    const policy = env.config().snapshots;
    const pruned = await engine.prune({ keep: policy.keep, maxAgeDays: policy.max_age_days }, Date.now(), [meta.id]);
    const message = `Created snapshot ${metaLine(meta)}, ${meta.storage}, ${byteSize(meta.size)}${pruned.length ? `; pruned ${pruned.length} old` : ''}`;
    return { json: meta, human: () => message, message };
  },
});

const SNAPSHOT_LIST = listing('snapshot', ['number', 'id', 'created', 'kind', 'label', 'pinned', 'file_revision', 'storage', 'parent', 'size']);

const list = defineCommand({
  verb: 'list',
  noun: 'snapshot',
  summary: 'list snapshots, oldest first, numbered',
  args: () => z.object({ ...paging() }),
  argv: { ...SNAPSHOT_LIST.argv },
  run(args, env) {
    const rows = env.snapshots().list().map((s, i) => ({ number: i + 1, ...s }));
    return SNAPSHOT_LIST.output(
      args,
      rows,
      (style, shown) =>
        columns(
          shown.map((s) => [
            style.paint('muted', `${s.number}.`),
            s.created.replace('T', ' ').slice(0, 19),
            s.kind,
            s.pinned ? style.paint('accent', 'pinned') : '',
            `rev ${s.file_revision}`,
            byteSize(s.size),
            oneLine(s.label),
            style.paint('id', s.id),
          ]),
        ),
      '(no snapshots yet: flow snapshot create)',
    );
  },
});

const show = defineCommand({
  verb: 'show',
  noun: 'snapshot',
  summary: 'show a snapshot: when, what kind, and what it holds',
  args: () => z.object({ ref: ref('snapshot') }),
  positionals: ['ref'],
  argv: { ref: SNAP_REF },
  run(args, env) {
    const meta = findSnapshot(env, args.ref);
    const flows = snapshotFlows(env.snapshots().read(meta));
    const plans = flows.reduce((n, f) => n + f.plans.length, 0);
    const text = [
      metaLine(meta),
      `  created   ${meta.created}`,
      `  storage   ${meta.storage}${meta.parent ? ` after ${meta.parent}` : ''}, ${byteSize(meta.size)}`,
      `  pinned    ${meta.pinned ? 'yes' : 'no'}`,
      `  holds     ${flows.length} flows, ${plans} plans`,
    ].join('\n');
    return { json: { ...meta, flow_count: flows.length, plan_count: plans }, human: () => text, message: metaLine(meta) };
  },
});

const diff = defineCommand({
  verb: 'diff',
  noun: 'snapshot',
  summary: 'what changed between a snapshot and now (or another snapshot)',
  args: () => z.object({ ref: ref('snapshot'), other: z.optional(ref('snapshot')) }),
  positionals: ['ref', 'other'],
  argv: { ref: SNAP_REF, other: { description: 'another snapshot, or "current" (default)' } },
  async run(args, env) {
    const engine = env.snapshots();
    const from = findSnapshot(env, args.ref);
    const to = !args.other || args.other === 'current' ? undefined : findSnapshot(env, args.other);
    const changes = diffFlows(stateFlows(engine.read(from)), to ? stateFlows(engine.read(to)) : await currentFlows(env));
    const title = `${from.id} → ${to ? to.id : 'now'}: ${changes.length} change${changes.length === 1 ? '' : 's'}`;
    return {
      json: { from: from.id, to: to?.id ?? 'current', changes },
      human: (style) =>
        [
          style.paint('heading', title),
          ...changes.flatMap((c) =>
            describeChange(c).map((line, i) =>
              i > 0 ? style.paint('muted', line) : style.paint(c.change === 'added' ? 'success' : c.change === 'removed' ? 'danger' : 'warning', line),
            ),
          ),
        ].join('\n'),
      message: title,
    };
  },
});

const restore = defineCommand({
  verb: 'restore',
  noun: 'snapshot',
  summary: 'bring back a snapshot (whole, or one flow or plan); takes a pre-restore snapshot first',
  args: () => z.object({ ref: ref('snapshot'), flow: z.optional(ref('flow')), plan: z.optional(ref('plan')), yes: z.optional(z.boolean()) }),
  positionals: ['ref'],
  argv: {
    ref: SNAP_REF,
    flow: { description: 'restore only this flow' },
    plan: { description: 'restore only this plan' },
    yes: { description: 'do not ask' },
  },
  writes: true,
  async run(args, env) {
    if (args.flow && args.plan) throw new FlowError('invalid', 'give --flow or --plan, not both');
    const engine = env.snapshots();
    const meta = findSnapshot(env, args.ref);
    // The flow or plan is named as it is in the snapshot (it may be gone from the store);
    // a scoped restore reads of the snapshot only the flows it concerns.
    const view = engine.view(meta);
    const flows = args.flow ? view.flowIds().map((id) => ({ id })) : [];
    const flowId = args.flow ? resolveInSnapshot('flow', flows, args.flow, (f) => `${f.id} (${oneLine(flowName(view, f.id))})`).id : undefined;
    const plans = args.plan ? plansMentioning(view, args.plan) : [];
    const planId = args.plan ? resolveInSnapshot('plan', plans, args.plan, (p) => `${p.id} (${oneLine(p.title)})`).id : undefined;
    const prepared = prepareRestore(view, { flowId, planId });
    const part = args.flow ? `flow ${args.flow}` : args.plan ? `plan ${args.plan}` : 'the whole store';
    await confirmDeletion(env, args.yes, `Restore ${part} from snapshot ${metaLine(meta)}? Changes since are replaced`);
    const safety = await env.autoSnapshot('pre-restore', `before restoring ${meta.id}`);
    // A whole restore puts context.json back in the same commit as flows.json.
    const state = prepared.scope === 'whole' ? prepared.state : undefined;
    const context = state && state.context !== null ? { edit: (file: ContextFile) => replaceContext(file, state.context) } : undefined;
    const scope = await restoredPlans(env, prepared);
    const commit = await env.transact((tx) => restoreInto(tx, prepared), context);
    // Then the manifest of the snapshot's time, under its own lock (after flows.json's: locks go index → manifest → flows.json).
    const side = state ?? engine.side(meta);
    const docs = await restoredDocuments(env, engine, side, scope);
    const message =
      `Restored ${commit.value.what} from ${meta.id} at revision ${commit.revision}${docs ? `, ${docs}` : ''} ` +
      `(undo: flow undo; the state before is snapshot ${safety.id})`;
    return { json: { restored: meta.id, scope: commit.value.what, revision: commit.revision, pre_restore: safety.id }, human: () => message, message };
  },
});

/**
 * The plans whose document references a scoped restore brings back as they were: the
 * plan, or the flow's plans then and now (a plan the restore removes loses its
 * references). Undefined for a whole restore: every reference is as it was.
 */
async function restoredPlans(env: Env, prepared: PreparedRestore): Promise<string[] | undefined> {
  if (prepared.scope === 'whole') return undefined;
  if (prepared.scope === 'plan') return [prepared.plan.id];
  const now = (await env.read()).flow(prepared.flow.id);
  return [...prepared.flow.plans, ...(now?.plans ?? [])].map((p) => p.id);
}

/**
 * The documents as the snapshot recorded them: its manifest (all of it, or the references
 * of the `plans` a scoped restore put back). Contents added since stay in the store until
 * gc doc. A snapshot from before documents had a manifest writes its files back instead.
 * Says what changed, or nothing when nothing did.
 */
async function restoredDocuments(env: Env, engine: SnapshotEngine, side: SideParts, plans: readonly string[] | undefined): Promise<string> {
  if (side.manifest === null && Object.keys(side.documents).length) {
    if (!plans) engine.restoreWalkedDocuments(side);
    return '';
  }
  const lib = await load();
  let result: Awaited<ReturnType<Lib['restoreDocuments']>>;
  try {
    result = await lib.restoreDocuments(documents(lib, env), side.manifest, plans);
  } catch (err) {
    // The store is restored by now: what the documents could not take back is said, not an error.
    if (!(err instanceof FlowError && err.code === 'unreadable')) throw err;
    env.warn(err.message);
    return '';
  }
  if (result.missing.length) env.warn(`${result.missing.length} restored document${result.missing.length === 1 ? ' has' : 's have'} no stored content any more (check doc lists them)`);
  const changes = [result.placed && `${result.placed} document file${result.placed === 1 ? '' : 's'} put back`, result.removed && `${result.removed} added since set aside (their content stays until gc doc)`];
  return changes.filter(Boolean).join(', ');
}

function pinCommand<V extends 'pin' | 'unpin'>(verb: V) {
  return defineCommand({
    verb,
    noun: 'snapshot',
    summary: verb === 'pin' ? 'keep a snapshot through pruning' : 'let pruning remove a snapshot again',
    args: () => z.object({ ref: ref('snapshot') }),
    positionals: ['ref'],
    argv: { ref: SNAP_REF },
    writes: true,
    async run(args, env) {
      const meta = await env.snapshots().setPinned(findSnapshot(env, args.ref).id, verb === 'pin');
      const message = `${verb === 'pin' ? 'Pinned' : 'Unpinned'} ${metaLine(meta)}`;
      return { json: meta, human: () => message, message };
    },
  });
}

const rm = defineCommand({
  verb: 'rm',
  noun: 'snapshot',
  summary: 'delete a snapshot (snapshots that depend on it are kept restorable)',
  args: () => z.object({ ref: ref('snapshot') }),
  positionals: ['ref'],
  argv: { ref: SNAP_REF },
  writes: true,
  async run(args, env) {
    const meta = await env.snapshots().remove(findSnapshot(env, args.ref).id);
    const message = `Deleted snapshot ${metaLine(meta)}`;
    return { json: meta, human: () => message, message };
  },
});

const prune = defineCommand({
  verb: 'prune',
  noun: 'snapshot',
  summary: 'apply retention (snapshots.keep, snapshots.max_age_days); pinned and migration ones stay',
  args: () => z.object({ dry_run: z.optional(z.boolean()) }),
  argv: { dry_run: { description: 'only show what would go' } },
  writes: true,
  // History gone for good, which no undo brings back: a person's call, not an agent's tool.
  mcp: false,
  async run(args, env) {
    const engine = env.snapshots();
    const settings = env.config().snapshots;
    const policy = { keep: settings.keep, maxAgeDays: settings.max_age_days };
    const gone = args.dry_run ? engine.victims(policy) : await engine.prune(policy);
    const verb = args.dry_run ? 'Would delete' : 'Deleted';
    const message = `${verb} ${gone.length} snapshot${gone.length === 1 ? '' : 's'} (keep ${policy.keep}, at most ${policy.maxAgeDays} days)`;
    return { json: gone, human: () => [message, ...gone.map((m) => `  ${metaLine(m)}`)].join('\n'), message };
  },
});

/** What an undo entry reverts, as its command line named it: undo entries name what they undid. */
function originalCommand(entry: UndoEntry): string {
  return entry.kind === 'undo' ? entry.command.replace(/^undo /, '') : entry.command;
}

/**
 * Undo right after a document change: nothing is reverted, since the change before it is
 * not the one meant; `--past-doc` reverts `next` all the same.
 */
function outsideChangeError(outside: OutsideChange, next: UndoEntry | undefined): FlowError {
  // What matters most first: the workspace's message line shows what fits.
  const then = next ? `undo --past-doc reverts ${quoted(originalCommand(next))} (revision ${next.revision})` : 'there is nothing else to undo';
  const commands = outside.takeBack.map(takeBackCommand);
  const how = commands.length ? `to take it back: ${commands.join('; ')}` : 'no command takes it back';
  return new FlowError('failed', `Not undone: ${oneLine(outside.change)} is a document change; ${then}; ${oneLine(how)}.`, {
    change: outside.change,
    take_back: commands,
    next: next?.revision ?? null,
  });
}

/** Undo or redo the session's last change; undo stops at a document change unless `pastDoc`. */
async function revert(verb: 'undo' | 'redo', env: Env, pastDoc: boolean): Promise<Output> {
  const log = env.undoLog();
  const stacks = log.stacks();
  const entry = verb === 'undo' ? stacks.undoable.at(-1) : stacks.redoable.at(-1);
  // The revert is recorded in the log, after which the note no longer counts.
  const outside = verb === 'undo' && !pastDoc ? pendingOutsideChange(log) : undefined;
  if (outside) throw outsideChangeError(outside, entry);
  if (!entry) throw nothingTo(verb, env.session);
  const original = originalCommand(entry);
  env.markRevert(verb, entry.revision, verb === 'undo' ? `undo ${original}` : original);
  const commit = await env.transact((tx) => revertEntry(tx, entry, verb));
  const message = `${verb === 'undo' ? 'Undid' : 'Redid'} ${quoted(original)} (revision ${entry.revision}); now at revision ${commit.revision}`;
  return { json: { [verb === 'undo' ? 'undone' : 'redone']: entry.revision, command: entry.command, revision: commit.revision }, human: () => message, message };
}

const undo = defineCommand({
  verb: 'undo',
  summary: "revert this session's last change (if nobody changed the same objects since)",
  details:
    'A change to documents (add, link, unlink or rm doc) is not in the undo log. Right after one, undo reverts ' +
    'nothing and names the command that takes it back; --past-doc reverts the change before it all the same.',
  args: () => z.object({ past_doc: z.optional(z.boolean()) }),
  argv: { past_doc: { description: 'revert the last change to flows.json even right after a document change' } },
  writes: true,
  run: (args, env) => revert('undo', env, args.past_doc ?? false),
});

const redo = defineCommand({
  verb: 'redo',
  summary: 'redo what undo reverted',
  args: () => z.object({}),
  argv: {},
  writes: true,
  run: (_args, env) => revert('redo', env, true),
});

export const SNAPSHOT_COMMANDS = [
  create,
  list,
  show,
  diff,
  restore,
  pinCommand('pin'),
  pinCommand('unpin'),
  rm,
  prune,
  undo,
  redo,
] as const;
