// One row of the screen, exactly `width` cells or less: styled spans cut with … where
// they run out of room. Rows are laid out here rather than wrapped by Ink, so a long
// title can never push the rows under it down.
import { Text } from 'ink';
import { needsSanitizing, type Segment } from '../../domain/sanitize.js';
import { cells, clusters, fieldSegments, shownCluster, truncateSegments } from '../text.js';

export interface Span {
  text: string;
  color?: string;
  bold?: boolean;
  dim?: boolean;
  inverse?: boolean;
}

/** Spans of a one-line field from the store: escapes of control characters shown dim. */
export function fieldSpans(text: string, style: Omit<Span, 'text'> = {}): Span[] {
  return fieldSegments(text).map((s) => ({ ...style, text: s.text, dim: style.dim || s.escaped }));
}

/**
 * Spans cut to `width` cells (the last one ends in … when something was cut). Every row
 * of the screen passes here, so a span built from data without fieldSpans (a time, a
 * name in a template) is sanitized here too: nothing drawn can drive the terminal.
 */
export function fitSpans(spans: readonly Span[], width: number): Span[] {
  const safe = spans.flatMap((s) => (needsSanitizing(s.text, { oneLine: true }) ? fieldSpans(s.text, s) : [s]));
  const segments: Segment[] = safe.map((s) => ({ text: s.text, escaped: false }));
  const cut = truncateSegments(segments, Math.max(0, width));
  return cut.map((segment, i) => ({ ...(safe[i] ?? safe[safe.length - 1] ?? {}), text: segment.text }));
}

export function Line({ spans, width, inverse, bold }: { spans: readonly Span[]; width: number; inverse?: boolean; bold?: boolean }) {
  const fitted = fitSpans(spans.filter((s) => s.text), width);
  return (
    <Text wrap="truncate-end" inverse={inverse} bold={bold}>
      {fitted.length ? fitted.map((s, i) => (
        <Text key={i} color={s.color} bold={s.bold} dimColor={s.dim} inverse={s.inverse}>
          {s.text}
        </Text>
      )) : ' '}
    </Text>
  );
}

/**
 * The visible part of an input's text with the cursor shown inverted, scrolled so the
 * cursor is always in view. Control characters show as their escapes.
 */
export function fieldWindow(text: string, cursor: number, width: number): { before: string; at: string; after: string } {
  const parts = clusters(text).map((c) => ({ shown: shownCluster(c.text), index: c.index }));
  let at = parts.findIndex((p) => p.index >= cursor);
  if (at < 0) at = parts.length;
  const widthOf = (i: number) => (i < parts.length ? cells(parts[i].shown) : 1);
  // Start as far left as still shows the cursor, leaving a cell for it.
  let start = 0;
  let used = 0;
  for (let i = at; i >= 0; i--) {
    if (used + widthOf(i) > width) break;
    used += widthOf(i);
    start = i;
  }
  let end = at + 1;
  while (end < parts.length && used + cells(parts[end].shown) <= width) used += cells(parts[end++].shown);
  const join = (from: number, to: number) => parts.slice(from, to).map((p) => p.shown).join('');
  return { before: join(start, at), at: at < parts.length ? parts[at].shown : ' ', after: join(at + 1, end) };
}

export function FieldView({ text, cursor, width, focused, color }: { text: string; cursor: number; width: number; focused: boolean; color?: string }) {
  if (!focused) return <Line spans={fieldSpans(text, { color })} width={width} />;
  const view = fieldWindow(text, cursor, width);
  return (
    <Text wrap="truncate-end">
      <Text color={color}>{view.before}</Text>
      <Text inverse>{view.at}</Text>
      <Text color={color}>{view.after}</Text>
    </Text>
  );
}
