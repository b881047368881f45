// The plan/task tree. Virtualised: only the rows that fit are built, so scrolling a
// 100k-task tree costs the same as a 100-task one.
import { Box, Text, useInput } from 'ink';
import { useRef } from 'react';
import { STATUS_GLYPH } from '../../commands/render.js';
import { perform } from '../actions.js';
import { useTui, useTuiContext } from '../context.js';
import { actionsFor } from '../keys.js';
import type { Row } from '../rows.js';
import { selectRows } from '../state.js';
import type { Theme } from '../theme.js';

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
  };
}

function useTreeInput(height: number) {
  const { tui, controller, quit } = useTuiContext();
  const focused = useTui((s) => s.focus === 'tree');
  useInput(
    (input, key) => {
      for (const action of actionsFor('tree', input, key)) {
        perform(action, { tui, controller, pageSize: Math.max(1, height - 1), quit });
        // Keys after one that opened an input, a panel or a question were typed for the
        // tree, not for it: they are dropped rather than read as text.
        if (tui.getState().focus !== 'tree') break;
      }
    },
    { isActive: focused },
  );
}

function RowLine({ row, selected, flashing, theme, width }: { row: Row; selected: boolean; flashing: boolean; theme: Theme; width: number }) {
  const indent = '  '.repeat(row.depth);
  const expander = row.expandable ? (row.expanded ? '▾ ' : '▸ ') : '  ';
  const bg = selected ? theme.color('selection.bg') : flashing ? theme.color('flash.bg') : undefined;
  const fgOverride = selected ? theme.color('selection.fg') : flashing ? theme.color('flash.fg') : undefined;
  // Without colours, the selection is shown inverted and a flash in bold.
  const inverse = !theme.colour && selected;
  const color = (token: Parameters<Theme['color']>[0]) => fgOverride ?? theme.color(token);
  let glyph = '';
  let glyphColor: string | undefined;
  if (row.kind === 'task' && row.status) {
    glyph = `${STATUS_GLYPH[row.status]} `;
    glyphColor = color(`status.${row.status}`);
  }
  const priority = row.priority === 'high' ? '! ' : row.priority === 'low' ? '↓ ' : '';
  const counts = row.total !== undefined ? ` ${row.done}/${row.total}` : '';
  const tags = row.tags?.length ? ` ${row.tags.map((t) => `#${t}`).join(' ')}` : '';
  const status = row.kind === 'plan' && row.planStatus !== 'active' ? ` [${row.planStatus}]` : '';
  return (
    <Box width={width} backgroundColor={bg}>
      <Text wrap="truncate-end" inverse={inverse} bold={(!theme.colour && flashing) || row.kind === 'flow'}>
        <Text color={color('accent')}>{selected ? '›' : ' '}</Text>
        <Text color={color('muted')}>{indent + expander}</Text>
        <Text color={glyphColor}>{glyph}</Text>
        {priority ? <Text color={color(row.priority === 'high' ? 'priority.high' : 'priority.low')}>{priority}</Text> : null}
        <Text color={color(row.kind === 'task' ? (row.status === 'done' || row.status === 'cancelled' ? 'muted' : 'text') : 'heading')}>
          {row.title}
        </Text>
        <Text color={color('muted')}>{status + counts}</Text>
        <Text color={color('tag')}>{tags}</Text>
      </Text>
    </Box>
  );
}

export function TreeView({ state, width, height }: { state: ReturnType<typeof useTreeState>; width: number; height: number }) {
  const { theme } = useTuiContext();
  const now = Date.now();
  if (state.loading) {
    const { done, total } = state.loading;
    return (
      <Box width={width} height={height} flexDirection="column">
        <Text color={theme.color('muted')}>{total ? `Loading ${done.toLocaleString('en')} of ${total.toLocaleString('en')} flows…` : 'Loading…'}</Text>
      </Box>
    );
  }
  if (!state.total) {
    return (
      <Box width={width} height={height} flexDirection="column">
        <Text color={theme.color('muted')}>
          {state.filter ? `Nothing matches "${state.filter}" (Esc clears the search)` : 'No flows yet. Press : and type  add flow "My project"'}
        </Text>
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
          flashing={(state.flash.get(row.id) ?? 0) > now}
          theme={theme}
          width={width}
        />
      ))}
    </Box>
  );
}

export function Tree({ width, height }: { width: number; height: number }) {
  const state = useTreeState(height);
  useTreeInput(height);
  return <TreeView state={state} width={width} height={height} />;
}
