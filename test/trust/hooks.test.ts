// DESIGN §8 "Data is never code": hooks that arrive with a .flow/ (a cloned repository,
// another writer) run only once trusted, and any change to them revokes the trust.
// Real processes, a real repository layout, the per-user folder in a temp dir.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FLOW_BIN, readStore, tempDir, waitFor, type RunResult } from '../helpers.js';

interface Repo {
  root: string;
  dir: string;
  marker: string;
  env: NodeJS.ProcessEnv;
}

/** A repository as a clone leaves it: .flow/config.json with hooks that leave a mark. */
function clonedRepo(): Repo {
  const root = tempDir('flow-trust-');
  const dir = join(root, 'repo', '.flow');
  mkdirSync(join(root, 'repo', 'src', 'deep'), { recursive: true });
  mkdirSync(dir);
  const marker = join(root, 'ran.txt');
  const hooks = {
    pre_save: [`echo pre_save >> ${marker}`],
    post_save: [`echo post_save >> ${marker}`],
    on_command: [`echo on_command >> ${marker}`],
  };
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ hooks }, null, 2));
  const home = join(root, 'home');
  return { root, dir, marker, env: { HOME: home, XDG_CONFIG_HOME: join(home, 'config') } };
}

/** `flow` run the way a person does: from a folder of the repository, no --dir. */
function flowIn(repo: Repo, args: readonly string[], cwd = join(repo.root, 'repo', 'src', 'deep')): RunResult {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', ...repo.env };
  delete env.FLOW_DIR;
  delete env.FLOW_SESSION;
  const r = spawnSync(process.execPath, [FLOW_BIN, ...args], { cwd, env, encoding: 'utf8', input: '' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const ran = (repo: Repo): string[] => (existsSync(repo.marker) ? readFileSync(repo.marker, 'utf8').trim().split('\n') : []);
const warnings = (r: RunResult): string[] => r.stderr.split('\n').filter((l) => l.includes('flow trust hooks'));

describe('hooks that came with the data', () => {
  it('run on no read or write command until trusted, from any subfolder; one line says how to trust them', () => {
    const repo = clonedRepo();
    const commands = [
      ['list', 'flow'],
      ['help'],
      ['snapshot', 'list'],
      ['add', 'flow', 'Cloned'],
      ['add', 'plan', 'P'],
      ['add', 'task', 'T'],
      ['show', 'flow'],
      ['snapshot', 'create'],
    ];
    for (const args of commands) {
      const r = flowIn(repo, args);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
      expect(warnings(r), args.join(' ')).toHaveLength(1);
    }
    expect(ran(repo), 'no hook ran').toEqual([]);
    // The writes happened (a pre_save hook that is not trusted cannot veto either).
    expect(Object.values<any>(readStore(repo.dir).flows).map((f) => f.name)).toEqual(['Cloned']);
    expect(existsSync(join(repo.dir, 'trusted-hooks.json')), 'nothing about trust is kept in .flow/').toBe(false);
  });

  it('`flow trust hooks` lists them and needs --yes off a terminal; then they run; --revoke stops them', () => {
    const repo = clonedRepo();
    const asked = flowIn(repo, ['trust', 'hooks']);
    expect(asked.code).toBe(2);
    expect(asked.stderr).toContain(`echo pre_save >> ${repo.marker}`);
    expect(asked.stderr).toContain(`echo on_command >> ${repo.marker}`);
    expect(asked.stderr).toMatch(/without --yes/);
    expect(flowIn(repo, ['add', 'flow', 'A']).code).toBe(0);
    expect(ran(repo)).toEqual([]);

    const trusted = flowIn(repo, ['trust', 'hooks', '--yes', '--json']);
    expect(trusted.code, trusted.stderr).toBe(0);
    expect(JSON.parse(trusted.stdout)).toMatchObject({ trusted: true, hooks: expect.arrayContaining([{ event: 'pre_save', command: `echo pre_save >> ${repo.marker}` }]) });
    expect(ran(repo), 'trusting runs nothing').toEqual([]);
    const r = flowIn(repo, ['add', 'flow', 'B']);
    expect(r.code, r.stderr).toBe(0);
    expect(warnings(r)).toEqual([]);
    expect(ran(repo)).toEqual(['pre_save', 'post_save', 'on_command']);
    const record = JSON.parse(readFileSync(join(repo.env.XDG_CONFIG_HOME as string, 'flow', 'trusted-hooks.json'), 'utf8'));
    expect(Object.keys(record.dirs)).toEqual([repo.dir]);

    expect(flowIn(repo, ['trust', 'hooks', '--revoke']).code).toBe(0);
    expect(flowIn(repo, ['add', 'flow', 'C']).code).toBe(0);
    expect(ran(repo), 'nothing more ran after --revoke').toEqual(['pre_save', 'post_save', 'on_command']);
  });

  // script(1) gives the command a terminal (util-linux; part of every Debian/Ubuntu base).
  it.skipIf(spawnSync('script', ['--version']).status !== 0)('on a terminal, `flow trust hooks` shows the commands and asks: no keeps them untrusted, yes trusts them', async () => {
    const repo = clonedRepo();
    /** The command on a pseudo-terminal (script(1)), answering once the question is shown. */
    const onTerminal = async (answer: string): Promise<{ code: number | null; out: string }> => {
      const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', ...repo.env };
      const command = `${process.execPath} ${FLOW_BIN} --dir ${repo.dir} trust hooks`;
      const child = spawn('script', ['-qec', command, '/dev/null'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
      await waitFor(() => out.includes('Trust them?'), { what: 'the question', timeoutMs: 20_000 });
      child.stdin.write(`${answer}\n`);
      return { code: await closed, out };
    };
    const no = await onTerminal('n');
    expect(no.out).toContain(`on_command: echo on_command >> ${repo.marker}`);
    expect(no.code).toBe(1);
    expect(flowIn(repo, ['list', 'flow']).code).toBe(0);
    expect(ran(repo)).toEqual([]);
    const yes = await onTerminal('y');
    expect(yes.code).toBe(0);
    expect(yes.out).toMatch(/Trusted 3 hooks/);
    expect(flowIn(repo, ['list', 'flow']).code).toBe(0);
    expect(ran(repo)).toEqual(['on_command']);
  });

  it('any change to the hooks by another writer revokes the trust', () => {
    const repo = clonedRepo();
    expect(flowIn(repo, ['trust', 'hooks', '--yes']).code).toBe(0);
    expect(flowIn(repo, ['list', 'flow']).code).toBe(0);
    expect(ran(repo)).toEqual(['on_command']);
    // Another writer (a pull, an agent) adds a command next to the trusted ones.
    const config = JSON.parse(readFileSync(join(repo.dir, 'config.json'), 'utf8'));
    config.hooks.on_command.push(`echo sneaked >> ${repo.marker}`);
    writeFileSync(join(repo.dir, 'config.json'), JSON.stringify(config));
    for (const args of [['list', 'flow'], ['add', 'flow', 'X']]) {
      const r = flowIn(repo, args);
      expect(r.code).toBe(0);
      expect(warnings(r)).toHaveLength(1);
    }
    expect(ran(repo), 'neither the new nor the formerly trusted hooks ran').toEqual(['on_command']);
    // Changing them back to exactly what was trusted is what the person trusted.
    config.hooks.on_command.pop();
    writeFileSync(join(repo.dir, 'config.json'), JSON.stringify(config));
    expect(flowIn(repo, ['list', 'flow']).code).toBe(0);
    expect(ran(repo)).toEqual(['on_command', 'on_command']);
  });

  it('trust belongs to the folder by its real path: a link to it is trusted, a copy is not', () => {
    const repo = clonedRepo();
    expect(flowIn(repo, ['trust', 'hooks', '--yes']).code).toBe(0);
    const link = join(repo.root, 'link-to-repo');
    symlinkSync(join(repo.root, 'repo'), link);
    expect(flowIn(repo, ['list', 'flow'], link).code).toBe(0);
    expect(ran(repo)).toEqual(['on_command']);
    const copy = join(repo.root, 'copy');
    cpSync(join(repo.root, 'repo'), copy, { recursive: true });
    const r = flowIn(repo, ['list', 'flow'], copy);
    expect(r.code).toBe(0);
    expect(warnings(r)).toHaveLength(1);
    expect(ran(repo), 'the copy ran nothing').toEqual(['on_command']);
  });

  it('without XDG_CONFIG_HOME the record is in ~/.config/flow', () => {
    const repo = clonedRepo();
    repo.env = { HOME: repo.env.HOME, XDG_CONFIG_HOME: undefined };
    expect(flowIn(repo, ['trust', 'hooks', '--yes']).code).toBe(0);
    expect(existsSync(join(repo.env.HOME as string, '.config', 'flow', 'trusted-hooks.json'))).toBe(true);
  });
});

describe('hooks the person sets with `flow config set`', () => {
  it('are trusted: they run', () => {
    const repo = clonedRepo();
    writeFileSync(join(repo.dir, 'config.json'), '{}');
    expect(flowIn(repo, ['config', 'set', 'hooks.post_save', `echo mine >> ${repo.marker}`]).code).toBe(0);
    const r = flowIn(repo, ['add', 'flow', 'A']);
    expect(warnings(r)).toEqual([]);
    expect(ran(repo)).toEqual(['mine']);
  });

  it('do not vouch for hooks another writer left that were not trusted', () => {
    const repo = clonedRepo();
    expect(flowIn(repo, ['config', 'set', 'hooks.post_save', `echo mine >> ${repo.marker}`]).code).toBe(0);
    const r = flowIn(repo, ['add', 'flow', 'A']);
    expect(r.code).toBe(0);
    expect(warnings(r)).toHaveLength(1);
    expect(ran(repo), 'neither the planted hooks nor the one set next to them ran').toEqual([]);
  });

  it('replacing the only untrusted hook with one of your own trusts yours', () => {
    const repo = clonedRepo();
    writeFileSync(join(repo.dir, 'config.json'), JSON.stringify({ hooks: { on_command: ['echo planted'] } }));
    expect(flowIn(repo, ['config', 'set', 'hooks.on_command', `echo mine >> ${repo.marker}`]).code).toBe(0);
    expect(flowIn(repo, ['list', 'flow']).code).toBe(0);
    expect(ran(repo)).toEqual(['mine', 'mine']);
  });
});
