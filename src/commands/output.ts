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
}

/** Lays out rows in columns; the last column is not padded. */
export function columns(rows: readonly string[][]): string {
  // Widths in terminal cells, ignoring colour marks.
  const widths = rows.map((row) => row.map((cell) => cells(withoutMarks(cell))));
  const w: number[] = [];
  for (const row of widths) row.forEach((width, i) => (w[i] = Math.max(w[i] ?? 0, width)));
  return rows
    .map((row, r) =>
      row
        .map((cell, i) => (i === row.length - 1 ? cell : cell + ' '.repeat(Math.max(0, w[i] - widths[r][i]))))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
