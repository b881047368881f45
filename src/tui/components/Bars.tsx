// Bars above the prompt: messages, the one-line input (add/edit), the filter, questions
// and the conflict banner. Each is a fixed number of one-line rows (App counts them).
import { Box, Text } from 'ink';
import { safeJson } from '../../domain/sanitize.js';
import { useTui, useTuiContext } from '../context.js';
import { keyOf, keysOf } from '../keys.js';
import type { TuiState } from '../state.js';
import { cells } from '../text.js';
import { FieldView, fieldSpans, Line } from './Line.js';

export function MessageLine({ width }: { width: number }) {
  const { theme } = useTuiContext();
  const message = useTui((s) => s.message);
  const fatal = useTui((s) => s.fatal);
  if (fatal) return <Line spans={fieldSpans(fatal, { color: theme.color('danger'), bold: true })} width={width} />;
  const color = message
    ? theme.color(message.kind === 'error' ? 'danger' : message.kind === 'warning' ? 'warning' : message.kind === 'success' ? 'success' : 'muted')
    : undefined;
  const text = message ? (message.kind === 'error' ? `✗ ${message.text}` : message.text) : ' ';
  return <Line spans={fieldSpans(text, { color, bold: !theme.colour && message?.kind === 'error' })} width={width} />;
}

/** A label and an input field on one line. */
function LabelledField({ label, text, cursor, width, focused }: { label: string; text: string; cursor: number; width: number; focused: boolean }) {
  const { theme } = useTuiContext();
  const head = label ? `${label} ` : '';
  const labelWidth = Math.min(cells(head), Math.floor(width / 2));
  return (
    <Box width={width} height={1}>
      <Box width={labelWidth} flexShrink={0}>
        <Line spans={fieldSpans(head, { color: theme.color('accent'), bold: true })} width={labelWidth} />
      </Box>
      <FieldView text={text} cursor={cursor} width={Math.max(1, width - labelWidth - 1)} focused={focused} />
    </Box>
  );
}

/** Adding a task or plan, editing a title or tags, a snapshot's label. */
export function InputBar({ width }: { width: number }) {
  const input = useTui((s) => s.input);
  const focused = useTui((s) => s.focus === 'input');
  if (!input) return null;
  return <LabelledField label={`${input.label}:`} text={input.field.text} cursor={input.field.cursor} width={width} focused={focused} />;
}

/** "/" in the tree: the filter, applied as you type. Enter keeps it, Esc clears it. */
export function SearchBar({ width }: { width: number }) {
  const { theme } = useTuiContext();
  const filter = useTui((s) => s.filter);
  const search = useTui((s) => s.search);
  const focused = useTui((s) => s.focus === 'search');
  if (focused && search) return <LabelledField label="/" text={search.text} cursor={search.cursor} width={width} focused />;
  if (!filter) return null;
  return (
    <Line
      spans={[
        { text: '/ ', color: theme.color('accent'), bold: true },
        ...fieldSpans(filter, { color: theme.color('muted') }),
        { text: `   (${keysOf('search', 'tree')} changes it, ${keyOf('clearSelection', 'tree')} clears)`, color: theme.color('muted') },
      ]}
      width={width}
    />
  );
}

/** Rows the question bar takes: the question and what goes with it. */
export function confirmHeight(confirm: TuiState['confirm'], editorAsking: boolean): number {
  if (editorAsking) return 1;
  return confirm ? 1 + confirm.details.length : 0;
}

export function ConfirmBar({ width }: { width: number }) {
  const { theme } = useTuiContext();
  const confirm = useTui((s) => s.confirm);
  const asking = useTui((s) => s.focus === 'editor' && !!s.editor?.asking);
  const question = asking ? 'Discard your changes to the text?' : confirm?.question;
  if (!question) return null;
  const keys = `  [${keysOf('yes', 'confirm').split('/')[0]}] yes  [${keysOf('no', 'confirm').split('/')[0]}] no`;
  return (
    <Box width={width} flexDirection="column" backgroundColor={theme.color('banner.bg')}>
      <Box height={1}>
        <Line spans={fieldSpans(question, { color: theme.color('banner.fg'), bold: true })} width={width - cells(keys)} inverse={!theme.colour} />
        <Line spans={[{ text: keys, color: theme.color('banner.fg'), bold: true }]} width={cells(keys)} inverse={!theme.colour} />
      </Box>
      {(asking ? [] : (confirm?.details ?? [])).map((line, i) => (
        <Box key={i} height={1}>
          <Line spans={fieldSpans(line, { color: theme.color('banner.fg') })} width={width} />
        </Box>
      ))}
    </Box>
  );
}

/** Lines the conflict banner takes: border, message, theirs and mine when known, keys. */
export function conflictHeight(conflict: TuiState['conflict']): number {
  if (!conflict) return 0;
  return 4 + (conflict.theirs === undefined ? 0 : 1) + (conflict.mine === undefined ? 0 : 1);
}

/** Someone else changed what the person was editing: show both, offer what can work. */
export function ConflictBanner({ width }: { width: number }) {
  const { theme } = useTuiContext();
  const conflict = useTui((s) => s.conflict);
  if (!conflict) return null;
  const inner = width - 2;
  const value = (label: string, v: unknown) => (v === undefined ? null : <Line spans={[{ text: label }, ...fieldSpans(safeJson(v))]} width={inner} />);
  const keys = conflict.retry
    ? `[${keysOf('keepMine', 'conflict')}] keep mine (write it over theirs)   [${keysOf('takeTheirs', 'conflict')}]: take theirs`
    : `[${keysOf('takeTheirs', 'conflict')}]: take theirs (what you changed is gone with it)`;
  // One line each (conflictHeight in App counts them): a wrapped message made the banner
  // taller than its room, and Yoga drew its lines over each other.
  return (
    <Box width={width} flexDirection="column" borderStyle="single" borderColor={theme.color('warning')}>
      <Line spans={fieldSpans(`Conflict: ${conflict.message}`, { color: theme.color('warning'), bold: true })} width={inner} />
      {value('theirs: ', conflict.theirs)}
      {value('mine:   ', conflict.mine)}
      <Text color={theme.color('muted')} wrap="truncate-end">{keys}</Text>
    </Box>
  );
}
