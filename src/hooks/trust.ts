// Hooks are code that arrives with the data (DESIGN §8: data is never code). A .flow/
// committed to a repository, or written by an agent, may carry hooks in config.json;
// they run only once the person trusted exactly these hooks for exactly this folder:
// with `flow trust hooks`, or by setting them with `flow config set hooks.…`. The record
// lives in the per-user folder, outside anything a repository can ship, keyed by the
// data directory's real path and holding a hash of the hooks, so any other change to
// the hooks (by another writer, a pull, a checkout) revokes it.
import { createHash } from 'node:crypto';
import { realpathSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import * as z from 'zod/mini';
import type { Config } from '../config/config.js';
import { now } from '../domain/time.js';
import { readJsonFile, updateJsonFile } from '../store/json-file.js';
import { HOOK_EVENT_NAMES, type HookEvent } from './payload.js';

export type Hooks = Config['hooks'];

export const HOOK_EVENTS: readonly HookEvent[] = HOOK_EVENT_NAMES;

const TRUST_FILE = 'trusted-hooks.json';

const TrustSchema = z.looseObject({
  version: z._default(z.number(), 1),
  dirs: z._default(
    z.record(z.string(), z.looseObject({ hooks: z.string(), trusted_at: z.optional(z.string()) })),
    () => ({}),
  ),
});

/** The per-user folder (DESIGN §1): `$XDG_CONFIG_HOME/flow`, else `~/.config/flow`. */
export function userFolder(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_CONFIG_HOME;
  const base = xdg && isAbsolute(xdg) ? xdg : join(env.HOME || homedir(), '.config');
  return join(base, 'flow');
}

function trustFile(env: NodeJS.ProcessEnv): string {
  return join(userFolder(env), TRUST_FILE);
}

/** The hash trust is recorded for: every command of every event, in order. */
export function hooksDigest(hooks: Hooks): string {
  const events = HOOK_EVENTS.map((event) => [event, hooks[event]]);
  return `sha256:${createHash('sha256').update(JSON.stringify(events)).digest('hex')}`;
}

export function hasHooks(hooks: Hooks): boolean {
  return HOOK_EVENTS.some((event) => hooks[event].length > 0);
}

/** A data directory is known by its real path: another path to it is the same folder. */
function dirKey(dir: string): string {
  try {
    return realpathSync(dir);
  } catch {
    return resolve(dir);
  }
}

/** True when these hooks may run in `dir`: none at all, or exactly the ones trusted there. */
export function isTrusted(dir: string, hooks: Hooks, env: NodeJS.ProcessEnv = process.env): boolean {
  if (!hasHooks(hooks)) return true;
  const record = readJsonFile(trustFile(env), TrustSchema, TRUST_FILE).dirs[dirKey(dir)];
  return record?.hooks === hooksDigest(hooks);
}

export async function trustHooks(dir: string, hooks: Hooks, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  await updateJsonFile(trustFile(env), TrustSchema, TRUST_FILE, (file) => {
    file.dirs[dirKey(dir)] = { hooks: hooksDigest(hooks), trusted_at: now() };
  });
}

/** Takes trust back; false when there was none to take. */
export async function revokeTrust(dir: string, env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
  return updateJsonFile(trustFile(env), TrustSchema, TRUST_FILE, (file) => {
    const key = dirKey(dir);
    const had = key in file.dirs;
    delete file.dirs[key];
    return had;
  });
}

/**
 * After the person set `event`'s hooks with `flow config set` (`before` and `after` read
 * under config.json's lock): what they set is trusted, but only on top of hooks that were
 * trusted already (or absent), so setting one hook never vouches for another writer's.
 */
export async function trustSetHooks(
  dir: string,
  event: HookEvent,
  before: Hooks,
  after: Hooks,
  env: NodeJS.ProcessEnv = process.env,
): Promise<boolean> {
  if (!hasHooks(after)) return true;
  const othersWereClear = HOOK_EVENTS.every((other) => other === event || before[other].length === 0);
  if (!othersWereClear && !isTrusted(dir, before, env)) return false;
  await trustHooks(dir, after, env);
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

  select(hooks: Hooks, event: HookEvent): readonly string[] {
    const commands = hooks[event];
    if (!commands.length) return commands;
    let trusted: boolean;
    let why = 'they are not trusted here';
    try {
      trusted = isTrusted(this.dir, hooks, this.env);
    } catch (err) {
      trusted = false;
      why = (err as Error).message;
    }
    if (trusted) return commands;
    if (!this.warned) {
      this.warned = true;
      this.warn(`config.json has hooks that did not run (${why}); review and trust them with \`flow trust hooks\``);
    }
    return [];
  }
}
