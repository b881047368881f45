// config.json: user settings, validated, unknown keys kept. `flow config get|set|list`
// work on dotted keys, typed by the table below.
import { join } from 'node:path';
import * as z from 'zod/mini';
import { FlowError } from '../domain/errors.js';
import { once } from '../domain/once.js';
import { executableSetting, trustSetting } from '../hooks/trust.js';
import { readJsonFile, updateJsonFile } from '../store/json-file.js';

export const CONFIG_FILE = 'config.json';

/** A hook's timeout: long enough for any hook, short enough that a hung one is noticed. */
const MAX_HOOK_SECONDS = 3600;

/**
 * What every setting is when config.json does not say: the schema's defaults, and what a
 * store without config.json gets without building the schema (issue 15, start-up).
 */
const CONFIG_DEFAULTS = {
  theme: 'dark',
  snapshots: { keep: 100, max_age_days: 30, every: 0, backend: 'files' as const },
  hooks: { pre_save: [] as string[], post_save: [] as string[], on_command: [] as string[], timeout_s: 10 },
  undo: { depth: 100 },
  history: { size: 500 },
  documents: { retention_days: 7, large_mb: 20, storage: 'local' as const, command: { put: '', get: '' } },
  search: { embed_command: '' },
  clipboard: { osc52: 'off' as const },
};
const defaults = <K extends keyof typeof CONFIG_DEFAULTS>(key: K) => (): (typeof CONFIG_DEFAULTS)[K] => structuredClone(CONFIG_DEFAULTS[key]);

/** Built on first use: a command that reads no config.json does not pay for it. */
const configSchema = once(() => {
  const positiveInt = z.int().check(z.nonnegative());
  const commands = z._default(z.array(z.string()), (): string[] => []);
  const d = CONFIG_DEFAULTS;
  return z.looseObject({
    theme: z._default(z.string(), d.theme),
    snapshots: z._default(
      z.looseObject({
        keep: z._default(positiveInt, d.snapshots.keep),
        max_age_days: z._default(z.number().check(z.nonnegative()), d.snapshots.max_age_days),
        every: z._default(positiveInt, d.snapshots.every),
        backend: z._default(z.enum(['files', 'git']), d.snapshots.backend),
      }),
      defaults('snapshots'),
    ),
    hooks: z._default(
      z.looseObject({
        pre_save: commands,
        post_save: commands,
        on_command: commands,
        timeout_s: z._default(z.number().check(z.positive(), z.lte(MAX_HOOK_SECONDS)), d.hooks.timeout_s),
      }),
      defaults('hooks'),
    ),
    undo: z._default(z.looseObject({ depth: z._default(positiveInt, d.undo.depth) }), defaults('undo')),
    history: z._default(z.looseObject({ size: z._default(positiveInt, d.history.size) }), defaults('history')),
    documents: z._default(
      z.looseObject({
        retention_days: z._default(z.number().check(z.nonnegative()), d.documents.retention_days),
        large_mb: z._default(z.number().check(z.nonnegative()), d.documents.large_mb),
        storage: z._default(z.enum(['local', 'lfs', 'command']), d.documents.storage),
        command: z._default(
          z.looseObject({ put: z._default(z.string(), d.documents.command.put), get: z._default(z.string(), d.documents.command.get) }),
          () => structuredClone(d.documents.command),
        ),
      }),
      defaults('documents'),
    ),
    search: z._default(z.looseObject({ embed_command: z._default(z.string(), d.search.embed_command) }), defaults('search')),
    clipboard: z._default(z.looseObject({ osc52: z._default(z.enum(['off', 'on']), d.clipboard.osc52) }), defaults('clipboard')),
  });
});

export type Config = z.infer<ReturnType<typeof configSchema>>;

type KeyType = 'string' | 'int' | 'number' | 'seconds' | 'commands' | readonly string[];

/** Every setting `config set` accepts, with its type and meaning (also the help text). */
export const CONFIG_KEYS: Readonly<Record<string, { type: KeyType; description: string }>> = {
  theme: { type: 'string', description: 'TUI theme: dark, light, high-contrast, or a name in .flow/themes/' },
  'snapshots.keep': { type: 'int', description: 'keep at most this many snapshots (pinned and migration ones excepted)' },
  'snapshots.max_age_days': { type: 'number', description: 'delete snapshots older than this many days' },
  'snapshots.every': { type: 'int', description: 'automatic snapshot every K revisions (0 = off)' },
  'snapshots.backend': { type: ['files', 'git'], description: 'where snapshots are kept' },
  'hooks.pre_save': { type: 'commands', description: 'shell commands run before a save; a non-zero exit vetoes it' },
  'hooks.post_save': { type: 'commands', description: 'shell commands run after a save' },
  'hooks.on_command': { type: 'commands', description: 'shell commands run after each command' },
  'hooks.timeout_s': { type: 'seconds', description: 'how long each hook may run; then it and its child processes are killed (default 10)' },
  'undo.depth': { type: 'int', description: 'how many changes per session undo remembers' },
  'history.size': { type: 'int', description: 'how many prompt lines the TUI remembers per session' },
  'documents.retention_days': { type: 'number', description: 'gc doc removes a document this many days after its last reference went' },
  'documents.large_mb': { type: 'number', description: 'documents larger than this many MB go to documents/large/ (and the storage backend)' },
  'documents.storage': { type: ['local', 'lfs', 'command'], description: 'where large documents are kept besides documents/large/' },
  'documents.command.put': { type: 'string', description: 'with storage command: shell command that uploads $FLOW_DOC_FILE (hash $FLOW_DOC_SHA256)' },
  'documents.command.get': { type: 'string', description: 'with storage command: shell command that downloads $FLOW_DOC_SHA256 to $FLOW_DOC_FILE' },
  'search.embed_command': { type: 'string', description: 'optional: command that reads texts (JSON lines) and prints one vector per line, for semantic ranking' },
  'clipboard.osc52': { type: ['off', 'on'], description: 'y in the TUI also copies through the terminal (OSC 52), e.g. over ssh' },
};

export function readConfig(dir: string): Config {
  return readJsonFile(join(dir, CONFIG_FILE), configSchema, 'config.json', () => structuredClone(CONFIG_DEFAULTS));
}

export function getPath(object: unknown, key: string): unknown {
  let value = object;
  for (const part of key.split('.')) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

/** Converts the text given to `config set` to the key's type, or explains why not. */
export function parseConfigValue(key: string, text: string): unknown {
  const spec = CONFIG_KEYS[key];
  if (!spec) throw new FlowError('invalid', `unknown setting ${key}`);
  const { type } = spec;
  if (Array.isArray(type)) {
    if (!type.includes(text)) throw new FlowError('invalid', `${key} must be one of ${type.join(', ')}, not "${text}"`);
    return text;
  }
  switch (type) {
    case 'int':
    case 'number': {
      const value = Number(text);
      if (text.trim() === '' || !Number.isFinite(value) || value < 0 || (type === 'int' && !Number.isInteger(value))) {
        throw new FlowError('invalid', `${key} must be a ${type === 'int' ? 'whole ' : ''}number ≥ 0, not "${text}"`);
      }
      return value;
    }
    case 'seconds': {
      const value = Number(text);
      if (text.trim() === '' || !Number.isFinite(value) || value <= 0 || value > MAX_HOOK_SECONDS) {
        throw new FlowError('invalid', `${key} must be a number of seconds above 0 and at most ${MAX_HOOK_SECONDS}, not "${text}"`);
      }
      return value;
    }
    case 'commands': {
      // A JSON list of commands, or else one command as text (`[ -f x ] || true` is one).
      const list = jsonList(text);
      if (list) {
        if (!list.every((c) => typeof c === 'string')) throw new FlowError('invalid', `${key} must be a list of commands`);
        return list;
      }
      return text.trim() === '' ? [] : [text];
    }
    default:
      return text;
  }
}

/** The JSON array `text` spells, or undefined when it is not one. */
function jsonList(text: string): unknown[] | undefined {
  if (!text.trim().startsWith('[')) return undefined;
  try {
    const value = JSON.parse(text) as unknown;
    return Array.isArray(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

export async function setConfigValue(dir: string, key: string, text: string): Promise<unknown> {
  const value = parseConfigValue(key, text);
  const setting = executableSetting(key);
  let configs: { before: Config; after: Config } | undefined;
  await updateJsonFile(join(dir, CONFIG_FILE), configSchema(), 'config.json', (config) => {
    const before = structuredClone(config);
    const parts = key.split('.');
    let target = config as Record<string, unknown>;
    for (const part of parts.slice(0, -1)) {
      target = (target[part] ??= {}) as Record<string, unknown>;
    }
    target[parts[parts.length - 1]] = value;
    if (setting) configs = { before, after: structuredClone(config) };
  });
  // Hooks and commands the person sets themselves are trusted (DESIGN §8), as read under the lock.
  if (setting && configs) await trustSetting(dir, setting, configs.before, configs.after);
  return value;
}
