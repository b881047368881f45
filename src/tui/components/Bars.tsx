// One-line bars above the prompt: messages, inline inputs (add/edit), the search field,
// the delete confirmation and the conflict banner.
import { Box, Text, useInput } from 'ink';
import { LineInput } from './LineInput.js';
import { runAndSelect } from '../actions.js';
import { useTui, useTuiContext } from '../context.js';
import { keepCursorVisible, type TuiState } from '../state.js';

export function MessageLine({ width }: { width: number }) {
  const { theme } = useTuiContext();
  const message = useTui((s) => s.message);
  const fatal = useTui((s) => s.fatal);
  if (fatal) {
    return (
      <Box width={width}>
        <Text color={theme.color('danger')} bold wrap="truncate-end">{fatal}</Text>
      </Box>
    );
  }
  const color = message
    ? theme.color(message.kind === 'error' ? 'danger' : message.kind === 'warning' ? 'warning' : message.kind === 'success' ? 'success' : 'muted')
    : undefined;
  return (
    <Box width={width}>
      <Text color={color} bold={!theme.colour && message?.kind === 'error'} wrap="truncate-end">
        {message ? (message.kind === 'error' ? `✗ ${message.text}` : message.text) : ' '}
      </Text>
    </Box>
  );
}

/** Adding a task or plan, editing a title or notes. Enter runs, Esc cancels. */
export function InlineInput({ width }: { width: number }) {
  const { tui, controller, theme, quit } = useTuiContext();
  const input = useTui((s) => s.input);
  const focused = useTui((s) => s.focus === 'input');
  useInput(
    (_input, key) => {
      if (key.escape) tui.setState({ input: null, focus: 'tree' });
    },
    { isActive: focused },
  );
  if (!input) return null;
  const submit = async (value: string) => {
    const line = input.command(value);
    if (!line) {
      tui.setState({ input: null, focus: 'tree' });
      return;
    }
    const ok = await runAndSelect({ tui, controller, pageSize: 1, quit }, line, input.baseRevision);
    // On failure the text stays for correction, unless a conflict banner took over: it
    // shows the submitted text as "mine" next to theirs.
    const { focus, conflict } = tui.getState();
    if (ok) tui.setState({ input: null, focus: 'tree' });
    else if (focus === 'conflict') tui.setState({ input: null, conflict: conflict && { ...conflict, mine: value } });
  };
  return (
    <Box width={width}>
      <Text color={theme.color('accent')} bold>{`${input.label}: `}</Text>
      <LineInput
        value={input.value}
        onChange={(value) => tui.setState({ input: { ...input, value } })}
        onSubmit={(value) => void submit(value)}
        focus={focused}
      />
    </Box>
  );
}

/** "/" in the tree: the filter, applied as you type. Enter keeps it, Esc clears it. */
export function SearchBar({ width }: { width: number }) {
  const { tui, theme } = useTuiContext();
  const filter = useTui((s) => s.filter);
  const focused = useTui((s) => s.focus === 'search');
  useInput(
    (_input, key) => {
      if (key.escape) {
        tui.setState({ filter: '', focus: 'tree' });
        keepCursorVisible(tui);
      }
    },
    { isActive: focused },
  );
  if (!focused && !filter) return null;
  return (
    <Box width={width}>
      <Text color={theme.color('accent')} bold>{'/ '}</Text>
      {focused ? (
        <LineInput
          value={filter}
          onChange={(value) => {
            tui.setState({ filter: value });
            keepCursorVisible(tui);
          }}
          onSubmit={() => tui.setState({ focus: 'tree' })}
          focus={focused}
        />
      ) : (
        <Text color={theme.color('muted')}>{`${filter}   (/ to change, Esc in search to clear)`}</Text>
      )}
    </Box>
  );
}

export function ConfirmBar({ width }: { width: number }) {
  const { tui, controller, theme } = useTuiContext();
  const confirm = useTui((s) => s.confirm);
  const focused = useTui((s) => s.focus === 'confirm');
  useInput(
    (input, key) => {
      if (!confirm) return;
      const yes = input === 'y' || input === 'Y';
      if (!yes && !(input === 'n' || input === 'N' || key.escape || key.return)) return;
      // A question the bus asked (rm typed at the prompt) or one the tree asked (d).
      if (controller.answerConfirm(yes)) return;
      tui.setState({ confirm: null, focus: 'tree' });
      if (yes) void controller.run(confirm.command, { baseRevision: confirm.baseRevision });
    },
    { isActive: focused },
  );
  if (!confirm) return null;
  return (
    <Box width={width} backgroundColor={theme.color('banner.bg')}>
      <Text color={theme.color('banner.fg')} bold inverse={!theme.colour} wrap="truncate-end">
        {`${confirm.question}  [y] yes  [n] no`}
      </Text>
    </Box>
  );
}

/** Lines the conflict banner takes: border, message, theirs and mine when known, keys. */
export function conflictHeight(conflict: TuiState['conflict']): number {
  if (!conflict) return 0;
  return 4 + (conflict.theirs === undefined ? 0 : 1) + (conflict.mine === undefined ? 0 : 1);
}

/** Someone else changed what the person was editing: show both, let them choose. */
export function ConflictBanner({ width }: { width: number }) {
  const { tui, controller, theme } = useTuiContext();
  const conflict = useTui((s) => s.conflict);
  const focused = useTui((s) => s.focus === 'conflict');
  useInput(
    (input, key) => {
      if (!conflict) return;
      if (input === 'm' && conflict.retry) {
        tui.setState({ conflict: null, focus: 'tree' });
        void controller.run(conflict.retry);
      } else if (input === 't' || key.escape) {
        tui.setState({ conflict: null, input: null, focus: 'tree' });
      }
    },
    { isActive: focused },
  );
  if (!conflict) return null;
  const value = (label: string, v: unknown) => (v === undefined ? null : <Text wrap="truncate-end">{`${label}${JSON.stringify(v)}`}</Text>);
  // One line each (conflictHeight in App counts them): a wrapped message made the banner
  // taller than its room, and Yoga drew its lines over each other.
  return (
    <Box width={width} flexDirection="column" borderStyle="single" borderColor={theme.color('warning')}>
      <Text color={theme.color('warning')} bold wrap="truncate-end">{`Conflict: ${conflict.message}`}</Text>
      {value('theirs: ', conflict.theirs)}
      {value('mine:   ', conflict.mine)}
      <Text color={theme.color('muted')}>
        {conflict.retry ? '[m] keep mine (apply over theirs)   [t] take theirs   Esc: leave it' : '[t] / Esc: take theirs'}
      </Text>
    </Box>
  );
}
