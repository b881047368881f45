// DESIGN §8 "Data is never code", for the settings besides hooks that flow runs as shell
// commands: search.embed_command and the command storage backend's put/get. A checked-in
// config.json carrying them runs nothing until the person trusts it (search falls back to
// ranking by words, a command backend refuses with exit 1); any change to them revokes.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { flowSync, json, tempDir, type RunResult } from '../helpers.js';

interface Clone {
  dir: string;
  plan: string;
  marker: string;
  run(...args: string[]): RunResult;
  file(name: string, bytes: number): string;
  editConfig(change: (config: any) => void): void;
}

function clone(): Clone {
  const root = tempDir('flow-trust-commands-');
  const dir = join(root, '.flow');
  const home = join(root, 'home');
  const marker = join(root, 'ran.txt');
  const run = (...args: string[]) => flowSync(dir, args, { env: { HOME: home, XDG_CONFIG_HOME: join(home, 'config') } });
  json(run('add', 'flow', 'Cloned', '--json'));
  const plan = json(run('add', 'plan', 'Vehicles', '--json')).id;
  json(run('add', 'task', 'car engine', '--json'));
  json(run('add', 'task', 'car wheels', '--json'));
  // A deterministic embedder that leaves a mark each time it runs.
  const embedder = join(root, 'embed.cjs');
  writeFileSync(
    embedder,
    `require('fs').appendFileSync(${JSON.stringify(marker)}, 'embed\\n');\n` +
      `for (const line of require('fs').readFileSync(0, 'utf8').split('\\n').filter(Boolean)) console.log(JSON.stringify([line.length % 7, 1]));\n`,
  );
  const remote = join(root, 'remote');
  mkdirSync(remote);
  // What the clone brought along: config.json with an embedder and a command backend.
  writeFileSync(
    join(dir, 'config.json'),
    JSON.stringify({
      documents: {
        large_mb: 0.0001,
        storage: 'command',
        command: {
          put: `echo put >> ${marker}; cp "$FLOW_DOC_FILE" ${remote}/"$FLOW_DOC_SHA256"`,
          get: `echo get >> ${marker}; cp ${remote}/"$FLOW_DOC_SHA256" "$FLOW_DOC_FILE"`,
        },
      },
      search: { embed_command: `${process.execPath} ${embedder}` },
    }),
  );
  let n = 0;
  return {
    dir,
    plan,
    marker,
    run,
    file(name, bytes) {
      const path = join(root, name);
      writeFileSync(path, Buffer.alloc(bytes, ++n));
      return path;
    },
    editConfig(change) {
      const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
      change(config);
      writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
    },
  };
}

const ran = (c: Clone): string[] => (existsSync(c.marker) ? readFileSync(c.marker, 'utf8').trim().split('\n') : []);
const howToTrust = (r: RunResult): string[] => r.stderr.split('\n').filter((l) => l.includes('flow trust hooks'));

describe('commands that came with the data', () => {
  it('run nothing until trusted: search ranks by words alone, a command backend refuses (exit 1) and stores nothing', () => {
    const c = clone();
    const search = c.run('search', 'car', '--json');
    expect(search.code, search.stderr).toBe(0);
    expect(json(search).map((h: { title: string }) => h.title).sort()).toEqual(['car engine', 'car wheels']);
    expect(howToTrust(search)).toHaveLength(1);
    expect(howToTrust(search)[0]).toMatch(/search\.embed_command in config\.json did not run \(not trusted here\)/);

    const add = c.run('add', 'doc', c.file('big.bin', 1000), '--plan', c.plan);
    expect(add.code).toBe(1);
    expect(add.stderr).toMatch(/documents\.command\.put in config\.json did not run \(not trusted here\); review and trust it with `flow trust hooks`/);
    expect(json(c.run('list', 'doc', '--all', '--json'))).toEqual([]);
    const large = join(c.dir, 'documents', 'large');
    expect(existsSync(large) ? readdirSync(large) : [], 'no content stored').toEqual([]);
    expect(ran(c), 'nothing ran').toEqual([]);

    // flow trust hooks lists every command, and trusting runs none of them.
    const asked = c.run('trust', 'hooks');
    expect(asked.code).toBe(2);
    expect(asked.stderr).toContain('search.embed_command: ');
    expect(asked.stderr).toContain('documents.command.put: echo put');
    expect(asked.stderr).toContain('documents.command.get: echo get');
    const trusted = json(c.run('trust', 'hooks', '--yes', '--json'));
    expect(trusted.trusted).toBe(true);
    expect(trusted.commands.map((x: { setting: string }) => x.setting)).toEqual(['documents.command.put', 'documents.command.get', 'search.embed_command']);
    expect(ran(c)).toEqual([]);

    const searched = c.run('search', 'car');
    expect(searched.code, searched.stderr).toBe(0);
    expect(howToTrust(searched)).toEqual([]);
    const added = c.run('add', 'doc', c.file('big.bin', 1000), '--plan', c.plan, '--json');
    expect(added.code, added.stderr).toBe(0);
    expect(json(added).storage_type).toBe('command');
    expect(ran(c)).toEqual(['embed', 'put']);
  });

  it('any change to them by another writer revokes the trust, of the hooks too', () => {
    const c = clone();
    c.editConfig((config) => (config.hooks = { on_command: [`echo on_command >> ${c.marker}`] }));
    expect(c.run('trust', 'hooks', '--yes').stdout).toMatch(/Trusted 1 hook and 3 commands/);
    expect(c.run('list', 'flow').code).toBe(0);
    expect(ran(c)).toEqual(['on_command']);

    c.editConfig((config) => (config.search.embed_command += ' --sneaked'));
    const search = c.run('search', 'car');
    expect(search.code).toBe(0);
    expect(howToTrust(search), 'the embedder and the on_command hook each say so once').toHaveLength(2);
    const add = c.run('add', 'doc', c.file('big.bin', 1000), '--plan', c.plan);
    expect(add.code).toBe(1);
    expect(add.stderr).toMatch(/documents\.command\.put in config\.json did not run/);
    expect(ran(c), 'nothing more ran').toEqual(['on_command']);

    // Back to exactly what was trusted: that is what the person trusted.
    c.editConfig((config) => (config.search.embed_command = config.search.embed_command.replace(' --sneaked', '')));
    expect(c.run('search', 'car').code).toBe(0);
    expect(ran(c)).toEqual(['on_command', 'embed', 'on_command']);
  });

  it('a command the person sets with `flow config set` is trusted; it vouches for nothing another writer left', () => {
    const c = clone();
    const embed = JSON.parse(readFileSync(join(c.dir, 'config.json'), 'utf8')).search.embed_command;
    writeFileSync(join(c.dir, 'config.json'), '{}');
    expect(c.run('config', 'set', 'search.embed_command', embed).code).toBe(0);
    const mine = c.run('search', 'car');
    expect(howToTrust(mine)).toEqual([]);
    expect(ran(c)).toEqual(['embed']);

    // Another writer plants a backend beside it: setting the embedder again vouches for neither.
    c.editConfig((config) => (config.documents = { large_mb: 0.0001, storage: 'command', command: { put: `echo put >> ${c.marker}`, get: '' } }));
    expect(c.run('config', 'set', 'search.embed_command', `${embed} --again`).code).toBe(0);
    expect(howToTrust(c.run('search', 'car'))).toHaveLength(1);
    expect(c.run('add', 'doc', c.file('big.bin', 1000), '--plan', c.plan).code).toBe(1);
    expect(ran(c)).toEqual(['embed']);
  });
});
