// A small real tmpfs for the root-only cases (a full disk, a read-only file system),
// unmounted after the test file even when its tests fail.
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { afterAll } from 'vitest';
import { tempDir } from '../helpers.js';

export const isRoot = process.getuid?.() === 0;

const mounts: string[] = [];
afterAll(() => {
  for (const mount of mounts) {
    try {
      execFileSync('umount', ['-l', mount]);
    } catch {
      // already gone
    }
    rmSync(mount, { recursive: true, force: true });
  }
});

export function mountTmpfs(size = '1m'): string {
  const mount = tempDir('flow-tmpfs-');
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', mount]);
  mounts.push(mount);
  return mount;
}
