// Writes the V8 code cache of the command line's bundle (DIR/cli.cache, see
// bin/load-cli.js): runs the commands most runs are made of, in a store of its own, so
// the functions they compile are in the cache. Run by the build, which swaps DIR in as
// dist/ afterwards: node scripts/code-cache.js DIR
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadCli } from '../bin/load-cli.js';

const dist = process.argv[2];
const home = mkdtempSync(join(tmpdir(), 'flow-code-cache-'));
// The warm-up must not read or write the per-user folder of whoever builds.
process.env.HOME = home;
process.env.XDG_CONFIG_HOME = home;
process.env.FLOW_SESSION = 'build';
delete process.env.FLOW_DIR;
try {
  const { cli, script } = loadCli(dist, join(dirname(fileURLToPath(import.meta.url)), '..', 'dist'));
  const dir = join(home, '.flow');
  const steps = [
    ['add', 'flow', 'Warm-up'],
    ['add', 'plan', 'Plan'],
    ['add', 'task', 'Task'],
    ['add', 'task', 'Another', '--priority', 'high'],
    ['done', 'task', '1'],
    ['list', 'flow'],
    ['list', 'task'],
    ['show', 'flow'],
    ['show', 'task', '2', '--json'],
  ];
  for (const step of steps) {
    const code = await cli.run(['--dir', dir, ...step]);
    if (code !== 0) throw new Error(`code cache warm-up: flow ${step.join(' ')} exited ${code}`);
  }
  writeFileSync(join(dist, 'cli.cache'), script.createCachedData());
} finally {
  rmSync(home, { recursive: true, force: true });
}
