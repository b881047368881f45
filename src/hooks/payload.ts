// The one JSON document every hook gets on stdin, as a schema: what is sent is built
// from it, and `flow schema hook` prints it as JSON Schema for whoever writes a hook.
import * as z from 'zod/mini';
import { toJSONSchema } from 'zod/mini';
import type { Operation } from 'fast-json-patch';
import { once } from '../domain/once.js';

export const HOOK_PAYLOAD_VERSION = 1;

export const HOOK_EVENT_NAMES = ['pre_save', 'post_save', 'on_command'] as const;

// Built on first use (`flow schema hook`): start-up builds no schema it does not use.
const schemas = once(() => {
  /** One RFC 6902 operation, as the transactions record them. */
  const OperationSchema = z.object({
    op: z.enum(['add', 'remove', 'replace', 'move', 'copy', 'test']),
    path: z.string(),
    value: z.optional(z.unknown()),
    from: z.optional(z.string()),
  });

  const HookPayloadSchema = z.object({
    version: z.literal(HOOK_PAYLOAD_VERSION),
    event: z.enum(HOOK_EVENT_NAMES),
    /** The data directory (also in FLOW_DIR). */
    dir: z.string(),
    /** The command as the bus received it (its name and its arguments, parsed), or null outside a command. */
    command: z.nullable(z.object({ name: z.string(), args: z.record(z.string(), z.unknown()) })),
    session: z.string(),
    /** Who saves, as meta.writer has it: `cli|tui|hook:<pid>:<session>`. */
    writer: z.string(),
    /**
     * flows.json's revision before and after: for a save, the one it replaces and the one it
     * writes; for on_command, before and after the command (the same when it saved nothing).
     */
    revision: z.object({ before: z.int(), after: z.int() }),
    /** What the save changes in flows.json, as RFC 6902 JSON Patch (for on_command: all its saves). */
    patch: z.array(OperationSchema),
  });
  return { HookPayloadSchema };
});

/** The payload; its patch as the transactions record it (the schema says what that is in JSON). */
export type HookPayload = Omit<z.infer<ReturnType<typeof schemas>['HookPayloadSchema']>, 'patch'> & { patch: readonly Operation[] };

export type HookEvent = (typeof HOOK_EVENT_NAMES)[number];

/** The JSON Schema of the payload, for `flow schema hook` and the README. */
export function hookPayloadJsonSchema(): Record<string, unknown> {
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title: 'flow hook payload (stdin of every hook)',
    ...toJSONSchema(schemas().HookPayloadSchema, { io: 'output' }),
  };
}
