// Bars above the prompt: messages, the one-line input (add/edit), the filter, questions,
// the conflict banner and the banner of conflicts a sync recorded. Each is a fixed number
// of one-line rows (App counts them).
import { Box, Text } from 'ink';
import { oneLine, safeJson } from '../../domain/sanitize.js';
import { recordSubject, type ConflictRecord, type ConflictSide } from '../../sync/conflict-record.js';
import type { ConflictEntry } from '../../sync/conflicts.js';
import { selectConflicts } from '../conflicts.js';
import { useTui, useTuiContext } from '../context.js';
import { keyOf, keysOf } from '../keys.js';
import { findPlan, findTask, type TuiState } from '../state.js';
import type { Theme } from '../theme.js';
import { cells } from '../text.js';
import { FieldView, fieldSpans, Line, type Span } from './Line.js';

export function MessageLine({ width }: { width: number }) {
  const { theme } = useTuiContext();
  const message = useTui((s) => s.message);
  const fatal = useTui((s) => s.fatal);
  const progress = useTui((s) => s.progress);
  if (fatal) return <Line spans={fieldSpans(fatal, { color: theme.color('danger'), bold: true })} width={width} />;
  if (progress) return <Line spans={fieldSpans(`${progress}…`, { color: theme.color('accent') })} width={width} />;
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

/** Lines the banner of sync conflicts takes: one, or the whole box while settling them. */
export function syncBannerHeight(count: number, resolving: boolean): number {
  if (!count) return 0;
  return resolving ? 6 : 1;
}

/** One side of a recorded conflict as the banner shows it: what it had, who, when. */
function sideSpans(state: TuiState, record: ConflictRecord, side: ConflictSide, theme: Theme): Span[] {
  const muted = theme.color('muted');
  let what: Span[];
  if (record.kind === 'deleted') what = [{ text: side.deleted ? 'deleted it' : 'kept it and changed it' }];
  else if (record.kind === 'place') {
    const parent = side.parent;
    const found = parent ? (findTask(state, parent)?.task.title ?? findPlan(state, parent)?.plan.title) : undefined;
    what = [{ text: 'under ' }, ...fieldSpans(found !== undefined ? `"${found}"` : (parent ?? 'nothing'))];
  } else what = 'value' in side ? fieldSpans(safeJson(side.value)) : [{ text: 'removed it' }];
  const who = [side.writer && oneLine(side.writer), side.revision !== undefined && `rev ${side.revision}`].filter(Boolean).join(', ');
  return [...what, ...(who ? [{ text: `   ${who}`, color: muted }] : [])];
}

/**
 * Conflicts merges recorded on objects: a line saying how many and which key settles
 * them; on that key (focus resolve) a box with the conflict, both sides and the choices.
 */
export function SyncBanner({ width }: { width: number }) {
  const { theme } = useTuiContext();
  const conflicts = useTui(selectConflicts);
  const resolving = useTui((s) => s.focus === 'resolve');
  const index = useTui((s) => s.resolving);
  const state = useTuiContext().tui.getState();
  if (!conflicts.length) return null;
  const warning = theme.color('warning');
  const at = Math.min(index, conflicts.length - 1);
  const entry = conflicts[at];
  const about = (e: ConflictEntry) => `${e.object} "${e.title}" · ${recordSubject(e.record)}`;
  const count = `${conflicts.length} conflict${conflicts.length === 1 ? '' : 's'} from a sync`;
  if (!resolving) {
    return (
      <Line
        spans={[{ text: `⚠ ${count}: `, color: warning, bold: true }, ...fieldSpans(about(conflicts[0]), { color: warning }), { text: `   ${keyOf('resolveConflicts', 'tree')} settles them`, color: theme.color('muted') }]}
        width={width}
      />
    );
  }
  const inner = width - 2;
  const label = (text: string): Span => ({ text: text.padEnd(8), color: theme.color('muted') });
  const keys = [
    `[${keyOf('resolveMine', 'resolve')}] take mine`,
    `[${keyOf('resolveTheirs', 'resolve')}] take theirs`,
    `[${keysOf('down', 'resolve').split('/')[0]}/${keysOf('up', 'resolve').split('/')[0]}] next/previous`,
    `[${keyOf('cancel', 'resolve')}] later`,
  ].join('   ');
  return (
    <Box width={width} flexDirection="column" borderStyle="single" borderColor={warning}>
      <Line spans={[{ text: `Conflict ${at + 1} of ${conflicts.length} from a sync: `, color: warning, bold: true }, ...fieldSpans(about(entry), { color: warning, bold: true })]} width={inner} />
      <Line spans={[label('mine'), ...sideSpans(state, entry.record, entry.record.mine, theme), { text: '   (in place now)', color: theme.color('muted') }]} width={inner} />
      <Line spans={[label('theirs'), ...sideSpans(state, entry.record, entry.record.theirs, theme)]} width={inner} />
      <Line spans={[{ text: keys, color: theme.color('muted') }]} width={inner} />
    </Box>
  );
}
