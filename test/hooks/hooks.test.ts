// Hooks from config.json, run by the real command line. Each test trusts the hooks it
// writes (test/trust/hooks.test.ts covers hooks that are not trusted).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { flowSync as run, json, readStore, tempDir, type RunOptions } from '../helpers.js';

// The per-user folder where trust is recorded: a temp one, never the real one.
let home = '';
beforeAll(() => {
  home = tempDir('flow-hooks-home-');
});
const flowSync = (dir: string, args: readonly string[], options: RunOptions = {}) =>
  run(dir, args, { ...options, env: { XDG_CONFIG_HOME: join(home, 'config'), HOME: home, ...options.env } });

function setHooks(dir: string, hooks: Record<string, string[]>): void {
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ hooks }));
  const trusted = flowSync(dir, ['trust', 'hooks', '--yes']);
  if (trusted.code !== 0) throw new Error(`trust hooks: ${trusted.stderr}`);
}

describe('hooks', () => {
  it('a pre_save hook that exits non-zero vetoes the save: exit 1, its message, nothing written', () => {
    const dir = tempDir();
    flowSync(dir, ['add', 'flow', 'F']);
    const before = readFileSync(join(dir, 'flows.json'));
    setHooks(dir, { pre_save: ['echo "no saves on Fridays" >&2; exit 3'] });
    const r = flowSync(dir, ['add', 'flow', 'G']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('no saves on Fridays');
    expect(readFileSync(join(dir, 'flows.json')).equals(before)).toBe(true);
    const asJson = flowSync(dir, ['add', 'flow', 'G', '--json']);
    expect(JSON.parse(asJson.stderr).error.code).toBe('vetoed');
  });

  it('post_save and on_command hooks get the event as JSON on stdin', () => {
    const dir = tempDir();
    const out = join(dir, 'events.jsonl');
    setHooks(dir, { post_save: [`cat >> ${out}; echo >> ${out}`], on_command: [`cat >> ${out}; echo >> ${out}`] });
    const flow = json(flowSync(dir, ['add', 'flow', 'Hooked', '--json']));
    const events = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const saved = events.find((e) => e.event === 'post_save');
    expect(saved.revision).toBe(readStore(dir).meta.file_revision);
    expect(saved.patch.some((op: { path: string }) => op.path === `/flows/${flow.id}`)).toBe(true);
    expect(events.find((e) => e.event === 'on_command').command).toBe('add flow');
  });

  it('commands a hook runs do not run hooks again (no loops), and are written as hook:…', () => {
    const dir = tempDir();
    const marker = join(dir, 'ran');
    const bin = join(process.cwd(), 'bin', 'flow.js');
    setHooks(dir, { on_command: [`echo x >> ${marker}; [ "$FLOW_HOOK" = 1 ] && node ${bin} --dir ${dir} add flow "from a hook" --quiet`] });
    expect(flowSync(dir, ['add', 'flow', 'Start']).code).toBe(0);
    expect(readFileSync(marker, 'utf8').trim().split('\n')).toHaveLength(1);
    const names = Object.values<{ name: string }>(readStore(dir).flows).map((f) => f.name);
    expect(names).toEqual(['Start', 'from a hook']);
    expect(readStore(dir).meta.writer).toMatch(/^hook:/);
    expect(existsSync(marker)).toBe(true);
  });
});
