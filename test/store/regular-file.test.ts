// Side files and caches another writer replaced with a FIFO or a device are refused, not
// read: a FIFO would hang the command (or every Tab) waiting for a writer (DESIGN §8).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NotAFileError, openRegularFile, readFileInside } from '../../src/store/regular-file.js';
import { FLOW_BIN, flowSync, tempDir } from '../helpers.js';

const fifo = (path: string) => execFileSync('mkfifo', [path]);

describe('regular files only', () => {
  it('opens a file, refuses a FIFO without waiting for a writer, a device and a folder', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'file'), 'text');
    expect(readFileInside(join(dir, 'file'), 'a file').toString()).toBe('text');
    fifo(join(dir, 'fifo'));
    expect(() => openRegularFile(join(dir, 'fifo'))).toThrow(NotAFileError);
    expect(() => openRegularFile('/dev/zero')).toThrow(NotAFileError);
    mkdirSync(join(dir, 'folder'));
    expect(() => openRegularFile(join(dir, 'folder'))).toThrow(NotAFileError);
    // A link to a device outside the folder is refused before it is opened.
    symlinkSync('/dev/zero', join(dir, 'zero'));
    expect(() => readFileInside(join(dir, 'zero'), 'a link')).toThrow(/outside/);
  });

  it('a FIFO as context.json is reported (exit 1) instead of hanging the command', () => {
    const dir = join(tempDir(), '.flow');
    expect(flowSync(dir, ['add', 'flow', 'Alpha', '--quiet']).code).toBe(0);
    rmSync(join(dir, 'context.json'), { force: true });
    fifo(join(dir, 'context.json'));
    const result = spawnSync(process.execPath, [FLOW_BIN, '--dir', dir, 'list', 'flow'], { encoding: 'utf8', timeout: 20_000, env: { ...process.env, NO_COLOR: '1' } });
    expect(result.error).toBeUndefined();
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/context\.json is not a regular file/);
  });

  it('a FIFO as the summary cache or the completion index is passed over: list flow and Tab answer', () => {
    const dir = join(tempDir(), '.flow');
    expect(flowSync(dir, ['add', 'flow', 'Alpha', '--quiet']).code).toBe(0);
    mkdirSync(join(dir, 'cache'), { recursive: true });
    fifo(join(dir, 'cache', 'summaries.json'));
    fifo(join(dir, 'cache', 'completion.index'));
    const env = { ...process.env, NO_COLOR: '1', FLOW_DIR: dir };
    const listed = spawnSync(process.execPath, [FLOW_BIN, 'list', 'flow'], { encoding: 'utf8', timeout: 20_000, env });
    expect(listed.error).toBeUndefined();
    expect(listed.stdout).toContain('Alpha');
    for (let tab = 0; tab < 3; tab++) {
      const done = spawnSync(process.execPath, [FLOW_BIN, '__complete', 'bash', 'flow use flow '], { encoding: 'utf8', timeout: 20_000, env });
      expect(done.error).toBeUndefined();
      expect(done.stdout.split('\n').filter(Boolean)).toEqual(['Alpha']);
    }
  });
});
