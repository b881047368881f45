// The commands the TUI's keys run, as typed command objects for the bus (DESIGN §7): a
// command's name and its domain-shaped arguments, checked at compile time against the
// command table, never text to be parsed again. `expect` carries the values the person
// saw, so a change someone else made meanwhile is asked about instead of overwritten.
import { command, type CommandArgs, type TypedCommand } from '../commands/table.js';
import type { Priority, TaskStatus } from '../domain/schema.js';
import { recordSubject } from '../sync/conflict-record.js';
import type { ConflictEntry } from '../sync/conflicts.js';

/** A command object, and for the conflict banner the field it changes and the value. */
export type TuiCommand = TypedCommand & { mine?: { field: string; value: unknown } };

/** An expectation as `expect` takes it: text fields as they are, others as JSON. */
function shown(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value ?? null);
}

export interface TaskFields {
  title?: string;
  status?: TaskStatus;
  priority?: Priority;
  notes?: string;
  tags?: string[];
  depends_on?: string[];
}

const TASK_FIELDS = ['title', 'status', 'priority', 'notes', 'tags', 'depends_on'] as const;

/** The fields that were given, and what the person saw of them (for `expect`). */
function changes<F extends string>(names: readonly F[], fields: Partial<Record<F, unknown>>, seen: Partial<Record<F, unknown>>) {
  const expect: Record<string, string> = {};
  for (const name of names) if (name in seen) expect[name] = shown(seen[name]);
  const first = names.find((name) => fields[name] !== undefined);
  return {
    expect: Object.keys(expect).length ? expect : undefined,
    mine: first ? { field: first, value: fields[first] } : undefined,
  };
}

/** `set task` with the fields to change; `seen` holds the values the person saw. */
export function setTask(id: string, fields: TaskFields, seen: Partial<Record<keyof TaskFields, unknown>> = {}): TuiCommand {
  const { expect, mine } = changes(TASK_FIELDS, fields, seen);
  return { ...command('set task', { ref: id, ...fields, expect }), mine };
}

const STATUS_VERBS = { done: 'done task', in_progress: 'start task', blocked: 'block task', cancelled: 'cancel task' } as const;

/** Several tasks to one status in one transaction where a verb exists (todo has none). */
export function setStatuses(ids: readonly string[], status: TaskStatus): TuiCommand[] {
  if (status !== 'todo' && ids.length > 1) return [command(STATUS_VERBS[status], { ref: [...ids] })];
  return ids.map((id) => setTask(id, { status }));
}

export function addTask(title: string, where: { planId: string } | { parentId: string }): TuiCommand {
  return command('add task', { title, ...('planId' in where ? { plan: where.planId } : { parent: where.parentId }) });
}

export type TaskDestination = Pick<CommandArgs<'move task'>, 'before' | 'after' | 'top'> & ({ planId: string } | { parentId: string } | object);

export function moveTask(id: string, to: TaskDestination): TuiCommand {
  return command('move task', {
    ref: id,
    to_plan: 'planId' in to ? to.planId : undefined,
    parent: 'parentId' in to ? to.parentId : undefined,
    before: to.before,
    after: to.after,
    top: to.top,
  });
}

export function removeTasks(ids: readonly string[]): TuiCommand {
  return command('rm task', { ref: [...ids] });
}

export function addPlan(title: string, flowId: string): TuiCommand {
  return command('add plan', { title, flow: flowId });
}

export function setPlan(id: string, fields: { title?: string; summary?: string }, seen: { title?: string; summary?: string } = {}): TuiCommand {
  const { expect, mine } = changes(['title', 'summary'] as const, fields, seen);
  return { ...command('set plan', { ref: id, ...fields, expect }), mine };
}

export function movePlan(id: string, to: { before?: string; after?: string }): TuiCommand {
  return command('move plan', { ref: id, ...to });
}

/** Deleting a plan or flow: the person already answered the TUI's own question. */
export function removeContainer(kind: 'plan' | 'flow', id: string): TuiCommand {
  return kind === 'plan' ? command('rm plan', { ref: id, yes: true }) : command('rm flow', { ref: id, yes: true });
}

export function renameFlow(id: string, name: string, seen: string): TuiCommand {
  return { ...command('rename flow', { ref: id, name, expect: { name: seen } }), mine: { field: 'name', value: name } };
}

export function useFlow(id: string): TuiCommand {
  return command('use flow', { ref: id });
}

export function undo(): TuiCommand {
  return command('undo', {});
}

export function redo(): TuiCommand {
  return command('redo', {});
}

/** `flow sync`: commit .flow/, merge the remote's, push. */
export function sync(): TuiCommand {
  return command('sync', {});
}

/**
 * Settles one recorded conflict by taking a side. Undefined for a conflict of the file's
 * top level, which no command settles yet.
 */
export function resolveConflict(entry: ConflictEntry, take: 'mine' | 'theirs'): TuiCommand | undefined {
  if (entry.id === null) return undefined;
  const args = { ref: entry.id, take, field: recordSubject(entry.record) };
  switch (entry.object) {
    case 'task':
      return command('resolve task', args);
    case 'plan':
      return command('resolve plan', args);
    case 'flow':
      return command('resolve flow', args);
    default:
      return undefined;
  }
}

export const snapshot = {
  create: (label: string): TuiCommand => command('create snapshot', { label }),
  remove: (id: string): TuiCommand => command('rm snapshot', { ref: id }),
  pin: (id: string, pinned: boolean): TuiCommand => (pinned ? command('pin snapshot', { ref: id }) : command('unpin snapshot', { ref: id })),
  restore: (id: string, planId?: string): TuiCommand => command('restore snapshot', { ref: id, plan: planId, yes: true }),
};

/** The same command without its `expect` checks: "keep mine". */
export function withoutExpect(cmd: TuiCommand): TuiCommand {
  switch (cmd.name) {
    case 'set task':
      return { ...cmd, args: { ...cmd.args, expect: undefined } };
    case 'set plan':
      return { ...cmd, args: { ...cmd.args, expect: undefined } };
    case 'rename flow':
      return { ...cmd, args: { ...cmd.args, expect: undefined } };
    default:
      return cmd;
  }
}

/** True when the command carries `expect` checks (a "keep mine" can drop them). */
export function hasExpect(cmd: TuiCommand): boolean {
  return 'expect' in cmd.args && cmd.args.expect !== undefined;
}
