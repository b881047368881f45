// The snapshot browser's keys (s): move, restore (whole, or the plan under the tree
// cursor), pin, delete and take a snapshot, each asking first where something is lost
// and naming what. Its list lives in the TUI state like everything a key reads.
import { oneLine } from '../domain/sanitize.js';
import type { Flow } from '../domain/schema.js';
import { describeChange, diffFlows } from '../snapshots/diff.js';
import type { SnapshotEngine, SnapshotMeta } from '../snapshots/engine.js';
import { snapshotFlows } from '../snapshots/restore.js';
import type { Workspace } from './actions.js';
import * as cmd from './commands.js';
import { ask } from './controller.js';
import { field } from './input/text-buffer.js';
import { workspaceStats } from './stats.js';
import type { Action } from './keys.js';
import { findPlan, selectRows, setMessage, type TuiState } from './state.js';

function list(ws: Workspace): { list: SnapshotMeta[]; error: string | null } {
  try {
    return { list: ws.controller.bus.services.snapshots().list(), error: null };
  } catch (err) {
    return { list: [], error: oneLine((err as Error).message) };
  }
}

/** The label of a snapshot taken with c when none is typed. */
const DEFAULT_LABEL = 'from the TUI';

/** Opens the browser on the newest snapshot: the one people look for. */
export function openSnapshots(ws: Workspace): void {
  const found = list(ws);
  ws.tui.setState({ focus: 'snapshots', snapshots: { ...found, index: Math.max(0, found.list.length - 1) } });
}

/** Reads the list again; `newest` moves to the newest snapshot (one just taken). */
function reload(ws: Workspace, newest = false): void {
  const current = ws.tui.getState().snapshots;
  if (!current) return;
  const found = list(ws);
  const last = Math.max(0, found.list.length - 1);
  ws.tui.setState({ snapshots: { ...found, index: newest ? last : Math.min(current.index, last) } });
}

/** What restoring `meta` would change, as lines (+ added, - removed, ~ changed), or why not. */
export function snapshotPreview(engine: SnapshotEngine, flows: TuiState['flows'], meta: SnapshotMeta): string[] | string {
  try {
    const then = Object.fromEntries(snapshotFlows(engine.read(meta)).map((f) => [f.id, f]));
    return diffFlows(Object.fromEntries(flows) as Record<string, Flow>, then).flatMap(describeChange).map(oneLine);
  } catch (err) {
    return oneLine((err as Error).message);
  }
}

export function describeSnapshot(meta: SnapshotMeta): string {
  const label = meta.label ? ` "${oneLine(meta.label)}"` : '';
  return `${meta.id}${label} (${meta.created.replace('T', ' ').slice(0, 19)}, ${meta.kind}${meta.pinned ? ', pinned' : ''})`;
}

export function performOnSnapshots(action: Action, ws: Workspace): void {
  const { tui } = ws;
  const state = tui.getState();
  const browser = state.snapshots;
  if (!browser) return;
  const move = (index: number) => tui.setState({ snapshots: { ...browser, index: Math.max(0, Math.min(browser.list.length - 1, index)) } });
  switch (action) {
    case 'down':
      return move(browser.index + 1);
    case 'up':
      return move(browser.index - 1);
    case 'pageDown':
      return move(browser.index + ws.layout.pageSize);
    case 'pageUp':
      return move(browser.index - ws.layout.pageSize);
    case 'top':
      return move(0);
    case 'bottom':
      return move(browser.list.length - 1);
    case 'help':
      tui.setState({ focus: 'help', panelTop: 0, helpFrom: 'snapshots', helpStats: workspaceStats(ws.controller) });
      return;
    case 'cancel':
      tui.setState({ focus: 'tree', snapshots: null });
      return;
    case 'snapshotNow':
      tui.setState({
        focus: 'input',
        input: {
          // The default is offered, not typed in: a label typed at once replaces it
          // instead of going after it ("from the TUIbefore the refactor").
          label: `Snapshot label (empty: ${DEFAULT_LABEL})`,
          field: field(),
          back: 'snapshots',
          submit: async (label) => {
            const output = await ws.controller.execute({ command: cmd.snapshot.create(label.trim() || DEFAULT_LABEL) });
            reload(ws, output !== undefined);
            return true;
          },
        },
      });
      return;
  }
  const selected = browser.list[browser.index];
  if (!selected) return setMessage(tui, 'No snapshot yet: c takes one', 'warning');
  const preview = () => {
    const lines = snapshotPreview(ws.controller.bus.services.snapshots(), tui.getState().flows, selected);
    if (typeof lines === 'string') return [lines];
    if (!lines.length) return ['Nothing changes: it matches the store now'];
    return lines.length > 6 ? [...lines.slice(0, 6), `… and ${lines.length - 6} more lines (shown in the browser)`] : lines;
  };
  const then = (output: unknown) => {
    reload(ws);
    return output;
  };
  switch (action) {
    case 'restore':
      return ask(tui, `Restore the whole store from ${describeSnapshot(selected)}?`, ['Changes since are replaced (u undoes the restore):', ...preview()], (yes) => {
        if (yes) void ws.controller.execute({ command: cmd.snapshot.restore(selected.id) }).then(then);
      });
    case 'restorePlan': {
      const rows = selectRows(state);
      const row = state.cursor ? rows.rows[rows.indexOf.get(state.cursor) ?? -1] : undefined;
      if (!row?.planId) return setMessage(tui, 'Put the tree cursor on a plan (or a task in it) to restore only that plan', 'warning');
      const plan = findPlan(state, row.planId)?.plan;
      const name = plan ? `"${oneLine(plan.title)}" (${row.planId})` : row.planId;
      const planId = row.planId;
      return ask(tui, `Restore plan ${name} from ${describeSnapshot(selected)}?`, ['Other plans stay as they are; the plan’s changes since are replaced (u undoes it).'], (yes) => {
        if (yes) void ws.controller.execute({ command: cmd.snapshot.restore(selected.id, planId) }).then(then);
      });
    }
    case 'pin':
      void ws.controller.execute({ command: cmd.snapshot.pin(selected.id, !selected.pinned) }).then(then);
      return;
    case 'delete': {
      const warnings: string[] = [];
      if (selected.pinned) warnings.push('It is pinned: pruning would have kept it.');
      if (selected.kind === 'pre-restore') warnings.push('It is the safety copy taken before a restore: without it that restore cannot be taken back this way.');
      if (selected.kind === 'migration') warnings.push('It holds the file as it was before a format upgrade.');
      return ask(tui, `Delete snapshot ${describeSnapshot(selected)}?`, warnings, (yes) => {
        if (yes) void ws.controller.execute({ command: cmd.snapshot.remove(selected.id) }).then(then);
      });
    }
  }
}
