// `flow context export`: a session's context as text to paste into a prompt (Markdown or
// JSON): the summary always, then the scope's plan with its open tasks, then the newest
// decisions, cut to at most N characters with a marker that says what was left out.
// Peers' dumps that grow without bound (beads' `bd prime` past 150 KB) are what the limit
// is for. Characters are Unicode code points; nothing is ever cut inside one.
import { sanitize, oneLine, safeJson } from '../domain/sanitize.js';
import type { Flow, Plan, Task } from '../domain/schema.js';
import { walkTasks } from '../domain/tree.js';
import type { Decision, SessionContext } from './context.js';
import { counted } from '../domain/counted.js';

export const EXPORT_FORMATS = ['md', 'json'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export const DEFAULT_MAX_CHARS = 16_000;
/** Below this the summary and the marker could not both fit. */
export const MIN_MAX_CHARS = 100;

export interface ExportInput {
  session: string;
  entry: SessionContext | undefined;
  /** The scope's flow, when it exists. */
  flow?: Flow;
  /** The scope's plan, when the session has one that exists. */
  plan?: Plan;
}

/** What an export left out to fit. */
export interface Omitted {
  /** Characters of the summary (only when the summary alone does not fit). */
  summary_chars: number;
  /** The heading (session, when and by whom it was last updated). */
  heading: boolean;
  /** The scope's flow and plan. */
  scope: boolean;
  open_tasks: number;
  decisions: number;
}

export interface ContextExport {
  text: string;
  /** Length of `text` in characters (code points). */
  chars: number;
  omitted: Omitted;
}

const OPEN = new Set<Task['status']>(['todo', 'in_progress', 'blocked']);

/** Code points in `text` (what --max-chars counts). */
export function charCount(text: string): number {
  let pairs = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        pairs++;
        i++;
      }
    }
  }
  return text.length - pairs;
}

/** What is kept: how much of the summary, whether the heading and the plan, how many tasks and decisions. */
interface Selection {
  summary: number;
  heading: boolean;
  plan: boolean;
  tasks: number;
  decisions: number;
  /** The marker says only that something was left out (when even the summary has no room for more). */
  terse: boolean;
}

/** One of the export's two formats. */
interface Render {
  /** The text of one selection. */
  text(pick: Selection, omitted: Omitted): string;
  /** At least what the i-th open task, or the i-th newest decision, adds to a text. */
  taskChars(i: number): number;
  decisionChars(i: number): number;
}

/** The first `n` code points of `text` (all of it when shorter), never cutting a character in two. */
function clip(text: string, n: number): string {
  if (text.length <= n) return text;
  let end = 0;
  for (let kept = 0; kept < n && end < text.length; kept++) {
    const c = text.charCodeAt(end);
    end += c >= 0xd800 && c <= 0xdbff && end + 1 < text.length ? 2 : 1;
  }
  return text.slice(0, end);
}

export function exportContext(input: ExportInput, format: ExportFormat, maxChars: number): ContextExport {
  // What could never be printed is counted, never rendered, so that a huge context.json (a
  // summary of megabytes, a log of a million decisions) costs what fits, not what is there:
  // nothing past maxChars characters of a text, nor more than maxChars tasks or decisions
  // (each takes at least a character). Whatever was clipped still does not fit.
  const room = maxChars + 1;
  const fullSummary = input.entry?.summary ?? '';
  const summary = Array.from(clip(fullSummary, room));
  const summaryChars = summary.length < room ? summary.length : charCount(fullSummary);
  const open = input.plan ? [...walkTasks(input.plan.tasks)].filter(({ task }) => OPEN.has(task.status)) : [];
  const tasks = open.slice(0, room);
  // Newest first: the log is kept in the order decisions were noted.
  const log = input.entry?.decisions ?? [];
  const decisionCount = log.length;
  const decision = (i: number): Decision => clipDecision(log[log.length - 1 - i], room);
  const entry = input.entry && { ...input.entry, writer: input.entry.writer && clip(input.entry.writer, room), updated: input.entry.updated && clip(input.entry.updated, room) };
  const parts: Parts = { input: { ...input, entry }, summary, tasks, openCount: open.length, decision, decisionCount };
  const render = format === 'md' ? markdown(parts) : json(parts);
  const hasScope = !!input.flow;
  // Each task and decision takes at least its own line: no more than fit one after another
  // are ever tried, so each try renders about maxChars characters, whatever the log holds.
  const tasksAtMost = atMost(tasks.length, render.taskChars, maxChars);
  const decisionsAtMost = atMost(Math.min(decisionCount, room), render.decisionChars, maxChars);

  const measure = (pick: Selection) => {
    const omitted: Omitted = {
      summary_chars: summaryChars - pick.summary,
      heading: !pick.heading,
      scope: hasScope && !pick.plan,
      open_tasks: open.length - (pick.plan ? pick.tasks : 0),
      decisions: decisionCount - pick.decisions,
    };
    const text = render.text(pick, omitted);
    return { text, chars: charCount(text), omitted };
  };
  const fits = (pick: Selection) => measure(pick).chars <= maxChars;
  if (tasksAtMost === open.length && decisionsAtMost === decisionCount) {
    const whole = measure({ summary: summary.length, heading: true, plan: hasScope, tasks: tasksAtMost, decisions: decisionsAtMost, terse: false });
    if (whole.chars <= maxChars) return whole;
  }

  // In order of priority: the summary (cut only when it alone does not fit), a marker that
  // says what is left out (just that something is, when there is no room to say what),
  // the heading, the plan, its open tasks in order, the newest decisions. Each is the
  // largest that still fits; only a selection that was measured to fit is kept.
  let pick: Selection = { summary: summary.length, heading: false, plan: false, tasks: 0, decisions: 0, terse: false };
  if (!fits(pick)) pick.terse = true;
  if (!fits(pick)) {
    // The summary alone is too long: as much of it as fits beside the marker.
    pick.terse = false;
    pick.summary = largest(summary.length, (n) => fits({ ...pick, summary: n }));
    if (!fits(pick)) {
      pick.terse = true;
      pick.summary = largest(summary.length, (n) => fits({ ...pick, summary: n }));
    }
  }
  if (fits({ ...pick, heading: true })) pick.heading = true;
  if (hasScope && fits({ ...pick, plan: true })) {
    pick.plan = true;
    pick.tasks = largest(tasksAtMost, (n) => fits({ ...pick, tasks: n }));
  }
  pick.decisions = largest(decisionsAtMost, (n) => fits({ ...pick, decisions: n }));
  return measure(pick);
}

/** How many of the first `count` items, of at least `size(i)` characters each, fit in `room` together. */
function atMost(count: number, size: (i: number) => number, room: number): number {
  let used = 0;
  for (let i = 0; i < count; i++) {
    used += size(i);
    if (used > room) return i;
  }
  return count;
}

/** The largest n in 0..max with ok(n), for an ok that holds up to some point (0 is taken as given). */
function largest(max: number, ok: (n: number) => boolean): number {
  if (ok(max)) return max;
  let lo = 0;
  let hi = max;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (ok(mid)) lo = mid;
    else hi = mid;
  }
  return lo;
}

interface Parts {
  input: ExportInput;
  /** The summary's code points. */
  summary: readonly string[];
  /** The open tasks that could be printed, and how many the plan has. */
  tasks: ReadonlyArray<{ task: Task; depth: number }>;
  openCount: number;
  /** The i-th newest decision. */
  decision(i: number): Decision;
  decisionCount: number;
}

/** A decision with every text clipped to `room` characters (see exportContext). */
function clipDecision(d: Decision, room: number): Decision {
  const clipped = (text: string | undefined) => (text === undefined ? undefined : clip(text, room));
  return { ...d, time: clip(d.time, room), text: clip(d.text, room), plan_id: clipped(d.plan_id), task_id: clipped(d.task_id), writer: clipped(d.writer) };
}

/** What the marker lists, in words. */
function leftOut(omitted: Omitted): string[] {
  return [
    omitted.summary_chars ? `${counted(omitted.summary_chars, 'character')} of the summary` : '',
    omitted.heading ? 'heading' : '',
    omitted.scope ? 'plan' : '',
    omitted.open_tasks ? counted(omitted.open_tasks, 'open task') : '',
    omitted.decisions ? counted(omitted.decisions, 'decision') : '',
  ].filter(Boolean);
}

/** Multi-line text laid out as the command line prints it: visible escapes, tabs as spaces. */
function block(text: string): string {
  return sanitize(text).replace(/\t/g, '    ');
}

const when = (time: string) => oneLine(time.replace('T', ' ').slice(0, 16));

function refsOf(d: Decision): string {
  const ids = [d.plan_id, d.task_id].filter((id): id is string => typeof id === 'string').map(oneLine);
  return ids.length ? ` [${ids.join(' ')}]` : '';
}

function markdown({ input, summary, tasks, openCount, decision, decisionCount }: Parts): Render {
  const lines = new Map<number, string>();
  const decisionLine = (i: number): string => {
    let line = lines.get(i);
    if (line === undefined) {
      const d = decision(i);
      line = `- ${when(d.time)} ${block(d.text).replace(/\n/g, '\n  ')}${refsOf(d)}${d.writer ? ` (${oneLine(d.writer)})` : ''}`;
      lines.set(i, line);
    }
    return line;
  };
  const taskLine = ({ task, depth }: { task: Task; depth: number }) =>
    `${'  '.repeat(depth)}- ${task.status} ${oneLine(task.title)}${task.priority === 'high' ? ' (high)' : ''} [${oneLine(task.id)}]`;
  const { entry, plan, flow } = input;
  const text = (pick: Selection, omitted: Omitted) => {
    const out: string[] = [];
    if (pick.heading) {
      const by = entry?.writer ? ` by ${oneLine(entry.writer)}` : '';
      out.push(`# Session "${oneLine(input.session)}": where we are${entry?.updated ? ` (updated ${when(entry.updated)}${by})` : ''}`);
    }
    out.push(pick.summary ? block(summary.slice(0, pick.summary).join('')) : '(no summary yet)');
    if (pick.plan && flow) {
      const where = ` in flow "${oneLine(flow.name)}" [${oneLine(flow.id)}]`;
      if (plan) {
        out.push('', `## Plan "${oneLine(plan.title)}" [${oneLine(plan.id)}]${where}: ${counted(openCount, 'open task')}`);
        if (plan.summary) out.push(block(plan.summary));
        for (let i = 0; i < pick.tasks; i++) out.push(taskLine(tasks[i]));
      } else {
        out.push('', `## Scope: no plan chosen${where}`);
      }
    }
    if (pick.decisions > 0) {
      out.push('', `## Decisions, newest first (${pick.decisions} of ${decisionCount})`);
      for (let i = 0; i < pick.decisions; i++) out.push(decisionLine(i));
    }
    const left = leftOut(omitted);
    if (left.length) out.push('', pick.terse ? '[more left out]' : `[left out: ${left.join(', ')}]`);
    return out.join('\n');
  };
  // A line and the newline that joins it to the text.
  return { text, taskChars: (i) => charCount(taskLine(tasks[i])) + 1, decisionChars: (i) => charCount(decisionLine(i)) + 1 };
}

function json({ input, summary, tasks, openCount, decision, decisionCount }: Parts): Render {
  const { entry, plan, flow } = input;
  const decisions = new Map<number, Pick<Decision, 'time' | 'text' | 'plan_id' | 'task_id' | 'writer'>>();
  const decisionJson = (i: number) => {
    let d = decisions.get(i);
    if (!d) {
      const { time, text, plan_id, task_id, writer } = decision(i);
      decisions.set(i, (d = { time, text, plan_id, task_id, writer }));
    }
    return d;
  };
  const taskJson = ({ task, depth }: { task: Task; depth: number }) => ({ id: task.id, title: task.title, status: task.status, priority: task.priority, depth });
  const scope = (count: number) =>
    flow && {
      flow: { id: flow.id, name: flow.name },
      plan: plan ? { id: plan.id, title: plan.title, status: plan.status, summary: plan.summary } : null,
      open_task_count: openCount,
      open_tasks: tasks.slice(0, count).map(taskJson),
    };
  const text = (pick: Selection, omitted: Omitted) => {
    const left = leftOut(omitted).length > 0;
    return safeJson({
      summary: summary.slice(0, pick.summary).join(''),
      ...(pick.heading ? { session: input.session, updated: entry?.updated ?? null, writer: entry?.writer ?? null } : {}),
      ...(pick.plan ? { scope: scope(pick.tasks) } : {}),
      ...(pick.decisions ? { decision_count: decisionCount, decisions: Array.from({ length: pick.decisions }, (_, i) => decisionJson(i)) } : {}),
      ...(left ? { omitted: pick.terse ? true : compact(omitted) } : {}),
    });
  };
  // An element of its list (the comma between two is not counted: at least, never more).
  return { text, taskChars: (i) => charCount(safeJson(taskJson(tasks[i]))), decisionChars: (i) => charCount(safeJson(decisionJson(i))) };
}

/** What was left out, without what was not. */
function compact(omitted: Omitted): Partial<Omitted> {
  return Object.fromEntries(Object.entries(omitted).filter(([, value]) => value));
}
