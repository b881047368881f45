// The flows.json 3.0 format (DESIGN §2) as zod schemas: the one source of truth for
// validation, TypeScript types and the published JSON Schema.
//
// zod/mini rather than classic zod: the command-line path imports this module on every
// run, and mini bundles to a fraction of the size (measured: ~15 ms vs ~55 ms start-up).
import * as z from 'zod/mini';
import { FlowError } from './errors.js';
import { once } from './once.js';

export const FORMAT_VERSION = '3.0';
export const FORMAT_MAJOR = 3;

export const TASK_STATUSES = ['todo', 'in_progress', 'blocked', 'done', 'cancelled'] as const;
export const PLAN_STATUSES = ['draft', 'active', 'done', 'archived'] as const;
export const PRIORITIES = ['low', 'medium', 'high'] as const;

// Built on first use (once): a command that validates no flow (a listing from its
// cache, help, completion) does not pay for constructing them (issue 15, start-up).
const flowSchemas = once(() => {
  const TaskStatusSchema = z.enum(TASK_STATUSES);
  const PlanStatusSchema = z.enum(PLAN_STATUSES);
  const PrioritySchema = z.enum(PRIORITIES);
  // Ids written by flow follow `<kind>_<8+ base32>`; ids that came from older formats are
  // kept as they were (DESIGN §3), so reading only requires a non-empty string.
  const IdSchema = z.string().check(z.minLength(1, 'id must not be empty'));
  const TimestampSchema = z.string();
  const emptyList = (): string[] => [];

  // Loose objects everywhere: fields other tools add are kept and written back unchanged.
  // Defaults fill fields an agent writing the file by hand may leave out.
  // Annotated by hand: TypeScript cannot infer a type that refers to itself.
  const TaskSchema: z.ZodMiniType<Task> = z.looseObject({
    id: IdSchema,
    title: z.string(),
    status: z._default(TaskStatusSchema, 'todo'),
    priority: z._default(PrioritySchema, 'medium'),
    notes: z._default(z.string(), ''),
    tags: z._default(z.array(z.string()), emptyList),
    depends_on: z._default(z.array(z.string()), emptyList),
    created: z.optional(TimestampSchema),
    updated: z.optional(TimestampSchema),
    /** The agent working on it (`flow claim task`), until claim_expires. */
    claimed_by: z.optional(z.string()),
    claim_expires: z.optional(TimestampSchema),
    get subtasks(): z.ZodMiniType<Task[]> {
      return z._default(z.array(TaskSchema), (): Task[] => []);
    },
  });

  const PlanSchema = z.looseObject({
    id: IdSchema,
    title: z.string(),
    status: z._default(PlanStatusSchema, 'active'),
    summary: z._default(z.string(), ''),
    created: z.optional(TimestampSchema),
    updated: z.optional(TimestampSchema),
    tasks: z._default(z.array(TaskSchema), (): Task[] => []),
  });

  const FlowSchema = z.looseObject({
    id: IdSchema,
    name: z.string(),
    created: z.optional(TimestampSchema),
    updated: z.optional(TimestampSchema),
    plans: z._default(z.array(PlanSchema), () => []),
  });
  return { TaskStatusSchema, PlanStatusSchema, PrioritySchema, TaskSchema, PlanSchema, FlowSchema };
});

/** Everything at the top level except `flows`, which the store reads flow by flow. */
const headerSchemas = once(() => {
  const MetaSchema = z.looseObject({
    last_saved: z.optional(z.string()),
    file_revision: z._default(z.int().check(z.nonnegative('file_revision must not be negative')), 0),
    writer: z.optional(z.string()),
  });
  const HeaderSchema = z.looseObject({
    version: z._default(z.string(), FORMAT_VERSION),
    meta: z._default(MetaSchema, () => ({ file_revision: 0 })),
    current_flow_id: z._default(z.nullable(z.string()), null),
  });
  return { MetaSchema, HeaderSchema };
});

export const taskStatusSchema = () => flowSchemas().TaskStatusSchema;
export const planStatusSchema = () => flowSchemas().PlanStatusSchema;
export const prioritySchema = () => flowSchemas().PrioritySchema;
export const taskSchema = () => flowSchemas().TaskSchema;
export const planSchema = () => flowSchemas().PlanSchema;
export const flowSchema = () => flowSchemas().FlowSchema;
export const headerSchema = () => headerSchemas().HeaderSchema;
/** The whole file, for the published JSON Schema. */
export const documentSchema = () =>
  z.looseObject({
    ...headerSchema().def.shape,
    flows: z.record(z.string(), flowSchema()),
  });

export interface Task {
  id: string;
  title: string;
  status: TaskStatus;
  priority: Priority;
  notes: string;
  tags: string[];
  depends_on: string[];
  created?: string;
  updated?: string;
  claimed_by?: string;
  claim_expires?: string;
  subtasks: Task[];
  [unknown: string]: unknown;
}
export type Plan = z.infer<ReturnType<typeof planSchema>>;
export type Flow = z.infer<ReturnType<typeof flowSchema>>;
export type Meta = z.infer<ReturnType<typeof headerSchemas>['MetaSchema']>;
export type Header = z.infer<ReturnType<typeof headerSchema>>;
export type FlowDocument = z.infer<ReturnType<typeof documentSchema>>;
export type TaskStatus = (typeof TASK_STATUSES)[number];
export type PlanStatus = (typeof PLAN_STATUSES)[number];
export type Priority = (typeof PRIORITIES)[number];

export class SchemaError extends Error {
  constructor(
    message: string,
    readonly path: string,
  ) {
    super(message);
    this.name = 'SchemaError';
  }
}

/** Parse with a schema; the error names the first offending path in the file's terms. */
export function parseWith<T>(schema: z.ZodMiniType<T>, value: unknown, where: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = [where, ...issue.path.map(String)].filter(Boolean).join('.');
  throw new SchemaError(`${path}: ${issue.message}`, path);
}

// Depth (DESIGN §2): tasks nest at most MAX_TASK_DEPTH levels (a plan's own tasks are
// level 1). Validation recurses through the schema, so the depth is measured first,
// without recursion, and nothing deeper ever reaches the schema or a tree walk.
export const MAX_TASK_DEPTH = 256;

function childTasks(task: unknown): unknown[] | undefined {
  const subtasks = typeof task === 'object' && task !== null ? (task as { subtasks?: unknown }).subtasks : undefined;
  return Array.isArray(subtasks) && subtasks.length > 0 ? subtasks : undefined;
}

function planTaskLists(flow: unknown): unknown[][] {
  const plans = typeof flow === 'object' && flow !== null ? (flow as { plans?: unknown }).plans : undefined;
  if (!Array.isArray(plans)) return [];
  const lists: unknown[][] = [];
  for (const plan of plans) {
    const tasks = typeof plan === 'object' && plan !== null ? (plan as { tasks?: unknown }).tasks : undefined;
    if (Array.isArray(tasks) && tasks.length > 0) lists.push(tasks);
  }
  return lists;
}

/**
 * Visits the task lists of a flow (raw or parsed) breadth-first with their level, down
 * to `limit`; `visit` may return false to stop below a list. Iterative: any depth is safe.
 */
function eachTaskList(flow: unknown, limit: number, visit: (list: unknown[], level: number) => boolean | void): void {
  let level = 1;
  let lists = planTaskLists(flow);
  while (lists.length > 0 && level <= limit) {
    const next: unknown[][] = [];
    for (const list of lists) {
      if (visit(list, level) === false) continue;
      for (const task of list) {
        const children = childTasks(task);
        if (children) next.push(children);
      }
    }
    lists = next;
    level++;
  }
}

/** How many levels of tasks a flow nests (0: no tasks), counting at most up to `limit + 1`. */
export function flowTaskDepth(flow: unknown, limit = Number.MAX_SAFE_INTEGER): number {
  let depth = 0;
  eachTaskList(flow, limit + 1, (_list, level) => {
    depth = level;
  });
  return depth;
}

/** A change that would nest tasks deeper than DESIGN §2 allows: refused, nothing saved. */
export class TooDeepWriteError extends FlowError {
  constructor(where: string) {
    super(
      'invalid',
      `${where} would nest tasks more than ${MAX_TASK_DEPTH} levels deep, the most flow writes; nothing was saved`,
      { max_depth: MAX_TASK_DEPTH },
    );
  }
}

/** Validates a flow that flow may write: deeper than MAX_TASK_DEPTH is refused (TooDeepWriteError). */
export function parseFlow(value: unknown, where = 'flow'): Flow {
  if (flowTaskDepth(value, MAX_TASK_DEPTH) > MAX_TASK_DEPTH) throw new TooDeepWriteError(where);
  return parseWith(flowSchema(), value, where);
}

/**
 * Validates a flow read from flows.json. One nested deeper than MAX_TASK_DEPTH (written
 * by another program) is still read: `value`, fresh from JSON.parse, is cut below the
 * limit in place and `hidden` counts the tasks left out, so the caller keeps it read-only.
 */
export function parseStoredFlow(value: unknown, where = 'flow'): { flow: Flow; hidden: number } {
  let hidden = 0;
  if (flowTaskDepth(value, MAX_TASK_DEPTH) > MAX_TASK_DEPTH) {
    eachTaskList(value, MAX_TASK_DEPTH, (list, level) => {
      if (level < MAX_TASK_DEPTH) return;
      for (const task of list) {
        const children = childTasks(task);
        if (!children) continue;
        hidden += countTasks(children);
        (task as { subtasks: unknown[] }).subtasks = [];
      }
      return false;
    });
  }
  return { flow: parseWith(flowSchema(), value, where), hidden };
}

/** Tasks in raw task lists, any depth, without recursion. */
function countTasks(tasks: unknown[]): number {
  let count = 0;
  const stack = [tasks];
  for (let list = stack.pop(); list; list = stack.pop()) {
    count += list.length;
    for (const task of list) {
      const children = childTasks(task);
      if (children) stack.push(children);
    }
  }
  return count;
}

/** How deeply a JSON value nests (arrays and objects), without recursion, up to `limit + 1`. */
export function nestingDepth(value: unknown, limit: number): number {
  let deepest = 0;
  const stack: Array<[unknown, number]> = [[value, 1]];
  for (let top = stack.pop(); top; top = stack.pop()) {
    const [node, depth] = top;
    if (typeof node !== 'object' || node === null) continue;
    deepest = Math.max(deepest, depth);
    if (depth > limit) return deepest;
    for (const child of Array.isArray(node) ? node : Object.values(node)) stack.push([child, depth + 1]);
  }
  return deepest;
}

export function parsePlan(value: unknown, where = 'plan'): Plan {
  return parseWith(planSchema(), value, where);
}

export function parseHeader(value: unknown): Header {
  return parseWith(headerSchema(), value, '');
}

export function majorVersion(version: string): number {
  const major = Number.parseInt(version, 10);
  return Number.isFinite(major) ? major : Number.NaN;
}
