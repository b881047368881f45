// A progress bar on stderr for long commands (adding large documents, building the search
// index): on the command line on a terminal only, never in the TUI, a pipe or a hook.
import type { Env } from './env.js';

export type ProgressBar = (done: number, total: number) => void;

/** The bar, or undefined where none is shown; `amount` says how much `done` is (bytes, items). */
export function progressBar(env: Env, label: string, amount: (done: number) => string): ProgressBar | undefined {
  if (!env.interactive || !process.stderr.isTTY || !env.store.writer.startsWith('cli:')) return undefined;
  let last = -1;
  return (done, total) => {
    const percent = total ? Math.floor((done / total) * 100) : 100;
    if (percent === last) return;
    last = percent;
    const width = 30;
    const filled = Math.round((percent / 100) * width);
    process.stderr.write(`\r${label} [${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${percent}% ${amount(done)}${percent === 100 ? '\n' : ''}`);
  };
}
