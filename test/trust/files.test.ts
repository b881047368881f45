// Links, permissions and system errors (issue 10 item 9): a symlinked flows.json is
// written through, a read-only one (or folder) is read but not written, an unreadable
// one is reported (never quarantined), and every system error has its own code. The
// second-uid and read-only file system cases need root (they run here as root).
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FLOW_BIN, flowSync, json, tempDir, type RunResult } from '../helpers.js';
import { isRoot, mountTmpfs } from './tmpfs.js';

const NOBODY = 65534;

/** The JSON error a `--json` command printed last on stderr. */
function jsonError(r: RunResult): { code: string; message: string; errno?: string } {
  return JSON.parse(r.stderr.trim().split('\n').pop() as string).error;
}

function storeWithFlow(): string {
  const dir = join(tempDir('flow-files-'), '.flow');
  mkdirSync(dir);
  expect(flowSync(dir, ['add', 'flow', 'Start']).code).toBe(0);
  return dir;
}

const leftovers = (dir: string) => readdirSync(dir).filter((n) => n.includes('.tmp-') || n.endsWith('.lock') || n.includes('.corrupt.'));

describe('a symlinked flows.json', () => {
  it('is written through: the link stays, the file it points to changes, the temp file goes beside it', () => {
    const root = tempDir('flow-link-');
    const elsewhere = join(root, 'elsewhere');
    const dir = join(root, '.flow');
    mkdirSync(elsewhere);
    mkdirSync(dir);
    const real = join(elsewhere, 'store.json');
    expect(flowSync(elsewhere, ['add', 'flow', 'Shared'], {}).code).toBe(0);
    execFileSync('mv', [join(elsewhere, 'flows.json'), real]);
    symlinkSync('../elsewhere/store.json', join(dir, 'flows.json'));
    const before = JSON.parse(readFileSync(real, 'utf8')).meta.file_revision;

    const added = flowSync(dir, ['--json', 'add', 'plan', 'Through the link']);
    expect(added.code, added.stderr).toBe(0);
    expect(lstatSync(join(dir, 'flows.json')).isSymbolicLink(), 'the link stays a link').toBe(true);
    expect(readlinkSync(join(dir, 'flows.json'))).toBe('../elsewhere/store.json');
    const doc = JSON.parse(readFileSync(real, 'utf8'));
    expect(doc.meta.file_revision).toBe(before + 1);
    expect(Object.values<any>(doc.flows)[0].plans.map((p: any) => p.title)).toEqual(['Through the link']);
    expect(leftovers(dir)).toEqual([]);
    expect(leftovers(elsewhere)).toEqual([]);
    expect(json(flowSync(dir, ['--json', 'list', 'plan'])).map((p: any) => p.title)).toEqual(['Through the link']);
  });

  it('that leads nowhere is refused clearly (exit 1): no file is created at its target', () => {
    const root = tempDir('flow-link-');
    const dir = join(root, '.flow');
    mkdirSync(dir);
    symlinkSync('../nowhere/store.json', join(dir, 'flows.json'));
    mkdirSync(join(root, 'nowhere'));
    const r = flowSync(dir, ['--json', 'add', 'flow', 'X']);
    expect(r.code).toBe(1);
    expect(jsonError(r)).toMatchObject({ code: 'invalid' });
    expect(jsonError(r).message).toMatch(/flows\.json is a symbolic link to \.\.\/nowhere\/store\.json, which does not exist/);
    expect(readdirSync(join(root, 'nowhere'))).toEqual([]);
    expect(lstatSync(join(dir, 'flows.json')).isSymbolicLink()).toBe(true);
  });

  it('to a damaged file outside the data directory: that file is never moved or replaced (exit 5)', () => {
    const root = tempDir('flow-link-');
    const dir = join(root, '.flow');
    mkdirSync(dir);
    const outside = join(root, 'notes.txt');
    writeFileSync(outside, 'my own notes, not a store\n');
    symlinkSync(outside, join(dir, 'flows.json'));
    const r = flowSync(dir, ['list', 'flow']);
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(/left exactly as it was/);
    expect(readFileSync(outside, 'utf8')).toBe('my own notes, not a store\n');
    expect(readdirSync(root).sort()).toEqual(['.flow', 'notes.txt']);
    expect(lstatSync(join(dir, 'flows.json')).isSymbolicLink()).toBe(true);
  });
});

describe('read-only', () => {
  it('a flows.json without write permission: reads work, writes exit 1 with "read-only", nothing changes', () => {
    const dir = storeWithFlow();
    const file = join(dir, 'flows.json');
    chmodSync(file, 0o444);
    const bytes = readFileSync(file);
    expect(flowSync(dir, ['list', 'flow']).code).toBe(0);
    const r = flowSync(dir, ['--json', 'add', 'flow', 'No']);
    expect(r.code).toBe(1);
    expect(jsonError(r).code).toBe('read_only');
    const plain = flowSync(dir, ['add', 'flow', 'No']);
    expect(plain.stderr).toMatch(/^flow: flows\.json is read-only/m);
    expect(readFileSync(file).equals(bytes)).toBe(true);
    expect(statSync(file).mode & 0o777).toBe(0o444);
  });

  it('a read-only folder: reads work, writes exit 1 with "read-only"; damage met there is left as it is (exit 5)', () => {
    const dir = storeWithFlow();
    chmodSync(dir, 0o555);
    try {
      expect(flowSync(dir, ['list', 'flow']).code).toBe(0);
      const r = flowSync(dir, ['--json', 'add', 'flow', 'No']);
      expect(r.code).toBe(1);
      expect(jsonError(r)).toMatchObject({ code: 'read_only' });
      expect(jsonError(r).message).toMatch(/the folder of flows\.json is read-only/);
      chmodSync(dir, 0o755);
      writeFileSync(join(dir, 'flows.json'), '{ damaged');
      chmodSync(dir, 0o555);
      const met = flowSync(dir, ['--json', 'list', 'flow']);
      expect(met.code).toBe(5);
      expect(jsonError(met).message).toMatch(/read-only.*left exactly as it was/);
      expect(readFileSync(join(dir, 'flows.json'), 'utf8')).toBe('{ damaged');
      // cache/ (the save log) came with the first write, before the folder was made read-only.
      expect(readdirSync(dir).sort()).toEqual(['cache', 'context.json', 'flows.json', 'undo']);
    } finally {
      chmodSync(dir, 0o755);
    }
  });
});

describe('system errors have their own codes, never "internal"', () => {
  it('name too long and not a directory', () => {
    const root = tempDir('flow-errno-');
    const long = join(root, 'x'.repeat(300));
    const tooLong = flowSync(long, ['--json', 'add', 'flow', 'X']);
    expect(tooLong.code).toBe(1);
    expect(jsonError(tooLong)).toMatchObject({ code: 'name_too_long', errno: 'ENAMETOOLONG' });
    writeFileSync(join(root, 'file'), 'a file');
    for (const args of [['list', 'flow'], ['add', 'flow', 'X']]) {
      const r = flowSync(join(root, 'file', '.flow'), ['--json', ...args]);
      expect(r.code, args.join(' ')).toBe(1);
      expect(jsonError(r)).toMatchObject({ code: 'not_a_directory', errno: 'ENOTDIR' });
    }
    const plain = flowSync(join(root, 'file', '.flow'), ['list', 'flow']);
    expect(plain.stderr).toMatch(/^flow: a part of the path is a file, not a folder: could not (open|look at) \S+file\/\.flow/m);
  });
});

describe.skipIf(!isRoot)('as another user, and on a read-only file system (root)', () => {
  function asNobody(dir: string, args: readonly string[]): RunResult {
    const r = spawnSync(process.execPath, [FLOW_BIN, '--dir', dir, ...args], {
      uid: NOBODY,
      gid: NOBODY,
      encoding: 'utf8',
      env: { PATH: process.env.PATH, NO_COLOR: '1', HOME: '/nonexistent' },
      input: '',
    });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  }

  function sharedStore(): string {
    const dir = storeWithFlow();
    chmodSync(join(dir, '..'), 0o755);
    return dir;
  }

  it('an unreadable store: permission_denied (exit 1), never quarantined', () => {
    const dir = sharedStore();
    chmodSync(join(dir, 'flows.json'), 0o600);
    const bytes = readFileSync(join(dir, 'flows.json'));
    for (const args of [['list', 'flow'], ['add', 'flow', 'X']]) {
      const r = asNobody(dir, ['--json', ...args]);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(1);
      expect(jsonError(r)).toMatchObject({ code: 'permission_denied', errno: 'EACCES' });
    }
    expect(asNobody(dir, ['list', 'flow']).stderr).toMatch(/^flow: permission denied: could not open \S+flows\.json/m);
    expect(readFileSync(join(dir, 'flows.json')).equals(bytes)).toBe(true);
    expect(leftovers(dir)).toEqual([]);
  });

  it('a folder this user may not write: reads work, writes are permission_denied (exit 1)', () => {
    const dir = sharedStore();
    const bytes = readFileSync(join(dir, 'flows.json'));
    expect(asNobody(dir, ['list', 'flow']).code).toBe(0);
    const r = asNobody(dir, ['--json', 'add', 'flow', 'X']);
    expect(r.code).toBe(1);
    expect(jsonError(r)).toMatchObject({ code: 'permission_denied', errno: 'EACCES' });
    expect(readFileSync(join(dir, 'flows.json')).equals(bytes)).toBe(true);
  });

  it('a read-only file system: reads work, writes are read_only (exit 1)', () => {
    const mount = mountTmpfs();
    const dir = join(mount, '.flow');
    mkdirSync(dir);
    expect(flowSync(dir, ['add', 'flow', 'Before']).code).toBe(0);
    execFileSync('mount', ['-o', 'remount,ro', mount]);
    expect(json(flowSync(dir, ['--json', 'list', 'flow'])).map((f: any) => f.name)).toEqual(['Before']);
    const r = flowSync(dir, ['--json', 'add', 'flow', 'X']);
    expect(r.code).toBe(1);
    expect(jsonError(r)).toMatchObject({ code: 'read_only', errno: 'EROFS' });
    expect(flowSync(dir, ['add', 'flow', 'X']).stderr).toMatch(/^flow: the file system is read-only: could not create /m);
    expect(existsSync(join(dir, 'flows.json.lock'))).toBe(false);
    // Damage met there cannot be repaired: left exactly as it is (exit 5), saying why.
    execFileSync('mount', ['-o', 'remount,rw', mount]);
    writeFileSync(join(dir, 'flows.json'), '{ damaged');
    execFileSync('mount', ['-o', 'remount,ro', mount]);
    const met = flowSync(dir, ['--json', 'list', 'flow']);
    expect(met.code).toBe(5);
    expect(jsonError(met)).toMatchObject({ code: 'unreadable', cause: 'read_only' });
    expect(jsonError(met).message).toMatch(/left exactly as it was/);
    expect(readFileSync(join(dir, 'flows.json'), 'utf8')).toBe('{ damaged');
  });
});
