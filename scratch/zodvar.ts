import * as z from 'zod/mini';
import { readFileSync } from 'node:fs';
const doc = JSON.parse(readFileSync('bench/fixtures/10000-small/.flow/flows.json', 'utf8'));
const flows = Object.values(doc.flows) as any[];
const tasks = flows.flatMap((f) => f.plans.flatMap((p: any) => p.tasks));
const variants: Record<string, any> = {
  looseDefaults: z.looseObject({ id: z.string(), title: z.string(), status: z._default(z.enum(['todo','in_progress','blocked','done','cancelled']), 'todo'), priority: z._default(z.enum(['low','medium','high']), 'medium'), notes: z._default(z.string(), ''), tags: z._default(z.array(z.string()), () => []), depends_on: z._default(z.array(z.string()), () => []), created: z.optional(z.string()), updated: z.optional(z.string()), subtasks: z._default(z.array(z.any()), () => []) }),
  strictNoDefaults: z.object({ id: z.string(), title: z.string(), status: z.enum(['todo','in_progress','blocked','done','cancelled']), priority: z.enum(['low','medium','high']), notes: z.string(), tags: z.array(z.string()), depends_on: z.array(z.string()), created: z.optional(z.string()), updated: z.optional(z.string()), subtasks: z.array(z.any()) }),
  looseNoDefaults: z.looseObject({ id: z.string(), title: z.string(), status: z.enum(['todo','in_progress','blocked','done','cancelled']), priority: z.enum(['low','medium','high']), notes: z.string(), tags: z.array(z.string()), depends_on: z.array(z.string()), created: z.optional(z.string()), updated: z.optional(z.string()), subtasks: z.array(z.any()) }),
};
for (const [name, schema] of Object.entries(variants)) {
  for (let r = 0; r < 3; r++) {
    const t = performance.now();
    for (const task of tasks) schema.parse(task);
    if (r === 2) console.log(name, tasks.length, 'tasks', (performance.now() - t).toFixed(0), 'ms');
  }
}
