// The text of an input and the cursor in it, and every editing key as a pure function of
// them. Every input of the workspace (prompt, filter, titles, pickers, the notes editor)
// edits through here, one key at a time on the newest value, so keys that arrive
// together are all applied. The cursor moves by grapheme clusters (an emoji or an
// accented letter is one step); readline's words: Alt-B/F and Alt-Backspace stop at
// letters and digits, Ctrl-W at spaces.
import { cells, clusters, shownCluster, shownWidth } from '../text.js';

export interface TextField {
  text: string;
  /** Offset into text (UTF-16 units), always on a grapheme boundary. */
  cursor: number;
  /** What the last kill (Ctrl-U/K/W, Alt-D) removed, for Ctrl-Y. */
  killed?: string;
}

export type EditAction =
  | 'charLeft' | 'charRight' | 'wordLeft' | 'wordRight' | 'lineStart' | 'lineEnd'
  | 'deleteBack' | 'deleteForward' | 'deleteWordBack' | 'deleteAlnumBack' | 'deleteWordForward'
  | 'killToStart' | 'killToEnd' | 'yank' | 'rowUp' | 'rowDown';

export function field(text = '', cursor = text.length): TextField {
  return { text, cursor: Math.max(0, Math.min(text.length, cursor)) };
}

export function insert(f: TextField, text: string): TextField {
  return { ...f, text: f.text.slice(0, f.cursor) + text + f.text.slice(f.cursor), cursor: f.cursor + text.length };
}

function boundaries(text: string): number[] {
  const out = clusters(text).map((c) => c.index);
  out.push(text.length);
  return out;
}

function previousBoundary(text: string, at: number): number {
  let prev = 0;
  for (const b of boundaries(text)) {
    if (b >= at) break;
    prev = b;
  }
  return prev;
}

function nextBoundary(text: string, at: number): number {
  for (const b of boundaries(text)) if (b > at) return b;
  return text.length;
}

const ALNUM = /[\p{L}\p{N}_]/u;
const SPACE = /\s/;

/** Start of the word before `at`: skip what is not a word, then the word. */
function wordStart(text: string, at: number, isWord: (c: string) => boolean): number {
  let i = at;
  while (i > 0 && !isWord(text[i - 1])) i--;
  while (i > 0 && isWord(text[i - 1])) i--;
  return i;
}

function wordEnd(text: string, at: number, isWord: (c: string) => boolean): number {
  let i = at;
  while (i < text.length && !isWord(text[i])) i++;
  while (i < text.length && isWord(text[i])) i++;
  return i;
}

const alnum = (c: string) => ALNUM.test(c);
const nonSpace = (c: string) => !SPACE.test(c);

function lineStartOf(text: string, at: number): number {
  return text.lastIndexOf('\n', at - 1) + 1;
}

function lineEndOf(text: string, at: number): number {
  const end = text.indexOf('\n', at);
  return end < 0 ? text.length : end;
}

function cut(f: TextField, from: number, to: number, kill: boolean): TextField {
  if (from === to) return f;
  const text = f.text.slice(0, from) + f.text.slice(to);
  return { text, cursor: from, killed: kill ? f.text.slice(from, to) : f.killed };
}

/**
 * One visual row of an input `width` cells wide: long lines wrap at a space when there
 * is one (else inside the word); `end` excludes the line break.
 */
export interface VisualRow {
  start: number;
  end: number;
}

export function visualRows(text: string, width: number): VisualRow[] {
  const w = Math.max(1, width);
  const rows: VisualRow[] = [];
  let lineStart = 0;
  for (const line of text.split('\n')) {
    let start = 0;
    let used = 0;
    let lastSpace = -1;
    for (const c of clusters(line)) {
      const width = cells(shownCluster(c.text));
      if (used + width > w && c.index > start) {
        const breakAt = lastSpace > start ? lastSpace : c.index;
        rows.push({ start: lineStart + start, end: lineStart + breakAt });
        used = shownWidth(line.slice(breakAt, c.index));
        start = breakAt;
        lastSpace = -1;
      }
      used += width;
      if (c.text === ' ') lastSpace = c.index + 1;
    }
    rows.push({ start: lineStart + start, end: lineStart + line.length });
    lineStart += line.length + 1;
  }
  return rows;
}

/** The row the cursor is on: at a soft wrap it belongs to the row it starts. */
export function cursorRow(rows: readonly VisualRow[], cursor: number): number {
  for (let i = 0; i < rows.length; i++) {
    const next = rows[i + 1];
    if (cursor < rows[i].end || (cursor === rows[i].end && (!next || next.start > cursor))) return i;
    if (next && cursor < next.start) return i;
  }
  return rows.length - 1;
}

function moveRow(f: TextField, delta: number, width: number): TextField {
  const rows = visualRows(f.text, width);
  const at = cursorRow(rows, f.cursor);
  const target = rows[at + delta];
  if (!target) return { ...f, cursor: delta < 0 ? 0 : f.text.length };
  const column = shownWidth(f.text.slice(rows[at].start, f.cursor));
  let cursor = target.start;
  for (const c of clusters(f.text.slice(target.start, target.end))) {
    if (shownWidth(f.text.slice(target.start, target.start + c.index + c.text.length)) > column) break;
    cursor = target.start + c.index + c.text.length;
  }
  return { ...f, cursor };
}

/** Applies an editing action; `width` is the input's width (for moves by visual row). */
export function edit(f: TextField, action: EditAction, width = 80): TextField {
  const { text, cursor } = f;
  switch (action) {
    case 'charLeft':
      return { ...f, cursor: previousBoundary(text, cursor) };
    case 'charRight':
      return { ...f, cursor: nextBoundary(text, cursor) };
    case 'wordLeft':
      return { ...f, cursor: wordStart(text, cursor, alnum) };
    case 'wordRight':
      return { ...f, cursor: wordEnd(text, cursor, alnum) };
    case 'lineStart':
      return { ...f, cursor: lineStartOf(text, cursor) };
    case 'lineEnd':
      return { ...f, cursor: lineEndOf(text, cursor) };
    case 'deleteBack':
      return cut(f, previousBoundary(text, cursor), cursor, false);
    case 'deleteForward':
      return cut(f, cursor, nextBoundary(text, cursor), false);
    case 'deleteWordBack':
      return cut(f, wordStart(text, cursor, nonSpace), cursor, true);
    case 'deleteAlnumBack':
      return cut(f, wordStart(text, cursor, alnum), cursor, true);
    case 'deleteWordForward':
      return cut(f, cursor, wordEnd(text, cursor, alnum), true);
    case 'killToStart':
      return cut(f, lineStartOf(text, cursor), cursor, true);
    case 'killToEnd': {
      const end = lineEndOf(text, cursor);
      // At the end of a line, Ctrl-K takes the line break (as in Emacs and readline).
      return cut(f, cursor, end === cursor && end < text.length ? end + 1 : end, true);
    }
    case 'yank':
      return f.killed ? { ...insert(f, f.killed), killed: f.killed } : f;
    case 'rowUp':
      return moveRow(f, -1, width);
    case 'rowDown':
      return moveRow(f, 1, width);
  }
}
