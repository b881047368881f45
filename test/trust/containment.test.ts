// DESIGN §8 "Data never reaches outside": hostile entries in side files (snapshot index,
// snapshot contents, the git backend, undo log, history, theme, session, links) touch
// nothing outside .flow/. Every case checks a canary file next to .flow/ and the listing
// of everything outside .flow/, before and after.
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { PromptHistory } from '../../src/tui/history.js';
import { loadTheme } from '../../src/tui/theme.js';
import { flowSync, json, tempDir, type RunResult } from '../helpers.js';

const CANARY = 'canary: nothing may read, copy, change or delete me\n';

interface Scene {
  root: string;
  dir: string;
  canary: string;
  /** Everything outside .flow/: path → sha256 of its bytes (or "dir"). */
  outside(): Record<string, string>;
}

function scene(): Scene {
  const root = tempDir('flow-contain-');
  const dir = join(root, 'project', '.flow');
  mkdirSync(dir, { recursive: true });
  const canary = join(root, 'canary.txt');
  writeFileSync(canary, CANARY);
  const outside = () => {
    const out: Record<string, string> = {};
    const walk = (at: string) => {
      for (const entry of readdirSync(at, { withFileTypes: true })) {
        const path = join(at, entry.name);
        if (path === dir) continue;
        if (entry.isDirectory()) {
          out[relative(root, path)] = 'dir';
          walk(path);
        } else {
          out[relative(root, path)] = createHash('sha256').update(readFileSync(path)).digest('hex');
        }
      }
    };
    walk(root);
    return out;
  };
  return { root, dir, canary, outside };
}

/** Runs the attack, then checks the canary and that nothing outside .flow/ appeared, changed or went. */
function untouched(s: Scene, attack: () => void): void {
  const before = s.outside();
  attack();
  expect(readFileSync(s.canary, 'utf8'), 'the canary is unchanged').toBe(CANARY);
  expect(s.outside(), 'nothing outside .flow/ changed').toEqual(before);
}

const noCanaryIn = (r: RunResult) => expect(`${r.stdout}${r.stderr}`).not.toContain('nothing may read');

function withSnapshots(s: Scene, count: number): any[] {
  if (!existsSync(join(s.dir, 'flows.json'))) {
    expect(flowSync(s.dir, ['add', 'flow', 'F']).code).toBe(0);
    expect(flowSync(s.dir, ['add', 'plan', 'P']).code).toBe(0);
  }
  for (let i = 0; i < count; i++) {
    expect(flowSync(s.dir, ['add', 'task', `t${i}`]).code).toBe(0);
    expect(flowSync(s.dir, ['snapshot', 'create', '--label', `s${i}`]).code).toBe(0);
  }
  return readIndex(s).snapshots;
}

const indexFile = (s: Scene) => join(s.dir, 'snapshots', 'index.json');
const readIndex = (s: Scene) => JSON.parse(readFileSync(indexFile(s), 'utf8'));
const writeIndex = (s: Scene, index: unknown) => writeFileSync(indexFile(s), JSON.stringify(index, null, 2));

describe('snapshot index entries', () => {
  it('1. a file "../../../canary.txt": `snapshot rm` removes the entry and deletes nothing outside', () => {
    const s = scene();
    const [first] = withSnapshots(s, 1);
    const index = readIndex(s);
    index.snapshots[0].file = '../../../canary.txt';
    writeIndex(s, index);
    untouched(s, () => expect(flowSync(s.dir, ['snapshot', 'rm', first.id]).code).toBe(0));
    expect(readIndex(s).snapshots).toEqual([]);
  });

  it('2. the same met by retention during an ordinary `rm plan`', () => {
    const s = scene();
    withSnapshots(s, 2);
    const index = readIndex(s);
    index.snapshots[0].file = '../../../canary.txt';
    index.snapshots[0].storage = 'base';
    writeIndex(s, index);
    expect(flowSync(s.dir, ['config', 'set', 'snapshots.keep', '1']).code).toBe(0);
    untouched(s, () => {
      const r = flowSync(s.dir, ['rm', 'plan', '1', '--yes']);
      expect(r.code, r.stderr).toBe(0);
    });
  });

  it('3. an absolute file: show, diff and restore refuse it as damaged and read nothing', () => {
    const s = scene();
    const [first] = withSnapshots(s, 1);
    const index = readIndex(s);
    index.snapshots[0].file = s.canary;
    writeIndex(s, index);
    untouched(s, () => {
      for (const args of [['snapshot', 'show', first.id], ['snapshot', 'diff', first.id], ['snapshot', 'restore', first.id, '--yes']]) {
        const r = flowSync(s.dir, args);
        expect(r.code, args.join(' ')).toBe(1);
        expect(r.stderr).toMatch(/is damaged \(not of the expected form\)/);
        noCanaryIn(r);
      }
    });
  });

  it('4. a dependent whose id climbs out: re-basing it when its parent goes writes nothing outside', () => {
    const s = scene();
    // A baseline big enough that the next snapshot is stored as a patch against it.
    expect(flowSync(s.dir, ['add', 'flow', 'Big']).code).toBe(0);
    expect(flowSync(s.dir, ['add', 'plan', 'P']).code).toBe(0);
    expect(flowSync(s.dir, ['add', 'task', 'long', '--notes', randomBytes(15_000).toString('base64')]).code).toBe(0);
    const [first, second] = withSnapshots(s, 2).slice(-2);
    expect(second.parent).toBe(first.id);
    const index = readIndex(s);
    index.snapshots[1].id = '../../../pwned';
    writeIndex(s, index);
    untouched(s, () => expect(flowSync(s.dir, ['snapshot', 'rm', first.id]).code).toBe(0));
  });

  it('5. a migration entry whose file climbs out is neither shown nor restored', () => {
    const s = scene();
    withSnapshots(s, 1);
    const index = readIndex(s);
    index.snapshots.push({ ...index.snapshots[0], id: 'snap_migration_x', storage: 'migration', kind: 'migration', file: '../../canary.txt' });
    writeIndex(s, index);
    untouched(s, () => {
      for (const args of [['snapshot', 'show', 'snap_migration_x'], ['snapshot', 'restore', 'snap_migration_x', '--yes']]) {
        const r = flowSync(s.dir, args);
        expect(r.code).toBe(1);
        noCanaryIn(r);
      }
    });
  });

  it('6. index.json itself a link to a file outside: refused, not read, not rewritten', () => {
    const s = scene();
    withSnapshots(s, 1);
    unlinkSync(indexFile(s));
    symlinkSync(s.canary, indexFile(s));
    untouched(s, () => {
      for (const args of [['snapshot', 'list'], ['snapshot', 'create']]) {
        const r = flowSync(s.dir, args);
        expect(r.code, args.join(' ')).toBe(1);
        expect(r.stderr).toMatch(/a symbolic link leads outside/);
        noCanaryIn(r);
      }
    });
  });
});

describe('snapshot contents (documents by hash)', () => {
  /** A snapshot whose stored state lists `documents`, written as the files backend does. */
  function plantDocuments(s: Scene, documents: Record<string, string>): string {
    const [first] = withSnapshots(s, 1);
    const base = join(s.dir, 'snapshots', first.file);
    // A baseline is one line of the other parts, then flows.json's bytes as they were.
    const body = execFileSync('gzip', ['-dc', base]).toString('utf8');
    const newline = body.indexOf('\n');
    const side = JSON.parse(body.slice(0, newline));
    side.documents = documents;
    writeFileSync(base, gzipSync(`${JSON.stringify(side)}\n${body.slice(newline + 1)}`));
    return first.id;
  }

  it('7. a content hash that climbs out: a restore copies nothing in', () => {
    const s = scene();
    const id = plantDocuments(s, { 'stolen.txt': '../../../../canary.txt' });
    untouched(s, () => expect(flowSync(s.dir, ['snapshot', 'restore', id, '--yes']).code).toBe(0));
    expect(existsSync(join(s.dir, 'documents', 'stolen.txt'))).toBe(false);
  });

  it('8. a document path that climbs out, or leads out through a linked folder: a restore writes nothing there', () => {
    const s = scene();
    const bytes = Buffer.from('blob');
    const hash = createHash('sha256').update(bytes).digest('hex');
    mkdirSync(join(s.dir, 'snapshots', 'blobs', hash.slice(0, 2)), { recursive: true });
    const outsideDir = join(s.root, 'outside-dir');
    mkdirSync(outsideDir);
    const id = plantDocuments(s, { '../../../escaped.txt': hash, 'evil/inside.txt': hash });
    writeFileSync(join(s.dir, 'snapshots', 'blobs', hash.slice(0, 2), hash), bytes);
    mkdirSync(join(s.dir, 'documents'), { recursive: true });
    symlinkSync(outsideDir, join(s.dir, 'documents', 'evil'));
    untouched(s, () => expect(flowSync(s.dir, ['snapshot', 'restore', id, '--yes']).code).toBe(0));
    expect(readdirSync(outsideDir)).toEqual([]);
  });

  it('9. a document that is a link to a file outside is not copied into the snapshots', () => {
    const s = scene();
    expect(flowSync(s.dir, ['add', 'flow', 'F']).code).toBe(0);
    mkdirSync(join(s.dir, 'documents'), { recursive: true });
    symlinkSync(s.canary, join(s.dir, 'documents', 'link.txt'));
    untouched(s, () => expect(flowSync(s.dir, ['snapshot', 'create']).code).toBe(0));
    const hash = createHash('sha256').update(CANARY).digest('hex');
    expect(existsSync(join(s.dir, 'snapshots', 'blobs', hash.slice(0, 2), hash))).toBe(false);
  });
});

describe('the git backend', () => {
  function gitSnapshots(s: Scene): any[] {
    expect(flowSync(s.dir, ['config', 'set', 'snapshots.backend', 'git']).code).toBe(0);
    return withSnapshots(s, 1);
  }

  it('10. a commit value "--output=…" is refused: git writes nothing', () => {
    const s = scene();
    const [first] = gitSnapshots(s);
    const index = readIndex(s);
    index.snapshots[0].commit = `--output=${join(s.root, 'pwned')}`;
    writeIndex(s, index);
    untouched(s, () => {
      const r = flowSync(s.dir, ['snapshot', 'show', first.id]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/git commit .* is damaged \(not a commit id\)/);
    });
    expect(existsSync(join(s.root, 'pwned'))).toBe(false);
  });

  it('11. snapshots/git without its .git inside the user’s repository: git never acts on that repository', () => {
    const s = scene();
    const project = join(s.root, 'project');
    const git = (...args: string[]) => execFileSync('git', ['-C', project, ...args], { encoding: 'utf8' });
    git('init', '-q');
    git('-c', 'user.name=u', '-c', 'user.email=u@x', 'commit', '-q', '--allow-empty', '-m', 'user work');
    const [first] = gitSnapshots(s);
    git('tag', first.id);
    execFileSync('rm', ['-rf', join(s.dir, 'snapshots', 'git', '.git')]);
    const r = flowSync(s.dir, ['snapshot', 'rm', first.id]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/is not the git repository flow keeps snapshots in/);
    expect(git('tag', '--list').trim(), 'the user’s tag is still there').toBe(first.id);
  });

  it('12. a repository config with settings flow did not write (fsmonitor, filters) is refused: nothing runs', () => {
    const s = scene();
    gitSnapshots(s);
    const pwned = join(s.root, 'pwned');
    const config = join(s.dir, 'snapshots', 'git', '.git', 'config');
    writeFileSync(config, `${readFileSync(config, 'utf8')}[core]\n\tfsmonitor = touch ${pwned}\n[filter "x"]\n\tclean = touch ${pwned}\n`);
    writeFileSync(join(s.dir, 'snapshots', 'git', '.gitattributes'), '* filter=x\n');
    const hook = join(s.dir, 'snapshots', 'git', '.git', 'hooks', 'pre-commit');
    writeFileSync(hook, `#!/bin/sh\ntouch ${pwned}\n`, { mode: 0o755 });
    const r = flowSync(s.dir, ['snapshot', 'create']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/has settings flow did not write \(core\.fsmonitor, filter\.x\.clean\)/);
    expect(existsSync(pwned)).toBe(false);
  });
});

describe('undo log, history, theme, session, side files', () => {
  it('13. an undo log that is a link to a file outside: nothing is appended to it, the change is still saved', () => {
    const s = scene();
    expect(flowSync(s.dir, ['add', 'flow', 'F']).code).toBe(0);
    unlinkSync(join(s.dir, 'undo', 'default.jsonl'));
    symlinkSync(s.canary, join(s.dir, 'undo', 'default.jsonl'));
    untouched(s, () => {
      const r = flowSync(s.dir, ['add', 'flow', 'G']);
      expect(r.code).toBe(0);
      expect(r.stderr).toMatch(/could not record the change for undo: undo log .* is damaged/);
      const undo = flowSync(s.dir, ['undo']);
      expect(undo.code).toBe(1);
      noCanaryIn(undo);
    });
  });

  it('14. an undo entry holding a flow under another flow’s key is not undone', () => {
    const s = scene();
    const f = json(flowSync(s.dir, ['--json', 'add', 'flow', 'F']));
    const log = join(s.dir, 'undo', 'default.jsonl');
    const [entry] = readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    entry.flows = { [f.id]: { before: { ...f, id: 'flow_someoneelse', name: 'hijacked' }, after: f } };
    writeFileSync(log, `${JSON.stringify(entry)}\n`);
    const before = readFileSync(join(s.dir, 'flows.json'));
    const r = flowSync(s.dir, ['undo']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/nothing to undo/);
    expect(readFileSync(join(s.dir, 'flows.json')).equals(before)).toBe(true);
  });

  it('15. a prompt history that is a link to a file outside (or a linked history folder) is neither read nor appended', () => {
    const s = scene();
    mkdirSync(join(s.dir, 'history'));
    symlinkSync(s.canary, join(s.dir, 'history', 'default.txt'));
    untouched(s, () => {
      const history = new PromptHistory(s.dir, 'default');
      expect(history.entries()).toEqual([]);
      history.add('list task');
      expect(history.entries()).toEqual(['list task']);
    });
    const other = scene();
    const outsideDir = join(other.root, 'elsewhere');
    mkdirSync(outsideDir);
    symlinkSync(outsideDir, join(other.dir, 'history'));
    untouched(other, () => new PromptHistory(other.dir, 'agent').add('add task x'));
    expect(readdirSync(outsideDir)).toEqual([]);
  });

  it('16. a theme name that climbs out, or a theme file that is a link out, is never read', () => {
    const s = scene();
    writeFileSync(join(s.root, 'evil.json'), JSON.stringify({ name: 'evil', tokens: {} }));
    untouched(s, () => {
      expect(() => loadTheme('../../evil', { dataDir: s.dir, noColor: false })).toThrow(/is not a theme name/);
      mkdirSync(join(s.dir, 'themes'));
      symlinkSync(join(s.root, 'evil.json'), join(s.dir, 'themes', 'mine.json'));
      expect(() => loadTheme('mine', { dataDir: s.dir, noColor: false })).toThrow(/no theme "mine"/);
    });
  });

  it('17. a session name that is a path is refused (exit 2): no file is made anywhere for it', () => {
    const s = scene();
    expect(flowSync(s.dir, ['add', 'flow', 'F']).code).toBe(0);
    untouched(s, () => {
      for (const session of ['../../../pwned', '__proto__', 'a/b', '']) {
        const r = flowSync(s.dir, ['--session', session, 'add', 'plan', 'P'], { env: { FLOW_SESSION: session || undefined } });
        if (session === '') continue; // empty means the default session
        expect(r.code, session).toBe(2);
        expect(r.stderr).toMatch(/a session name is 1 to 64 letters/);
      }
    });
    expect(readdirSync(join(s.dir, 'undo')).every((name) => name.startsWith('default.')), 'only the default session has a log').toBe(true);
  });

  it('18. context.json a link to a file outside: refused, not read, not written', () => {
    const s = scene();
    expect(flowSync(s.dir, ['add', 'flow', 'F']).code).toBe(0);
    unlinkSync(join(s.dir, 'context.json'));
    symlinkSync(s.canary, join(s.dir, 'context.json'));
    untouched(s, () => {
      for (const args of [['list', 'flow'], ['use', 'flow', 'F']]) {
        const r = flowSync(s.dir, args);
        expect(r.code, args.join(' ')).toBe(1);
        expect(r.stderr).toMatch(/context\.json .* is damaged \(a symbolic link leads outside/);
        noCanaryIn(r);
      }
    });
    expect(lstatSync(join(s.dir, 'context.json')).isSymbolicLink(), 'the link is left as it is').toBe(true);
  });
});
