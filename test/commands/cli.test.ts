// The command line as a person or script uses it: sessions, scope, output, exit codes.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateDocument } from '../../bench/fixtures.js';
import { serialiseDocument } from '../../src/store/layout.js';
import { flow, flowSync, FLOW_BIN, json, readStore, ROOT, tempDir } from '../helpers.js';

function setup() {
  const dir = tempDir();
  const f = json(flowSync(dir, ['add', 'flow', 'F', '--json']));
  const a = json(flowSync(dir, ['add', 'plan', 'Plan A', '--json']));
  const b = json(flowSync(dir, ['add', 'plan', 'Plan B', '--json']));
  return { dir, flow: f, a, b };
}

describe('sessions', () => {
  it('two sessions writing in parallel keep their own scope', async () => {
    const { dir, flow: f, a, b } = setup();
    expect(flowSync(dir, ['--session', 's1', 'use', 'plan', a.id]).code).toBe(0);
    expect(flowSync(dir, ['use', 'plan', b.id], { env: { FLOW_SESSION: 's2' } }).code).toBe(0);
    const run = async (session: string, n: number) => {
      for (let i = 0; i < n; i++) {
        const r = await flow(dir, ['add', 'task', `${session}-${i}`], { env: { FLOW_SESSION: session } });
        expect(r.code, r.stderr).toBe(0);
      }
    };
    // While s1 and s2 write, s2 also switches plan back and forth: s1 must not move.
    await Promise.all([run('s1', 8), run('s2', 8)]);
    const plans = readStore(dir).flows[f.id].plans;
    const titles = (p: any) => p.tasks.map((t: any) => t.title).sort();
    expect(titles(plans[0])).toEqual(Array.from({ length: 8 }, (_, i) => `s1-${i}`).sort());
    expect(titles(plans[1])).toEqual(Array.from({ length: 8 }, (_, i) => `s2-${i}`).sort());
  });

  it('use plan in one session never moves another session’s writes', () => {
    const { dir, flow: f, a, b } = setup();
    flowSync(dir, ['--session', 's1', 'use', 'plan', a.id]);
    flowSync(dir, ['--session', 's2', 'use', 'plan', b.id]);
    flowSync(dir, ['--session', 's2', 'use', 'plan', a.id]);
    expect(flowSync(dir, ['--session', 's1', 'add', 'task', 'one']).code).toBe(0);
    flowSync(dir, ['--session', 's1', 'use', 'plan', b.id]);
    expect(flowSync(dir, ['--session', 's2', 'add', 'task', 'two']).code).toBe(0);
    const plans = readStore(dir).flows[f.id].plans;
    expect(plans[0].tasks.map((t: any) => t.title)).toEqual(['one', 'two']);
    expect(plans[1].tasks).toEqual([]);
  });

  it('a scope whose plan was deleted fails clearly and writes nowhere else', () => {
    const { dir, flow: f, a } = setup();
    flowSync(dir, ['--session', 's1', 'use', 'plan', a.id]);
    expect(flowSync(dir, ['rm', 'plan', a.id, '--yes']).code).toBe(0);
    const before = readStore(dir);
    const r = flowSync(dir, ['--session', 's1', 'add', 'task', 'lost?']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no longer exists/);
    expect(r.stderr).toContain(a.id);
    expect(readStore(dir)).toEqual(before);
    expect(readStore(dir).flows[f.id].plans).toHaveLength(1);
  });
});

describe('references', () => {
  it('accepts full ids, unique prefixes with or without task_, and list numbers', () => {
    const { dir } = setup();
    const t1 = json(flowSync(dir, ['add', 'task', 'first', '--json']));
    const t2 = json(flowSync(dir, ['add', 'task', 'second', '--json']));
    expect(json(flowSync(dir, ['show', 'task', '2', '--json'])).id).toBe(t2.id);
    expect(json(flowSync(dir, ['show', 'task', t1.id, '--json'])).id).toBe(t1.id);
    // The shortest prefix that tells the two apart (and is not all digits, which would
    // be read as a list number, nor the start of "task_", which every full id has: a
    // random id starting with t made it ambiguous, one run in 32).
    let n = 1;
    const unclear = (prefix: string) => prefix === t2.id.slice(5, 5 + prefix.length) || /^\d+$/.test(prefix) || 'task_'.startsWith(prefix);
    while (unclear(t1.id.slice(5, 5 + n))) n++;
    expect(json(flowSync(dir, ['show', 'task', t1.id.slice(5, 5 + n), '--json'])).id).toBe(t1.id);
    expect(json(flowSync(dir, ['show', 'task', t1.id.slice(0, 5 + n), '--json'])).id).toBe(t1.id);
  });

  it('an ambiguous prefix exits 2 and lists the candidates', () => {
    const { dir } = setup();
    flowSync(dir, ['add', 'task', 'first']);
    flowSync(dir, ['add', 'task', 'second']);
    const r = flowSync(dir, ['show', 'task', 'task_', '--json']);
    expect(r.code).toBe(2);
    const err = JSON.parse(r.stderr).error;
    expect(err.code).toBe('ambiguous');
    expect(err.candidates).toHaveLength(2);
  });

  it('not found is exit 1 with a JSON error on stderr, nothing on stdout', () => {
    const { dir } = setup();
    const r = flowSync(dir, ['done', 'task', 'task_doesnotexist', '--json']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(JSON.parse(r.stderr)).toMatchObject({ error: { code: 'not_found' } });
  });
});

describe('deleting flows and plans', () => {
  it('needs --yes when not on a terminal (exit 2) and deletes nothing without it', () => {
    const { dir, flow: f } = setup();
    const r = flowSync(dir, ['rm', 'flow', f.id]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--yes/);
    expect(readStore(dir).flows[f.id]).toBeDefined();
    expect(flowSync(dir, ['rm', 'flow', f.id, '--yes']).code).toBe(0);
    expect(readStore(dir).flows[f.id]).toBeUndefined();
    expect(readStore(dir).current_flow_id).toBeNull();
  });
});

describe('output', () => {
  it('--version prints the version from package.json, with or without a command, and touches no store', () => {
    const dir = tempDir();
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    const text = flowSync(dir, ['--version']);
    expect(text.code).toBe(0);
    expect(text.stdout).toBe(`flow ${version} (flows.json format 3.0)\n`);
    expect(json(flowSync(dir, ['list', 'task', '--version', '--json']))).toEqual({ version, format: '3.0' });
    expect(existsSync(join(dir, 'flows.json'))).toBe(false);
  });

  it('has no colours when piped or under NO_COLOR, and colours when forced', () => {
    const { dir } = setup();
    flowSync(dir, ['add', 'task', 'x', '--priority', 'high']);
    expect(flowSync(dir, ['list', 'task']).stdout).not.toContain('\u001b[');
    expect(flowSync(dir, ['list', 'task'], { env: { NO_COLOR: undefined, FORCE_COLOR: '1' } }).stdout).toContain('\u001b[');
    expect(flowSync(dir, ['list', 'task', '--no-color'], { env: { NO_COLOR: undefined, FORCE_COLOR: '1' } }).stdout).not.toContain('\u001b[');
  });

  it('--json prints exactly one JSON document for every command that succeeds', () => {
    const { dir, a } = setup();
    for (const args of [
      ['add', 'task', 'x'],
      ['list', 'task'],
      ['list', 'plan'],
      ['list', 'flow'],
      ['show', 'plan', a.id],
      ['show', 'flow'],
      ['done', 'task', '1'],
      ['config', 'list'],
      ['help'],
      ['schema'],
    ]) {
      const r = flowSync(dir, [...args, '--json']);
      expect(r.code, args.join(' ')).toBe(0);
      expect(() => JSON.parse(r.stdout), args.join(' ')).not.toThrow();
    }
  });

  it('flow schema is the JSON Schema of the format, with the task statuses', () => {
    const dir = tempDir();
    const schema = json(flowSync(dir, ['schema']));
    expect(schema.$schema).toMatch(/json-schema/);
    expect(JSON.stringify(schema)).toContain('in_progress');
  });
});

describe('a reader that stops early', () => {
  it('flow list flow | head: no stack trace, the exit code is the command\'s', () => {
    const dir = tempDir();
    const { flows, ...header } = generateDocument(3000, 'small');
    writeFileSync(join(dir, 'flows.json'), serialiseDocument(header, Object.entries(flows)));
    // A real pipe into head, as a person types it; flow's own stderr and exit code kept apart.
    const script = '"$0" "$1" --dir "$2" list flow 2>"$2/err" | head -1; echo "${PIPESTATUS[0]}" >"$2/code"';
    const shown = spawnSync('bash', ['-c', script, process.execPath, FLOW_BIN, dir], { encoding: 'utf8' });
    expect(shown.stdout).toMatch(/^1\. /);
    expect(readFileSync(join(dir, 'err'), 'utf8')).toBe('');
    expect(readFileSync(join(dir, 'code'), 'utf8').trim()).toBe('0');
  });
});

describe('start-up', () => {
  /** The modules a run of `flow ARGS` resolves. */
  function loadedBy(dir: string, args: string[], input = ''): string[] {
    const result = spawnSync(process.execPath, ['--import', join(ROOT, 'test', 'workers', 'trace-imports.mjs'), FLOW_BIN, '--dir', dir, ...args], {
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1' },
      input,
    });
    expect(result.status, result.stderr).toBe(0);
    return result.stderr.split('\n');
  }
  const resolved = (lines: string[]) => lines.filter((l) => l.startsWith('[resolve] '));
  const INK = /node_modules\/(ink|react|ink-text-input|yoga)|dist\/tui\.js/;

  it('the command-line path loads neither Ink nor React, nor the MCP server', () => {
    const lines = loadedBy(tempDir(), ['add', 'flow', 'X']);
    // The entry and its loader are CommonJS (bin/package.json): no ES module is resolved
    // (the entry itself is, only because --import registered loader hooks).
    expect(resolved(lines).filter((l) => !l.endsWith('/bin/flow.js'))).toEqual([]);
    const required = lines.filter((l) => l.startsWith('[require] '));
    expect(required).toContain('[require] ./load-cli.js');
    expect(required.filter((l) => INK.test(l) || l.includes('dist/mcp.js'))).toEqual([]);
    // The script is one bundle: besides the entry and the loader, what it requires are Node's own modules.
    const others = required.filter((l) => !l.endsWith('/bin/flow.js') && l !== '[require] ./load-cli.js');
    expect(others.length).toBeGreaterThan(0);
    expect(others.filter((l) => !/^\[require\] (node:)?[a-z_/]+$/.test(l))).toEqual([]);
  });

  it('the code cache is read under the flags it was made with, and the tiering budget applies after it', () => {
    // A second load after deferOptimisation() has its cache rejected: V8's flags changed.
    const script = `const l = require(${JSON.stringify(join(ROOT, 'bin', 'load-cli.js'))});
      const first = l.loadScript('complete').script.cachedDataRejected;
      l.deferOptimisation();
      console.log(JSON.stringify([first, l.loadScript('complete').script.cachedDataRejected]));`;
    const result = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toEqual([false, true]);
    // flow sets it for a command, not for --version nor the MCP server, which runs until stopped (the workspace: e2e) ...
    const probe = join(ROOT, 'test', 'workers', 'tiering-probe.cjs');
    const flowWith = (args: string[]) => spawnSync(process.execPath, ['-r', probe, FLOW_BIN, ...args], { encoding: 'utf8', input: '' });
    const dir = tempDir();
    expect(flowWith(['--dir', dir, 'list', 'flow']).stderr).toBe('flags set: --interrupt-budget=135168, changed: true\n');
    expect(flowWith(['--version']).stderr).toBe('flags set: none, changed: false\n');
    expect(flowWith(['--dir', dir, 'mcp']).stderr).toBe('flags set: none, changed: false\n');
    // ... and the deprecated binding it uses says nothing, whatever Node is told about deprecations.
    for (const options of ['', '--no-deprecation', '--pending-deprecation --throw-deprecation']) {
      const run = spawnSync(process.execPath, [FLOW_BIN, '--dir', dir, 'list', 'flow'], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: options } });
      expect(run.status, options).toBe(0);
      expect(run.stderr, options).toBe('');
    }
  });

  it('a command that only reads takes no signal handlers and loads no module it does not use', () => {
    const dir = tempDir();
    expect(flowSync(dir, ['add', 'flow', 'F']).code).toBe(0);
    // The lock library hooks signals for its clean-up when loaded: only a writer needs it.
    const script = `const l = require(${JSON.stringify(join(ROOT, 'bin', 'load-cli.js'))});
      Promise.resolve(l.loadCli().cli.run(['--dir', ${JSON.stringify(dir)}, 'list', 'flow', '--quiet'])).then((code) => {
        const loaded = process.moduleLoadList.filter((m) => /^NativeModule (os|url|string_decoder)$/.test(m));
        console.log(JSON.stringify({ code, sigint: process.listenerCount('SIGINT'), loaded }));
      });`;
    const result = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
    expect(result.stderr).toBe('');
    // node:url is loaded at every start-up anyway; node:os and the decoder of hook output are not.
    expect(JSON.parse(result.stdout)).toEqual({ code: 0, sigint: 0, loaded: ['NativeModule url'] });
  });

  it('flow mcp loads its own bundle and neither Ink nor React', () => {
    const loaded = resolved(loadedBy(tempDir(), ['mcp'], `${JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' })}\n`));
    expect(loaded.some((l) => l.endsWith('dist/mcp.js'))).toBe(true);
    expect(loaded.filter((l) => INK.test(l))).toEqual([]);
  });

  it('each bundle holds only its own dependencies: the MCP SDK in mcp.js, Ink in tui.js', () => {
    const sources = (file: string): string[] => JSON.parse(readFileSync(join(ROOT, 'dist', `${file}.map`), 'utf8')).sources;
    const sdk = (s: string) => s.includes('node_modules/@modelcontextprotocol/');
    const ink = (s: string) => /node_modules\/(ink|react)\//.test(s);
    expect(sources('cli.cjs').filter((s) => sdk(s) || ink(s))).toEqual([]);
    expect(sources('mcp.js').some(sdk)).toBe(true);
    expect(sources('mcp.js').filter(ink)).toEqual([]);
  });
});
