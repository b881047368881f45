// Panels that take the place of the tree for a moment: keys help, command output, and
// the flow switcher.
import { Box, Text, useInput } from 'ink';
import { LineInput } from './LineInput.js';
import { useState } from 'react';
import { useTui, useTuiContext } from '../context.js';
import { actionsFor, BINDINGS } from '../keys.js';
import { setExpanded } from '../state.js';

function usePanelKeys(focus: 'help' | 'output', onScroll?: (delta: number) => void) {
  const { tui } = useTuiContext();
  const active = useTui((s) => s.focus === focus);
  useInput(
    (input, key) => {
      for (const action of actionsFor('list', input, key)) {
        if (action === 'cancel' || (focus === 'help' && action === 'help')) {
          tui.setState({ focus: 'tree', output: focus === 'output' ? null : tui.getState().output });
          return;
        }
        if (action === 'down') onScroll?.(1);
        else if (action === 'up') onScroll?.(-1);
        else if (action === 'pageDown') onScroll?.(10);
        else if (action === 'pageUp') onScroll?.(-10);
      }
    },
    { isActive: active },
  );
}

export function HelpPanel({ width, height }: { width: number; height: number }) {
  const { theme } = useTuiContext();
  usePanelKeys('help');
  const keyText = (keys: readonly string[]) => keys.map((k) => (k === 'space' ? 'Space' : k)).join(' ');
  const bindings = BINDINGS.filter((b) => b.contexts.includes('tree'));
  // More bindings than lines (a 24-line terminal): side-by-side columns. In one column
  // Yoga squeezed the rows on top of each other and the help came out garbled.
  const perColumn = Math.max(1, height - 4);
  const columns: (typeof bindings)[] = [];
  for (let i = 0; i < bindings.length; i += perColumn) columns.push(bindings.slice(i, i + perColumn));
  return (
    <Box width={width} height={height} flexDirection="column" borderStyle="round" borderColor={theme.color('accent')} paddingX={1}>
      <Text bold color={theme.color('heading')}>Keys  (Esc or ? closes)</Text>
      <Box flexDirection="row" flexGrow={1} gap={2}>
        {columns.map((column, i) => (
          <Box key={i} flexDirection="column" flexShrink={1}>
            {column.map((b) => (
              <Text key={b.action} wrap="truncate-end">
                <Text color={theme.color('accent')}>{keyText(b.keys).padEnd(16)}</Text>
                {b.description}
              </Text>
            ))}
          </Box>
        ))}
      </Box>
      <Text color={theme.color('muted')}>At the prompt: ↑/↓ history, Tab completes, Esc back to the tree.</Text>
    </Box>
  );
}

export function OutputPanel({ width, height }: { width: number; height: number }) {
  const { theme } = useTuiContext();
  const output = useTui((s) => s.output) ?? '';
  const [top, setTop] = useState(0);
  const lines = output.split('\n');
  const visible = Math.max(1, height - 3);
  usePanelKeys('output', (delta) => setTop((t) => Math.max(0, Math.min(Math.max(0, lines.length - visible), t + delta))));
  return (
    <Box width={width} height={height} flexDirection="column" borderStyle="round" borderColor={theme.color('border')} paddingX={1}>
      {lines.slice(top, top + visible).map((line, i) => (
        <Text key={top + i} wrap="truncate-end">{line || ' '}</Text>
      ))}
      <Text color={theme.color('muted')}>{`${Math.min(lines.length, top + visible)}/${lines.length} lines · j/k scroll · Esc closes`}</Text>
    </Box>
  );
}

/** f: pick a flow by typing part of its name; Enter makes it the session's flow. */
export function FlowSwitcher({ width, height }: { width: number; height: number }) {
  const { tui, controller, theme } = useTuiContext();
  const focused = useTui((s) => s.focus === 'flows');
  const order = useTui((s) => s.order);
  const flows = useTui((s) => s.flows);
  const [query, setQuery] = useState('');
  const [index, setIndex] = useState(0);
  const needle = query.toLowerCase();
  const matches: string[] = [];
  for (const id of order) {
    const flow = flows.get(id);
    if (flow && (!needle || flow.name.toLowerCase().includes(needle) || id.includes(needle))) matches.push(id);
    if (matches.length >= 500) break;
  }
  const at = Math.min(index, Math.max(0, matches.length - 1));
  useInput(
    (_input, key) => {
      if (key.escape) tui.setState({ focus: 'tree' });
      else if (key.downArrow) setIndex(Math.min(matches.length - 1, at + 1));
      else if (key.upArrow) setIndex(Math.max(0, at - 1));
    },
    { isActive: focused },
  );
  const choose = async () => {
    const id = matches[at];
    if (!id) return;
    tui.setState({ focus: 'tree' });
    const output = await controller.run(`use flow ${id}`);
    if (output) {
      setExpanded(tui, id, true);
      tui.setState({ cursor: id });
    }
  };
  const visible = Math.max(1, height - 4);
  const start = Math.max(0, Math.min(at - Math.floor(visible / 2), matches.length - visible));
  return (
    <Box width={width} height={height} flexDirection="column" borderStyle="round" borderColor={theme.color('accent')} paddingX={1}>
      <Box>
        <Text bold color={theme.color('heading')}>{'Switch flow: '}</Text>
        <LineInput value={query} onChange={(v) => { setQuery(v); setIndex(0); }} onSubmit={() => void choose()} focus={focused} />
      </Box>
      {matches.slice(start, start + visible).map((id, i) => (
        <Text key={id} wrap="truncate-end" inverse={start + i === at} color={start + i === at ? theme.color('accent') : undefined}>
          {`${start + i === at ? '›' : ' '} ${flows.get(id)?.name ?? id}  `}
          <Text color={theme.color('id')}>{id}</Text>
        </Text>
      ))}
      <Text color={theme.color('muted')}>{`${matches.length}${matches.length >= 500 ? '+' : ''} flows · ↑/↓ Enter · Esc`}</Text>
    </Box>
  );
}
