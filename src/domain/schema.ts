// The flows.json 3.0 format (DESIGN §2) as zod schemas: the one source of truth for
// validation, TypeScript types and the published JSON Schema.
//
// zod/mini rather than classic zod: the command-line path imports this module on every
// run, and mini bundles to a fraction of the size (measured: ~15 ms vs ~55 ms start-up).
import * as z from 'zod/mini';

export const FORMAT_VERSION = '3.0';
export const FORMAT_MAJOR = 3;

export const TASK_STATUSES = ['todo', 'in_progress', 'blocked', 'done', 'cancelled'] as const;
export const PLAN_STATUSES = ['draft', 'active', 'done', 'archived'] as const;
export const PRIORITIES = ['low', 'medium', 'high'] as const;

export const TaskStatusSchema = z.enum(TASK_STATUSES);
export const PlanStatusSchema = z.enum(PLAN_STATUSES);
export const PrioritySchema = z.enum(PRIORITIES);

// Ids written by flow follow `<kind>_<8+ base32>`; ids that came from older formats are
// kept as they were (DESIGN §3), so reading only requires a non-empty string.
const IdSchema = z.string().check(z.minLength(1, 'id must not be empty'));
const TimestampSchema = z.string();
const emptyList = (): string[] => [];

// Loose objects everywhere: fields other tools add are kept and written back unchanged.
// Defaults fill fields an agent writing the file by hand may leave out.
// Annotated by hand: TypeScript cannot infer a type that refers to itself.
export const TaskSchema: z.ZodMiniType<Task> = z.looseObject({
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

export const PlanSchema = z.looseObject({
  id: IdSchema,
  title: z.string(),
  status: z._default(PlanStatusSchema, 'active'),
  summary: z._default(z.string(), ''),
  created: z.optional(TimestampSchema),
  updated: z.optional(TimestampSchema),
  tasks: z._default(z.array(TaskSchema), (): Task[] => []),
});

export const FlowSchema = z.looseObject({
  id: IdSchema,
  name: z.string(),
  created: z.optional(TimestampSchema),
  updated: z.optional(TimestampSchema),
  plans: z._default(z.array(PlanSchema), (): Plan[] => []),
});

export const MetaSchema = z.looseObject({
  last_saved: z.optional(TimestampSchema),
  file_revision: z._default(
    z.int().check(z.nonnegative('file_revision must not be negative')),
    0,
  ),
  writer: z.optional(z.string()),
});

/** Everything at the top level except `flows`, which the store reads flow by flow. */
export const HeaderSchema = z.looseObject({
  version: z._default(z.string(), FORMAT_VERSION),
  meta: z._default(MetaSchema, () => ({ file_revision: 0 })),
  current_flow_id: z._default(z.nullable(z.string()), null),
});

export const DocumentSchema = z.looseObject({
  ...HeaderSchema.def.shape,
  flows: z.record(z.string(), FlowSchema),
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
export type Plan = z.infer<typeof PlanSchema>;
export type Flow = z.infer<typeof FlowSchema>;
export type Meta = z.infer<typeof MetaSchema>;
export type Header = z.infer<typeof HeaderSchema>;
export type FlowDocument = z.infer<typeof DocumentSchema>;
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

export function parseFlow(value: unknown, where = 'flow'): Flow {
  return parseWith(FlowSchema, value, where);
}

export function parsePlan(value: unknown, where = 'plan'): Plan {
  return parseWith(PlanSchema, value, where);
}

export function parseHeader(value: unknown): Header {
  return parseWith(HeaderSchema, value, '');
}

export function majorVersion(version: string): number {
  const major = Number.parseInt(version, 10);
  return Number.isFinite(major) ? major : Number.NaN;
}
