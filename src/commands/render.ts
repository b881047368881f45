// Text renderings of flows, plans and tasks for the command line.
import { oneLine } from '../domain/sanitize.js';
import type { Flow, Plan, Task, TaskStatus } from '../domain/schema.js';
import { liveClaim } from '../domain/ready.js';
import { countTasks } from '../domain/tree.js';
import type { Style, StyleToken } from './style.js';

/** A size on disk as people read it: B, KB or MB. */
export function byteSize(bytes: number): string {
  return bytes < 1024 ? `${bytes} B` : bytes < 1048576 ? `${(bytes / 1024).toFixed(1)} KB` : `${(bytes / 1048576).toFixed(1)} MB`;
}

export const STATUS_GLYPH: Record<TaskStatus, string> = {
  todo: '○',
  in_progress: '◐',
  blocked: '⊘',
  done: '●',
  cancelled: '✕',
};

export function statusText(style: Style, status: TaskStatus): string {
  return style.paint(`status.${status}` as StyleToken, `${STATUS_GLYPH[status]} ${status}`);
}

export function priorityMark(style: Style, task: Pick<Task, 'priority'>): string {
  if (task.priority === 'high') return style.paint('priority.high', '!');
  if (task.priority === 'low') return style.paint('priority.low', '↓');
  return ' ';
}

export function tagList(style: Style, tags: readonly string[]): string {
  return tags.map((t) => style.paint('accent', `#${oneLine(t)}`)).join(' ');
}

/** A task on one line; the fields it shows are all a list row needs. */
type TaskLineFields = Pick<Task, 'id' | 'title' | 'status' | 'priority' | 'tags' | 'claimed_by' | 'claim_expires'>;

export function taskLine(style: Style, task: TaskLineFields, depth: number, number?: number): string {
  const indent = '  '.repeat(depth);
  const num = number === undefined ? '' : style.paint('muted', `${String(number).padStart(3)}. `);
  const glyph = style.paint(`status.${task.status}` as StyleToken, STATUS_GLYPH[task.status]);
  const tags = task.tags.length ? ` ${tagList(style, task.tags)}` : '';
  const claim = claimNote(style, task);
  return `${num}${indent}${glyph} ${priorityMark(style, task)} ${oneLine(task.title)}${tags}${claim}  ${style.paint('id', task.id)}`;
}

/** ` @agent` while an agent holds a live claim on the task. */
function claimNote(style: Style, task: Pick<Task, 'claimed_by' | 'claim_expires'>): string {
  return task.claimed_by && liveClaim(task, Date.now()) ? ` ${style.paint('warning', `@${oneLine(task.claimed_by)}`)}` : '';
}

/** Every field of a task; `more` (lines such as its documents) comes before the notes. */
export function showTask(style: Style, task: Task, where: { plan: Plan; flow: Flow }, more: readonly string[] = []): string {
  const lines = [
    `${style.paint('heading', oneLine(task.title))}  ${style.paint('id', task.id)}`,
    `  status    ${statusText(style, task.status)}`,
    `  priority  ${task.priority}`,
    `  plan      ${oneLine(where.plan.title)} ${style.paint('id', where.plan.id)}`,
    `  flow      ${oneLine(where.flow.name)} ${style.paint('id', where.flow.id)}`,
  ];
  if (task.tags.length) lines.push(`  tags      ${tagList(style, task.tags)}`);
  if (task.depends_on.length) lines.push(`  depends   ${task.depends_on.join(', ')}`);
  if (task.claimed_by) {
    const state = liveClaim(task, Date.now()) ? 'until' : 'expired';
    lines.push(`  claimed   by ${oneLine(task.claimed_by)}, ${state} ${oneLine(task.claim_expires ?? '?')}`);
  }
  if (task.created) lines.push(`  created   ${task.created}`);
  if (task.updated) lines.push(`  updated   ${task.updated}`);
  if (task.subtasks.length) {
    const c = countTasks({ tasks: task.subtasks } as Plan);
    lines.push(`  subtasks  ${c.done}/${c.total} done`);
  }
  lines.push(...more);
  if (task.notes) lines.push('', ...task.notes.split('\n').map((l) => `  ${l}`));
  return lines.join('\n');
}

/** A one-line field from the store in double quotes, for messages: `"Write tests"`. */
export function quoted(text: string): string {
  return `"${oneLine(text)}"`;
}
