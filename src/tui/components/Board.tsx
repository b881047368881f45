// b: the board of one plan, a column per status; live like the tree (it reads the same
// state). Cards are the plan's tasks, subtasks too (↳ names the parent); the column of
// the cursor scrolls to keep its card in view.
import { Box } from 'ink';
import { STATUS_GLYPH } from '../../commands/render.js';
import { BOARD_COLUMNS, boardColumns, boardPosition, type Card } from '../board.js';
import { useTui, useTuiContext } from '../context.js';
import { keyOf, keysOf } from '../keys.js';
import type { Theme } from '../theme.js';
import { wrap } from '../text.js';
import { fieldSpans, Line, type Span } from './Line.js';

const LABEL: Readonly<Record<string, string>> = { todo: 'todo', in_progress: 'in progress', blocked: 'blocked', done: 'done', cancelled: 'cancelled' };

function cardLines(card: Card, width: number, theme: Theme, marked: boolean): Span[][] {
  const mark = card.task.priority === 'high' ? '! ' : card.task.priority === 'low' ? '↓ ' : '';
  const title = wrap(`${mark}${card.task.title}`, width - 2);
  const lines: Span[][] = title.slice(0, 2).map((text, i) => {
    const cut = i === 1 && title.length > 2 ? `${text.slice(0, Math.max(0, text.length - 1))}…` : text;
    return [{ text: i === 0 ? (marked ? '✓ ' : '• ') : '  ', color: theme.color('accent') }, ...fieldSpans(cut, { color: theme.color('text') })];
  });
  // Tags first: a long parent title would push them out of a narrow column.
  const meta = [...card.task.tags.map((t) => `#${t}`), card.parentTitle ? `↳ ${card.parentTitle}` : ''].filter(Boolean).join(' ');
  if (meta) lines.push([{ text: '  ' }, ...fieldSpans(meta, { color: theme.color('muted') })]);
  return lines;
}

function Column({ cards, status, width, height, cursor, active }: { cards: Card[]; status: (typeof BOARD_COLUMNS)[number]; width: number; height: number; cursor: string | null; active: boolean }) {
  const { theme } = useTuiContext();
  const selection = useTui((s) => s.selection);
  const rendered = cards.map((card) => ({ card, lines: cardLines(card, width, theme, selection.has(card.task.id)) }));
  const room = Math.max(1, height - 2);
  // Scroll whole cards so the cursor's card is in view.
  let first = 0;
  const cursorAt = rendered.findIndex((r) => r.card.task.id === cursor);
  const linesFrom = (from: number, to: number) => rendered.slice(from, to + 1).reduce((n, r) => n + r.lines.length, 0);
  if (cursorAt >= 0) while (first < cursorAt && linesFrom(first, cursorAt) > room - 1) first++;
  const rows: Array<{ spans: Span[]; selected: boolean; key: string }> = [];
  for (const { card, lines } of rendered.slice(first)) {
    for (const [i, spans] of lines.entries()) rows.push({ spans, selected: card.task.id === cursor, key: `${card.task.id}:${i}` });
  }
  const more = rows.length > room;
  const shown = rows.slice(0, more ? room - 1 : room);
  const hidden = rendered.length - first - new Set(shown.map((r) => r.key.split(':')[0])).size;
  const head: Span[] = [
    { text: `${STATUS_GLYPH[status]} ${LABEL[status]} `, color: theme.color(`status.${status}`), bold: active },
    { text: String(cards.length), color: theme.color('muted') },
  ];
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Box height={1}>
        <Line spans={head} width={width} inverse={active && !theme.colour} />
      </Box>
      <Box height={1}>
        <Line spans={[{ text: (active ? '━' : '─').repeat(width), color: theme.color(active ? 'accent' : 'border') }]} width={width} />
      </Box>
      {shown.map((row) => (
        <Box key={row.key} height={1} width={width} backgroundColor={row.selected ? theme.color('selection.bg') : undefined}>
          <Line spans={row.selected && theme.colour ? row.spans.map((s) => ({ ...s, color: theme.color('selection.fg') })) : row.spans} width={width} inverse={row.selected && !theme.colour} />
        </Box>
      ))}
      {more || hidden > 0 ? <Line spans={[{ text: `↓ ${Math.max(1, hidden)} more`, color: theme.color('muted') }]} width={width} /> : null}
      {cards.length === 0 ? <Line spans={[{ text: active ? `(empty: ${keysOf('addTask', 'board')} adds)` : '(empty)', color: theme.color('muted') }]} width={width} /> : null}
    </Box>
  );
}

export function Board({ width, height }: { width: number; height: number }) {
  const { theme } = useTuiContext();
  const board = useTui((s) => s.board);
  const plan = useTui((s) => (s.board.planId ? s.flows.get(s.board.flowId ?? '')?.plans.find((p) => p.id === s.board.planId) : undefined));
  if (!plan) return null;
  const columns = boardColumns(plan);
  const at = boardPosition(columns, board);
  const gap = 1;
  const columnWidth = Math.max(8, Math.floor((width - gap * (columns.length - 1)) / columns.length));
  const title: Span[] = [
    ...fieldSpans(`Board of "${plan.title}"`, { bold: true, color: theme.color('heading') }),
    {
      text: `  ${keyOf('columnLeft', 'board')}/${keyOf('columnRight', 'board')} column · ${keyOf('down', 'board')}/${keyOf('up', 'board')} card · ${keyOf('cardLeft', 'board')}/${keyOf('cardRight', 'board')} move the card · ${keysOf('board', 'board').replace('/', ' or ')} back`,
      color: theme.color('muted'),
    },
  ];
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Box height={1}>
        <Line spans={title} width={width} />
      </Box>
      <Box flexDirection="row" gap={gap} height={height - 1}>
        {columns.map((cards, i) => (
          <Column key={BOARD_COLUMNS[i]} cards={cards} status={BOARD_COLUMNS[i]} width={columnWidth} height={height - 1} cursor={board.cursor} active={i === at.column} />
        ))}
      </Box>
    </Box>
  );
}
