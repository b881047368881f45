// Commands for settings (config.json).
import * as z from 'zod/mini';
import { CONFIG_KEYS, getPath, setConfigValue } from '../../config/config.js';
import { FlowError } from '../../domain/errors.js';
import { oneLine } from '../../domain/sanitize.js';
import { defineCommand, type ArgSpec } from '../define.js';
import { listing, paging } from '../list.js';
import { columns } from '../output.js';
import { nearest } from '../parse.js';

const KEY: ArgSpec = { description: 'a setting, e.g. snapshots.keep', complete: 'config-key' };

function knownKey(key: string): string {
  if (CONFIG_KEYS[key]) return key;
  const suggestion = nearest(key, Object.keys(CONFIG_KEYS));
  throw new FlowError(
    'not_found',
    `unknown setting "${key}"${suggestion ? `; did you mean ${suggestion}?` : ''} (flow config list shows them all)`,
  );
}

/** A value of config.json (a side file anyone may edit) on one line. */
const show = (value: unknown) => oneLine(typeof value === 'string' ? value : JSON.stringify(value));

const getConfig = defineCommand({
  verb: 'get',
  noun: 'config',
  summary: 'print one setting',
  args: () => z.object({ key: z.string() }),
  positionals: ['key'],
  argv: { key: KEY },
  run(args, env) {
    const key = knownKey(args.key);
    const value = getPath(env.config(), key);
    return { json: { key, value }, human: () => show(value), message: `${key} = ${show(value)}` };
  },
});

const setConfig = defineCommand({
  verb: 'set',
  noun: 'config',
  summary: 'change one setting (validated)',
  args: () => z.object({ key: z.string(), value: z.string() }),
  positionals: ['key', 'value'],
  argv: { key: KEY, value: { description: 'its new value', rest: true } },
  writes: true,
  examples: ['flow config set snapshots.keep 50', 'flow config set theme light', `flow config set hooks.pre_save '["./check.sh"]'`],
  async run(args, env) {
    const key = knownKey(args.key);
    const value = await setConfigValue(env.dir, key, args.value);
    const message = `${key} = ${show(value)}`;
    return { json: { key, value }, human: () => message, message };
  },
});

const CONFIG_LIST = listing('setting', ['key', 'value', 'description']);

const listConfig = defineCommand({
  verb: 'list',
  noun: 'config',
  summary: 'print every setting with its value and meaning',
  args: () => z.object({ ...paging() }),
  argv: { ...CONFIG_LIST.argv },
  run(args, env) {
    const config = env.config();
    const rows = Object.entries(CONFIG_KEYS).map(([key, spec]) => ({ key, value: getPath(config, key), description: spec.description }));
    return CONFIG_LIST.output(args, rows, (style, shown) =>
      columns(shown.map((r) => [r.key, show(r.value), style.paint('muted', r.description)])),
    );
  },
});

export const CONFIG_COMMANDS = [getConfig, setConfig, listConfig] as const;
