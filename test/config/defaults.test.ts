// A store without config.json or context.json gets what the schema makes of `{}`, without
// the schema being built (issue 15, start-up): the two must never drift apart.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readConfig } from '../../src/config/config.js';
import { readContext } from '../../src/context/context.js';

const dirs: string[] = [];
function store(files: Record<string, string> = {}): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'flow-defaults-')), '.flow');
  mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(join(dir, '..'), { recursive: true, force: true });
});

describe('defaults of a missing side file', () => {
  it('config.json: the same as an empty one, field for field', () => {
    expect(readConfig(store())).toStrictEqual(readConfig(store({ 'config.json': '{}' })));
  });

  it('config.json: every setting present, and each read a fresh copy', () => {
    const dir = store();
    const first = readConfig(dir);
    expect(first.snapshots.keep).toBe(100);
    expect(first.hooks.on_command).toEqual([]);
    first.hooks.on_command.push('echo changed');
    first.snapshots.keep = 1;
    expect(readConfig(dir).hooks.on_command).toEqual([]);
    expect(readConfig(dir).snapshots.keep).toBe(100);
  });

  it('context.json: the same as an empty one', () => {
    expect(readContext(store())).toStrictEqual(readContext(store({ 'context.json': '{}' })));
  });

  it('a link in its place that leads nowhere is damaged, not missing', () => {
    const dir = store();
    symlinkSync(join(dir, 'nowhere.json'), join(dir, 'config.json'));
    symlinkSync(join(dir, 'nowhere.json'), join(dir, 'context.json'));
    expect(() => readConfig(dir)).toThrow(/config\.json.*damaged|damaged.*config\.json/);
    expect(() => readContext(dir)).toThrow(/damaged/);
  });
});
