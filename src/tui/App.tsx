// The whole screen: header, tree and detail (or the board, or a panel), bars, message
// line, prompt. Sizes are worked out here for the terminal's size, so every part gets a
// fixed number of rows and nothing is drawn over anything, at 80×24 and above.
import { Box, useStdout } from 'ink';
import { useEffect, useState } from 'react';
import { Board } from './components/Board.js';
import { ConfirmBar, confirmHeight, ConflictBanner, conflictHeight, InputBar, MessageLine, SearchBar, SyncBanner, syncBannerHeight } from './components/Bars.js';
import { Detail, useDetailLines } from './components/Detail.js';
import { EditorPanel, editorTextWidth } from './components/Editor.js';
import { Header } from './components/Header.js';
import { HelpPanel, OutputPanel, PickerPanel } from './components/Panels.js';
import { Prompt } from './components/Prompt.js';
import { SnapshotBrowser } from './components/SnapshotBrowser.js';
import { Tree } from './components/Tree.js';
import { useTui, useTuiContext } from './context.js';
import { selectConflicts } from './conflicts.js';
import { useKeyboard } from './dispatch.js';
import { clearExpiredFlashes } from './state.js';

export function useTerminalSize(): { columns: number; rows: number } {
  const { stdout } = useStdout();
  const read = () => ({ columns: stdout.columns || 80, rows: stdout.rows || 24 });
  const [size, setSize] = useState(read);
  useEffect(() => {
    const onResize = () => setSize(read());
    // A resize between the first render and this effect would otherwise go unseen.
    onResize();
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

/** Where the tree and the detail pane go: side by side from 100 columns, else stacked. */
export function mainLayout(columns: number, mainHeight: number, detailNeeds: (width: number) => number) {
  if (columns >= 100) {
    const detailWidth = Math.min(56, Math.floor(columns * 0.4));
    return { sideBySide: true, treeWidth: columns - detailWidth, treeHeight: mainHeight, detailWidth, detailHeight: mainHeight };
  }
  // Stacked: the detail pane takes what its content needs (borders included), at most
  // half the room; the tree keeps the rest.
  const wanted = detailNeeds(columns) + 2;
  const detailHeight = Math.max(4, Math.min(wanted, Math.floor(mainHeight / 2)));
  return { sideBySide: false, treeWidth: columns, treeHeight: mainHeight - detailHeight, detailWidth: columns, detailHeight };
}

export function App() {
  const context = useTuiContext();
  const { columns, rows } = useTerminalSize();
  useFlashExpiry();
  useKeyboard();
  const focus = useTui((s) => s.focus);
  const view = useTui((s) => s.view);
  // The browser stays behind its own questions and its label input.
  const snapshotsOpen = useTui((s) => s.snapshots !== null);
  const hasInput = useTui((s) => s.input !== null);
  const hasSearch = useTui((s) => s.focus === 'search' || s.filter !== '');
  const confirmLines = useTui((s) => confirmHeight(s.confirm, s.focus === 'editor' && !!s.editor?.asking));
  const conflictLines = useTui((s) => conflictHeight(s.conflict));
  const syncLines = useTui((s) => syncBannerHeight(selectConflicts(s).length, s.focus === 'resolve'));
  const bars = 2 + (hasInput ? 1 : 0) + (hasSearch ? 1 : 0) + confirmLines + conflictLines + syncLines;
  const mainHeight = Math.max(3, rows - 1 - bars);
  const detailLines = useDetailLines(columns - 4, columns < 100);
  const layout = mainLayout(columns, mainHeight, () => detailLines);
  // What keys need to know of this frame (page size, the editor's width).
  context.layout.pageSize = Math.max(1, (focus === 'help' || focus === 'output' || focus === 'snapshots' ? mainHeight - 4 : layout.treeHeight) - 1);
  context.layout.editorWidth = editorTextWidth(columns);
  const panel =
    focus === 'help' ? <HelpPanel width={columns} height={mainHeight} />
    : focus === 'output' ? <OutputPanel width={columns} height={mainHeight} />
    : focus === 'picker' ? <PickerPanel width={columns} height={mainHeight} />
    : focus === 'editor' ? <EditorPanel width={columns} height={mainHeight} />
    : snapshotsOpen ? <SnapshotBrowser width={columns} height={mainHeight} />
    : view === 'board' ? <Board width={columns} height={mainHeight} />
    : null;
  return (
    <Box flexDirection="column" width={columns} height={rows}>
      <Header width={columns} />
      {panel ?? (
        <Box flexDirection={layout.sideBySide ? 'row' : 'column'} height={mainHeight}>
          <Tree width={layout.treeWidth} height={layout.treeHeight} />
          <Detail width={layout.detailWidth} height={layout.detailHeight} />
        </Box>
      )}
      <SyncBanner width={columns} />
      <ConflictBanner width={columns} />
      <ConfirmBar width={columns} />
      <SearchBar width={columns} />
      <InputBar width={columns} />
      <MessageLine width={columns} />
      <Prompt width={columns} />
    </Box>
  );
}
