// The detail pane: every field of the selected flow, plan or task. Laid out as lines of
// exactly the pane's width (titles and notes wrapped, nothing drawn over anything); what
// does not fit ends in a line saying how much more there is.
import { Box } from 'ink';
import { STATUS_GLYPH } from '../../commands/render.js';
import { safeJson, sanitizeSegments } from '../../domain/sanitize.js';
import { recordSubject } from '../../sync/conflict-record.js';
import { entriesOf } from '../../sync/conflicts.js';
import type { Flow, Plan, Task } from '../../domain/schema.js';
import { countTasks, walkTasks } from '../../domain/tree.js';
import { objectOf, targetRow } from '../actions.js';
import { useTui, useTuiContext } from '../context.js';
import { keysOf } from '../keys.js';
import type { Row } from '../rows.js';
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
  const row = targetRow(tui.getState());
  const object = row ? objectOf(tui.getState(), row) : undefined;
  const flows = useTui((s) => s.flows);
  return { row, object, taskById: (id: string) => findDependency(flows, row?.flowId, id) };
}

/** A dependency (dependencies live in the same flow), if it is still there. */
function findDependency(flows: ReadonlyMap<string, Flow>, flowId: string | undefined, id: string): Task | undefined {
  for (const plan of (flowId ? flows.get(flowId)?.plans : undefined) ?? []) {
    for (const { task } of walkTasks(plan.tasks)) if (task.id === id) return task;
  }
  return undefined;
}

const stamp = (iso: string) => iso.replace('T', ' ').slice(0, 19);

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

/** The pane's lines for what is under the cursor. */
export function detailLines(row: Row, object: Record<string, unknown>, taskById: (id: string) => Task | undefined, theme: Theme, width: number): Span[][] {
  const muted = theme.color('muted');
  const field = (name: string, value: Span[]): Span[] => [{ text: name.padEnd(10), color: muted }, ...value];
  const title = String(row.kind === 'flow' ? (object as Flow).name : object.title);
  const lines: Span[][] = paragraphLines(title, width, theme.color('heading')).map((l) => l.map((s) => ({ ...s, bold: true })));
  lines.push([{ text: `${row.kind} ${String(object.id)}`, color: theme.color('id') }]);
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
    if (task.created) lines.push(field('created', [{ text: stamp(task.created) }]));
    if (task.updated) lines.push(field('updated', [{ text: stamp(task.updated) }]));
  } else if (row.kind === 'plan') {
    const plan = object as Plan;
    const c = countTasks(plan);
    lines.push(field('status', [{ text: plan.status }]), field('tasks', [{ text: `${c.done}/${c.total} done` }]));
    if (row.number !== undefined) lines.push(field('number', [{ text: `${row.number} (in prompt commands)`, color: muted }]));
    if (plan.updated) lines.push(field('updated', [{ text: stamp(plan.updated) }]));
    if (!c.total) lines.push([{ text: `No tasks yet: ${keysOf('addTask', 'tree')} adds one`, color: muted }]);
    if (plan.summary) lines.push([], ...paragraphLines(plan.summary, width));
  } else {
    const flow = object as Flow;
    lines.push(field('plans', [{ text: String(flow.plans.length) }]), field('tasks', [{ text: `${row.done}/${row.total} done` }]));
    if (flow.updated) lines.push(field('updated', [{ text: stamp(flow.updated) }]));
    if (!flow.plans.length) lines.push([{ text: `No plans yet: ${keysOf('addPlan', 'tree')} adds one`, color: muted }]);
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
    return row && object ? detailLines(row, object, (id) => findDependency(s.flows, row.flowId, id), theme, width).length : 1;
  });
}

export function DetailView({ row, object, taskById, width, height }: ReturnType<typeof useDetailState> & { width: number; height: number }) {
  const { theme } = useTuiContext();
  const inner = Math.max(1, width - 4);
  const room = Math.max(1, height - 2);
  let lines: Span[][] = row && object ? detailLines(row, object, taskById, theme, inner) : [[{ text: 'Nothing selected', color: theme.color('muted') }]];
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
