// What every list command takes and does the same way (DESIGN §6 "Agents"): `--fields`
// to keep only some fields, `--limit` and `--offset` to page. JSON keeps its shape (an
// array of objects, fewer of them, each with fewer fields); text shows the page as the
// command lays it out, or the chosen fields in columns, and says when rows were left out.
import * as z from 'zod/mini';
import { oneLine } from '../domain/sanitize.js';
import { count } from './args.js';
import type { ArgSpec } from './define.js';
import { columns, type Output } from './output.js';
import { UsageError, nearest } from './parse.js';
import type { Style } from './style.js';

/**
 * The keys every list command's schema spreads in: `z.object({ …, ...paging() })`. A
 * function, as args are: a command builds only its own schema.
 */
export const paging = () => ({
  fields: z.optional(z.array(z.string().check(z.minLength(1)))),
  limit: z.optional(count()),
  offset: z.optional(z.int().check(z.nonnegative('must be a whole number ≥ 0'))),
});

export type Paging = { fields?: readonly string[]; limit?: number; offset?: number };

type Row = Record<string, unknown>;

export interface Listing {
  /** The argv entries of paging(), with the fields this list has (help and completion show them). */
  readonly argv: { readonly [K in keyof ReturnType<typeof paging>]: ArgSpec };
  /**
   * The page of `rows` the arguments ask for, as the command's output: `human` lays out a
   * page that has rows; `empty` is what text says when the list has none at all. `more`:
   * the list goes on past `rows` (a search that stopped looking), so their count is a
   * lower bound.
   */
  output<R extends Row>(args: Paging, rows: readonly R[], human: (style: Style, rows: readonly R[]) => string, empty?: string, more?: boolean): Output;
}

/** A list of `item`s (singular: "task") whose rows have these fields. */
export function listing(item: string, fields: readonly string[]): Listing {
  return {
    argv: {
      fields: { placeholder: 'F,…', description: 'only these fields', suggest: fields },
      limit: { description: 'at most N rows' },
      offset: { description: 'skip the first N rows' },
    },
    output(args, rows, human, empty = `(no ${item}s)`, more = false) {
      const wanted = args.fields?.length ? args.fields : undefined;
      if (wanted) checkFields(wanted, fields, rows);
      const offset = args.offset ?? 0;
      const page = rows.slice(offset, args.limit === undefined ? undefined : offset + args.limit);
      const total = rows.length;
      const plural = total === 1 ? item : `${item}s`;
      return {
        json: wanted ? page.map((row) => pick(row, wanted)) : page,
        human: (style) => {
          if (total === 0) return style.paint('muted', empty);
          const body = !page.length ? '' : wanted ? columns(page.map((row) => wanted.map((f) => cell(row[f])))) : human(style, page);
          const rest = page.length < total ? style.paint('muted', leftOut(offset, page.length, total, more)) : '';
          return [body, rest].filter(Boolean).join('\n');
        },
        message: page.length === total ? `${total} ${plural}` : `${page.length} of ${total}${more ? '+' : ''} ${plural}`,
        page: { total, offset, shown: page.length, ...(more && { more }) },
      };
    },
  };
}

function leftOut(offset: number, shown: number, total: number, more: boolean): string {
  const of = `${total}${more ? '+' : ''}`;
  if (shown === 0) return `(nothing at --offset ${offset}: there are ${of})`;
  const next = offset + shown;
  return `(${offset + 1}–${next} of ${of}${next < total ? `; --offset ${next} for more` : ''})`;
}

/** A field this list has, or one some row carries (fields other tools added). */
function checkFields(wanted: readonly string[], known: readonly string[], rows: readonly Row[]): void {
  for (const field of wanted) {
    if (known.includes(field) || rows.some((row) => field in row)) continue;
    throw new UsageError(`--fields: no field "${field}" (fields: ${known.join(', ')})`, undefined, nearest(field, known));
  }
}

function pick(row: Row, fields: readonly string[]): Row {
  return Object.fromEntries(fields.map((f) => [f, row[f] ?? null]));
}

/** One value in a column: lists joined by commas, nothing as "-". */
function cell(value: unknown): string {
  if (value === undefined || value === null || value === '') return '-';
  if (Array.isArray(value)) return value.length ? oneLine(value.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join(',')) : '-';
  return oneLine(typeof value === 'string' ? value : JSON.stringify(value));
}
