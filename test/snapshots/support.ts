// Helpers shared by the snapshot, restore and undo suites: commands through the real
// command bus in-process (for bulk set-up), and comparisons that ignore what a restore or
// an undo is expected to renew (meta, `updated` stamps).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Services } from '../../src/app/services.js';
import { CommandBus } from '../../src/commands/bus.js';
import { createTable } from '../../src/commands/table.js';
import { flowSync, type RunResult } from '../helpers.js';

const table = createTable();

/** A command bus on `dir` for `session`, as the CLI builds it, run in this process. */
export function inProcess(dir: string, session = 'setup'): (line: string) => Promise<any> {
  const bus = new CommandBus(table, new Services({ dir, session, writerKind: 'cli', interactive: false }));
  return async (line: string) => (await bus.execute(table.commandFrom(line))).json;
}

/** Runs the real `flow` process and requires the given exit code, showing stderr if not. */
export function cli(dir: string, args: readonly string[], options: { session?: string; code?: number } = {}): RunResult {
  const env = options.session ? { FLOW_SESSION: options.session } : {};
  const result = flowSync(dir, args, { env });
  const want = options.code ?? 0;
  if (result.code !== want) {
    throw new Error(`flow ${args.join(' ')} exited ${result.code}, expected ${want}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`);
  }
  return result;
}

export function cliJson<T = any>(dir: string, args: readonly string[], session?: string): T {
  return JSON.parse(cli(dir, [...args, '--json'], { session }).stdout) as T;
}

export function readJson(path: string): any {
  return JSON.parse(readFileSync(path, 'utf8'));
}

export function readContextFile(dir: string): any {
  return readJson(join(dir, 'context.json'));
}

/** A deep copy without `updated` fields, which undo and restore legitimately renew. */
export function withoutUpdated<T>(value: T): T {
  return JSON.parse(JSON.stringify(value), (key, v) => (key === 'updated' ? undefined : v)) as T;
}

/** Every plan of a flows.json document by id, with the flow it is in. */
export function plansOf(doc: any): Map<string, { flow: string; plan: any }> {
  const out = new Map<string, { flow: string; plan: any }>();
  for (const flow of Object.values<any>(doc.flows)) for (const plan of flow.plans) out.set(plan.id, { flow: flow.id, plan });
  return out;
}

/** flows.json's top-level members other than meta (which every save renews). */
export function withoutMeta(doc: any): any {
  const { meta: _meta, ...rest } = doc;
  return rest;
}
