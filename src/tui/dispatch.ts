// The one place keys come in. Every key press, in the order typed, goes to whatever has
// the keys at that moment (read from the state, not from a render): a key that opens an
// input sends the keys after it into that input, so nothing typed ahead is lost or read
// as a tree command. Ink hands each read to useInput inside one React batch: a burst of
// keys is one frame.
import { useInput, useStdin, useStdout } from 'ink';
import { useEffect, useRef } from 'react';
import { perform, unsavedMove, type Workspace } from './actions.js';
import { helpLineOf, helpLines, NO_COLOURS } from './components/Panels.js';
import { useTuiContext } from './context.js';
import type { Focus } from './state.js';
import { editorKey, lineInputKey, pickerKey, promptKey, searchKey } from './inputs.js';
import { KeyParser, type KeyPress } from './input/keypress.js';
import { noteKey } from './intake.js';
import { actionFor } from './keys.js';
import { performOnDocuments } from './document-actions.js';
import { performOnSnapshots } from './snapshot-actions.js';
import { performOnResolve } from './sync-actions.js';

/** The parts that edit text (inputs.ts): their keys include the text ones, the only Alt keys bound. */
const TEXT_INPUTS: Partial<Record<Focus, (ws: Workspace, key: KeyPress) => void>> = {
  input: lineInputKey,
  search: searchKey,
  editor: editorKey,
  prompt: promptKey,
  picker: pickerKey,
};
/** Where Esc answers a question (in the conflict banner it drops the person's write). */
const ESC_ANSWERS: ReadonlySet<Focus> = new Set(['confirm', 'conflict']);

/**
 * The presses `key` is where the keys go now. ESC and a key in one read is Alt with that
 * key, or Esc and then the key typed while the workspace was busy: where the focused part
 * binds no such Alt key, both presses count (neither is lost). Never where Esc answers a
 * question: an Alt chord must not answer it.
 */
export function pressesOf(key: KeyPress, focus: Focus): readonly KeyPress[] {
  if (!key.orPresses || ESC_ANSWERS.has(focus) || (TEXT_INPUTS[focus] !== undefined && actionFor(key, 'text'))) return [key];
  return key.orPresses;
}

export function dispatchKey(ws: Workspace, key: KeyPress): void {
  const { tui } = ws;
  const state = tui.getState();
  const input = TEXT_INPUTS[state.focus];
  if (input) return input(ws, key);
  switch (state.focus) {
    case 'tree': {
      const action = actionFor(key, state.view === 'board' ? 'board' : 'tree');
      if (action) perform(action, ws);
      return;
    }
    case 'snapshots': {
      const action = actionFor(key, 'snapshots');
      if (action) performOnSnapshots(action, ws);
      return;
    }
    case 'documents': {
      const action = actionFor(key, 'documents');
      if (action) performOnDocuments(action, ws);
      return;
    }
    case 'resolve': {
      const action = actionFor(key, 'resolve');
      if (action) performOnResolve(action, ws);
      return;
    }
    case 'confirm': {
      const action = actionFor(key, 'confirm');
      if (action === 'yes' || action === 'no') state.confirm?.answer(action === 'yes');
      return;
    }
    case 'conflict': {
      const action = actionFor(key, 'conflict');
      const retry = state.conflict?.retry;
      if (action === 'takeTheirs' || (action === 'keepMine' && retry)) {
        tui.setState({ conflict: null, focus: 'tree' });
        if (action === 'keepMine') retry?.();
      }
      return;
    }
    case 'help':
    case 'output': {
      const action = actionFor(key, 'list');
      if (action === 'cancel' || (action === 'help' && state.focus === 'help')) {
        tui.setState({ focus: state.snapshots ? 'snapshots' : 'tree', output: state.focus === 'output' ? null : state.output });
        return;
      }
      // The help's lines count from its section of the keys it was opened among.
      const base = state.focus === 'help' ? helpLineOf(state.helpFrom, state.helpStats) : 0;
      const total = state.focus === 'help' ? helpLines(NO_COLOURS, state.helpStats).length : (state.output ?? '').split('\n').length;
      const page = Math.max(1, ws.layout.pageSize - 1);
      const delta = action === 'down' ? 1 : action === 'up' ? -1 : action === 'pageDown' ? page : action === 'pageUp' ? -page : 0;
      const top = action === 'top' ? -base : action === 'bottom' ? total - 1 - base : state.panelTop + delta;
      tui.setState({ panelTop: Math.max(-base, Math.min(total - 1 - base, top)) });
      return;
    }
  }
}

/** Reads the keyboard for the whole workspace (one instance, in App). */
export function useKeyboard(): void {
  const context = useTuiContext();
  const { internal_eventEmitter: events } = useStdin();
  const { write } = useStdout();
  const raw = useRef<string[]>([]);
  const parser = useRef(new KeyParser());
  // Ink's useInput gives each read's text already cut (Escape prefixes dropped, a run of
  // keys as one string); the raw read is taken here, and handled inside useInput's batch.
  // Its listeners get an empty read in its place: useInput's own parsing throws on some
  // sequences (ESC [ 31 m in a pasted text, a terminal's ESC [ 0 n), which stopped the
  // workspace with the editor's text in it; the keys are read by KeyParser alone.
  useEffect(() => {
    const emit = events.emit;
    events.emit = (name, ...args) => {
      if (name !== 'input' || typeof args[0] !== 'string') return emit.call(events, name, ...args);
      noteKey();
      raw.current.push(args[0]);
      return emit.call(events, name, '');
    };
    return () => {
      events.emit = emit;
    };
  }, [events]);
  const ws: Workspace = {
    ...context,
    write,
    suspend: (run) => {
      try {
        return context.suspend(run);
      } finally {
        // The screen came back blank: Ink's own write redraws the whole frame after it.
        write('');
      }
    },
  };
  const latest = useRef(ws);
  latest.current = ws;
  // Keys pressed while a row or card move is unsaved wait for its save, in order (see
  // unsavedMove); one release at a time is waiting whenever some are held.
  const held = useRef<KeyPress[]>([]);
  const release = () => {
    while (held.current.length) {
      const pending = unsavedMove(context.tui);
      if (pending) return void pending.then(release);
      dispatchKey(latest.current, held.current.shift() as KeyPress);
    }
  };
  // Keys pressed while the store is still being read (j j, a title…) wait for the tree
  // rather than acting on nothing; then they go the way held keys go, so a J among them
  // is saved before the keys after it act.
  const waiting = useRef<KeyPress[]>([]);
  useEffect(
    () =>
      context.tui.subscribe((state, before) => {
        if (!before.loading || state.loading || !waiting.current.length) return;
        const releasing = held.current.length > 0;
        held.current.push(...waiting.current.splice(0));
        if (!releasing) release();
      }),
    [context.tui],
  );
  useInput(() => {
    for (const data of raw.current.splice(0)) {
      for (const read of parser.current.push(data)) {
        // Each press is read in the state the one before it left (Esc may close the prompt).
        for (const key of pressesOf(read, context.tui.getState().focus)) {
          const state = context.tui.getState();
          if (state.loading && state.focus === 'tree' && actionFor(key, 'tree') !== 'quit') waiting.current.push(key);
          else if (held.current.length || unsavedMove(context.tui)) {
            // The first key held waits for the move; the others wait behind it.
            if (held.current.push(key) === 1) void unsavedMove(context.tui)?.then(release);
          } else dispatchKey(ws, key);
        }
      }
    }
  });
}
