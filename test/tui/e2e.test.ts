// End to end: the built `flow` in a real terminal (tmux on a socket of its own, at 80×24,
// 100×30 and 120×40, and resized), driven with keys one by one and in bursts, and read
// back with capture-pane as a person would see it.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createFlow, createPlan, createTask, insertPlan, insertTask } from '../../src/domain/tree.js';
import { Store } from '../../src/store/store.js';
import { cells } from '../../src/tui/text.js';
import { FLOW_BIN, flowSync, json, readStore, ROOT, tempDir, waitFor } from '../helpers.js';
import { HOSTILE } from '../hostile.js';
import { HAS_GIT, remoteRepository } from '../sync/git.js';

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

interface StartOptions {
  columns?: number;
  rows?: number;
  /** Prefixed to flow's command line, e.g. `CI=true`. */
  env?: string;
}

/** Where each session's flow writes its stderr: anything there would have been drawn over the screen. */
const stderrOf = new Map<string, string>();

function start(dir: string, options: StartOptions = {}): string {
  const session = `flow-e2e-${process.pid}-${sessions.length}`;
  sessions.push(session);
  const stderr = join(tempDir('flow-e2e-stderr-'), 'stderr.txt');
  stderrOf.set(session, stderr);
  // A shell line before flow starts, to check the terminal comes back as it was.
  tmux(
    'new-session', '-d', '-x', String(options.columns ?? 120), '-y', String(options.rows ?? 40), '-s', session,
    `printf 'BEFORE-FLOW\\n'; NO_COLOR= FLOW_SESSION= ${options.env ?? ''} node ${FLOW_BIN} --dir ${dir} 2>${stderr}; echo "FLOW-EXITED $?"; sleep 600`,
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

const see = (session: string, what: string | RegExp, timeoutMs = 5000) =>
  waitFor(() => (typeof what === 'string' ? screen(session).includes(what) : what.test(screen(session))), { timeoutMs, what: String(what) });

/**
 * Every row of the pane fits: as many rows as the window, none wider than it, the header
 * on top and the prompt at the bottom. Each frame is drawn whole after a clear, so a
 * capture can land in the middle of one: wait for a whole frame (a moment at most).
 */
async function intact(session: string, columns: number, rows: number): Promise<string[]> {
  const whole = () => {
    const lines = screen(session).split('\n');
    // capture-pane ends with a line break after the last row.
    if (lines.at(-1) === '') lines.pop();
    return lines[0]?.endsWith('live') && lines.at(-1)?.includes('› /flow') ? lines : undefined;
  };
  const lines = await waitFor(whole, { what: 'a whole frame', timeoutMs: 2000 }).catch(() => screen(session).split('\n'));
  expect(lines.length, lines.join('\n')).toBe(rows);
  for (const line of lines) expect(cells(line), line).toBeLessThanOrEqual(columns);
  expect(lines[0], lines.join('\n')).toMatch(/live$/);
  expect(lines.at(-1)).toContain('› /flow');
  return lines;
}

async function quit(session: string): Promise<void> {
  await see(session, 'press : or Tab');
  keys(session, 'q');
  await see(session, 'FLOW-EXITED 0');
  // Nothing went to stderr while the workspace was on the screen (Ink shows the cursor
  // there again on exit, after the screen is back).
  expect(readFileSync(stderrOf.get(session) ?? '', 'utf8').replace(/\u001b\[\?25h/g, '')).toBe('');
}

/** One flow, one plan of `count` tasks, written in one transaction. */
async function storeWith(count: number, notes = ''): Promise<{ dir: string; planId: string; taskIds: string[] }> {
  const dir = tempDir();
  let planId = '';
  const taskIds: string[] = [];
  await new Store(dir).transact((tx) => {
    const flow = createFlow('Project A');
    tx.addFlow(flow);
    tx.setCurrentFlow(flow.id);
    const plan = createPlan({ title: 'Storage layer' });
    planId = plan.id;
    insertPlan(tx.index, flow, plan);
    for (let i = 0; i < count; i++) {
      const task = createTask({ title: `Task number ${i}`, notes: i === 0 ? notes : '' });
      taskIds.push(task.id);
      insertTask(tx.index, { planId: plan.id }, task);
    }
  });
  flowSync(dir, ['use', 'plan', planId]);
  return { dir, planId, taskIds };
}

const readFileSafe = (path: string) => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
};

const taskOnDisk = (dir: string, id: string) => {
  for (const flow of Object.values<any>(readStore(dir).flows)) {
    for (const plan of flow.plans) for (const task of plan.tasks) if (task.id === id) return task;
  }
  return undefined;
};

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
    await see(session, 'Atomic writes', 10_000);
    const first = screen(session);
    expect(first).toContain('Project A');
    expect(first).toContain('Storage layer');
    expect(first).toContain('Lock retries');
    expect(first).toMatch(/rev \d+ by cli:/);
    expect(tmux('display', '-p', '-t', session, '#{alternate_on}').trim()).toBe('1');

    // j onto the first task, space: in progress → done, in the file.
    keys(session, 'j');
    await see(session, /›\s+1\. ◐ Atomic writes/);
    keys(session, 'Space');
    await waitFor(() => taskOnDisk(dir, task.id)?.status === 'done', { what: 'the task done in flows.json' });
    await see(session, '● Atomic writes');

    // Another process adds a task: it appears within a second, no key pressed.
    const added = flowSync(dir, ['add', 'task', 'Written by a script', '--plan', storage.id]);
    expect(added.code).toBe(0);
    const wroteAt = Date.now();
    await see(session, 'Written by a script', 1000);
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
    await quit(session);
    const after = screen(session);
    expect(after).toContain('BEFORE-FLOW');
    expect(after).not.toContain('Atomic writes');
    expect(tmux('display', '-p', '-t', session, '#{alternate_on}').trim()).toBe('0');
    expect(tmux('display', '-p', '-t', session, '#{cursor_flag}').trim()).toBe('1');
  });

  it('80×24: a multi-line notes edit, a burst at the prompt, layout intact; then resized to 120×40 and back', async () => {
    const { dir, taskIds } = await storeWith(30, 'first line\nsecond line');
    // CI runners set CI=true, which makes Ink draw only its last frame: the workspace
    // must draw anyway, as it is only ever opened on a terminal.
    const session = start(dir, { columns: 80, rows: 24, env: 'CI=true' });
    await see(session, 'Task number 0', 10_000);
    await intact(session, 80, 24);

    // n on a task with two lines of notes: both are there; Enter adds a line; Ctrl-S saves.
    keys(session, 'j', 'n');
    await see(session, 'Notes of "Task number 0"');
    expect(screen(session)).toContain('second line');
    keys(session, 'C-e', 'Down', 'End');
    type(session, '');
    tmux('send-keys', '-t', session, '-l', 'third line');
    await see(session, 'third line');
    await intact(session, 80, 24);
    keys(session, 'C-s');
    await waitFor(() => taskOnDisk(dir, taskIds[0])?.notes === 'first line\nsecond line\nthird line', { what: 'the notes on disk' });
    await see(session, 'press : or Tab');

    // A burst at the prompt: the text, five backspaces and two lefts in one send each.
    keys(session, ':');
    await waitFor(() => !screen(session).includes('press : or Tab'), { what: 'the prompt focused' });
    tmux('send-keys', '-t', session, '-l', 'add task Burstyyyyy');
    keys(session, 'BSpace', 'BSpace', 'BSpace', 'BSpace', 'BSpace', 'Left', 'Left');
    tmux('send-keys', '-t', session, '-l', 'XY');
    keys(session, 'End');
    tmux('send-keys', '-t', session, '-l', ' --pr\t');
    tmux('send-keys', '-t', session, '-l', 'hi\t');
    await see(session, '/flow add task BurXYst --priority high');
    keys(session, 'Enter');
    await waitFor(() => Object.values<any>(readStore(dir).flows)[0].plans[0].tasks.some((t: any) => t.title === 'BurXYst' && t.priority === 'high'), {
      what: 'the task from the burst on disk',
    });
    // A paste (bracketed: the workspace asked the terminal for it) is text: its line
    // break runs nothing and its q does not quit.
    await waitFor(() => !screen(session).includes('/flow add task'), { what: 'the prompt cleared' });
    const revision = readStore(dir).meta.file_revision;
    tmux('set-buffer', '-b', 'flow-e2e', 'add task Pasted\nq');
    tmux('paste-buffer', '-p', '-d', '-b', 'flow-e2e', '-t', session);
    await see(session, '/flow add task Pasted q');
    expect(readStore(dir).meta.file_revision).toBe(revision);
    expect(screen(session)).not.toContain('FLOW-EXITED');
    keys(session, 'C-u', 'Escape');
    await see(session, 'press : or Tab');

    // Esc and a key in one write, as a busy workspace reads them (and as tmux sends Alt-J):
    // both count. The prompt closes, keeping its text, and j moves the cursor a task down.
    keys(session, ':');
    tmux('send-keys', '-t', session, '-l', 'kept');
    await see(session, '/flow kept');
    keys(session, 'M-j');
    await waitFor(() => screen(session).split('\n').some((l) => l.startsWith('›') && l.includes('Task number 1')), { what: 'the cursor one task down' });
    expect(screen(session)).toContain('/flow kept');
    expect(screen(session)).not.toContain('/flow keptj');
    keys(session, ':', 'C-u', 'Escape');
    await see(session, 'press : or Tab');

    // G goes to the last task, which scrolls into view in the small window.
    keys(session, 'G');
    await see(session, 'BurXYst');
    for (const [columns, rows] of [[120, 40], [100, 30], [80, 24]] as const) {
      tmux('resize-window', '-t', session, '-x', String(columns), '-y', String(rows));
      // The frame for the new size follows the resize within a moment.
      await waitFor(() => {
        const lines = screen(session).split('\n');
        return lines[0].endsWith('live') && cells(lines[0]) > columns - 10 && lines[rows - 1]?.includes('› /flow');
      }, { what: `a frame at ${columns}×${rows}`, timeoutMs: 2000 });
      await see(session, 'BurXYst');
      await intact(session, columns, rows);
    }
    await quit(session);
  });

  it('E hands the notes to $VISUAL (a script) and comes back with the screen whole; the workspace sets no V8 flag', async () => {
    const { dir, taskIds } = await storeWith(3, 'before');
    const bin = tempDir('flow-editor-');
    const script = join(bin, 'editor.sh');
    writeFileSync(script, '#!/bin/sh\nprintf "%s\\nfrom the editor\\n" "$(cat "$1")" > "$1"\necho EDITOR-RAN\nsleep 0.3\n');
    chmodSync(script, 0o755);
    // The probe says which V8 flags flow set.
    const probe = join(tempDir('flow-probe-'), 'flags.txt');
    const preload = join(ROOT, 'test', 'workers', 'tiering-probe.cjs');
    const session = start(dir, { columns: 100, rows: 30, env: `VISUAL=${script} NODE_OPTIONS=--require=${preload} FLOW_PROBE_OUT=${probe}` });
    await see(session, 'Task number 0', 10_000);
    keys(session, 'j', 'E');
    await waitFor(() => taskOnDisk(dir, taskIds[0])?.notes === 'before\nfrom the editor', { what: 'the editor’s text on disk' });
    // The workspace is back on the alternate screen, drawn whole, not a blank or half screen.
    await see(session, 'from the editor');
    expect(tmux('display', '-p', '-t', session, '#{alternate_on}').trim()).toBe('1');
    const lines = await intact(session, 100, 30);
    expect(lines.join('\n')).toContain('Task number 2');
    expect(lines.join('\n')).not.toContain('EDITOR-RAN');
    await quit(session);
    // The workspace keeps V8's defaults: a command's tiering budget is not for a long run.
    expect(readFileSync(probe, 'utf8')).toBe('flags set: none, changed: false\n');
  });

  it('follows a scope changed from outside, and shows hostile text written by another process as escapes', async () => {
    const { dir, planId } = await storeWith(2);
    const other = json(flowSync(dir, ['add', 'plan', 'Payments', '--json']));
    flowSync(dir, ['use', 'plan', planId]);
    const session = start(dir, { columns: 100, rows: 30 });
    await see(session, 'Task number 0', 10_000);
    expect(screen(session).split('\n')[0]).toContain('› Storage layer');
    // Another process of the same session (FLOW_SESSION unset: "default") changes the scope.
    // Within a second of the other process having written it (DESIGN: scope is live).
    expect(flowSync(dir, ['use', 'plan', other.id]).code).toBe(0);
    await waitFor(() => screen(session).split('\n')[0].includes('› Payments'), { what: 'the header on Payments', timeoutMs: 1000 });

    // Another process writes every hostile string into titles, notes, tags and a name.
    await new Store(dir, { writer: 'cli:9:hostile' }).transact((tx) => {
      const flow = createFlow(`Hostile ${HOSTILE['OSC 0 title']}`);
      tx.addFlow(flow);
      const plan = createPlan({ title: `Plan ${HOSTILE['CSI clear']}` });
      insertPlan(tx.index, flow, plan);
      // Emoji terminals draw at widths of their own, too.
      const strings = { ...HOSTILE, 'skin tone': 'thumbs 👍🏽 up', 'presentation selector': 'heart ❤️ here' };
      for (const [name, text] of Object.entries(strings)) {
        insertTask(tx.index, { planId: plan.id }, createTask({ title: `${name} ${text}`, notes: text, tags: [text.slice(0, 8)] }));
      }
    });
    await see(session, 'Hostile \\x1b]0;pwned\\x07Title');
    // Open it: every title of the hostile plan on screen, each as escapes.
    keys(session, 'G', 'l');
    await see(session, 'Plan \\x1b[2J');
    keys(session, 'j', 'l');
    await see(session, 'OSC 52 clipboard');
    for (let i = 0; i < Object.keys(HOSTILE).length + 2; i++) {
      keys(session, 'j');
      await intact(session, 100, 30);
    }
    // Waited for: a capture taken now can land inside the frame of a key still being drawn.
    await see(session, '\\x1b[31mred\\x1b[0m');
    // Nothing reached the terminal as a command: the pane's title and tmux's buffers are as they were.
    expect(tmux('display', '-p', '-t', session, '#{pane_title}')).not.toContain('pwned');
    expect(spawnSync('tmux', ['-L', SOCKET, 'list-buffers'], { encoding: 'utf8' }).stdout).not.toContain('cm0gLXJmIH4');
    await quit(session);
  });

  it('the board updates live, and the snapshot browser asks before deleting', async () => {
    const { dir, taskIds } = await storeWith(3);
    flowSync(dir, ['snapshot', 'create', '--label', 'keep me']);
    const session = start(dir, { columns: 120, rows: 40 });
    await see(session, 'Task number 0', 10_000);
    keys(session, 'j', 'b');
    await see(session, 'Board of "Storage layer"');
    await see(session, /○ todo 3 +◐ in progress 0/);
    // Keys one by one, then a burst: l l moves the card two columns.
    keys(session, 'l');
    await waitFor(() => taskOnDisk(dir, taskIds[0])?.status === 'in_progress', { what: 'in progress on disk' });
    keys(session, 'l', 'h', 'h');
    await waitFor(() => taskOnDisk(dir, taskIds[0])?.status === 'todo', { what: 'back to todo after a burst' });
    // Another process finishes a task: the board moves its card.
    expect(flowSync(dir, ['done', 'task', taskIds[2]]).code).toBe(0);
    await see(session, /○ todo 2 .*● done 1/);
    await intact(session, 120, 40);
    keys(session, 'b');
    await see(session, 'press : or Tab');

    keys(session, 's');
    await see(session, 'Snapshots (1)');
    keys(session, 'd');
    await see(session, 'Delete snapshot');
    expect(screen(session)).toContain('"keep me"');
    keys(session, 'n');
    await waitFor(() => !screen(session).includes('Delete snapshot'), { what: 'the question gone' });
    expect(json(flowSync(dir, ['snapshot', 'list', '--json']))).toHaveLength(1);
    keys(session, 'd');
    await see(session, 'Delete snapshot');
    keys(session, 'y');
    await see(session, 'Snapshots (0)');
    expect(json(flowSync(dir, ['snapshot', 'list', '--json']))).toHaveLength(0);
    keys(session, 'Escape');
    await quit(session);
  });

  it("80×24: a plan's documents (O, Enter opens), the session's summary (C) and decisions (N), a hook's veto", async () => {
    const { dir, planId, taskIds } = await storeWith(3);
    const home = tempDir('flow-e2e-home-');
    const user = { HOME: home, XDG_CONFIG_HOME: join(home, 'config') };
    const files = tempDir('flow-e2e-docs-');
    writeFileSync(join(files, 'design.md'), '# Design\n');
    expect(flowSync(dir, ['add', 'doc', join(files, 'design.md'), '--plan', planId]).code).toBe(0);
    const opened = join(files, 'opened.txt');
    const script = join(files, 'open.sh');
    writeFileSync(script, `#!/bin/sh\nprintf '%s' "$1" > '${opened}'\n`);
    chmodSync(script, 0o755);
    const session = start(dir, { columns: 80, rows: 24, env: shellEnv({ ...user, VISUAL: script }) });
    await see(session, 'Storage layer 0/3 · 1 doc', 10_000);
    await see(session, 'No summary yet: C writes one');
    await intact(session, 80, 24);

    // C: the summary in the notes editor, saved with Ctrl-S, shown in the plan's pane.
    keys(session, 'C');
    await see(session, 'Summary of session "default"');
    tmux('send-keys', '-t', session, '-l', 'Storage done; next the pane');
    keys(session, 'C-s');
    const context = () => JSON.parse(readFileSync(join(dir, 'context.json'), 'utf8')).sessions.default;
    await waitFor(() => context().summary === 'Storage done; next the pane', { what: 'the summary on disk' });
    await see(session, 'Storage done; next the pane');
    await intact(session, 80, 24);

    // N on a task: a decision about it, in its pane.
    keys(session, 'j', 'N');
    await see(session, 'Decision about task "Task number 0"');
    type(session, 'One lock');
    await waitFor(() => context().decisions?.[0]?.task_id === taskIds[0], { what: 'the decision on disk' });
    await see(session, /decided +\d\d-\d\d \d\d:\d\d +One lock/);
    await intact(session, 80, 24);

    // O on the plan: its documents, Enter opens one in $VISUAL and the screen comes back whole.
    keys(session, 'k', 'O');
    await see(session, /documents +› design\.md/);
    await intact(session, 80, 24);
    keys(session, 'Enter');
    await waitFor(() => /documents\/plan_[^/]+\/design\.md$/.test(readFileSafe(opened)), { what: 'the document opened' });
    await see(session, 'Opened "design.md"');
    await intact(session, 80, 24);
    keys(session, 'Escape');

    // A pre_save hook written and trusted meanwhile vetoes the next change: its words in the message line.
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ hooks: { pre_save: ['echo "frozen until Monday" >&2; exit 3'] } }));
    expect(flowSync(dir, ['trust', 'hooks', '--yes'], { env: user }).code).toBe(0);
    keys(session, 'j', 'Space');
    await see(session, '✗ vetoed by a pre_save hook (exit 3): frozen until Monday; nothing was saved');
    expect(taskOnDisk(dir, taskIds[0])?.status).toBe('todo');
    await intact(session, 80, 24);
    await quit(session);
  });

  it.skipIf(!HAS_GIT)('sync: the header counts what waits, Y merges what a second clone pushed, a conflict is settled from its banner', async () => {
    const repo = repoWithTwoClones();
    const { a, b, planId, taskId } = repo;
    // A pushes before the workspace opens on B: its first fetch finds it waiting.
    a.json('add', 'task', 'Added by A', '--plan', planId);
    expect(a.flow('sync').code).toBe(0);
    const session = start(b.dir, { columns: 100, rows: 30, env: shellEnv(b.env) });
    await see(session, 'Write the spec', 10_000);
    await waitFor(() => /⇣1 waiting/.test(screen(session).split('\n')[0]), { what: 'a remote commit waiting', timeoutMs: 20_000 });
    keys(session, 'Y');
    await see(session, 'Added by A', 30_000);
    await see(session, /Synced: took origin\/main's changes/);
    await waitFor(() => /synced rev/.test(screen(session).split('\n')[0]), { what: 'in step with the remote', timeoutMs: 20_000 });

    // Both change one title; A shares first. B's sync records the conflict: a banner.
    a.json('set', 'task', taskId, '--title', 'Spec, by A');
    expect(a.flow('sync').code).toBe(0);
    keys(session, 'g', 'j', 'j', 'e', 'C-u');
    await see(session, 'Title of task:');
    type(session, 'Spec, by B');
    await waitFor(() => taskOnDisk(b.dir, taskId)?.title === 'Spec, by B', { what: 'B’s title on disk' });
    keys(session, 'Y');
    await see(session, '⚠ 1 conflict from a sync: task "Spec, by B" · title', 30_000);
    await intact(session, 100, 30);
    keys(session, 'R');
    await see(session, 'Conflict 1 of 1 from a sync');
    expect(screen(session)).toMatch(/theirs +"Spec, by A"/);
    await intact(session, 100, 30);
    keys(session, 'm');
    await see(session, 'All conflicts settled: Y shares the result');
    expect(taskOnDisk(b.dir, taskId)?.conflicts).toBeUndefined();
    keys(session, 'Y');
    await see(session, /Synced: committed revision \d+, pushed/, 30_000);
    expect(a.flow('sync').code).toBe(0);
    expect(a.json('show', 'task', taskId).title).toBe('Spec, by B');
    await quit(session);
  });
});

/** A bare repository and two clones sharing one plan; the session of B works in it. */
function repoWithTwoClones() {
  const repo = remoteRepository();
  const a = repo.clone('a');
  mkdirSync(a.dir);
  a.json('add', 'flow', 'Team');
  const planId = a.json('add', 'plan', 'Shared').id as string;
  const taskId = a.json('add', 'task', 'Write the spec').id as string;
  expect(a.flow('sync').code).toBe(0);
  const b = repo.clone('b');
  expect(b.flow('sync').code).toBe(0);
  expect(b.flow('use', 'plan', planId).code).toBe(0);
  return { a, b, planId, taskId };
}

/** Variables for the shell line that starts flow, quoted. */
function shellEnv(env: NodeJS.ProcessEnv): string {
  return Object.entries(env)
    .map(([k, v]) => `${k}='${String(v).replace(/'/g, "'\\''")}'`)
    .join(' ');
}
