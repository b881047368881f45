// What a command returns: one JSON document for --json, text for a person, and a short
// line for the TUI's message area.
import { cells } from '../domain/cells.js';
import { withoutMarks, type Style } from './style.js';

export interface Output {
  json: unknown;
  human(style: Style): string;
  /** One line for the TUI message area; defaults to the first line of human(). */
  message?: string;
  /**
   * The exit code of a command that did its work and still reports an outcome the caller
   * must act on (conflicts recorded: `flow sync` 3, git's merge driver 1 or 2).
   */
  exitCode?: number;
  /** For a list: which rows of how many the output holds (`--offset`, `--limit`). */
  page?: Page;
}

export interface Page {
  total: number;
  offset: number;
  shown: number;
}

/** Lays out rows in columns; the last column is not padded. */
export function columns(rows: readonly string[][]): string {
  // Widths in terminal cells, ignoring colour marks. Plain loops: a listing of 100k rows
  // runs this once, in code too cold for callbacks and per-row arrays to be cheap.
  const widths: number[] = [];
  const widest: number[] = [];
  for (const row of rows) {
    for (let i = 0; i < row.length; i++) {
      const width = cells(withoutMarks(row[i]));
      widths.push(width);
      if (!(widest[i] >= width)) widest[i] = width;
    }
  }
  const lines: string[] = [];
  let k = 0;
  for (const row of rows) {
    let line = '';
    for (let i = 0; i < row.length; i++) {
      const width = widths[k++];
      line += i === row.length - 1 ? row[i] : `${row[i]}${' '.repeat(widest[i] - width)}  `;
    }
    lines.push(line.trimEnd());
  }
  return lines.join('\n');
}
