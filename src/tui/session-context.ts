// The session's context in the workspace (issue 14 item 5): its summary ("where we are")
// and its newest decisions, read from context.json with the scope, shown in the detail
// pane; C edits the summary in the notes editor, N notes a decision about the task (or
// plan) under the cursor. Both are command objects (context set / context note).
import type { Decision, SessionContext } from '../context/context.js';
import { oneLine } from '../domain/sanitize.js';
import type { Workspace } from './actions.js';
import * as cmd from './commands.js';
import { field } from './input/text-buffer.js';
import type { Row } from './rows.js';
import { setMessage } from './state.js';

/** What the workspace shows of the session's entry in context.json. */
export interface SessionView {
  summary: string;
  /** The newest decisions, newest first. */
  decisions: readonly Decision[];
  /** How many the session has in all. */
  total: number;
  updated: string | null;
}

/** Decisions kept in the view: more than any pane shows. */
const KEPT = 20;

export const NO_SESSION: SessionView = { summary: '', decisions: [], total: 0, updated: null };

export function sessionView(entry: SessionContext | undefined): SessionView {
  if (!entry) return NO_SESSION;
  return { summary: entry.summary, decisions: entry.decisions.slice(-KEPT).reverse(), total: entry.decisions.length, updated: entry.updated ?? null };
}

/** True when two views show the same (the file is read again on every change to it). */
export function sameSession(a: SessionView, b: SessionView): boolean {
  return a.updated === b.updated && a.total === b.total && a.summary === b.summary;
}

/** C: the session's summary in the notes editor; saving runs `context set --summary`. */
export function editSummary(ws: Workspace): void {
  const { session, sessionContext } = ws.tui.getState();
  const old = sessionContext.summary;
  ws.tui.setState({
    focus: 'editor',
    editor: {
      label: `Summary of session "${oneLine(session)}" (where things stand)`,
      field: field(old),
      original: old,
      asking: false,
      save: async (value) => value === old || (await ws.controller.execute({ command: cmd.contextSummary(value) })) !== undefined,
    },
  });
}

/** N: a decision about the task (or plan) under the cursor; runs `context note`. */
export function noteDecision(ws: Workspace, row: Row | undefined): void {
  if (!row || row.kind === 'flow' || !row.planId) return setMessage(ws.tui, 'Move to a task or a plan: N notes a decision about it', 'warning');
  const planId = row.planId;
  const about = row.kind === 'task' ? { planId, taskId: row.id } : { planId };
  ws.tui.setState({
    focus: 'input',
    input: {
      label: `Decision about ${row.kind} "${oneLine(row.title)}"`,
      field: field(),
      submit: async (text) => !text.trim() || (await ws.controller.execute({ command: cmd.contextNote(text.trim(), about) })) !== undefined,
    },
  });
}

/** The decisions of the view about one task, newest first. */
export function decisionsAbout(view: SessionView, taskId: string): Decision[] {
  return view.decisions.filter((d) => d.task_id === taskId);
}
