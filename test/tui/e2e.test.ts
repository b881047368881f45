// End to end: the built `flow` in a real terminal (tmux, 120×40), driven with keys and
// read back as a person would see it.
import { execFileSync, spawnSync } from 'node:child_process';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createFlow, createPlan, createTask, insertPlan, insertTask } from '../../src/domain/tree.js';
import { Store } from '../../src/store/store.js';
import { FLOW_BIN, flowSync, json, readStore, tempDir, waitFor } from '../helpers.js';

const hasTmux = spawnSync('tmux', ['-V']).status === 0;
if (!hasTmux && !process.env.FLOW_SKIP_TMUX) {
  throw new Error('the end-to-end TUI tests need tmux (`.ci/run` installs it; FLOW_SKIP_TMUX=1 skips them)');
}

const sessions: string[] = [];

// A server of our own, so the tests neither see nor disturb anyone else's tmux.
const SOCKET = `flow-e2e-${process.pid}`;

function tmux(...args: string[]): string {
  return execFileSync('tmux', ['-L', SOCKET, ...args], { encoding: 'utf8' });
}

function screen(session: string): string {
  return tmux('capture-pane', '-t', session, '-p');
}

/** `env` is prefixed to flow's command line, e.g. `CI=true`. */
function start(dir: string, env = ''): string {
  const session = `flow-e2e-${process.pid}-${sessions.length}`;
  sessions.push(session);
  // A shell line before flow starts, to check the terminal comes back as it was.
  tmux(
    'new-session', '-d', '-x', '120', '-y', '40', '-s', session,
    `printf 'BEFORE-FLOW\\n'; NO_COLOR= FLOW_SESSION= ${env} node ${FLOW_BIN} --dir ${dir}; echo "FLOW-EXITED $?"; sleep 600`,
  );
  return session;
}

function keys(session: string, ...input: string[]): void {
  tmux('send-keys', '-t', session, ...input);
}

/** Typed text and Enter separately, as a person's keystrokes arrive. */
function type(session: string, text: string): void {
  tmux('send-keys', '-t', session, '-l', text);
  tmux('send-keys', '-t', session, 'Enter');
}

afterEach(() => {
  for (const session of sessions.splice(0)) spawnSync('tmux', ['-L', SOCKET, 'kill-session', '-t', session]);
});

afterAll(() => {
  spawnSync('tmux', ['-L', SOCKET, 'kill-server']);
});

describe.skipIf(!hasTmux)('flow in a real terminal', () => {
  it('shows the tree, marks a task done, follows other writers live, changes scope, restores the terminal', async () => {
    const dir = tempDir();
    flowSync(dir, ['add', 'flow', 'Project A']);
    const storage = json(flowSync(dir, ['add', 'plan', 'Storage layer', '--json']));
    const task = json(flowSync(dir, ['add', 'task', 'Atomic writes', '--status', 'in_progress', '--json']));
    flowSync(dir, ['add', 'task', 'Lock retries']);
    const parser = json(flowSync(dir, ['add', 'plan', 'Command parser', '--json']));
    flowSync(dir, ['use', 'plan', storage.id]);

    const session = start(dir);
    await waitFor(() => screen(session).includes('Atomic writes'), { timeoutMs: 10_000, what: 'the tree' });
    const first = screen(session);
    expect(first).toContain('Project A');
    expect(first).toContain('Storage layer');
    expect(first).toContain('Lock retries');
    expect(first).toMatch(/rev \d+ by cli:/);
    expect(tmux('display', '-p', '-t', session, '#{alternate_on}').trim()).toBe('1');

    // j onto the first task, space: in progress → done, in the file.
    keys(session, 'j');
    await waitFor(() => /›\s+1\. ◐ Atomic writes/.test(screen(session)), { what: 'cursor on the task' });
    keys(session, 'Space');
    await waitFor(
      () => readStore(dir).flows[Object.keys(readStore(dir).flows)[0]].plans[0].tasks[0].status === 'done',
      { timeoutMs: 5000, what: 'the task done in flows.json' },
    );
    await waitFor(() => screen(session).includes('● Atomic writes'), { what: 'the done glyph' });
    expect(readStore(dir).flows[Object.keys(readStore(dir).flows)[0]].plans[0].tasks[0].id).toBe(task.id);

    // Another process adds a task: it appears within a second, no key pressed.
    const added = flowSync(dir, ['add', 'task', 'Written by a script', '--plan', storage.id]);
    expect(added.code).toBe(0);
    const wroteAt = Date.now();
    await waitFor(() => screen(session).includes('Written by a script'), { timeoutMs: 1000, what: 'the external task on screen' });
    expect(Date.now() - wroteAt).toBeLessThan(1000);

    // /flow use plan … at the prompt changes the scope line.
    keys(session, ':');
    await waitFor(() => !screen(session).includes('press : or Tab'), { what: 'the prompt focused' });
    type(session, `/flow use plan ${parser.id}`);
    await waitFor(() => screen(session).split('\n')[0].includes('› Command parser'), { what: 'the scope line' });
    expect(screen(session)).toContain('Project A:Command parser › /flow');

    // q leaves: the alternate screen is gone and the shell's line is back. (Esc and q sent
    // together would read as Alt-q, as in any terminal: wait for the tree to have focus.)
    keys(session, 'Escape');
    await waitFor(() => screen(session).includes('press : or Tab'), { what: 'the tree focused again' });
    keys(session, 'q');
    await waitFor(() => screen(session).includes('FLOW-EXITED 0'), { timeoutMs: 5000, what: 'flow to exit' });
    const after = screen(session);
    expect(after).toContain('BEFORE-FLOW');
    expect(after).not.toContain('Atomic writes');
    expect(tmux('display', '-p', '-t', session, '#{alternate_on}').trim()).toBe('0');
    expect(tmux('display', '-p', '-t', session, '#{cursor_flag}').trim()).toBe('1');
  });

  it('is usable at 80×24 and after a resize', async () => {
    const dir = tempDir();
    // Seeded in one transaction: thirty processes would only slow the test down.
    await new Store(dir).transact((tx) => {
      const flow = createFlow('Small screen');
      tx.addFlow(flow);
      tx.setCurrentFlow(flow.id);
      const plan = createPlan({ title: 'Plan' });
      insertPlan(tx.index, flow, plan);
      for (let i = 0; i < 30; i++) insertTask(tx.index, { planId: plan.id }, createTask({ title: `Task number ${i}` }));
    });
    // CI runners set CI=true, which makes Ink draw only its last frame: the workspace
    // must draw anyway, as it is only ever opened on a terminal.
    const session = start(dir, 'CI=true');
    tmux('resize-window', '-t', session, '-x', '80', '-y', '24');
    await waitFor(() => screen(session).includes('Task number 0'), { timeoutMs: 10_000, what: 'the tree' });
    const lines = screen(session).split('\n').filter((l) => l.length);
    expect(lines.length).toBeLessThanOrEqual(24);
    expect(lines.every((l) => l.length <= 80)).toBe(true);
    // G goes to the last task, which scrolls into view in the small window.
    keys(session, 'G');
    await waitFor(() => screen(session).includes('Task number 29'), { what: 'scrolled to the bottom' });
    tmux('resize-window', '-t', session, '-x', '120', '-y', '40');
    await waitFor(() => screen(session).split('\n')[0].length > 80 || /rev \d+/.test(screen(session).split('\n')[0]), {
      what: 'a redraw at the new size',
    });
    keys(session, 'q');
    await waitFor(() => screen(session).includes('FLOW-EXITED 0'), { timeoutMs: 5000, what: 'flow to exit' });
  });
});
