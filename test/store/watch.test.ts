// The watcher: external saves show up as the file's state, own saves do not.
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { generateDocument } from '../../bench/fixtures.js';
import { parseFlow } from '../../src/domain/schema.js';
import { serialiseDocument } from '../../src/store/layout.js';
import { Store } from '../../src/store/store.js';
import { watchStore, type FileWatch, type WatchedState } from '../../src/store/watch.js';
import { ROOT, tempDir, waitFor } from '../helpers.js';

const EXTERNAL = join(ROOT, 'test', 'workers', 'external-writer.mjs');

function fixture(flows = 5): string {
  const dir = tempDir();
  const { flows: all, ...header } = generateDocument(flows, 'small');
  writeFileSync(join(dir, 'flows.json'), serialiseDocument(header, Object.entries(all)));
  return dir;
}

function run(args: string[]): Promise<number | null> {
  return new Promise((resolve) => spawn(process.execPath, args, { stdio: 'inherit' }).on('close', resolve));
}

/** The file as a validated state, to compare with what the watcher reported. */
function fileState(dir: string) {
  const doc = JSON.parse(readFileSync(join(dir, 'flows.json'), 'utf8'));
  return { revision: doc.meta.file_revision, flows: Object.values(doc.flows).map((f) => parseFlow(f)) };
}

let watch: FileWatch | undefined;
afterEach(async () => {
  await watch?.close();
  watch = undefined;
});

describe('watch', () => {
  for (const mode of ['rename', 'inplace'] as const) {
    it(`follows 50 external ${mode} saves at gaps of 0–300 ms to the final state within 1 s`, async () => {
      const dir = fixture();
      // A half-written file is what the settle period waits out; the suite sets it to 0
      // (FLOW_SETTLE_MS), which would quarantine the writer's file as soon as a read met
      // it mid-write (seen under load: the writer then found an empty store).
      const store = new Store(dir, { settleMs: 2000 });
      await store.read();
      let latest: WatchedState | undefined;
      let reports = 0;
      const errors: unknown[] = [];
      watch = watchStore(store, (state) => {
        latest = state;
        reports++;
      }, (err) => errors.push(err));
      await watch.ready;
      expect(await run([EXTERNAL, join(dir, 'flows.json'), '50', '300', mode === 'inplace' ? 'inplace' : ''])).toBe(0);
      const finishedAt = Date.now();
      const expected = fileState(dir);
      await waitFor(
        () =>
          latest &&
          latest.view.revision === expected.revision &&
          JSON.stringify(latest.flows) === JSON.stringify(expected.flows),
        { timeoutMs: 1000, what: 'the watcher to reach the final state' },
      );
      expect(Date.now() - finishedAt).toBeLessThan(1000);
      expect(reports).toBeGreaterThan(0);
      if (mode === 'rename') expect(errors).toEqual([]);
    });
  }

  it('does not report this process’s own saves', async () => {
    const dir = fixture();
    const store = new Store(dir);
    await store.read();
    let reports = 0;
    watch = watchStore(store, () => reports++);
    await watch.ready;
    for (let i = 0; i < 5; i++) await store.addFlow(`own ${i}`);
    // Then one external save, which must be reported: proves the watcher is live.
    await run([EXTERNAL, join(dir, 'flows.json'), '1', '0']);
    await waitFor(() => reports > 0, { timeoutMs: 1000, what: 'the external save' });
    await new Promise((r) => setTimeout(r, 100));
    expect(reports).toBe(1);
  });
});
