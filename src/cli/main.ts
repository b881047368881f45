// The `flow` command line: argv → parser → command bus → output and exit code.
// This path never loads Ink or React (DESIGN §6); `flow` alone on a terminal loads the
// TUI bundle on demand.
import { Services } from '../app/services.js';
import { CommandBus } from '../commands/bus.js';
import type { GlobalOptions } from '../commands/globals.js';
import { commandHelp, commandHelpJson, overview } from '../commands/help.js';
import { commandObject, UsageError } from '../commands/parse.js';
import { colourWanted, createStyle, PLAIN, terminalText, type Style } from '../commands/style.js';
import { createTable } from '../commands/table.js';
import { sessionName } from '../context/context.js';
import { FlowError, type ErrorCode } from '../domain/errors.js';
import { safeJson } from '../domain/sanitize.js';
import { resolveDataDir } from '../store/paths.js';
import { VERSION_JSON, VERSION_LINE } from '../version.js';
import { fdSink, type TextSink } from './fd-sink.js';
import { readlinePromises } from '../node-modules.js';

export const EXIT_CODES: Record<ErrorCode, number> = {
  not_found: 1,
  invalid: 1,
  vetoed: 1,
  failed: 1,
  permission_denied: 1,
  disk_full: 1,
  read_only: 1,
  name_too_long: 1,
  not_a_directory: 1,
  usage: 2,
  ambiguous: 2,
  conflict: 3,
  busy: 4,
  unreadable: 5,
  too_new: 5,
  too_deep: 5,
};

export interface Io {
  stdout: TextSink;
  stderr: NodeJS.WriteStream;
  stdin: NodeJS.ReadStream;
  env: NodeJS.ProcessEnv;
}

/**
 * A reader that stops early (`flow list flow | head`) closes the pipe: what is left
 * unwritten is dropped without a stack trace, and the exit code stays the command's (a
 * change it made is on disk either way).
 */
function closedPipeIsQuiet(stream: NodeJS.WriteStream): NodeJS.WriteStream {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE' && err.code !== 'ERR_STREAM_DESTROYED') throw err;
  });
  return stream;
}

/**
 * The process's own streams, each made on first use: Node builds a stream object for
 * stdin, stdout or stderr when it is first touched (~4 ms each, loading the stream
 * modules), and `flow add task … --quiet` needs none of them. Output goes to its file
 * descriptor directly where it can (fd-sink.ts).
 */
function defaultIo(): Io {
  return {
    stdout: fdSink(1, () => closedPipeIsQuiet(process.stdout)),
    get stderr() {
      return process.stderr;
    },
    get stdin() {
      return process.stdin;
    },
    env: process.env,
  };
}

/** --json as the parser reads it, for errors raised before parsing finished. */
function wantsJson(argv: readonly string[]): boolean {
  return argv.some((arg) => /^--json(=(true|yes|1))?$/i.test(arg));
}

function reportError(err: unknown, json: boolean, io: Io): number {
  if (err instanceof FlowError) {
    if (json) io.stderr.write(`${safeJson({ error: { code: err.code, message: err.message, ...err.details } })}\n`);
    else io.stderr.write(terminalText(`flow: ${err.message}\n`));
    return EXIT_CODES[err.code];
  }
  const message = err instanceof Error ? err.message : String(err);
  if (json) io.stderr.write(`${safeJson({ error: { code: 'internal', message } })}\n`);
  else io.stderr.write(terminalText(`flow: internal error: ${message}\n${io.env.FLOW_DEBUG && err instanceof Error ? `${err.stack}\n` : ''}`));
  return 1;
}

async function askOnTerminal(io: Io, question: string): Promise<boolean> {
  const rl = readlinePromises().createInterface({ input: io.stdin, output: io.stderr });
  try {
    const answer = await rl.question(terminalText(`${question} [y/N] `));
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

async function readAll(stream: NodeJS.ReadStream): Promise<string> {
  let text = '';
  stream.setEncoding('utf8');
  for await (const chunk of stream) text += chunk;
  return text;
}

/**
 * Imports an ES module. The command line runs as a script with a V8 code cache
 * (bin/load-cli.js), where Node 20 cannot give import() its loader: the loader passes one.
 */
export type ImportModule = (url: string) => Promise<unknown>;

async function openTui(globals: GlobalOptions, io: Io, importModule: ImportModule): Promise<number> {
  // A first frame before the TUI bundle (Ink, React, Yoga) is even loaded: the person
  // sees the workspace opening at once, whatever the size of the store.
  io.stdout.write('\u001b[?1049h\u001b[H\u001b[2Jflow: opening the workspace…');
  // A path the bundler does not follow: the TUI bundle is loaded only here.
  const tuiPath = new URL('./tui.js', import.meta.url).href;
  const tui = (await importModule(tuiPath)) as { runTui(options: GlobalOptions): Promise<number> };
  return tui.runTui(globals);
}

/**
 * Runs the command line. `beforeCommand` is called once a command that ends by itself
 * (not the TUI, not the MCP server) is about to run: the process can tune itself for a
 * short run there (bin/load-cli.js).
 */
export async function run(
  argv: readonly string[],
  io: Io = defaultIo(),
  importModule: ImportModule = (url) => import(url),
  beforeCommand?: () => void,
): Promise<number> {
  const json = wantsJson(argv);
  const table = createTable();
  let parsed: ReturnType<typeof table.parseArgv>;
  try {
    parsed = table.parseArgv(argv);
  } catch (err) {
    return reportError(err, json, io);
  }
  if (parsed.globals.version) {
    io.stdout.write(`${json ? JSON.stringify(VERSION_JSON) : VERSION_LINE}\n`);
    return 0;
  }
  const style = (): Style => (colourWanted(io.stdout, parsed.globals['no-color'], io.env) ? createStyle(true) : PLAIN);
  if (!parsed.command) {
    if (parsed.globals.help) {
      io.stdout.write(json ? `${safeJson(table.commands.map(commandHelpJson))}\n` : terminalText(`${overview(table, style())}\n`));
      return 0;
    }
    if (io.stdin.isTTY && io.stdout.isTTY && !json) return openTui(parsed.globals, io, importModule);
    if (json) return reportError(new UsageError('expected a command (flow help --json lists them)'), true, io);
    io.stderr.write(terminalText(`${overview(table, PLAIN)}\n\nflow: expected a command (flow alone opens the workspace only on a terminal)\n`));
    return 2;
  }
  const { command, globals } = parsed;
  if (globals.help) {
    io.stdout.write(json ? `${safeJson(commandHelpJson(command))}\n` : terminalText(`${commandHelp(command, style())}\n`));
    return 0;
  }
  if (!command.serves) beforeCommand?.();
  const services = new Services({
    dir: resolveDataDir(globals.dir, io.env),
    session: sessionName(globals.session, io.env),
    writerKind: 'cli',
    interactive: () => !!(io.stdin.isTTY && io.stderr.isTTY),
    oneCommandAtATime: true,
    confirm: (question) => askOnTerminal(io, question),
    input: () => readAll(io.stdin),
    importModule,
    warn: (message) =>
      io.stderr.write(json ? `${safeJson({ warning: { message } })}\n` : terminalText(`flow: ${message}\n`)),
  });
  try {
    const output = await new CommandBus(table, services).execute(commandObject(parsed));
    if (globals.json) {
      // Nothing to print: a command that used stdout itself (flow mcp).
      if (output.json !== undefined) io.stdout.write(`${safeJson(output.json, io.stdout.isTTY ? 2 : undefined)}\n`);
    } else if (!globals.quiet) {
      const text = output.human(style());
      if (text) io.stdout.write(terminalText(`${text}\n`));
    }
    return output.exitCode ?? 0;
  } catch (err) {
    return reportError(err, json || !!globals.json, io);
  }
}
