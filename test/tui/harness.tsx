// A real workspace for TUI tests: a temp data dir seeded through the command bus, the
// controller loading on the main thread, and <App/> rendered by ink-testing-library.
// No mocks: keys go in through stdin, assertions read the frame and flows.json.
import { createRequire } from 'node:module';
import { render } from 'ink-testing-library';
import { Services } from '../../src/app/services.js';
import { CommandBus } from '../../src/commands/bus.js';
import { createTable } from '../../src/commands/table.js';
import { App } from '../../src/tui/App.js';
import { TuiContext, type TuiContextValue } from '../../src/tui/context.js';
import { createWorkspace, type Controller } from '../../src/tui/controller.js';
import { PromptHistory } from '../../src/tui/history.js';
import type { TuiStore } from '../../src/tui/state.js';
import { loadTheme, type Theme } from '../../src/tui/theme.js';
import { readStore, tempDir, waitFor } from '../helpers.js';

export const KEY = {
  up: '\u001b[A',
  down: '\u001b[B',
  right: '\u001b[C',
  left: '\u001b[D',
  enter: '\r',
  escape: '\u001b',
  tab: '\t',
  space: ' ',
  backspace: '\u007f',
  home: '\u001b[H',
  end: '\u001b[F',
  delete: '\u001b[3~',
  pageUp: '\u001b[5~',
  pageDown: '\u001b[6~',
  ctrlA: '\u0001',
  ctrlE: '\u0005',
  ctrlK: '\u000b',
  ctrlS: '\u0013',
  ctrlU: '\u0015',
  ctrlW: '\u0017',
  ctrlX: '\u0018',
  ctrlY: '\u0019',
  altB: '\u001bb',
  altF: '\u001bf',
  pasteStart: '\u001b[200~',
  pasteEnd: '\u001b[201~',
} as const;

// React's scheduler, the instance react-reconciler (and so Ink) uses: Node's CJS cache.
const scheduler = createRequire(import.meta.url)('scheduler') as {
  unstable_scheduleCallback(priority: number, callback: () => void): unknown;
  unstable_IdlePriority: number;
};

/**
 * Waits until Ink and React are done with a key: Ink flushes a lone Escape on the next
 * macrotask, and React runs passive effects (where useInput subscribes a newly focused
 * input) as scheduler tasks. An idle-priority task runs after every task queued before
 * it and after anything those queue, so when it runs the next key has its listener.
 */
export async function tick(rounds = 2): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    await new Promise((r) => setImmediate(r));
    await new Promise<void>((resolve) => scheduler.unstable_scheduleCallback(scheduler.unstable_IdlePriority, resolve));
  }
}

/** Runs command lines through a real CommandBus; returns the created objects' ids in order. */
export async function seed(dir: string, lines: readonly string[], session = 'default'): Promise<string[]> {
  const table = createTable();
  const bus = new CommandBus(table, new Services({ dir, session, writerKind: 'cli', interactive: false }));
  const ids: string[] = [];
  for (const line of lines) {
    const output = await bus.execute(table.commandFrom(line));
    const id = (output.json as { id?: string } | null)?.id;
    if (id) ids.push(id);
  }
  return ids;
}

/** The standard fixture: one flow, two plans, a task with a subtask; scope on Plan One. */
export interface Fixture {
  flowId: string;
  planOne: string;
  planTwo: string;
  first: string;
  second: string;
  third: string;
  child: string;
  other: string;
}

export async function seedFixture(dir: string): Promise<Fixture> {
  const [flowId, planOne, first, second, third] = await seed(dir, [
    'add flow Alpha',
    'add plan "Plan One"',
    'add task "First task"',
    'add task "Second task" --priority high',
    'add task "Third task" --tag demo',
  ]);
  const [child, planTwo, other] = await seed(dir, [
    `add task "Child task" --parent ${third}`,
    'add plan "Plan Two"',
    'add task "Other task"',
    `use plan ${planOne}`,
  ]);
  return { flowId, planOne, planTwo, first, second, third, child, other };
}

export interface HarnessOptions {
  dir?: string;
  session?: string;
  noColor?: boolean;
  theme?: string;
  historySize?: number;
  /** Writes to the data dir before the controller loads (e.g. seedFixture). */
  seed?: (dir: string) => Promise<unknown>;
  /** false: render before the store is read (the caller starts the controller). */
  start?: boolean;
  /** The terminal's size (default 100×24). */
  size?: { columns: number; rows: number };
}

export interface Harness {
  dir: string;
  tui: TuiStore;
  controller: Controller;
  bus: CommandBus;
  theme: Theme;
  history: PromptHistory;
  quits: number;
  lastFrame(): string;
  /** How many frames Ink has written so far. */
  frames(): number;
  press(...keys: string[]): Promise<void>;
  type(text: string): Promise<void>;
  waitForFrame(predicate: (frame: string) => boolean, what?: string, timeoutMs?: number): Promise<string>;
  waitForText(text: string, timeoutMs?: number): Promise<string>;
  /** Waits until the frame no longer contains text. */
  waitForGone(text: string, timeoutMs?: number): Promise<string>;
  /** The tree part of the line holding the selection marker ('' when none). */
  selectedLine(): string;
  store(): any;
  /** Everything written to the terminal so far (frames and other output such as OSC 52). */
  written(): string;
  /** Resizes the terminal, as a window resize does. */
  resize(columns: number, rows: number): Promise<void>;
  stop(): Promise<void>;
}

const live: Harness[] = [];

export async function createHarness(options: HarnessOptions = {}): Promise<Harness> {
  const dir = options.dir ?? tempDir('flow-tui-');
  const session = options.session ?? 'default';
  if (options.seed) await options.seed(dir);
  // Wired exactly as the workspace is, only loading on the main thread.
  const controller = createWorkspace({ dir, session });
  const { bus, tui } = controller;
  if (options.start !== false) await controller.start();
  const theme = loadTheme(options.theme ?? 'dark', { dataDir: dir, noColor: options.noColor ?? false });
  const history = new PromptHistory(dir, session, options.historySize ?? 500);
  const harness: Harness = {
    dir,
    tui,
    controller,
    bus,
    theme,
    history,
    quits: 0,
    lastFrame: () => '',
    frames: () => 0,
    press: async () => {},
    type: async () => {},
    waitForFrame: async () => '',
    waitForText: async () => '',
    waitForGone: async () => '',
    selectedLine: () => '',
    store: () => readStore(dir),
    written: () => '',
    resize: async () => {},
    stop: async () => {},
  };
  const context: TuiContextValue = {
    tui,
    controller,
    theme,
    history,
    quit: () => {
      harness.quits++;
    },
    layout: { pageSize: 10, editorWidth: 96 },
    // No terminal to hand over: the "editor" (a script) runs with its output discarded.
    suspend: (run) => run(),
  };
  const instance = render(
    <TuiContext.Provider value={context}>
      <App />
    </TuiContext.Provider>,
  );
  const setSize = (columns: number, rows: number) => {
    Object.defineProperty(instance.stdout, 'columns', { value: columns, configurable: true });
    Object.defineProperty(instance.stdout, 'rows', { value: rows, configurable: true });
  };
  if (options.size) {
    setSize(options.size.columns, options.size.rows);
    instance.stdout.emit('resize');
  }
  harness.resize = async (columns, rows) => {
    setSize(columns, rows);
    instance.stdout.emit('resize');
    await tick();
  };
  harness.written = () => instance.stdout.frames.join('');
  const frame = () => instance.lastFrame() ?? '';
  harness.lastFrame = frame;
  harness.press = async (...keys) => {
    await tick();
    for (const key of keys) {
      instance.stdin.write(key);
      await tick();
    }
  };
  // Printable text arrives as one chunk, like a paste or fast typing.
  harness.type = (text) => harness.press(text);
  harness.frames = () => instance.frames.length;
  harness.waitForFrame = async (predicate, what = 'frame', timeoutMs = 5000) => {
    try {
      return await waitFor(() => (predicate(frame()) ? frame() : undefined), { what, timeoutMs });
    } catch (err) {
      throw new Error(`${(err as Error).message}; last frame:\n${frame()}`);
    }
  };
  // Text as a person reads it: the cursor of an input is an inverted cell in the middle of it.
  harness.waitForText = (text, timeoutMs) => harness.waitForFrame((f) => plain(f).includes(text), `"${text}"`, timeoutMs);
  harness.waitForGone = (text, timeoutMs) => harness.waitForFrame((f) => !plain(f).includes(text), `"${text}" to go`, timeoutMs);
  // The tree is the left column (60 of the test terminal's 100); a selected row starts with ›.
  harness.selectedLine = () => (frame().split('\n').find((line) => line.startsWith('›')) ?? '').slice(0, 60);
  let stopped = false;
  harness.stop = async () => {
    if (stopped) return;
    stopped = true;
    instance.unmount();
    instance.cleanup();
    await controller.stop();
  };
  live.push(harness);
  if (options.start !== false) await harness.waitForFrame((f) => !f.includes('Loading'), 'the first frame');
  const { size } = options;
  if (size) {
    await harness.waitForFrame(
      (f) => f.split('\n').length === size.rows && f.split('\n')[0].length <= size.columns,
      'a frame of the asked size',
    );
  }
  return harness;
}

/** A frame without its colour and style codes. */
export function plain(frame: string): string {
  return frame.replace(/\u001b\[[\d;]*m/g, '');
}

/** For afterEach: stops every harness the test created. */
export async function stopAll(): Promise<void> {
  while (live.length) await live.pop()?.stop();
}

/** The task with this id in flows.json on disk, anywhere in the tree. */
export function diskTask(dir: string, id: string): any {
  const visit = (tasks: any[]): any => {
    for (const t of tasks) {
      if (t.id === id) return t;
      const found = visit(t.subtasks ?? []);
      if (found) return found;
    }
    return undefined;
  };
  for (const flow of Object.values<any>(readStore(dir).flows)) {
    for (const plan of flow.plans) {
      const found = visit(plan.tasks);
      if (found) return found;
    }
  }
  return undefined;
}
