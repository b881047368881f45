// Panels that take the place of the tree for a moment: keys help, command output, and
// pickers (flows, plans, dependencies, statuses). Their keys are in dispatch.ts and
// inputs.ts; here they are drawn, one line per row.
import { Box } from 'ink';
import { STATUS_GLYPH } from '../../commands/render.js';
import { useTui, useTuiContext } from '../context.js';
import { pickerMatches } from '../inputs.js';
import { BINDINGS, CONTEXT_TITLES, keyLabel, keysOf, type KeyContext } from '../keys.js';
import type { Theme } from '../theme.js';
import { cells } from '../text.js';
import { FieldView, fieldSpans, Line, type Span } from './Line.js';

const HELP_ORDER: readonly KeyContext[] = ['tree', 'board', 'prompt', 'text', 'line', 'search', 'editor', 'picker', 'snapshots', 'list', 'confirm', 'conflict'];

/** Every line of the help: the legend, then each context's keys from the key table. */
export function helpLines(theme: Theme): Span[][] {
  const muted = theme.color('muted');
  const accent = theme.color('accent');
  const lines: Span[][] = [[{ text: 'Legend', bold: true, color: theme.color('heading') }]];
  const legend: Array<[string, string, string | undefined]> = [
    [STATUS_GLYPH.todo, 'todo', theme.color('status.todo')],
    [STATUS_GLYPH.in_progress, 'in progress', theme.color('status.in_progress')],
    [STATUS_GLYPH.blocked, 'blocked', theme.color('status.blocked')],
    [STATUS_GLYPH.done, 'done', theme.color('status.done')],
    [STATUS_GLYPH.cancelled, 'cancelled', theme.color('status.cancelled')],
    ['!', 'high priority', theme.color('priority.high')],
    ['↓', 'low priority', theme.color('priority.low')],
    ['▸ ▾', 'closed / open', muted],
    ['›', 'cursor', accent],
    ['✓', 'selected (x)', accent],
    ['3.', 'the number prompt commands take', muted],
    ['2/5', 'done / all tasks', muted],
    ['#tag', 'a tag', theme.color('tag')],
  ];
  for (const [glyph, meaning, color] of legend) lines.push([{ text: `  ${glyph.padEnd(6)}`, color }, { text: meaning }]);
  for (const context of HELP_ORDER) {
    lines.push([], [{ text: CONTEXT_TITLES[context], bold: true, color: theme.color('heading') }]);
    for (const b of BINDINGS.filter((x) => x.contexts.includes(context))) {
      lines.push([{ text: `  ${b.keys.map(keyLabel).join(' ').padEnd(17)} `, color: accent }, { text: b.description }]);
    }
    if (context === 'text') lines.push([{ text: `  ${'Paste'.padEnd(18)}`, color: accent }, { text: 'pasted text is text, never keys' }]);
  }
  return lines;
}

function PanelFrame({ width, height, title, footer, children, color }: { width: number; height: number; title: Span[]; footer: Span[]; children: React.ReactNode; color?: string }) {
  const inner = width - 4;
  return (
    <Box width={width} height={height} flexDirection="column" borderStyle="round" borderColor={color} paddingX={1} overflow="hidden">
      <Box height={1}>
        <Line spans={title} width={inner} />
      </Box>
      <Box flexDirection="column" height={Math.max(1, height - 4)} overflow="hidden">
        {children}
      </Box>
      <Box height={1}>
        <Line spans={footer} width={inner} />
      </Box>
    </Box>
  );
}

/** Lines laid out in as many columns of `columnWidth` as fit, filled top to bottom. */
function Columns({ lines, rows, width, columnWidth }: { lines: Span[][]; rows: number; width: number; columnWidth: number }) {
  const count = Math.max(1, Math.floor((width + 2) / (columnWidth + 2)));
  const colWidth = Math.floor((width - 2 * (count - 1)) / count);
  const columns = Array.from({ length: count }, (_, i) => lines.slice(i * rows, (i + 1) * rows)).filter((c) => c.length);
  return (
    <Box flexDirection="row" gap={2}>
      {columns.map((column, i) => (
        <Box key={i} flexDirection="column" width={colWidth}>
          {column.map((spans, j) => (
            <Box key={j} height={1}>
              <Line spans={spans} width={colWidth} />
            </Box>
          ))}
        </Box>
      ))}
    </Box>
  );
}

export function HelpPanel({ width, height }: { width: number; height: number }) {
  const { theme } = useTuiContext();
  const panelTop = useTui((s) => s.panelTop);
  const lines = helpLines(theme);
  const rows = Math.max(1, height - 4);
  const inner = width - 4;
  const perScreen = rows * Math.max(1, Math.floor((inner + 2) / 54));
  const top = Math.min(panelTop, Math.max(0, lines.length - perScreen));
  const shown = lines.slice(top, top + perScreen);
  const more = top + perScreen < lines.length;
  return (
    <PanelFrame
      width={width}
      height={height}
      color={theme.color('accent')}
      title={[{ text: 'Keys  (Esc or ? closes)', bold: true, color: theme.color('heading') }]}
      footer={[{ text: `${Math.min(lines.length, top + perScreen)}/${lines.length} lines${more ? ' · j/k PgDn scroll' : ''}`, color: theme.color('muted') }]}
    >
      <Columns lines={shown} rows={rows} width={inner} columnWidth={52} />
    </PanelFrame>
  );
}

export function OutputPanel({ width, height }: { width: number; height: number }) {
  const { theme } = useTuiContext();
  const output = useTui((s) => s.output) ?? '';
  const panelTop = useTui((s) => s.panelTop);
  const lines = output.split('\n');
  const visible = Math.max(1, height - 4);
  const top = Math.min(panelTop, Math.max(0, lines.length - visible));
  const inner = width - 4;
  return (
    <PanelFrame
      width={width}
      height={height}
      color={theme.color('border')}
      title={[{ text: 'Output', bold: true, color: theme.color('heading') }]}
      footer={[{ text: `${Math.min(lines.length, top + visible)}/${lines.length} lines · j/k scroll · Esc closes`, color: theme.color('muted') }]}
    >
      {lines.slice(top, top + visible).map((line, i) => (
        <Box key={top + i} height={1}>
          <Line spans={fieldSpans(line.replace(/\t/g, '    '))} width={inner} />
        </Box>
      ))}
    </PanelFrame>
  );
}

/** f, m, D, S: a list narrowed by typing; titles with their ids beside them. */
export function PickerPanel({ width, height }: { width: number; height: number }) {
  const { theme } = useTuiContext();
  const picker = useTui((s) => s.picker);
  if (!picker) return null;
  const matches = pickerMatches(picker);
  const at = Math.min(picker.index, Math.max(0, matches.length - 1));
  const inner = width - 4;
  const visible = Math.max(1, height - 5);
  const start = Math.max(0, Math.min(at - Math.floor(visible / 2), matches.length - visible));
  const head = `${picker.title}: `;
  const headWidth = Math.min(cells(head), Math.floor(inner / 2));
  const keys = picker.multi
    ? `${keysOf('mark', 'picker')} marks · ${keysOf('choose', 'picker')} saves ${picker.marked.size} marked · Esc cancels`
    : `↑/↓ · ${keysOf('choose', 'picker')} chooses · Esc cancels`;
  return (
    <PanelFrame
      width={width}
      height={height}
      color={theme.color('accent')}
      title={[]}
      footer={[{ text: `${matches.length}${matches.length >= 500 ? '+' : ''} of ${picker.items.length} · ${keys}`, color: theme.color('muted') }]}
    >
      <Box height={1}>
        <Box width={headWidth} flexShrink={0}>
          <Line spans={fieldSpans(head, { bold: true, color: theme.color('heading') })} width={headWidth} />
        </Box>
        <FieldView text={picker.query.text} cursor={picker.query.cursor} width={Math.max(1, inner - headWidth - 1)} focused />
      </Box>
      {matches.slice(start, start + visible).map((item, i) => {
        const selected = start + i === at;
        const mark = picker.multi ? (picker.marked.has(item.id) ? '[x] ' : '[ ] ') : '';
        return (
          <Box key={item.id} height={1}>
            <Line
              inverse={selected && !theme.colour}
              spans={[
                { text: `${selected ? '›' : ' '} ${mark}`, color: theme.color('accent') },
                ...fieldSpans(item.label, { color: selected ? theme.color('accent') : undefined, bold: selected }),
                ...(item.hint ? fieldSpans(`  ${item.hint}`, { color: theme.color('id') }) : []),
              ]}
              width={inner}
            />
          </Box>
        );
      })}
      {matches.length === 0 ? <Line spans={[{ text: 'Nothing matches: Backspace widens the search', color: theme.color('muted') }]} width={inner} /> : null}
    </PanelFrame>
  );
}
