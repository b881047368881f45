// n: the notes (or summary) editor. Enter is a new line, Ctrl-S saves, Esc cancels (and
// asks first when something changed), Ctrl-X continues in $EDITOR. Long lines wrap;
// every line of the text can be reached: nothing is cut off.
import { Box, Text } from 'ink';
import { useRef } from 'react';
import { useTui, useTuiContext } from '../context.js';
import { cursorRow, visualRows } from '../input/text-buffer.js';
import { keyOf, keysOf } from '../keys.js';
import { clusters, shownCluster } from '../text.js';
import { scrollTop } from './Tree.js';
import { fieldSpans, Line } from './Line.js';

/** The editor's text area is the panel less its border and padding. */
export function editorTextWidth(width: number): number {
  return Math.max(1, width - 4);
}

export function EditorPanel({ width, height }: { width: number; height: number }) {
  const { theme } = useTuiContext();
  const editor = useTui((s) => s.editor);
  const top = useRef(0);
  if (!editor) return null;
  const inner = editorTextWidth(width);
  const rows = visualRows(editor.field.text, inner);
  const at = cursorRow(rows, editor.field.cursor);
  const visible = Math.max(1, height - 4);
  top.current = scrollTop(top.current, at, visible, rows.length);
  const changed = editor.field.text !== editor.original;
  const keys = `${keysOf('save', 'editor')} saves · ${keyOf('cancel', 'editor')} cancels · ${keysOf('externalEdit', 'editor')} $EDITOR · ${keyOf('newline', 'editor')} new line`;
  return (
    <Box width={width} height={height} flexDirection="column" borderStyle="round" borderColor={theme.color('accent')} paddingX={1} overflow="hidden">
      <Box height={1}>
        <Line spans={[...fieldSpans(editor.label, { bold: true, color: theme.color('heading') }), { text: changed ? '  (changed)' : '', color: theme.color('warning') }]} width={inner} />
      </Box>
      <Box flexDirection="column" height={visible} overflow="hidden">
        {rows.slice(top.current, top.current + visible).map((row, i) => {
          const index = top.current + i;
          const text = editor.field.text.slice(row.start, row.end);
          if (index !== at) {
            return (
              <Box key={index} height={1}>
                <Text wrap="truncate-end">{clusters(text).map((c) => shownCluster(c.text)).join('') || ' '}</Text>
              </Box>
            );
          }
          const offset = editor.field.cursor - row.start;
          const parts = clusters(text);
          const under = parts.find((c) => c.index >= offset && c.index === offset);
          const before = parts.filter((c) => c.index < offset).map((c) => shownCluster(c.text)).join('');
          const after = parts.filter((c) => c.index > offset).map((c) => shownCluster(c.text)).join('');
          return (
            <Box key={index} height={1}>
              <Text wrap="truncate-end">
                {before}
                <Text inverse>{under ? shownCluster(under.text) : ' '}</Text>
                {after}
              </Text>
            </Box>
          );
        })}
      </Box>
      <Box height={1}>
        <Line spans={[{ text: `line ${at + 1}/${rows.length} · ${keys}`, color: theme.color('muted') }]} width={inner} />
      </Box>
    </Box>
  );
}
