// Hooks and commands are code that arrives with the data (DESIGN §8: data is never code).
// A .flow/ committed to a repository, or written by an agent, may carry hooks and
// commands (a document storage backend's put/get, a search embedder) in config.json;
// they run only once the person trusted exactly these for exactly this folder: with
// `flow trust hooks`, or by setting them with `flow config set …`. The record lives in
// the per-user folder, outside anything a repository can ship, keyed by the data
// directory's real path and holding one hash of all of them, so any other change to any
// of them (by another writer, a pull, a checkout) revokes it.
import { realpathSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import * as z from 'zod/mini';
import type { Config } from '../config/config.js';
import { now } from '../domain/time.js';
import { nodeCrypto, nodeOs } from '../node-modules.js';
import { readJsonFile, updateJsonFile } from '../store/json-file.js';
import { HOOK_EVENT_NAMES, type HookEvent } from './payload.js';
import { once } from '../domain/once.js';

export type Hooks = Config['hooks'];

export const HOOK_EVENTS: readonly HookEvent[] = HOOK_EVENT_NAMES;

/** The settings besides hooks that flow runs as shell commands, and where each is kept. */
const COMMAND_SETTINGS = {
  'documents.command.put': (config: Config) => config.documents.command.put,
  'documents.command.get': (config: Config) => config.documents.command.get,
  'search.embed_command': (config: Config) => config.search.embed_command,
} as const;

export type CommandSetting = keyof typeof COMMAND_SETTINGS;

/** One thing of config.json that flow would run: a hook of an event, or a command setting. */
export interface Executable {
  setting: `hooks.${HookEvent}` | CommandSetting;
  command: string;
}

/** Every hook and every command setting that is set, in a fixed order. */
export function executables(config: Config): Executable[] {
  const hooks = HOOK_EVENTS.flatMap((event) => config.hooks[event].map((command) => ({ setting: `hooks.${event}` as const, command })));
  return [...hooks, ...commandSettings(config)];
}

function commandSettings(config: Config): Executable[] {
  return Object.entries(COMMAND_SETTINGS)
    .map(([setting, read]) => ({ setting: setting as CommandSetting, command: read(config) }))
    .filter((c) => c.command.trim() !== '');
}

/** The setting a `config set` key names when it is executable. */
export function executableSetting(key: string): Executable['setting'] | undefined {
  if (key in COMMAND_SETTINGS) return key as CommandSetting;
  return HOOK_EVENTS.map((event) => `hooks.${event}` as const).find((setting) => setting === key);
}

const TRUST_FILE = 'trusted-hooks.json';

// Built on first use: only a store with hooks or command settings reads the trust file.
const trustSchema = once(() =>
  z.looseObject({
    version: z._default(z.number(), 1),
    dirs: z._default(
      z.record(z.string(), z.looseObject({ hooks: z.string(), trusted_at: z.optional(z.string()) })),
      () => ({}),
    ),
  }),
);

/** The per-user folder (DESIGN §1): `$XDG_CONFIG_HOME/flow`, else `~/.config/flow`. */
export function userFolder(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_CONFIG_HOME;
  const base = xdg && isAbsolute(xdg) ? xdg : join(env.HOME || nodeOs().homedir(), '.config');
  return join(base, 'flow');
}

function trustFile(env: NodeJS.ProcessEnv): string {
  return join(userFolder(env), TRUST_FILE);
}

/**
 * The hash trust is recorded for: every command of every event, in order, then every
 * command setting that is set. With none set it is the hash of the hooks alone, as
 * before command settings were covered, so those records stay valid.
 */
export function executablesDigest(config: Config): string {
  const events: unknown[] = HOOK_EVENTS.map((event) => [event, config.hooks[event]]);
  const commands = commandSettings(config).map(({ setting, command }) => [setting, command]);
  return `sha256:${nodeCrypto().createHash('sha256').update(JSON.stringify([...events, ...commands])).digest('hex')}`;
}

export function hasExecutables(config: Config): boolean {
  return executables(config).length > 0;
}

/** A data directory is known by its real path: another path to it is the same folder. */
function dirKey(dir: string): string {
  try {
    return realpathSync(dir);
  } catch {
    return resolve(dir);
  }
}

/** True when what `config` would run may run in `dir`: nothing at all, or exactly what was trusted there. */
export function isTrusted(dir: string, config: Config, env: NodeJS.ProcessEnv = process.env): boolean {
  if (!hasExecutables(config)) return true;
  const record = readJsonFile(trustFile(env), trustSchema, TRUST_FILE).dirs[dirKey(dir)];
  return record?.hooks === executablesDigest(config);
}

/** Why what `config` would run may not run in `dir`; undefined when it may. */
export function distrust(dir: string, config: Config, env: NodeJS.ProcessEnv = process.env): string | undefined {
  try {
    return isTrusted(dir, config, env) ? undefined : 'not trusted here';
  } catch (err) {
    return (err as Error).message;
  }
}

export const HOW_TO_TRUST = 'review and trust it with `flow trust hooks`';

/** Trusts exactly what `config` would run, for `dir`. */
export async function trustExecutables(dir: string, config: Config, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  await updateJsonFile(trustFile(env), trustSchema(), TRUST_FILE, (file) => {
    // `hooks` names the digest of hooks and commands (the record's field predates commands).
    file.dirs[dirKey(dir)] = { hooks: executablesDigest(config), trusted_at: now() };
  });
}

/** Takes trust back; false when there was none to take. */
export async function revokeTrust(dir: string, env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
  return updateJsonFile(trustFile(env), trustSchema(), TRUST_FILE, (file) => {
    const key = dirKey(dir);
    const had = key in file.dirs;
    delete file.dirs[key];
    return had;
  });
}

/**
 * After the person set `setting` with `flow config set` (`before` and `after` read under
 * config.json's lock): what they set is trusted, but only on top of hooks and commands
 * that were trusted already (or absent), so setting one never vouches for another
 * writer's.
 */
export async function trustSetting(
  dir: string,
  setting: Executable['setting'],
  before: Config,
  after: Config,
  env: NodeJS.ProcessEnv = process.env,
): Promise<boolean> {
  if (!hasExecutables(after)) return true;
  const othersWereClear = executables(before).every((other) => other.setting === setting);
  if (!othersWereClear && !isTrusted(dir, before, env)) return false;
  await trustExecutables(dir, after, env);
  return true;
}

/**
 * Chooses the hooks a command runs: trusted ones; untrusted ones are skipped with one
 * warning per process that says how to trust them.
 */
export class HookGate {
  private warned = false;

  constructor(
    private readonly dir: string,
    private readonly warn: (message: string) => void,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  select(config: Config, event: HookEvent): readonly string[] {
    const commands = config.hooks[event];
    if (!commands.length) return commands;
    const why = distrust(this.dir, config, this.env);
    if (!why) return commands;
    if (!this.warned) {
      this.warned = true;
      this.warn(`config.json has hooks that did not run (${why}); review and trust them with \`flow trust hooks\``);
    }
    return [];
  }
}
