// The commands the TUI's keys run, as command objects for the bus: a command's name and
// its arguments, never text to be parsed again (DESIGN §7). Each builder says what it
// changes; `--expect` checks carry the value the person saw, so a change someone else
// made meanwhile is asked about instead of overwritten.
import type { CommandTable, ParsedCommand } from '../commands/parse.js';
import { FlowError } from '../domain/errors.js';
import type { Priority, TaskStatus } from '../domain/schema.js';

export interface TuiCommand {
  /** "verb noun" as the command table names it. */
  name: string;
  args: Record<string, unknown>;
  /** For the conflict banner: the field this changes and the value written. */
  mine?: { field: string; value: unknown };
}

/** The command object the bus executes, validated by the command's own schema. */
export function toParsed(table: CommandTable, command: TuiCommand): ParsedCommand {
  const [verb, noun] = command.name.split(' ');
  const spec = table.lookup(verb, noun);
  if (!spec) throw new Error(`internal: no command "${command.name}"`);
  const parsed = spec.args.safeParse(command.args);
  if (!parsed.success) throw new FlowError('invalid', `${command.name}: ${parsed.error.issues[0]?.message ?? 'invalid arguments'}`);
  return { spec, args: parsed.data, globals: {} };
}

/** An expectation as `--expect` takes it: text fields as they are, others as JSON. */
function expectation(field: string, value: unknown): string {
  return `${field}=${typeof value === 'string' ? value : JSON.stringify(value ?? null)}`;
}

export interface TaskFields {
  title?: string;
  status?: TaskStatus;
  priority?: Priority;
  notes?: string;
  tags?: string[];
  depends?: string[];
}

/** The task's own name of each field (`depends` is `depends_on` in the file). */
const TASK_FIELDS: ReadonlyArray<[keyof TaskFields, string]> = [
  ['title', 'title'], ['status', 'status'], ['priority', 'priority'], ['notes', 'notes'], ['tags', 'tags'], ['depends', 'depends_on'],
];

/** `set task` with the fields to change; `seen` holds the values the person saw. */
export function setTask(id: string, fields: TaskFields, seen: Partial<Record<keyof TaskFields, unknown>> = {}): TuiCommand {
  const expect = TASK_FIELDS.filter(([key]) => key in seen).map(([key, name]) => expectation(name, seen[key]));
  const first = TASK_FIELDS.find(([key]) => fields[key] !== undefined);
  return {
    name: 'set task',
    args: {
      ref: id,
      title: fields.title,
      status: fields.status,
      priority: fields.priority,
      notes: fields.notes,
      // An empty list clears (as `--tag ""` does on the command line).
      tag: fields.tags,
      depends: fields.depends,
      expect: expect.length ? expect : undefined,
    },
    mine: first ? { field: first[1], value: fields[first[0]] } : undefined,
  };
}

const STATUS_VERBS: Partial<Record<TaskStatus, string>> = { done: 'done', in_progress: 'start', blocked: 'block', cancelled: 'cancel' };

/** Several tasks to one status in one transaction where a verb exists (todo has none). */
export function setStatuses(ids: readonly string[], status: TaskStatus): TuiCommand[] {
  const verb = STATUS_VERBS[status];
  if (verb && ids.length > 1) return [{ name: `${verb} task`, args: { ref: [...ids] } }];
  return ids.map((id) => setTask(id, { status }));
}

export function addTask(title: string, where: { planId: string } | { parentId: string }): TuiCommand {
  return {
    name: 'add task',
    args: { title: [title], ...('planId' in where ? { plan: where.planId } : { parent: where.parentId }) },
  };
}

export type TaskDestination =
  | { planId: string; after?: string; before?: string; top?: boolean }
  | { parentId: string; after?: string; before?: string; top?: boolean }
  | { after?: string; before?: string; top?: boolean };

export function moveTask(id: string, to: TaskDestination): TuiCommand {
  return {
    name: 'move task',
    args: {
      ref: id,
      'to-plan': 'planId' in to ? to.planId : undefined,
      parent: 'parentId' in to ? to.parentId : undefined,
      before: to.before,
      after: to.after,
      top: to.top,
    },
  };
}

export function removeTasks(ids: readonly string[]): TuiCommand {
  return { name: 'rm task', args: { ref: [...ids] } };
}

export function addPlan(title: string, flowId: string): TuiCommand {
  return { name: 'add plan', args: { title: [title], flow: flowId } };
}

export function setPlan(id: string, fields: { title?: string; summary?: string }, seen: Record<string, unknown> = {}): TuiCommand {
  const expect = Object.entries(seen).map(([key, value]) => expectation(key, value));
  const [first] = Object.entries(fields);
  return {
    name: 'set plan',
    args: { ref: id, title: fields.title, summary: fields.summary, expect: expect.length ? expect : undefined },
    mine: first ? { field: first[0], value: first[1] } : undefined,
  };
}

export function movePlan(id: string, to: { before?: string; after?: string }): TuiCommand {
  return { name: 'move plan', args: { ref: id, before: to.before, after: to.after } };
}

/** Deleting a plan or flow: the person already answered the TUI's own question. */
export function removeContainer(kind: 'plan' | 'flow', id: string): TuiCommand {
  return { name: `rm ${kind}`, args: { ref: id, yes: true } };
}

export function renameFlow(id: string, name: string, seen: string): TuiCommand {
  return { name: 'rename flow', args: { ref: id, name: [name], expect: [expectation('name', seen)] }, mine: { field: 'name', value: name } };
}

export function useFlow(id: string): TuiCommand {
  return { name: 'use flow', args: { ref: id } };
}

export function undo(): TuiCommand {
  return { name: 'undo', args: {} };
}

export function redo(): TuiCommand {
  return { name: 'redo', args: {} };
}

export const snapshot = {
  create: (label: string): TuiCommand => ({ name: 'create snapshot', args: { label } }),
  remove: (id: string): TuiCommand => ({ name: 'rm snapshot', args: { ref: id } }),
  pin: (id: string, pinned: boolean): TuiCommand => ({ name: `${pinned ? 'pin' : 'unpin'} snapshot`, args: { ref: id } }),
  restore: (id: string, planId?: string): TuiCommand => ({ name: 'restore snapshot', args: { ref: id, plan: planId, yes: true } }),
};

/** The same command without its `--expect` checks: "keep mine". */
export function withoutExpect(command: TuiCommand): TuiCommand {
  return { ...command, args: { ...command.args, expect: undefined } };
}
