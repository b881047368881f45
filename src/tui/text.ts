// Text measured in terminal cells (string-width: CJK and emoji take two, combining marks
// none) and cut at grapheme boundaries, so a row never grows past its width and a cut
// never splits a character. Every row of the workspace is laid out with these, not left
// to Ink's wrapping: a row that wraps pushes the rows under it off the screen.
import stringWidth from 'string-width';
import { cells } from '../domain/cells.js';
import { oneLine, sanitizeSegments, type Segment } from '../domain/sanitize.js';

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

export const ELLIPSIS = '…';

export { cells };

/** The grapheme clusters of `text`, each with its width. */
export function clusters(text: string): Array<{ text: string; index: number; width: number }> {
  const out: Array<{ text: string; index: number; width: number }> = [];
  for (const { segment, index } of graphemes.segment(text)) out.push({ text: segment, index, width: stringWidth(segment) });
  return out;
}

/**
 * Lines of at most `width` cells: words wrap at spaces, a word longer than a line is
 * broken, and line breaks in the text are kept. Nothing is dropped.
 */
export function wrap(text: string, width: number): string[] {
  const w = Math.max(1, width);
  const out: string[] = [];
  for (const paragraph of text.split('\n')) {
    let line = '';
    let used = 0;
    for (const word of paragraph.split(/(?<= )/)) {
      const size = stringWidth(word);
      if (used + size <= w) {
        line += word;
        used += size;
        continue;
      }
      if (line.trim()) out.push(line.trimEnd());
      line = '';
      used = 0;
      for (const c of clusters(word)) {
        if (used + c.width > w) {
          out.push(line);
          line = '';
          used = 0;
        }
        line += c.text;
        used += c.width;
      }
    }
    out.push(line.trimEnd());
  }
  return out;
}

/** Sanitized pieces of a one-line field (escapes shown dim), cut to `width` cells. */
export function truncateSegments(segments: readonly Segment[], width: number): Segment[] {
  if (width <= 0) return [];
  const total = segments.reduce((sum, s) => sum + stringWidth(s.text), 0);
  if (total <= width) return [...segments];
  const out: Segment[] = [];
  let room = width - 1;
  for (const segment of segments) {
    if (room <= 0) break;
    const size = stringWidth(segment.text);
    if (size <= room) {
      out.push(segment);
      room -= size;
      continue;
    }
    let part = '';
    for (const c of clusters(segment.text)) {
      if (c.width > room) break;
      part += c.text;
      room -= c.width;
    }
    if (part) out.push({ text: part, escaped: segment.escaped });
    break;
  }
  out.push({ text: ELLIPSIS, escaped: false });
  return out;
}

// Pieces of emoji that terminals draw at widths of their own (tmux draws 👍🏽 four cells
// wide where string-width says two, ❤️ one cell where it says two, and a family joined
// by zero-width joiners two cells or six): skin-tone modifiers, the emoji presentation
// selector and the joiner. Left out of what is shown, every emoji is measured and drawn
// the same everywhere (a family shows as its members), and no row runs past the edge.
const UNSTABLE_WIDTH = /[\u{1F3FB}-\u{1F3FF}\uFE0F\u200D]/gu;

/** Text as the workspace draws it: the same width in every terminal (see above). */
export function stableWidth(text: string): string {
  return text.replace(UNSTABLE_WIDTH, '');
}

/** A one-line field from the store, safe to show: control characters as dim escapes. */
export function fieldSegments(text: string): Segment[] {
  return sanitizeSegments(stableWidth(text), { oneLine: true });
}

/**
 * How one grapheme of text being edited is shown: a tab as spaces, a control character
 * as its visible escape (so the cursor can sit on it), anything else as itself.
 */
export function shownCluster(cluster: string): string {
  return cluster === '\t' ? '    ' : oneLine(stableWidth(cluster));
}

/** Width of `text` as an input shows it (see shownCluster). */
export function shownWidth(text: string): number {
  let width = 0;
  for (const c of clusters(text)) width += c.text === '\n' ? 0 : cells(shownCluster(c.text));
  return width;
}
