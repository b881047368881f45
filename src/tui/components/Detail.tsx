// The detail pane: every field of the selected flow, plan or task. Laid out as lines of
// exactly the pane's width (titles and notes wrapped, nothing drawn over anything); what
// does not fit ends in a line saying how much more there is.
import { Box } from 'ink';
import { byteSize, STATUS_GLYPH } from '../../commands/render.js';
import { safeJson, sanitizeSegments } from '../../domain/sanitize.js';
import { recordSubject } from '../../sync/conflict-record.js';
import { entriesOf } from '../../sync/conflicts.js';
import type { Flow, Plan, Task } from '../../domain/schema.js';
import { countTasks, walkTasks } from '../../domain/tree.js';
import { objectOf, targetRow } from '../actions.js';
import { useTui, useTuiContext } from '../context.js';
import type { Decision } from '../../context/context.js';
import { documentsOf } from '../documents.js';
import { decisionsAbout } from '../session-context.js';
import { keyOf, keysOf } from '../keys.js';
import type { Row } from '../rows.js';
import type { TuiState } from '../state.js';
import type { Theme } from '../theme.js';
import { stableWidth, wrap } from '../text.js';
import { fieldSpans, Line, type Span } from './Line.js';

function useDetailState() {
  const { tui } = useTuiContext();
  // Re-read when the data, the cursor or the view change.
  useTui((s) => s.version);
  useTui((s) => s.cursor);
  useTui((s) => s.view);
  useTui((s) => s.board.cursor);
  useTui((s) => s.filter);
  useTui((s) => s.documents);
  useTui((s) => s.docIndex);
  useTui((s) => s.focus);
  useTui((s) => s.sessionContext);
  useTui((s) => s.scope);
  const state = tui.getState();
  const row = targetRow(state);
  const object = row ? objectOf(state, row) : undefined;
  return { row, object, state };
}

/** A dependency (dependencies live in the same flow), if it is still there. */
function findDependency(flows: ReadonlyMap<string, Flow>, flowId: string | undefined, id: string): Task | undefined {
  for (const plan of (flowId ? flows.get(flowId)?.plans : undefined) ?? []) {
    for (const { task } of walkTasks(plan.tasks)) if (task.id === id) return task;
  }
  return undefined;
}

const stamp = (iso: string) => iso.replace('T', ' ').slice(0, 19);

/** Decisions the pane lists (the newest). */
const SHOWN_DECISIONS = 3;

/**
 * Multi-line text from the store, wrapped to `width`: sanitized first (so the visible
 * escapes are measured as shown), then each line split back into plain and dim pieces.
 */
function paragraphLines(text: string, width: number, color?: string): Span[][] {
  const segments = sanitizeSegments(stableWidth(text).replace(/\t/g, '    '));
  const shown = segments.map((s) => s.text).join('');
  const dim: boolean[] = segments.flatMap((s) => Array.from({ length: s.text.length }, () => s.escaped));
  const lines: Span[][] = [];
  let at = 0;
  for (const line of wrap(shown, width)) {
    const start = line ? shown.indexOf(line, at) : at;
    at = start + line.length;
    const spans: Span[] = [];
    for (let i = 0; i < line.length; i++) {
      const d = dim[start + i] ?? false;
      const last = spans[spans.length - 1];
      if (last && !!last.dim === d) last.text += line[i];
      else spans.push({ text: line[i], dim: d, color });
    }
    lines.push(spans);
  }
  return lines;
}

/** A plan's documents, one a line; in the list's focus, the cursor on one of them. */
function documentLines(state: TuiState, planId: string, theme: Theme, field: (name: string, value: Span[]) => Span[]): Span[][] {
  const list = documentsOf(state.documents, planId);
  const listing = state.focus === 'documents';
  const muted = theme.color('muted');
  if (!list.length) return listing ? [field('documents', [{ text: `none yet: ${keyOf('addDocument', 'documents')} adds one`, color: muted }])] : [];
  const at = Math.min(state.docIndex, list.length - 1);
  return list.map((entry, i) => {
    const mark: Span = listing && i === at ? { text: '› ', color: theme.color('accent'), bold: true } : { text: '  ' };
    return field(i === 0 ? 'documents' : '', [mark, ...fieldSpans(entry.name, { bold: listing && i === at }), { text: `  ${byteSize(entry.size)}`, color: muted }]);
  });
}

/** Decisions one a line, newest first: when, and what. */
function decisionLines(decisions: readonly Decision[], theme: Theme, field: (name: string, value: Span[]) => Span[]): Span[][] {
  return decisions.slice(0, SHOWN_DECISIONS).map((d, i) => field(i === 0 ? 'decided' : '', [{ text: `${stamp(d.time).slice(5, 16)}  `, color: theme.color('muted') }, ...fieldSpans(d.text)]));
}

/**
 * Where the session works (its scope's plan, or its flow with no plan): the session's
 * summary and its newest decisions, with the keys that write them.
 */
function sessionLines(state: TuiState, theme: Theme, width: number, field: (name: string, value: Span[]) => Span[]): Span[][] {
  const view = state.sessionContext;
  const muted = theme.color('muted');
  const lines: Span[][] = [field('session', [...fieldSpans(`"${state.session}"`), { text: view.updated ? `  ${stamp(view.updated).slice(5, 16)}` : '', color: muted }])];
  if (view.summary) lines.push(...paragraphLines(view.summary, width));
  else lines.push([{ text: `No summary yet: ${keysOf('editSummary', 'tree')} writes one`, color: muted }]);
  if (view.decisions.length) lines.push(...decisionLines(view.decisions, theme, field));
  else lines.push([{ text: `No decisions yet: ${keysOf('noteDecision', 'tree')} notes one`, color: muted }]);
  return lines;
}

/** The pane's lines for what is under the cursor. */
export function detailLines(state: TuiState, row: Row, object: Record<string, unknown>, theme: Theme, width: number): Span[][] {
  const taskById = (id: string) => findDependency(state.flows, row.flowId, id);
  const muted = theme.color('muted');
  const field = (name: string, value: Span[]): Span[] => [{ text: name.padEnd(10), color: muted }, ...value];
  const title = String(row.kind === 'flow' ? (object as Flow).name : object.title);
  const lines: Span[][] = paragraphLines(title, width, theme.color('heading')).map((l) => l.map((s) => ({ ...s, bold: true })));
  // A plan's number for prompt commands goes beside its id: the short pane needs its lines.
  const planNumber: Span[] = row.kind === 'plan' && row.number !== undefined ? [{ text: ` · number ${row.number}`, color: muted }] : [];
  lines.push([{ text: `${row.kind} ${String(object.id)}`, color: theme.color('id') }, ...planNumber]);
  // Conflicts a sync recorded on it: what the other side had, and the key that settles it.
  for (const { record } of entriesOf(object)) {
    const theirs = record.kind === 'field' ? ('value' in record.theirs ? safeJson(record.theirs.value) : 'removed it') : record.kind === 'place' ? `under ${record.theirs.parent ?? '?'}` : record.theirs.deleted ? 'deleted it' : 'kept it';
    lines.push(field('conflict', fieldSpans(`${recordSubject(record)}: theirs ${theirs} (${keysOf('resolveConflicts', 'tree')} settles)`, { color: theme.color('warning') })));
  }
  if (row.kind === 'task') {
    const task = object as Task;
    const sub = countTasks({ tasks: task.subtasks } as Plan);
    lines.push(field('status', [{ text: `${STATUS_GLYPH[task.status]} ${task.status}`, color: theme.color(`status.${task.status}`) }]));
    lines.push(field('priority', [{ text: task.priority, color: theme.color(`priority.${task.priority}`) }]));
    if (row.number !== undefined) lines.push(field('number', [{ text: `${row.number} (in prompt commands)`, color: muted }]));
    if (task.tags.length) lines.push(field('tags', fieldSpans(task.tags.map((t) => `#${t}`).join(' '), { color: theme.color('tag') })));
    // One dependency a line, with its status: what this task waits for.
    task.depends_on.forEach((id, i) => {
      const dep = taskById(id);
      const glyph: Span = dep ? { text: `${STATUS_GLYPH[dep.status]} `, color: theme.color(`status.${dep.status}`) } : { text: '? ', color: muted };
      lines.push(field(i === 0 ? 'depends' : '', [glyph, ...fieldSpans(dep?.title ?? id)]));
    });
    if (task.subtasks.length) lines.push(field('subtasks', [{ text: `${sub.done}/${sub.total} done` }]));
    // Notes before the dates: in a short pane they are what people look for.
    if (task.notes) lines.push([], ...paragraphLines(task.notes, width), []);
    else lines.push([{ text: `No notes: ${keysOf('editNotes', 'tree')} writes some`, color: muted }]);
    lines.push(...decisionLines(decisionsAbout(state.sessionContext, task.id), theme, field));
    if (task.created) lines.push(field('created', [{ text: stamp(task.created) }]));
    if (task.updated) lines.push(field('updated', [{ text: stamp(task.updated) }]));
  } else if (row.kind === 'plan') {
    const plan = object as Plan;
    const c = countTasks(plan);
    // Short lines first: at 80×24 the pane has about eight, and what someone coming back
    // looks for (the documents, the session's context) comes before dates and the summary.
    lines.push(field('status', [{ text: `${plan.status} · ${c.done}/${c.total} done` }]));
    if (!c.total) lines.push([{ text: `No tasks yet: ${keysOf('addTask', 'tree')} adds one`, color: muted }]);
    lines.push(...documentLines(state, plan.id, theme, field));
    if (plan.id === state.scope.planId) lines.push(...sessionLines(state, theme, width, field));
    if (plan.updated) lines.push(field('updated', [{ text: stamp(plan.updated) }]));
    if (plan.summary) lines.push([], ...paragraphLines(plan.summary, width));
  } else {
    const flow = object as Flow;
    lines.push(field('plans', [{ text: String(flow.plans.length) }]), field('tasks', [{ text: `${row.done}/${row.total} done` }]));
    if (flow.updated) lines.push(field('updated', [{ text: stamp(flow.updated) }]));
    if (!flow.plans.length) lines.push([{ text: `No plans yet: ${keysOf('addPlan', 'tree')} adds one`, color: muted }]);
    if (flow.id === state.scope.flowId && !state.scope.planId) lines.push(...sessionLines(state, theme, width, field));
  }
  return lines;
}

/**
 * Lines the pane needs for its content (for the stacked layout's height), or 0 when not
 * asked (side by side). A number, so the screen is laid out again only when it changes.
 */
export function useDetailLines(width: number, wanted: boolean): number {
  const { theme } = useTuiContext();
  return useTui((s) => {
    if (!wanted) return 0;
    const row = targetRow(s);
    const object = row ? objectOf(s, row) : undefined;
    return row && object ? detailLines(s, row, object, theme, width).length : 1;
  });
}

export function DetailView({ row, object, state, width, height }: ReturnType<typeof useDetailState> & { width: number; height: number }) {
  const { theme } = useTuiContext();
  const inner = Math.max(1, width - 4);
  const room = Math.max(1, height - 2);
  const nothing = row ? 'Still being read: its plans and tasks show when the store is in' : 'Nothing selected';
  let lines: Span[][] = row && object ? detailLines(state, row, object, theme, inner) : [[{ text: nothing, color: theme.color('muted') }]];
  if (lines.length > room) {
    const more = lines.length - room + 1;
    const text = row?.kind === 'task' ? object?.notes : row?.kind === 'plan' ? object?.summary : undefined;
    const hint = text ? ` (${keysOf('editNotes', 'tree')} opens the ${row?.kind === 'task' ? 'notes' : 'summary'} whole)` : '';
    lines = [...lines.slice(0, room - 1), [{ text: `… ${more} more line${more === 1 ? '' : 's'}${hint}`, color: theme.color('muted') }]];
  }
  return (
    <Box width={width} height={height} flexDirection="column" borderStyle="single" borderColor={theme.color('border')} paddingX={1} overflow="hidden">
      {lines.map((spans, i) => (
        <Box key={i} height={1} width={inner}>
          <Line spans={spans} width={inner} />
        </Box>
      ))}
    </Box>
  );
}

export function Detail({ width, height }: { width: number; height: number }) {
  return <DetailView {...useDetailState()} width={width} height={height} />;
}
