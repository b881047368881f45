// A command's output as an MCP tool result: the JSON as structuredContent (what agents
// read; Claude Code gives the model only this when it is there) and one short line of
// text. Lists are paged and capped so one call never floods the agent's context; errors
// carry flow's error code and exit code in both the text and the structured part.
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { EXIT_CODES } from '../cli/main.js';
import type { AnyCommand } from '../commands/define.js';
import type { Output, Page } from '../commands/output.js';
import { PLAIN } from '../commands/style.js';
import { FlowError } from '../domain/errors.js';

/** Rows a list gives when the agent does not say, and the most it may ask for. */
export const DEFAULT_LIMIT = 25;
export const MAX_LIMIT = 100;
/** Characters of JSON one result may hold (about 6k tokens for a list, 12k for one object). */
export const LIST_BUDGET = 24_000;
export const RESULT_BUDGET = 48_000;

/**
 * A command's arguments as an agent gave them, made what the command takes: one value
 * where a list goes is a list of one (`ref: "3"` for `done task`), and a list gets the
 * page size an agent gets — the default, at most the maximum.
 */
export function agentArgs(command: AnyCommand, args: Record<string, unknown>): Record<string, unknown> {
  const out = { ...args };
  for (const field of command.fields) {
    const value = out[field.key];
    if (field.list && field.kind !== 'pair' && value !== undefined && !Array.isArray(value)) out[field.key] = [value];
  }
  if (command.fields.some((f) => f.key === 'limit')) out.limit = Math.min(typeof out.limit === 'number' ? out.limit : DEFAULT_LIMIT, MAX_LIMIT);
  return out;
}

function firstLine(output: Output): string {
  return output.message ?? output.human(PLAIN).split('\n')[0];
}

/**
 * A command's result. One too large to hold is an error for a command that only reads (the
 * agent reads it in parts); for one that wrote, the change is on disk: the result says so
 * and leaves its details out, since an error would tell the agent to try again.
 */
export function success(output: Output, wrote = false): CallToolResult {
  const json = output.json;
  if (output.page && Array.isArray(json)) return listResult(json, output.page);
  const structured = json !== null && typeof json === 'object' && !Array.isArray(json) ? { ...json } : Array.isArray(json) ? { items: json } : { value: json ?? null };
  const size = JSON.stringify(structured).length;
  if (size > RESULT_BUDGET && wrote) {
    const id = json !== null && typeof json === 'object' && 'id' in json && typeof json.id === 'string' ? { id: json.id } : {};
    return {
      content: [{ type: 'text', text: `${firstLine(output)} (its result, ${size} characters, is left out: more than the ${RESULT_BUDGET} one result may hold)` }],
      structuredContent: { ...id, truncated: true, size },
    };
  }
  if (size > RESULT_BUDGET) {
    return failure(
      new FlowError('failed', `the result is ${size} characters, more than the ${RESULT_BUDGET} one result may hold; read it in parts (list plan, list task with fields, limit and offset)`, {
        size,
      }),
    );
  }
  return { content: [{ type: 'text', text: firstLine(output) }], structuredContent: structured };
}

/** As many rows as fit the budget (one at least), and where the next page starts. */
function listResult(rows: readonly unknown[], { offset, total, more = false }: Page): CallToolResult {
  let kept = 0;
  let size = 0;
  while (kept < rows.length) {
    size += JSON.stringify(rows[kept]).length + 1;
    if (kept > 0 && size > LIST_BUDGET) break;
    kept++;
  }
  const next = offset + kept < total ? offset + kept : null;
  const of = `${total}${more ? '+' : ''}`;
  const text = kept
    ? `${offset + 1}–${offset + kept} of ${of}${next === null ? '' : `; next_offset ${next} for more`}`
    : `nothing at offset ${offset} (there are ${of})`;
  return {
    content: [{ type: 'text', text }],
    // A search stops looking past the page it was asked for: then total counts what it found.
    structuredContent: { items: rows.slice(0, kept), total, ...(more && { total_is_lower_bound: true }), offset, next_offset: next },
  };
}

export function failure(err: unknown): CallToolResult {
  const error =
    err instanceof FlowError
      ? { code: err.code, exit: EXIT_CODES[err.code], message: err.message, ...err.details }
      : { code: 'internal', exit: 1, message: err instanceof Error ? err.message : String(err) };
  return {
    isError: true,
    // Clients that show an error's text alone (Claude Code) still see the code.
    content: [{ type: 'text', text: `${error.code} (exit ${error.exit}): ${error.message}` }],
    structuredContent: { error },
  };
}
