// Help text, generated from the command table: adding a row adds its help.
import type { AnyCommand, Field } from './define.js';
import { GLOBAL_FLAGS, type GlobalFlag } from './globals.js';
import { columns } from './output.js';
import type { CommandTable } from './parse.js';
import type { Style } from './style.js';

const positionals = (command: AnyCommand) => command.fields.filter((f) => f.position !== undefined);
const flags = (command: AnyCommand) => command.fields.filter((f) => f.flag !== undefined);

export function usageLine(command: AnyCommand): string {
  const words = [command.name];
  for (const p of positionals(command)) {
    const name = p.key.toUpperCase() + (p.rest ? '…' : '');
    words.push(p.required ? name : `[${name}]`);
  }
  const required = flags(command).filter((f) => f.required);
  for (const f of required) words.push(`--${f.flag} ${f.placeholder}`);
  if (flags(command).length > required.length) words.push('[--flags]');
  return words.join(' ');
}

function valuesNote(field: Pick<Field, 'values' | 'suggest'>): string {
  if (field.values) return ` (${field.values.join('|')})`;
  return field.suggest ? `: ${field.suggest.join(',')}` : '';
}

function flagLine(field: Field): [string, string] {
  const value = field.kind === 'switch' ? '' : ` ${field.placeholder}`;
  const repeat = field.list ? ' (repeatable)' : '';
  return [`--${field.flag}${value}`, `${field.description}${valuesNote(field)}${repeat}`];
}

function globalFlagLine(name: string, flag: GlobalFlag): [string, string] {
  return [`--${name}${flag.type === 'boolean' ? '' : ` ${flag.placeholder ?? 'VALUE'}`}`, flag.description];
}

export function commandHelp(command: AnyCommand, style: Style): string {
  const out = [`${style.paint('heading', `flow ${usageLine(command)}`)}`, '', `  ${command.summary}`];
  if (command.details) out.push('', ...command.details.split('\n').map((l) => `  ${l}`));
  const args = positionals(command);
  if (args.length) {
    out.push('', 'Arguments:');
    out.push(columns(args.map((p) => [`  ${p.key.toUpperCase()}`, p.description + valuesNote(p)])));
  }
  const options = flags(command);
  if (options.length) {
    out.push('', 'Flags:');
    out.push(columns(options.map(flagLine).map(([a, b]) => [`  ${a}`, b])));
  }
  if (command.aliases.length) out.push('', `Also: ${command.aliases.map((a) => `flow ${a}`).join(', ')}`);
  if (command.examples.length) out.push('', 'Examples:', ...command.examples.map((e) => `  ${e}`));
  return out.join('\n');
}

export function overview(table: CommandTable, style: Style, filter?: (command: AnyCommand) => boolean): string {
  const commands = table.commands.filter(filter ?? (() => true));
  const byNoun = new Map<string, AnyCommand[]>();
  for (const command of commands) {
    const key = command.noun ?? '';
    byNoun.set(key, [...(byNoun.get(key) ?? []), command]);
  }
  const out = [
    `${style.paint('heading', 'flow')} — plans and tasks in .flow/flows.json, safe with many writers`,
    '',
    'Usage: flow [global flags] <verb> <noun> [arguments] [--flags]',
    '       flow             (on a terminal: the full-screen workspace)',
  ];
  for (const [noun, group] of byNoun) {
    out.push('', style.paint('heading', noun ? `${noun[0].toUpperCase()}${noun.slice(1)}s:` : 'Other:'));
    out.push(columns(group.map((command) => [`  ${usageLine(command)}`, style.paint('muted', command.summary)])));
  }
  if (!filter) {
    out.push('', style.paint('heading', 'Global flags:'));
    out.push(columns(Object.entries(GLOBAL_FLAGS).map(([n, f]) => globalFlagLine(n, f)).map(([a, b]) => [`  ${a}`, style.paint('muted', b)])));
    out.push(
      '',
      'References: a full id, a unique id prefix (task_ may be left out), or the number `list` shows.',
      'Exit codes: 0 ok · 1 failed · 2 usage · 3 conflict · 4 busy · 5 store unreadable or too new.',
      'Run `flow help <verb> <noun>` or add --help to any command for details.',
    );
  }
  return out.join('\n');
}

/** The same help as data, for --help --json. */
export function commandHelpJson(command: AnyCommand): Record<string, unknown> {
  return {
    command: command.name,
    usage: `flow ${usageLine(command)}`,
    summary: command.summary,
    details: command.details ?? null,
    arguments: positionals(command).map((p) => ({
      name: p.key,
      description: p.description,
      required: p.required,
      type: p.kind,
      ref: p.ref ?? null,
      values: p.values ?? null,
    })),
    flags: flags(command).map((f) => ({
      name: `--${f.flag}`,
      key: f.key,
      type: f.kind,
      repeatable: f.list,
      ref: f.ref ?? null,
      description: f.description,
      values: f.values ?? null,
    })),
    aliases: command.aliases,
    examples: command.examples,
  };
}
