import { readFileSync } from 'node:fs';
import { defineConfig } from 'vitest/config';

const { version } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as { version: string };

export default defineConfig({
  // The program's version, as scripts/build.js sets it in the bundles.
  define: { FLOW_VERSION: JSON.stringify(version) },
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    // Real child processes and real files: forks isolate them; two workers for two cores.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
    // Corrupt files written by a test are not "someone mid-write": no settling wait
    // (test/store/recovery.test.ts sets its own where it tests the wait).
    env: { FLOW_SETTLE_MS: '0' },
    hookTimeout: 60_000,
  },
});
