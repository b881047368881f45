// The first screen (issue 15 item 4), with the real loader threads (dist/load-worker.js):
// the tree is in the state, the cursor on the session's plan and keys let through, while
// the rest of the file is still being read; a change made on that first screen is not
// taken back when the whole file arrives.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { createFlow, createPlan, createTask, insertPlan, insertTask, setTaskStatus } from '../../src/domain/tree.js';
import { Store } from '../../src/store/store.js';
import * as cmd from '../../src/tui/commands.js';
import { createWorkspace, type Controller } from '../../src/tui/controller.js';
import { findTask, selectRows } from '../../src/tui/state.js';
import { readStore, ROOT, tempDir, waitFor } from '../helpers.js';
import { seed } from './harness.js';

const FLOWS = 1500;
const WORKER = join(ROOT, 'dist', 'load-worker.js');

let controller: Controller | undefined;
afterEach(async () => {
  await controller?.stop();
  controller = undefined;
});

/** FLOWS flows of one plan and two tasks each; the session works in the 1,200th. */
async function bigStore(): Promise<{ dir: string; planId: string; taskId: string; flowId: string }> {
  const dir = tempDir('flow-first-screen-');
  const picked = { planId: '', taskId: '', flowId: '' };
  await new Store(dir).transact((tx) => {
    for (let i = 0; i < FLOWS; i++) {
      const flow = createFlow(`Flow ${i}`);
      tx.addFlow(flow);
      const plan = createPlan({ title: `Plan ${i}` });
      insertPlan(tx.index, flow, plan);
      const task = createTask({ title: `Task ${i}` });
      insertTask(tx.index, { planId: plan.id }, task);
      insertTask(tx.index, { planId: plan.id }, createTask({ title: `Other ${i}` }));
      if (i === 1200) Object.assign(picked, { planId: plan.id, taskId: task.id, flowId: flow.id });
    }
  });
  await seed(dir, [`use plan ${picked.planId}`]);
  return { dir, ...picked };
}

// A big store is parsed in the background (from 8 MB): three threads, the first only
// reading; the same here from 0 bytes.
describe.each([
  ['the first screen', undefined],
  ['the first screen, the store parsed in the background', 0],
])('%s', (_, backgroundLoadBytes) => {
  it('is in the state before the rest is read: the session’s flow among the first flows, keys let through', async () => {
    const { dir, planId, flowId } = await bigStore();
    controller = createWorkspace({ dir, session: 'default', workerPath: WORKER, backgroundLoadBytes });
    let first: { flows: number; hasScope: boolean; cursor: string | null; reading: unknown } | undefined;
    controller.tui.subscribe((s) => {
      if (!first && s.loading === null && s.flows.size) first = { flows: s.flows.size, hasScope: s.flows.has(flowId), cursor: s.cursor, reading: s.reading };
    });
    await controller.start();
    expect(first).toBeDefined();
    expect(first?.flows).toBeLessThan(FLOWS);
    expect(first?.flows).toBeGreaterThanOrEqual(100);
    expect(first?.hasScope).toBe(true);
    expect(first?.cursor).toBe(planId);
    expect(first?.reading).toEqual({ done: 0, total: FLOWS });
    // Then the whole file, the cursor where it was.
    const state = controller.tui.getState();
    expect(state.flows.size).toBe(FLOWS);
    expect(state.order).toHaveLength(FLOWS);
    expect(state.reading).toBeNull();
    expect(state.cursor).toBe(planId);
  });

  it("then every flow's row, with its name and counts from a byte scan, until it is parsed", async () => {
    const { dir } = await bigStore();
    controller = createWorkspace({ dir, session: 'default', workerPath: WORKER, backgroundLoadBytes });
    let pending: { flowRows: number; last: unknown; parsed: number } | undefined;
    controller.tui.subscribe((s) => {
      if (pending || !s.pending) return;
      const rows = selectRows(s).rows.filter((r) => r.kind === 'flow');
      const last = rows.find((r) => r.title === `Flow ${FLOWS - 1}`);
      pending = { flowRows: rows.length, last: last && { done: last.done, total: last.total, expandable: last.expandable, expanded: last.expanded }, parsed: s.flows.size };
    });
    await controller.start();
    expect(pending).toBeDefined();
    expect(pending?.parsed).toBeLessThan(FLOWS);
    expect(pending?.flowRows).toBe(FLOWS);
    expect(pending?.last).toEqual({ done: 0, total: 2, expandable: true, expanded: false });
    // Once parsed, the same row from the flow itself, and no more pending rows.
    const state = controller.tui.getState();
    expect(state.pending).toBeNull();
    const row = selectRows(state).rows.find((r) => r.title === `Flow ${FLOWS - 1}`);
    expect(row && { done: row.done, total: row.total }).toEqual({ done: 0, total: 2 });
  });

  it('a change made on the first screen stays when the whole file arrives', async () => {
    const { dir, taskId } = await bigStore();
    const live = createWorkspace({ dir, session: 'default', workerPath: WORKER, backgroundLoadBytes });
    controller = live;
    let changed: Promise<unknown> | undefined;
    live.tui.subscribe((s) => {
      if (!changed && s.loading === null && s.flows.size) changed = live.execute({ command: cmd.setTask(taskId, { title: 'Renamed on the first screen' }) });
    });
    await live.start();
    await changed;
    await live.idle();
    const state = live.tui.getState();
    expect(findTask(state, taskId)?.task.title).toBe('Renamed on the first screen');
    expect(state.flows.size).toBe(FLOWS);
    expect(state.revision).toBe(readStore(dir).meta.file_revision);
  });

  it('then another writer’s save shows (the loader thread that stays computes its changes)', async () => {
    const { dir, taskId } = await bigStore();
    controller = createWorkspace({ dir, session: 'default', workerPath: WORKER, backgroundLoadBytes });
    await controller.start();
    const state = controller.tui;
    const commit = await new Store(dir, { writer: 'test:0:outside' }).transact((tx) => {
      tx.locate(taskId);
      setTaskStatus(tx.index, taskId, 'done');
    });
    await waitFor(() => state.getState().revision === commit.revision, { what: `revision ${commit.revision} in the TUI` });
    expect(findTask(state.getState(), taskId)?.task.status).toBe('done');
    expect(state.getState().flows.size).toBe(FLOWS);
  });
});

describe('a loader thread that dies', () => {
  it('before it answered: the main thread reads the store and the workspace starts', async () => {
    const dir = tempDir('flow-dead-loader-');
    await seed(dir, ['add flow Alpha', 'add plan Plan', 'add task Task']);
    const broken = join(tempDir('flow-dead-worker-'), 'worker.mjs');
    writeFileSync(broken, "throw new Error('this loader fails as it loads');\n");
    controller = createWorkspace({ dir, session: 'default', workerPath: broken });
    await controller.start();
    expect([...controller.tui.getState().flows.values()].map((f) => f.name)).toEqual(['Alpha']);
    expect(controller.tui.getState().loading).toBeNull();
  });

  it('after the load, in a refresh: outside changes are still shown, read on the main thread', async () => {
    const dir = tempDir('flow-dead-later-');
    await seed(dir, ['add flow Alpha', 'add plan Plan', 'add task Task']);
    // The real loader, which dies when first asked to refresh.
    // (Its listener is registered before the loader's, so the loader never answers.)
    const folder = tempDir('flow-dying-worker-');
    const dying = join(folder, 'worker.mjs');
    writeFileSync(join(folder, 'die.mjs'), `import { parentPort } from 'node:worker_threads';\nparentPort.on('message', (m) => { if (m.type === 'refresh') process.exit(1); });\n`);
    writeFileSync(dying, `import './die.mjs';\nimport ${JSON.stringify(pathToFileURL(join(ROOT, 'dist', 'load-worker.js')).href)};\n`);
    controller = createWorkspace({ dir, session: 'default', workerPath: dying });
    await controller.start();
    await new Store(dir).transact((tx) => tx.addFlow(createFlow('Written outside')));
    const names = () => [...controller!.tui.getState().flows.values()].map((f) => f.name);
    await waitFor(() => names().includes('Written outside'), { what: 'the outside write in the TUI', timeoutMs: 10_000 });
    expect(names()).toEqual(['Alpha', 'Written outside']);
  });
});

describe('quitting while the store is read', () => {
  it('starts no watcher after stop() and reads no more of the store: the process can exit at once', async () => {
    const { dir } = await bigStore();
    const workspace = createWorkspace({ dir, session: 'default', workerPath: WORKER });
    let stopped: Promise<void> | undefined;
    let readingWhenStopped: unknown;
    workspace.tui.subscribe((s) => {
      if (stopped || !s.reading) return;
      readingWhenStopped = s.reading;
      stopped = workspace.stop();
    });
    await workspace.start();
    await stopped;
    // It was stopped on the first screen, with the other flows still to read.
    expect(readingWhenStopped).toEqual({ done: 0, total: FLOWS });
    // live is set as the watchers start: they did not.
    expect(workspace.tui.getState().live).toBe(false);
    // The loader threads were ended and their chunks left: only the first screen came in.
    expect(workspace.tui.getState().flows.size).toBeLessThan(FLOWS);
  });
});
