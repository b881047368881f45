// Rows of the command table for settings (config.json).
import * as z from 'zod/mini';
import { CONFIG_KEYS, getPath, setConfigValue } from '../../config/config.js';
import { FlowError } from '../../domain/errors.js';
import { columns } from '../output.js';
import { nearest } from '../parse.js';
import type { CommandSpec } from '../spec.js';

function knownKey(key: string): string {
  if (CONFIG_KEYS[key]) return key;
  const suggestion = nearest(key, Object.keys(CONFIG_KEYS));
  throw new FlowError(
    'not_found',
    `unknown setting "${key}"${suggestion ? `; did you mean ${suggestion}?` : ''} (flow config list shows them all)`,
  );
}

const show = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value));

const getConfig: CommandSpec<{ key: string }> = {
  verb: 'get',
  noun: 'config',
  summary: 'print one setting',
  positionals: [{ name: 'key', description: 'a setting, e.g. snapshots.keep', required: true, complete: 'config-key' }],
  args: z.object({ key: z.string() }),
  run(args, env) {
    const key = knownKey(args.key);
    const value = getPath(env.config(), key);
    return { json: { key, value }, human: () => show(value), message: `${key} = ${show(value)}` };
  },
};

const setConfig: CommandSpec<{ key: string; value: string }> = {
  verb: 'set',
  noun: 'config',
  summary: 'change one setting (validated)',
  positionals: [
    { name: 'key', description: 'a setting, e.g. snapshots.keep', required: true, complete: 'config-key' },
    { name: 'value', description: 'its new value', required: true, variadic: true },
  ],
  args: z.object({ key: z.string(), value: z.pipe(z.array(z.string()), z.transform((w: string[]) => w.join(' '))) }),
  examples: ['flow config set snapshots.keep 50', 'flow config set theme light', `flow config set hooks.pre_save '["./check.sh"]'`],
  async run(args, env) {
    const key = knownKey(args.key);
    const value = await setConfigValue(env.dir, key, args.value);
    const message = `${key} = ${show(value)}`;
    return { json: { key, value }, human: () => message, message };
  },
};

const listConfig: CommandSpec<Record<string, never>> = {
  verb: 'list',
  noun: 'config',
  summary: 'print every setting with its value and meaning',
  args: z.object({}),
  run(_args, env) {
    const config = env.config();
    const rows = Object.entries(CONFIG_KEYS).map(([key, spec]) => ({ key, value: getPath(config, key), description: spec.description }));
    return {
      json: config,
      human: (style) => columns(rows.map((r) => [r.key, show(r.value), style.paint('muted', r.description)])),
      message: `${rows.length} settings`,
    };
  },
};

export const CONFIG_COMMANDS = [getConfig, setConfig, listConfig] as unknown as CommandSpec<never>[];
