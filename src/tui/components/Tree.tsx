// The plan/task tree. Virtualised: only the rows that fit are built, so scrolling a
// 100k-task tree costs the same as a 100-task one. Each row is one line cut to the
// pane's width: the title with … and what follows it dropped first.
import { Box } from 'ink';
import { memo, useRef } from 'react';
import { STATUS_GLYPH } from '../../commands/render.js';
import { useTui, useTuiContext } from '../context.js';
import { keyOf, keysOf } from '../keys.js';
import type { Row } from '../rows.js';
import { selectRows } from '../state.js';
import type { Theme } from '../theme.js';
import { fieldSpans, Line, type Span } from './Line.js';

/** First row to show so the cursor stays in view, scrolling as little as possible. */
export function scrollTop(previous: number, cursor: number, height: number, total: number): number {
  let top = Math.min(previous, Math.max(0, total - height));
  if (cursor < top) top = cursor;
  if (cursor >= top + height) top = cursor - height + 1;
  return Math.max(0, top);
}

function useTreeState(height: number) {
  const model = useTui(selectRows);
  const cursor = useTui((s) => s.cursor);
  const flash = useTui((s) => s.flash);
  const loading = useTui((s) => s.loading);
  const filter = useTui((s) => s.filter);
  const selection = useTui((s) => s.selection);
  const top = useRef(0);
  const index = cursor ? (model.indexOf.get(cursor) ?? 0) : 0;
  top.current = scrollTop(top.current, index, height, model.rows.length);
  return {
    rows: model.rows.slice(top.current, top.current + height),
    total: model.rows.length,
    cursor,
    flash,
    loading,
    filter,
    selection,
  };
}

export function rowSpans(row: Row, theme: Theme, options: { selected: boolean; marked: boolean; fg?: string }): Span[] {
  const color = (token: Parameters<Theme['color']>[0]) => options.fg ?? theme.color(token);
  const spans: Span[] = [
    { text: options.selected ? '›' : options.marked ? '✓' : ' ', color: color('accent'), bold: options.marked },
    { text: '  '.repeat(row.depth) + (row.expandable ? (row.expanded ? '▾ ' : '▸ ') : '  '), color: color('muted') },
  ];
  if (row.kind === 'task' && row.number !== undefined) {
    spans.push({ text: `${String(row.number).padStart(row.numberWidth ?? 1)}. `, color: color('muted') });
  }
  if (row.kind === 'task' && row.status) spans.push({ text: `${STATUS_GLYPH[row.status]} `, color: color(`status.${row.status}`) });
  if (row.priority === 'high' || row.priority === 'low') {
    spans.push({ text: row.priority === 'high' ? '! ' : '↓ ', color: color(row.priority === 'high' ? 'priority.high' : 'priority.low') });
  }
  const titleColor = row.kind === 'task' ? (row.status === 'done' || row.status === 'cancelled' ? 'muted' : 'text') : 'heading';
  spans.push(...fieldSpans(row.title, { color: options.marked ? color('accent') : color(titleColor), bold: row.kind === 'flow' || options.marked }));
  if (row.kind === 'plan' && row.planStatus !== 'active') spans.push({ text: ` [${row.planStatus}]`, color: color('muted') });
  if (row.total !== undefined) spans.push({ text: ` ${row.done}/${row.total}`, color: color('muted') });
  if (row.kind === 'plan' && row.total === 0) spans.push({ text: `  (empty: ${keysOf('addTask', 'tree')} adds a task)`, color: color('muted') });
  if (row.kind === 'flow' && !row.expandable) spans.push({ text: `  (empty: ${keysOf('addPlan', 'tree')} adds a plan)`, color: color('muted') });
  for (const tag of row.tags ?? []) spans.push(...fieldSpans(` #${tag}`, { color: color('tag') }));
  return spans;
}

// Memoised: moving the cursor draws the two rows that changed, not every row.
const RowLine = memo(function RowLine({ row, selected, marked, flashing, theme, width }: { row: Row; selected: boolean; marked: boolean; flashing: boolean; theme: Theme; width: number }) {
  const bg = selected ? theme.color('selection.bg') : flashing ? theme.color('flash.bg') : undefined;
  const fg = selected ? theme.color('selection.fg') : flashing ? theme.color('flash.fg') : undefined;
  // Without colours, the selection is shown inverted and a flash in bold.
  return (
    <Box width={width} height={1} backgroundColor={bg}>
      <Line spans={rowSpans(row, theme, { selected, marked, fg })} width={width} inverse={!theme.colour && selected} bold={!theme.colour && flashing} />
    </Box>
  );
});

export function TreeView({ state, width, height }: { state: ReturnType<typeof useTreeState>; width: number; height: number }) {
  const { theme } = useTuiContext();
  const now = Date.now();
  const muted = theme.color('muted');
  if (state.loading) {
    const { done, total } = state.loading;
    return (
      <Box width={width} height={height} flexDirection="column">
        <Line spans={[{ text: total ? `Loading ${done.toLocaleString('en')} of ${total.toLocaleString('en')} flows…` : 'Loading…', color: muted }]} width={width} />
      </Box>
    );
  }
  if (!state.total) {
    const text = state.filter
      ? [{ text: 'Nothing matches "', color: muted }, ...fieldSpans(state.filter, { color: muted }), { text: `" (${keyOf('cancel', 'search')} clears the filter)`, color: muted }]
      : [{ text: 'No flows yet. Press : and type  add flow "My project"', color: muted }];
    return (
      <Box width={width} height={height} flexDirection="column">
        <Line spans={text} width={width} />
      </Box>
    );
  }
  return (
    <Box width={width} height={height} flexDirection="column" overflow="hidden">
      {state.rows.map((row) => (
        <RowLine
          key={row.id}
          row={row}
          selected={row.id === state.cursor}
          marked={state.selection.has(row.id)}
          flashing={(state.flash.get(row.id) ?? 0) > now}
          theme={theme}
          width={width}
        />
      ))}
    </Box>
  );
}

export function Tree({ width, height }: { width: number; height: number }) {
  return <TreeView state={useTreeState(height)} width={width} height={height} />;
}
