// `flow` on a terminal: the full-screen workspace. Uses the alternate screen and gives the
// terminal back as it was on every exit: q, Ctrl-C, a signal, or a crash.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { render } from 'ink';
import type { GlobalOptions } from '../commands/globals.js';
import { readConfig } from '../config/config.js';
import { readScope, sessionName, type Scope } from '../context/context.js';
import { FlowError } from '../domain/errors.js';
import { resolveDataDir } from '../store/paths.js';
import { keepGitOffTheTerminal } from '../sync/git.js';
import { LEGACY_FILE, STORE_FILE } from '../store/store.js';
import { App } from './App.js';
import { TuiContext, type TuiContextValue } from './context.js';
import { createWorkspace } from './controller.js';
import { PromptHistory } from './history.js';
import { setMessage } from './state.js';
import { loadTheme, type Theme } from './theme.js';

const ENTER_ALT_SCREEN = '\u001b[?1049h\u001b[H';
const LEAVE_ALT_SCREEN = '\u001b[?1049l';
const SHOW_CURSOR = '\u001b[?25h';
// Bracketed paste: the terminal marks pasted text, so it is read as text, never as keys.
const PASTE_ON = '\u001b[?2004h';
const PASTE_OFF = '\u001b[?2004l';

/** The example a first run starts with, written through the command bus like any change. */
export const EXAMPLE_COMMANDS = [
  'add flow "Getting started"',
  'add plan "Learn flow" --summary "A small example: delete it with d when you are done."',
  'add task "Move with j/k, open and close with l/h" --priority high',
  'add task "Press space to cycle a task\'s status, S for all five, p for priority"',
  'add task "Press a to add a task, o a subtask, e to edit a title, n for notes"',
  'add task "Press b for the board of this plan, ? for every key"',
  'add task "Type : then  add task Write tests --tag demo" --tag prompt',
  'add task "Run flow list task in a shell while this is open" --tag live',
];

function pickTheme(name: string | undefined, dir: string, noColor: boolean, warn: (m: string) => void): Theme {
  let wanted = name;
  try {
    wanted ??= readConfig(dir).theme;
  } catch (err) {
    warn((err as Error).message);
  }
  try {
    return loadTheme(wanted ?? 'dark', { dataDir: dir, noColor });
  } catch (err) {
    warn(`${(err as FlowError).message}; using the dark theme`);
    return loadTheme('dark', { dataDir: dir, noColor });
  }
}

export async function runTui(globals: GlobalOptions): Promise<number> {
  const dir = resolveDataDir(globals.dir);
  const session = sessionName(globals.session);
  const firstRun = !existsSync(join(dir, STORE_FILE)) && !existsSync(join(dir, LEGACY_FILE));
  const warnings: string[] = [];
  let scope: Scope = { flowId: null, planId: null };
  try {
    scope = readScope(dir, session);
  } catch (err) {
    warnings.push((err as Error).message);
  }
  // The workspace holds the terminal: git's ssh must not prompt on it (git.ts).
  keepGitOffTheTerminal();
  const controller = createWorkspace({
    dir,
    session,
    scope,
    workerPath: fileURLToPath(new URL('./load-worker.js', import.meta.url)),
    syncWorkerPath: fileURLToPath(new URL('./sync-worker.js', import.meta.url)),
  });
  const { bus, table, tui } = controller;
  if (firstRun) {
    for (const line of EXAMPLE_COMMANDS) await bus.execute(table.commandFrom(line));
    tui.setState({ scope: readScope(dir, session) });
  }
  const noColor = !!globals['no-color'] || (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '');
  const theme = pickTheme(globals.theme, dir, noColor, (m) => warnings.push(m));
  const history = new PromptHistory(dir, session, readHistorySize(dir));

  const stdout = process.stdout;
  let restored = false;
  const restore = () => {
    if (restored) return;
    restored = true;
    stdout.write(PASTE_OFF + SHOW_CURSOR + LEAVE_ALT_SCREEN);
  };
  stdout.write(ENTER_ALT_SCREEN + PASTE_ON);
  process.on('exit', restore);
  const onSignal = (signal: NodeJS.Signals) => {
    restore();
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGHUP', onSignal);
  const onCrash = (err: unknown) => {
    instance.unmount();
    restore();
    process.stderr.write(`flow: the workspace stopped on an internal error: ${(err as Error)?.stack ?? err}\n`);
    process.exit(1);
  };
  process.on('uncaughtException', onCrash);
  process.on('unhandledRejection', onCrash);

  const context: TuiContextValue = {
    tui,
    controller,
    theme,
    history,
    quit: () => instance.unmount(),
    layout: { pageSize: 10, editorWidth: 76 },
    // The editor gets the terminal as the shell left it; the workspace's screen comes
    // back after it (the caller redraws the frame).
    suspend: (run) => {
      stdout.write(PASTE_OFF + SHOW_CURSOR + LEAVE_ALT_SCREEN);
      process.stdin.setRawMode?.(false);
      try {
        return run();
      } finally {
        process.stdin.setRawMode?.(true);
        stdout.write(ENTER_ALT_SCREEN + PASTE_ON);
      }
    },
  };
  const instance = render(
    <TuiContext.Provider value={context}>
      <App />
    </TuiContext.Provider>,
    { exitOnCtrlC: false, patchConsole: true, maxFps: 120, incrementalRendering: true },
  );
  if (firstRun) setMessage(tui, `Welcome: created ${dir} with an example flow. Press ? for keys.`, 'success');
  for (const message of warnings) setMessage(tui, message, 'warning');
  void controller.start().catch(onCrash);
  await instance.waitUntilExit();
  // Changes already asked for are made before the workspace goes.
  await controller.idle();
  await controller.stop();
  restore();
  return 0;
}

function readHistorySize(dir: string): number {
  try {
    return readConfig(dir).history.size;
  } catch {
    return 500;
  }
}
