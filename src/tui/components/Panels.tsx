// Panels that take the place of the tree for a moment: keys help, command output, and
// pickers (flows, plans, dependencies, statuses). Their keys are in dispatch.ts and
// inputs.ts; here they are drawn, one line per row.
import { Box } from 'ink';
import { STATUS_GLYPH } from '../../commands/render.js';
import { useTui, useTuiContext } from '../context.js';
import { pickerMatches } from '../inputs.js';
import { BINDINGS, CONTEXT_TITLES, keyLabel, keyOf, keysOf, type KeyContext } from '../keys.js';

const scrollKeys = () => `${keyOf('down', 'list')}/${keyOf('up', 'list')} ${keyOf('pageDown', 'list')}`;
import type { Theme } from '../theme.js';
import { cells } from '../text.js';
import { FieldView, fieldSpans, Line, type Span } from './Line.js';

const HELP_ORDER: readonly KeyContext[] = ['tree', 'board', 'prompt', 'text', 'line', 'search', 'editor', 'picker', 'snapshots', 'list', 'confirm', 'conflict', 'resolve'];

/** Every line of the help: the legend, then each context's keys from the key table. */
export function helpLines(theme: Theme): Span[][] {
  const muted = theme.color('muted');
  const accent = theme.color('accent');
  const pair = (glyph: string, meaning: string, color: string | undefined): Span[] => [{ text: glyph, color }, { text: ` ${meaning}  ` }];
  const lines: Span[][] = [
    [{ text: 'Legend', bold: true, color: theme.color('heading') }],
    [
      { text: '  ' },
      ...(['todo', 'in_progress', 'blocked', 'done', 'cancelled'] as const).flatMap((s) => pair(STATUS_GLYPH[s], s.replace('_', ' '), theme.color(`status.${s}`))),
    ],
    [{ text: '  ' }, ...pair('!', 'high', theme.color('priority.high')), ...pair('↓', 'low priority', theme.color('priority.low')), ...pair('▸ ▾', 'closed / open', muted), ...pair('#tag', 'a tag', theme.color('tag'))],
    [{ text: '  ' }, ...pair('›', 'cursor', accent), ...pair('✓', 'selected (x)', accent), ...pair('3.', 'number for commands', muted), ...pair('2/5', 'done / all', muted)],
    [{ text: '  ' }, ...pair('⇡2', 'revisions to share', accent), ...pair('⇣1', 'commits waiting', accent), ...pair('⇣1!', 'they would conflict', theme.color('warning'))],
  ];
  for (const context of HELP_ORDER) {
    lines.push([], [{ text: CONTEXT_TITLES[context], bold: true, color: theme.color('heading') }]);
    for (const b of BINDINGS.filter((x) => x.contexts.includes(context))) {
      lines.push([{ text: `  ${b.keys.map(keyLabel).join(' ').padEnd(17)} `, color: accent }, { text: b.description }]);
    }
    if (context === 'text') lines.push([{ text: `  ${'Paste'.padEnd(17)} `, color: accent }, { text: 'pasted text is text, never keys' }]);
  }
  return lines;
}

export const NO_COLOURS: Theme = { name: 'plain', colour: false, color: () => undefined };

/** The help's line where a context's keys start: ? opens it there. */
export function helpLineOf(context: KeyContext): number {
  // The tree's keys come right after the legend: the help starts at its top.
  if (context === 'tree') return 0;
  const title = CONTEXT_TITLES[context];
  return Math.max(0, helpLines(NO_COLOURS).findIndex((line) => line[0]?.text === title));
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

/** How many columns of the widest line fit in `width` (2 cells apart): the help is split
 * into columns only where no description would be cut. */
export function columnCount(lines: readonly Span[][], width: number): number {
  const widest = Math.max(1, ...lines.map((spans) => cells(spans.map((s) => s.text).join(''))));
  return Math.max(1, Math.floor((width + 2) / (widest + 2)));
}

/** Lines laid out in `count` columns, filled top to bottom. */
function Columns({ lines, rows, width, count }: { lines: Span[][]; rows: number; width: number; count: number }) {
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
  const from = useTui((s) => s.helpFrom);
  const lines = helpLines(theme);
  const rows = Math.max(1, height - 4);
  const inner = width - 4;
  const count = columnCount(lines, inner);
  const perScreen = rows * count;
  const top = Math.max(0, Math.min(helpLineOf(from) + panelTop, lines.length - perScreen));
  const shown = lines.slice(top, top + perScreen);
  const more = top + perScreen < lines.length;
  return (
    <PanelFrame
      width={width}
      height={height}
      color={theme.color('accent')}
      title={[{ text: `Keys  (${keyOf('cancel', 'list')} or ${keyOf('help', 'list')} closes)`, bold: true, color: theme.color('heading') }]}
      footer={[{ text: `${Math.min(lines.length, top + perScreen)}/${lines.length} lines${more ? ` · ${scrollKeys()} scroll` : ''}`, color: theme.color('muted') }]}
    >
      <Columns lines={shown} rows={rows} width={inner} count={count} />
    </PanelFrame>
  );
}

export function OutputPanel({ width, height }: { width: number; height: number }) {
  const { theme } = useTuiContext();
  const output = useTui((s) => s.output) ?? '';
  const panelTop = useTui((s) => s.panelTop);
  const lines = output.split('\n');
  const visible = Math.max(1, height - 4);
  const top = Math.max(0, Math.min(panelTop, lines.length - visible));
  const inner = width - 4;
  return (
    <PanelFrame
      width={width}
      height={height}
      color={theme.color('border')}
      title={[{ text: 'Output', bold: true, color: theme.color('heading') }]}
      footer={[{ text: `${Math.min(lines.length, top + visible)}/${lines.length} lines · ${keyOf('down', 'list')}/${keyOf('up', 'list')} scroll · ${keyOf('cancel', 'list')} closes`, color: theme.color('muted') }]}
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
  const head = 'Type to narrow: ';
  const headWidth = cells(head);
  const keys = picker.multi
    ? `${keysOf('mark', 'picker')} marks · ${keysOf('choose', 'picker')} saves ${picker.marked.size} marked · ${keyOf('cancel', 'picker')} cancels`
    : `${keyOf('down', 'picker')}/${keyOf('up', 'picker')} · ${keysOf('choose', 'picker')} chooses · ${keyOf('cancel', 'picker')} cancels`;
  return (
    <PanelFrame
      width={width}
      height={height}
      color={theme.color('accent')}
      title={fieldSpans(picker.title, { bold: true, color: theme.color('heading') })}
      footer={[{ text: `${matches.length}${matches.length >= 500 ? '+' : ''} of ${picker.items.length} · ${keys}`, color: theme.color('muted') }]}
    >
      <Box height={1}>
        <Box width={headWidth} flexShrink={0}>
          <Line spans={[{ text: head, color: theme.color('muted') }]} width={headWidth} />
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
