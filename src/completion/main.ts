// `flow __complete SHELL LINE [WORD]`: the candidates for the last word of LINE, one per
// line in SHELL's format. Run by the completion scripts on every Tab, so it is its own
// small bundle (dist/complete.cjs, run with a V8 code cache by bin/flow.js before the
// command line loads) that knows the table from the manifest the build wrote into it;
// what reads the store (store-values.ts) is evaluated only when the word is a reference.
import { fdSink } from '../cli/fd-sink.js';
import { candidatesAt, type Candidate, type ValueSource } from '../commands/candidates.js';
import { CommandWords } from '../commands/command-words.js';
import { tokenize, TokenizeError } from '../commands/tokenize.js';
import { classifyLine } from '../commands/words.js';
import { sessionName } from '../context/session.js';
import { childProcess } from '../node-modules.js';
import { resolveDataDir } from '../store/paths.js';
import type { BuildLater } from './flow-index.js';
import type { CompletionManifest } from './manifest.js';
import { SHELLS, type Shell } from './scripts.js';

declare const FLOW_COMPLETION_MANIFEST: CompletionManifest | undefined;

/** A word typed with an open quote is completed as if the quote were closed. */
function closeQuote(line: string): { line: string; quote?: string } {
  try {
    tokenize(line);
    return { line };
  } catch (err) {
    if (!(err instanceof TokenizeError)) throw err;
    const quote = line[err.offset];
    return quote === '"' || quote === "'" ? { line: line + quote, quote } : { line };
  }
}

/** Where the words after the program's name begin. */
function programEnd(line: string): number {
  const match = /^\s*\S+/.exec(line);
  return match ? match[0].length : 0;
}

/** The values of --dir, --session and --plan on the line, which say where to look. */
function lineFlags(line: string): Record<'dir' | 'session' | 'plan', string | undefined> {
  const flags: Record<'dir' | 'session' | 'plan', string | undefined> = { dir: undefined, session: undefined, plan: undefined };
  let tokens: ReturnType<typeof tokenize> = [];
  try {
    tokens = tokenize(line);
  } catch {
    return flags;
  }
  tokens.forEach((token, i) => {
    for (const name of ['dir', 'session', 'plan'] as const) {
      if (token.quoted) continue;
      if (token.text === `--${name}` && tokens[i + 1]) flags[name] = tokens[i + 1].text;
      else if (token.text.startsWith(`--${name}=`)) flags[name] = token.text.slice(name.length + 3);
    }
  });
  return flags;
}

/** A word as bash inserts it: special characters escaped, or inside the quote it was opened with. */
function bashWord(value: string, quote: string | undefined): string {
  if (quote === "'") return `'${value.replace(/'/g, `'\\''`)}'`;
  if (quote === '"') return `"${value.replace(/(["\\$`])/g, '\\$1')}"`;
  // Only what the shell would read as something else: spaces, quotes, $, globs, operators.
  return value.replace(/([\s'"\\$`!&;|<>()*?[\]{}~#^])/g, '\\$1');
}

function format(shell: Shell, items: readonly Candidate[], raw: string, word: string | undefined, quote: string | undefined): string[] {
  switch (shell) {
    case 'bash': {
      // bash replaces only its own current word, which ends ours (it splits at = and :).
      const lead = word !== undefined && raw !== word && raw.endsWith(word) ? raw.slice(0, raw.length - word.length) : '';
      return items.map((c) => bashWord(c.value, quote)).map((w) => (lead && w.startsWith(lead) ? w.slice(lead.length) : w));
    }
    case 'zsh':
      return items.map((c) => {
        const value = c.value.replace(/([\\:])/g, '\\$1');
        return c.description ? `${value}:${c.description}` : value;
      });
    case 'fish':
      return items.map((c) => (c.description ? `${c.value}\t${c.description}` : c.value));
  }
}

export async function completeWords(
  args: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
  buildIndexLater?: BuildLater,
): Promise<{ code: number; lines: string[] }> {
  const [shell, typed = '', word] = args;
  const known = SHELLS.find((s) => s === shell);
  if (!known || typeof FLOW_COMPLETION_MANIFEST === 'undefined') return { code: 2, lines: [] };
  const { commands, configKeys } = FLOW_COMPLETION_MANIFEST;
  const { line, quote } = closeQuote(typed);
  // The shell's line starts with the program's name; the command's words follow it.
  const start = programEnd(line);
  const table = new CommandWords(commands);
  const rest = line.slice(start);
  const store = classifyLine(table, rest).expects.some((e) => e.what === 'value' && !!e.field.ref) ? await storeSource(line, env, buildIndexLater) : undefined;
  const source: ValueSource = (kind, prefix) =>
    kind === 'config-key' ? configKeys.filter((c) => c.value.startsWith(prefix)) : (store?.(kind, prefix) ?? []);
  const found = candidatesAt(table, rest, source);
  return { code: 0, lines: format(known, found.items, typed.slice(start + found.from), word, quote) };
}

/** References from the data directory the line names, by the module that reads it. */
async function storeSource(line: string, env: NodeJS.ProcessEnv, buildIndexLater?: BuildLater): Promise<ValueSource> {
  const flags = lineFlags(line);
  // In the same script, evaluated on first use (esbuild makes this import a lazy init).
  const values = await import('./store-values.js');
  return values.storeValues({ dir: resolveDataDir(flags.dir, env), session: sessionName(flags.session, env), plan: flags.plan, buildIndexLater });
}

/**
 * The completion index built by `flow __complete --index DIR`, started here and left to
 * run on its own: the Tab that starts it exits as soon as it has answered.
 */
function indexBuilder(entry: string | undefined): BuildLater | undefined {
  if (!entry) return undefined;
  return (dir) => {
    try {
      childProcess()
        .spawn(process.execPath, [entry, '__complete', '--index', dir], { detached: true, stdio: 'ignore', windowsHide: true })
        .unref();
      return true;
    } catch {
      return false;
    }
  };
}

/**
 * bin/flow.js calls this for `flow __complete …` (`entry`: bin/flow.js itself, which a
 * Tab starts again to build the completion index in the background).
 */
export async function main(args: readonly string[], entry?: string): Promise<number> {
  if (args[0] === '--index') {
    // In the same script, evaluated only here (esbuild makes this import a lazy init).
    if (args[1]) (await import('./flow-index.js')).buildFlowIndex(args[1]);
    return 0;
  }
  const { code, lines } = await completeWords(args, process.env, indexBuilder(entry));
  if (code === 2) process.stderr.write('usage: flow __complete bash|zsh|fish LINE [WORD]\n');
  // Straight to the descriptor: a Tab need not build Node's stdout stream (fd-sink.ts).
  if (lines.length) fdSink(1, () => process.stdout).write(`${lines.join('\n')}\n`);
  return code;
}
