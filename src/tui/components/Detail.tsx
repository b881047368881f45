// The detail pane: every field of the selected flow, plan or task.
import { Box, Text } from 'ink';
import type { ReactElement } from 'react';
import { STATUS_GLYPH } from '../../commands/render.js';
import type { Flow, Plan, Task } from '../../domain/schema.js';
import { countTasks, walkTasks } from '../../domain/tree.js';
import { objectOf } from '../actions.js';
import { useTui, useTuiContext } from '../context.js';
import { selectRows, type TuiState } from '../state.js';

function useDetailState() {
  const { tui } = useTuiContext();
  const row = useTui((s: TuiState) => (s.cursor ? selectRows(s).rows[selectRows(s).indexOf.get(s.cursor) ?? -1] : undefined));
  // Re-read when the data changes (the row object is recreated then).
  useTui((s) => s.version);
  const object = row ? objectOf(tui, row) : undefined;
  const titles = useTui((s) => s.flows);
  return { row, object, titleOf: (id: string) => findTitle(titles, row?.flowId, id) };
}

/** A dependency's title (dependencies live in the same flow), or its id. */
function findTitle(flows: ReadonlyMap<string, Flow>, flowId: string | undefined, id: string): string {
  for (const plan of (flowId ? flows.get(flowId)?.plans : undefined) ?? []) {
    for (const { task } of walkTasks(plan.tasks)) if (task.id === id) return task.title;
  }
  return id;
}

function Field({ name, value, color }: { name: string; value: string; color?: string }) {
  const { theme } = useTuiContext();
  return (
    <Text wrap="truncate-end">
      <Text color={theme.color('muted')}>{name.padEnd(10)}</Text>
      <Text color={color}>{value}</Text>
    </Text>
  );
}

export function DetailView({ row, object, titleOf, width, height }: ReturnType<typeof useDetailState> & { width: number; height: number }) {
  const { theme } = useTuiContext();
  if (!row || !object) {
    return (
      <Box width={width} height={height} borderStyle="single" borderColor={theme.color('border')} paddingX={1}>
        <Text color={theme.color('muted')}>Nothing selected</Text>
      </Box>
    );
  }
  const lines: ReactElement[] = [];
  const id = String(object.id);
  if (row.kind === 'task') {
    const task = object as Task;
    const sub = countTasks({ tasks: task.subtasks } as Plan);
    lines.push(
      <Field key="status" name="status" value={`${STATUS_GLYPH[task.status]} ${task.status}`} color={theme.color(`status.${task.status}`)} />,
      <Field key="priority" name="priority" value={task.priority} color={theme.color(`priority.${task.priority}`)} />,
    );
    if (task.tags.length) lines.push(<Field key="tags" name="tags" value={task.tags.map((t) => `#${t}`).join(' ')} color={theme.color('tag')} />);
    if (task.depends_on.length) lines.push(<Field key="deps" name="depends" value={task.depends_on.map(titleOf).join(', ')} />);
    if (task.subtasks.length) lines.push(<Field key="subs" name="subtasks" value={`${sub.done}/${sub.total} done`} />);
    if (task.created) lines.push(<Field key="created" name="created" value={task.created.replace('T', ' ').slice(0, 19)} />);
    if (task.updated) lines.push(<Field key="updated" name="updated" value={task.updated.replace('T', ' ').slice(0, 19)} />);
    if (task.notes) lines.push(<Text key="gap"> </Text>, <Text key="notes" wrap="wrap">{task.notes}</Text>);
  } else if (row.kind === 'plan') {
    const plan = object as Plan;
    const c = countTasks(plan);
    lines.push(<Field key="status" name="status" value={plan.status} />, <Field key="tasks" name="tasks" value={`${c.done}/${c.total} done`} />);
    if (plan.updated) lines.push(<Field key="updated" name="updated" value={plan.updated.replace('T', ' ').slice(0, 19)} />);
    if (plan.summary) lines.push(<Text key="gap"> </Text>, <Text key="summary" wrap="wrap">{plan.summary}</Text>);
  } else {
    const flow = object as Flow;
    lines.push(<Field key="plans" name="plans" value={String(flow.plans.length)} />, <Field key="tasks" name="tasks" value={`${row.done}/${row.total} done`} />);
    if (flow.updated) lines.push(<Field key="updated" name="updated" value={flow.updated.replace('T', ' ').slice(0, 19)} />);
  }
  return (
    <Box width={width} height={height} flexDirection="column" borderStyle="single" borderColor={theme.color('border')} paddingX={1} overflow="hidden">
      <Text bold color={theme.color('heading')} wrap="truncate-end">
        {row.kind === 'flow' ? (object as Flow).name : String(object.title)}
      </Text>
      <Text color={theme.color('id')} wrap="truncate-end">{`${row.kind} ${id}`}</Text>
      {lines}
    </Box>
  );
}

export function Detail({ width, height }: { width: number; height: number }) {
  return <DetailView {...useDetailState()} width={width} height={height} />;
}

