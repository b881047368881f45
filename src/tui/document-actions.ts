// The keys of a plan's documents (issue 13 item 7): O lists them in the detail pane,
// Enter opens one as `flow open doc` does (the screen handed over and back), a adds files
// by path with Tab completion, and Tab in the filter runs `flow search` over documents,
// notes and summaries. Every change is a command object through the bus.
import { isTextual } from '../documents/media.js';
import { oneLine, sanitize } from '../domain/sanitize.js';
import { PLAIN } from '../commands/style.js';
import type { Workspace } from './actions.js';
import * as cmd from './commands.js';
import { openExternally } from './external-editor.js';
import { field } from './input/text-buffer.js';
import { keyOf, keysOf, type Action } from './keys.js';
import { documentsOf } from './documents.js';
import { completePath, expandPath } from './path-completion.js';
import type { Row } from './rows.js';
import { findPlan, selectRows, setMessage, type TuiState } from './state.js';

/** The plan whose documents the detail pane lists (the plan row under the cursor). */
export function listedPlanId(state: TuiState): string | null {
  const { rows, indexOf } = selectRows(state);
  const row = state.cursor ? rows[indexOf.get(state.cursor) ?? -1] : undefined;
  return row?.kind === 'plan' ? row.id : null;
}

/** O: the cursor goes to the plan (from one of its tasks) and the keys to its documents. */
export function openDocumentList(ws: Workspace, row: Row): void {
  const { tui } = ws;
  if (!row.planId) return setMessage(tui, `Move to a plan (or a task in it): ${keyOf('documents', 'tree')} lists its documents`, 'warning');
  if (selectRows(tui.getState()).indexOf.has(row.planId)) tui.setState({ cursor: row.planId });
  tui.setState({ focus: 'documents', docIndex: 0 });
  const error = tui.getState().documents.error;
  if (error) return setMessage(tui, `documents: ${error}`, 'error');
  setMessage(tui, listKeys());
}

/** What the message line says while the list has the keys. */
const listKeys = () =>
  `${keyOf('openDocument', 'documents')} opens, ${keyOf('addDocument', 'documents')} adds a file, ${keysOf('cancel', 'documents')} back to the tree`;

export function performOnDocuments(action: Action, ws: Workspace): void {
  const { tui } = ws;
  const state = tui.getState();
  const planId = listedPlanId(state);
  const list = documentsOf(state.documents, planId);
  const at = Math.min(state.docIndex, Math.max(0, list.length - 1));
  switch (action) {
    case 'down':
    case 'up':
      tui.setState({ docIndex: Math.max(0, Math.min(list.length - 1, at + (action === 'down' ? 1 : -1))) });
      return;
    case 'cancel':
      tui.setState({ focus: 'tree' });
      // The list's keys go with it: left on the line, "Enter opens" spoke of the tree.
      if (tui.getState().message?.text === listKeys()) tui.setState({ message: null });
      return;
    case 'openDocument': {
      const entry = list[at];
      if (!entry) return setMessage(tui, `No documents yet: ${keyOf('addDocument', 'documents')} adds one`, 'warning');
      void ws.controller.execute({ command: cmd.doc.open(entry.id), quiet: true }).then((output) => {
        const json = output?.json;
        const path = json && typeof json === 'object' && 'path' in json && typeof json.path === 'string' ? json.path : undefined;
        if (!path) return;
        const error = openExternally(path, isTextual(entry.media_type), ws.suspend);
        setMessage(tui, error ?? `Opened "${oneLine(entry.name)}"`, error ? 'error' : 'info');
      });
      return;
    }
    case 'addDocument': {
      if (!planId) return;
      const title = findPlan(state, planId)?.plan.title ?? planId;
      tui.setState({
        focus: 'input',
        input: {
          // What to type and the key that helps first: a long title is what the label cuts.
          label: `Path (${keyOf('complete', 'path')} completes) to add to "${oneLine(title)}"`,
          field: field(),
          back: 'documents',
          complete: (text) => completePath(text),
          submit: async (path) => {
            if (!path.trim()) return true;
            const output = await ws.controller.execute({ command: cmd.doc.add(expandPath(path.trim()), planId) });
            // The manifest changed: read it now rather than on the watcher's next look.
            ws.controller.readDocuments();
            return output !== undefined;
          },
        },
      });
      return;
    }
  }
}

/** Tab in the filter: `flow search` for the words; its hits open in a panel. */
export function searchEverywhere(ws: Workspace, query: string): void {
  void ws.controller.execute({ command: cmd.search(query), quiet: true }).then((output) => {
    if (!output) return;
    const text = sanitize(output.human(PLAIN));
    if (ws.tui.getState().focus === 'tree') ws.tui.setState({ output: text || `Nothing found for "${oneLine(query)}"`, focus: 'output', panelTop: 0 });
  });
}
