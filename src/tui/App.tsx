// The whole screen: header, tree and detail (or a panel), bars, message line, prompt.
import { Box, useStdout } from 'ink';
import { useEffect, useState } from 'react';
import { ConfirmBar, ConflictBanner, conflictHeight, InlineInput, MessageLine, SearchBar } from './components/Bars.js';
import { Detail } from './components/Detail.js';
import { Header } from './components/Header.js';
import { FlowSwitcher, HelpPanel, OutputPanel } from './components/Panels.js';
import { Prompt } from './components/Prompt.js';
import { SnapshotBrowser } from './components/SnapshotBrowser.js';
import { Tree } from './components/Tree.js';
import { useTui, useTuiContext } from './context.js';
import { clearExpiredFlashes } from './state.js';

export function useTerminalSize(): { columns: number; rows: number } {
  const { stdout } = useStdout();
  const read = () => ({ columns: stdout.columns || 80, rows: stdout.rows || 24 });
  const [size, setSize] = useState(read);
  useEffect(() => {
    const onResize = () => setSize(read());
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
  }, [stdout]);
  return size;
}

function useFlashExpiry() {
  const { tui } = useTuiContext();
  const flashing = useTui((s) => s.flash.size > 0);
  useEffect(() => {
    if (!flashing) return;
    const timer = setInterval(() => clearExpiredFlashes(tui), 150);
    return () => clearInterval(timer);
  }, [flashing, tui]);
}

export function App() {
  const { columns, rows } = useTerminalSize();
  useFlashExpiry();
  const focus = useTui((s) => s.focus);
  const hasInput = useTui((s) => s.input !== null);
  const hasSearch = useTui((s) => s.focus === 'search' || s.filter !== '');
  const hasConfirm = useTui((s) => s.confirm !== null);
  const conflictLines = useTui((s) => conflictHeight(s.conflict));
  const bars = 2 + (hasInput ? 1 : 0) + (hasSearch ? 1 : 0) + (hasConfirm ? 1 : 0) + conflictLines;
  const mainHeight = Math.max(3, rows - 1 - bars);
  const sideBySide = columns >= 100;
  const detailWidth = sideBySide ? Math.min(56, Math.floor(columns * 0.4)) : columns;
  const detailHeight = sideBySide ? mainHeight : Math.min(8, Math.max(4, Math.floor(mainHeight / 3)));
  const treeWidth = sideBySide ? columns - detailWidth : columns;
  const treeHeight = sideBySide ? mainHeight : mainHeight - detailHeight;
  const panel =
    focus === 'help' ? <HelpPanel width={columns} height={mainHeight} />
    : focus === 'output' ? <OutputPanel width={columns} height={mainHeight} />
    : focus === 'flows' ? <FlowSwitcher width={columns} height={mainHeight} />
    : focus === 'snapshots' ? <SnapshotBrowser width={columns} height={mainHeight} />
    : null;
  return (
    <Box flexDirection="column" width={columns} height={rows}>
      <Header width={columns} />
      {panel ?? (
        <Box flexDirection={sideBySide ? 'row' : 'column'} height={mainHeight}>
          <Tree width={treeWidth} height={treeHeight} />
          <Detail width={detailWidth} height={detailHeight} />
        </Box>
      )}
      <ConflictBanner width={columns} />
      <ConfirmBar width={columns} />
      <SearchBar width={columns} />
      <InlineInput width={columns} />
      <MessageLine width={columns} />
      <Prompt width={columns} />
    </Box>
  );
}
