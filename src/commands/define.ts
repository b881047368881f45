// One definition per command (DESIGN §6): its words, its help, and ONE argument schema
// shaped like the domain. The command line's positionals and flags, help, completion, the
// TUI's calls and MCP input schemas are derived from it. What only argv needs to know
// (which keys are positional, a flag spelled differently from its key, descriptions and
// placeholders) is written beside the schema, never in it.
import type * as z from 'zod/mini';
// Named imports: `z.core.…` through the mini namespace would bundle every zod locale (~500 KB).
import { $ZodArray, $ZodBoolean, $ZodDefault, $ZodEnum, $ZodNullable, $ZodNumber, $ZodOptional, $ZodPrefault, $ZodRecord, $ZodString, type $ZodType } from 'zod/v4/core';
import { REF_KINDS, type RefKind } from './args.js';
import type { Env } from './env.js';
import type { Output } from './output.js';

/** The argument schema of a command: an object of domain-shaped fields. */
export type ArgsSchema = z.ZodMiniObject;

/** Value classes the schema's types cannot say, for completion. */
export type ValueClass = 'config-key' | 'verb' | 'noun';

/** How one key of the schema is written on a command line, and what help says of it. */
export interface ArgSpec {
  description: string;
  /** Help's name for the value: `--plan REF`. Derived from the type when absent. */
  placeholder?: string;
  /** The flag's spelling when it differs from the key (`--tag` for `tags`). */
  flag?: string;
  /** A positional text that takes every remaining word, joined with spaces. */
  rest?: boolean;
  /** A list flag whose values are taken as they are, not split at commas. */
  verbatim?: boolean;
  complete?: ValueClass;
  /** Words to offer (completion, help) where the type does not list them: a list's fields. */
  suggest?: readonly string[];
}

type Keys<S extends ArgsSchema> = Extract<keyof z.input<S>, string>;

/** A command's name as a type: `add task`, or the verb alone. */
export type NameOf<V extends string, N extends string | undefined> = N extends string ? `${V} ${N}` : V;

export interface CommandDefinition<V extends string, N extends string | undefined, S extends ArgsSchema> {
  verb: V;
  /** Absent for commands that are a verb alone: `flow schema`, `flow undo`. */
  noun?: N;
  /** Other spellings of the whole command, e.g. "add snapshot". */
  aliases?: readonly string[];
  summary: string;
  /** Longer help text, shown by `flow help <verb> <noun>`. */
  details?: string;
  examples?: readonly string[];
  /**
   * Changes something on disk: the store, snapshots, settings or the session's scope.
   * Commands without it only read (MCP offers them as read-only).
   */
  writes?: boolean;
  /** Offered to agents as an MCP tool (default true); help and the like are not. */
  mcp?: boolean;
  /** Runs until stopped (the MCP server): the process is not tuned for a short run. */
  serves?: boolean;
  /**
   * Made on first use: a command line builds the schema of the one command it runs, not
   * of all of them (zod's constructors were most of the start-up's evaluation, issue 15).
   */
  args: () => S;
  /** Keys given by position, in order; every other key is a flag. */
  positionals?: readonly Keys<S>[];
  /** Every key of the schema, as the command line writes it. */
  argv: { readonly [K in Keys<S>]-?: ArgSpec };
  // A property, not a method: a handler's parameter is checked strictly against the schema.
  run: (args: z.output<S>, env: Env) => Output | Promise<Output>;
}

/** What a value is, read from the schema's own type. */
export type ValueKind = 'text' | 'number' | 'switch' | 'choice' | 'ref' | 'pair';

/** One key of a command as the parser, help and completion see it. */
export interface Field {
  key: string;
  kind: ValueKind;
  /** An array (a repeatable flag, or a positional taking the remaining words), or pairs. */
  list: boolean;
  required: boolean;
  /** The flag's name without dashes; absent for positionals. */
  flag?: string;
  /** Place among the positionals. */
  position?: number;
  /** Takes every remaining positional word. */
  rest: boolean;
  /** List values are split at commas (`--tag a,b`). */
  commas: boolean;
  values?: readonly string[];
  ref?: RefKind;
  complete?: ValueClass;
  suggest?: readonly string[];
  description: string;
  placeholder: string;
}

export interface Command<Name extends string = string, S extends ArgsSchema = ArgsSchema> {
  readonly name: Name;
  readonly verb: string;
  readonly noun?: string;
  readonly aliases: readonly string[];
  readonly summary: string;
  readonly details?: string;
  readonly examples: readonly string[];
  readonly writes: boolean;
  readonly mcp: boolean;
  readonly serves: boolean;
  readonly args: S;
  /** Positionals first, in order, then flags in the order the schema lists them. */
  readonly fields: readonly Field[];
  // A method: rows with different schemas live in one table.
  run(args: z.output<S>, env: Env): Output | Promise<Output>;
}

/** Any row of a table. */
export type AnyCommand = Command<string, ArgsSchema>;

/** What the words of a command line need to know of a command: no schema, no handler. */
export type CommandShape = Pick<AnyCommand, 'name' | 'verb' | 'noun' | 'aliases' | 'summary' | 'fields'>;

/** What the bus executes: a command by name with its arguments (schema input). */
export interface CommandObject {
  name: string;
  args: Record<string, unknown>;
}

export function defineCommand<V extends string, S extends ArgsSchema, N extends string | undefined = undefined>(
  definition: CommandDefinition<V, N, S>,
): Command<NameOf<V, N>, S> {
  const { verb, noun } = definition;
  // The value NameOf<V, N> describes; TypeScript does not evaluate the conditional for a generic N.
  const name = (noun ? `${verb} ${noun}` : verb) as NameOf<V, N>;
  let args: S | undefined;
  let fields: Field[] | undefined;
  return {
    name,
    verb: definition.verb,
    noun: definition.noun,
    aliases: definition.aliases ?? [],
    summary: definition.summary,
    details: definition.details,
    examples: definition.examples ?? [],
    writes: definition.writes ?? false,
    mcp: definition.mcp ?? true,
    serves: definition.serves ?? false,
    get args() {
      args ??= definition.args();
      return args;
    },
    get fields() {
      fields ??= deriveFields(name, this.args, definition.positionals ?? [], definition.argv);
      return fields;
    },
    run: definition.run,
  };
}

type Schema = $ZodType;

interface Shape {
  kind: ValueKind;
  list: boolean;
  required: boolean;
  values?: readonly string[];
  ref?: RefKind;
}

/** Reads what the parser needs from a field's schema: optional, array, and the value type. */
function shapeOf(where: string, schema: Schema): Shape {
  let node = schema;
  let required = true;
  for (;;) {
    if (node instanceof $ZodOptional || node instanceof $ZodDefault || node instanceof $ZodPrefault) {
      required = false;
      node = node._zod.def.innerType;
    } else if (node instanceof $ZodNullable) {
      node = node._zod.def.innerType;
    } else break;
  }
  if (node instanceof $ZodArray) return { ...valueOf(where, node._zod.def.element), list: true, required };
  if (node instanceof $ZodRecord) return { kind: 'pair', list: true, required };
  return { ...valueOf(where, node), list: false, required };
}

function valueOf(where: string, schema: Schema): Omit<Shape, 'list' | 'required'> {
  if (schema instanceof $ZodString) {
    const ref = REF_KINDS.get(schema)?.kind;
    return ref ? { kind: 'ref', ref } : { kind: 'text' };
  }
  if (schema instanceof $ZodNumber) return { kind: 'number' };
  if (schema instanceof $ZodBoolean) return { kind: 'switch' };
  if (schema instanceof $ZodEnum) return { kind: 'choice', values: Object.values(schema._zod.def.entries).map(String) };
  throw new Error(`internal: ${where} has a ${schema._zod.def.type}, which a command line cannot give`);
}

const PLACEHOLDER: Record<ValueKind, string> = {
  text: 'TEXT',
  number: 'N',
  switch: '',
  choice: 'VALUE',
  ref: 'REF',
  pair: 'FIELD=VALUE',
};

function deriveFields(
  name: string,
  args: ArgsSchema,
  positionals: readonly string[],
  argv: Readonly<Record<string, ArgSpec>>,
): Field[] {
  const shape = args._zod.def.shape;
  const field = (key: string): Field => {
    const spec = argv[key];
    const where = `"${name}" ${key}`;
    if (!spec) throw new Error(`internal: ${where} has no argv description`);
    const s = shapeOf(where, shape[key]);
    const position = positionals.indexOf(key);
    const isPositional = position >= 0;
    if (isPositional && (s.kind === 'switch' || s.kind === 'pair')) throw new Error(`internal: ${where} cannot be positional`);
    const rest = isPositional && (s.list || !!spec.rest);
    if (rest && position !== positionals.length - 1) throw new Error(`internal: ${where} takes the rest but is not last`);
    return {
      key,
      kind: s.kind,
      list: s.list,
      required: s.required,
      flag: isPositional ? undefined : (spec.flag ?? key.replace(/_/g, '-')),
      position: isPositional ? position : undefined,
      rest,
      commas: s.list && s.kind !== 'pair' && !spec.verbatim,
      values: s.values,
      ref: s.ref,
      complete: spec.complete,
      suggest: spec.suggest,
      description: spec.description,
      placeholder: spec.placeholder ?? PLACEHOLDER[s.kind],
    };
  };
  return [...positionals, ...Object.keys(shape).filter((k) => !positionals.includes(k))].map(field);
}
