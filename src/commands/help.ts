// Help text, generated from the command table: adding a row adds its help.
import type { CommandTable } from './parse.js';
import { columns } from './output.js';
import { commandName, GLOBAL_FLAGS, type CommandSpec, type FlagSpec } from './spec.js';
import type { Style } from './style.js';

export function usageLine(spec: CommandSpec): string {
  const words = [commandName(spec)];
  for (const p of spec.positionals ?? []) {
    const name = p.name.toUpperCase() + (p.variadic ? '…' : '');
    words.push(p.required ? name : `[${name}]`);
  }
  if (spec.flags && Object.keys(spec.flags).length) words.push('[--flags]');
  return words.join(' ');
}

function flagLine(name: string, flag: FlagSpec): [string, string] {
  const value = flag.type === 'boolean' ? '' : ` ${flag.placeholder ?? 'VALUE'}`;
  const values = flag.values ? ` (${flag.values.join('|')})` : '';
  const repeat = flag.type === 'list' || flag.type === 'multi' ? ' (repeatable)' : '';
  return [`--${name}${value}`, `${flag.description}${values}${repeat}`];
}

export function commandHelp(spec: CommandSpec, style: Style): string {
  const out = [`${style.paint('heading', `flow ${usageLine(spec)}`)}`, '', `  ${spec.summary}`];
  if (spec.details) out.push('', ...spec.details.split('\n').map((l) => `  ${l}`));
  if (spec.positionals?.length) {
    out.push('', 'Arguments:');
    out.push(
      columns(spec.positionals.map((p) => [`  ${p.name.toUpperCase()}`, p.description + (p.values ? ` (${p.values.join('|')})` : '')])),
    );
  }
  const flags = Object.entries(spec.flags ?? {});
  if (flags.length) {
    out.push('', 'Flags:');
    out.push(columns(flags.map(([name, flag]) => flagLine(name, flag)).map(([a, b]) => [`  ${a}`, b])));
  }
  if (spec.aliases?.length) out.push('', `Also: ${spec.aliases.map((a) => `flow ${a}`).join(', ')}`);
  if (spec.examples?.length) out.push('', 'Examples:', ...spec.examples.map((e) => `  ${e}`));
  return out.join('\n');
}

export function overview(table: CommandTable, style: Style, filter?: (spec: CommandSpec) => boolean): string {
  const specs = table.commands.filter(filter ?? (() => true));
  const byNoun = new Map<string, CommandSpec[]>();
  for (const spec of specs) {
    const key = spec.noun ?? '';
    byNoun.set(key, [...(byNoun.get(key) ?? []), spec]);
  }
  const out = [
    `${style.paint('heading', 'flow')} — plans and tasks in .flow/flows.json, safe with many writers`,
    '',
    'Usage: flow [global flags] <verb> <noun> [arguments] [--flags]',
    '       flow             (on a terminal: the full-screen workspace)',
  ];
  for (const [noun, group] of byNoun) {
    out.push('', style.paint('heading', noun ? `${noun[0].toUpperCase()}${noun.slice(1)}s:` : 'Other:'));
    out.push(columns(group.map((spec) => [`  ${usageLine(spec)}`, style.paint('muted', spec.summary)])));
  }
  if (!filter) {
    out.push('', style.paint('heading', 'Global flags:'));
    out.push(columns(Object.entries(GLOBAL_FLAGS).map(([n, f]) => flagLine(n, f)).map(([a, b]) => [`  ${a}`, style.paint('muted', b)])));
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
export function commandHelpJson(spec: CommandSpec): Record<string, unknown> {
  return {
    command: commandName(spec),
    usage: `flow ${usageLine(spec)}`,
    summary: spec.summary,
    details: spec.details ?? null,
    arguments: (spec.positionals ?? []).map((p) => ({ name: p.name, description: p.description, required: !!p.required, values: p.values ?? null })),
    flags: Object.entries(spec.flags ?? {}).map(([name, f]) => ({ name: `--${name}`, type: f.type, description: f.description, values: f.values ?? null })),
    aliases: spec.aliases ?? [],
    examples: spec.examples ?? [],
  };
}
