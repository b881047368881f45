// Sync in the workspace (issue 16 item 4): Y runs `flow sync` through the bus, its steps
// shown while it runs and what it did after; R goes through the conflicts merges
// recorded, the tree's cursor on each one's object, and m/t settle it with
// `resolve … --take mine|theirs` (asking first when the side taken deletes it).
import { oneLine } from '../domain/sanitize.js';
import { walkTasks } from '../domain/tree.js';
import type { ConflictEntry } from '../sync/conflicts.js';
import type { Workspace } from './actions.js';
import * as cmd from './commands.js';
import { selectConflicts } from './conflicts.js';
import { ask } from './controller.js';
import { keyOf } from './keys.js';
import type { Action } from './keys.js';
import { findPlan, findTask, messageClock, reveal, selectRows, setMessage } from './state.js';

interface SyncJson {
  committed: number | null;
  merged: 'none' | 'fast-forward' | 'merge';
  pushed: boolean;
  remote: string;
  set_up: string[];
  outside: string[];
  conflicts: unknown[];
}

/** What a sync did, in one line. */
export function syncSummary(report: SyncJson): string {
  const did = [
    report.committed !== null ? `committed revision ${report.committed}` : undefined,
    report.merged === 'fast-forward' ? `took ${oneLine(report.remote)}'s changes` : report.merged === 'merge' ? `merged ${oneLine(report.remote)}` : undefined,
    report.pushed ? 'pushed' : undefined,
  ].filter(Boolean);
  const parts = [did.length ? `Synced: ${did.join(', ')}` : `Synced: nothing new here or on ${oneLine(report.remote)}`];
  if (report.set_up.length) parts.push(`set up ${report.set_up.map((s) => oneLine(s)).join(', ')}`);
  if (report.outside.length) parts.push(`${report.outside.length} changed file${report.outside.length === 1 ? '' : 's'} outside .flow/ left alone`);
  if (report.conflicts.length) {
    parts.push(`${report.conflicts.length} conflict${report.conflicts.length === 1 ? '' : 's'} recorded: ${keyOf('resolveConflicts', 'tree')} settles them`);
  }
  return parts.join('; ');
}

export function runSync(ws: Workspace): void {
  const { tui, controller } = ws;
  if (tui.getState().syncing) return setMessage(tui, 'A sync is running already', 'info');
  tui.setState({ syncing: true });
  controller.syncWatch.pause();
  void controller.execute({ command: cmd.sync(), quiet: true }).then((output) => {
    tui.setState({ syncing: false });
    controller.syncWatch.resume(output !== undefined);
    // A failure is in the message line already (the controller reports it).
    if (!output) return;
    const report = output.json as SyncJson;
    setMessage(tui, syncSummary(report), report.conflicts.length ? 'warning' : 'success', messageClock());
  });
}

/** R: the resolve banner on the first conflict, the tree's cursor on its object. */
export function openResolve(ws: Workspace): void {
  const conflicts = selectConflicts(ws.tui.getState());
  if (!conflicts.length) return setMessage(ws.tui, `No conflicts recorded (${keyOf('sync', 'tree')} syncs)`, 'info');
  ws.tui.setState({ focus: 'resolve', view: 'tree', resolving: Math.min(ws.tui.getState().resolving, conflicts.length - 1) });
  showConflict(ws);
}

/** Puts the tree's cursor on the object the shown conflict is about. */
function showConflict(ws: Workspace): void {
  const state = ws.tui.getState();
  const entry = selectConflicts(state)[state.resolving];
  if (!entry?.id) return;
  reveal(ws.tui, entry.id);
  if (selectRows(ws.tui.getState()).indexOf.has(entry.id)) ws.tui.setState({ cursor: entry.id });
}

/** What goes when a conflict is settled by deleting its object, for the question. */
function deletionQuestion(ws: Workspace, entry: ConflictEntry, take: 'mine' | 'theirs'): string {
  const state = ws.tui.getState();
  const who = take === 'mine' ? 'as this clone did' : 'as the other side did';
  const title = `"${oneLine(entry.title)}"`;
  if (entry.object === 'task' && entry.id) {
    const task = findTask(state, entry.id)?.task;
    const subtasks = task ? [...walkTasks(task.subtasks)].length : 0;
    return `Delete task ${title}${subtasks ? ` and its ${subtasks} subtask${subtasks === 1 ? '' : 's'}` : ''} ${who}?`;
  }
  if (entry.object === 'plan' && entry.id) {
    const plan = findPlan(state, entry.id)?.plan;
    const tasks = plan ? [...walkTasks(plan.tasks)].length : 0;
    return `Delete plan ${title}${tasks ? ` and its ${tasks} task${tasks === 1 ? '' : 's'}` : ''} ${who}?`;
  }
  return `Delete ${entry.object} ${title} and everything in it ${who}?`;
}

export function performOnResolve(action: Action, ws: Workspace): void {
  const { tui } = ws;
  const state = tui.getState();
  const conflicts = selectConflicts(state);
  if (!conflicts.length || action === 'cancel') {
    tui.setState({ focus: 'tree' });
    return;
  }
  const at = Math.min(state.resolving, conflicts.length - 1);
  switch (action) {
    case 'down':
    case 'up':
      tui.setState({ resolving: (at + (action === 'down' ? 1 : conflicts.length - 1)) % conflicts.length });
      return showConflict(ws);
    case 'resolveMine':
    case 'resolveTheirs': {
      const entry = conflicts[at];
      const take = action === 'resolveMine' ? 'mine' : 'theirs';
      const command = cmd.resolveConflict(entry, take);
      if (!command) return setMessage(tui, 'A conflict of the file’s top level: edit flows.json by hand (flow conflicts lists it)', 'warning');
      const settle = () =>
        void ws.controller.execute({ command }).then((output) => {
          if (!output) return;
          const left = selectConflicts(tui.getState());
          if (!left.length) {
            if (tui.getState().focus === 'resolve') tui.setState({ focus: 'tree' });
            setMessage(tui, `All conflicts settled: ${keyOf('sync', 'tree')} shares the result`, 'success', messageClock());
            return;
          }
          tui.setState({ resolving: Math.min(at, left.length - 1) });
          showConflict(ws);
        });
      const side = entry.record[take];
      if (entry.record.kind === 'deleted' && side.deleted) return ask(tui, deletionQuestion(ws, entry, take), [], (yes) => yes && settle());
      return settle();
    }
  }
}
