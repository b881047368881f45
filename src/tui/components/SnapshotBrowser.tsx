// s: the snapshot browser. Lists snapshots (time, label, kind, pin, size), previews what
// restoring the selected one would change, and restores (whole, or the plan under the
// tree's cursor), pins and deletes, each through the command bus.
import { Box, Text, useInput } from 'ink';
import { useEffect, useMemo, useState } from 'react';
import { byteSize } from '../../commands/render.js';
import { describeChange, diffFlows, type ObjectChange } from '../../snapshots/diff.js';
import type { SnapshotMeta } from '../../snapshots/engine.js';
import { snapshotFlows } from '../../snapshots/restore.js';
import type { Flow } from '../../domain/schema.js';
import { currentRow } from '../actions.js';
import { useTui, useTuiContext } from '../context.js';
import { actionsFor, type Action } from '../keys.js';
import { setMessage } from '../state.js';

function useSnapshotState() {
  const { controller } = useTuiContext();
  const focused = useTui((s) => s.focus === 'snapshots');
  const flows = useTui((s) => s.flows);
  const [list, setList] = useState<SnapshotMeta[]>([]);
  const [index, setIndex] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const reload = () => {
    try {
      const all = controller.bus.services.snapshots().list();
      setList(all);
      setIndex((i) => Math.min(Math.max(0, i), Math.max(0, all.length - 1)));
      setError(null);
    } catch (err) {
      setError((err as Error).message);
    }
  };
  useEffect(() => {
    if (!focused) return;
    reload();
    // Newest first is what people look for: start there.
    setIndex(Math.max(0, controller.bus.services.snapshots().list().length - 1));
  }, [focused]);
  const selected = list[index];
  const preview = useMemo((): ObjectChange[] | string => {
    if (!selected) return [];
    try {
      const then = Object.fromEntries(snapshotFlows(controller.bus.services.snapshots().read(selected)).map((f) => [f.id, f]));
      return diffFlows(Object.fromEntries(flows) as Record<string, Flow>, then);
    } catch (err) {
      return (err as Error).message;
    }
  }, [selected?.id, flows]);
  return { focused, list, index, setIndex, selected, preview, reload, error };
}

function useSnapshotInput(state: ReturnType<typeof useSnapshotState>) {
  const { tui, controller } = useTuiContext();
  useInput(
    (input, key) => {
      // Moves in a run of keys all count; the first key that does more ends the run.
      for (const action of actionsFor('snapshots', input, key)) {
        if (action === 'down') state.setIndex((i) => Math.min(state.list.length - 1, i + 1));
        else if (action === 'up') state.setIndex((i) => Math.max(0, i - 1));
        else return act(action);
      }
    },
    { isActive: state.focused },
  );

  function act(action: Action): void {
    const { selected } = state;
    const base = tui.getState().revision;
    switch (action) {
      case 'cancel':
        tui.setState({ focus: 'tree' });
        return;
      case 'snapshotNow':
        void controller.run('snapshot create --label "from the TUI"').then(state.reload);
        return;
    }
    if (!selected) return;
    switch (action) {
      case 'restore':
        tui.setState({
          focus: 'confirm',
          confirm: { question: `Restore the whole store from ${selected.id} (${selected.created.slice(0, 19)})?`, command: `snapshot restore ${selected.id} --yes`, baseRevision: base },
        });
        return;
      case 'restorePlan': {
        const row = currentRow(tui);
        if (!row?.planId) return setMessage(tui, 'Put the tree cursor on a plan (or a task in it) to restore only that plan', 'warning');
        tui.setState({
          focus: 'confirm',
          confirm: { question: `Restore plan ${row.planId} from ${selected.id}? Other plans stay as they are`, command: `snapshot restore ${selected.id} --plan ${row.planId} --yes`, baseRevision: base },
        });
        return;
      }
      case 'pin':
        void controller.run(`snapshot ${selected.pinned ? 'unpin' : 'pin'} ${selected.id}`).then(state.reload);
        return;
      case 'delete':
        void controller.run(`snapshot rm ${selected.id}`).then(state.reload);
        return;
    }
  }
}

export function SnapshotBrowserView({ state, width, height }: { state: ReturnType<typeof useSnapshotState>; width: number; height: number }) {
  const { theme } = useTuiContext();
  const listHeight = Math.max(3, Math.floor((height - 4) / 2));
  const start = Math.max(0, Math.min(state.index - Math.floor(listHeight / 2), state.list.length - listHeight));
  const preview = typeof state.preview === 'string' ? [state.preview] : state.preview.flatMap(describeChange);
  return (
    <Box width={width} height={height} flexDirection="column" borderStyle="round" borderColor={theme.color('accent')} paddingX={1}>
      <Text bold color={theme.color('heading')}>{`Snapshots (${state.list.length})  r restore · R restore plan · p pin · d delete · c snapshot now · Esc`}</Text>
      {state.error ? <Text color={theme.color('danger')}>{state.error}</Text> : null}
      {state.list.length === 0 ? <Text color={theme.color('muted')}>No snapshots yet: press c to take one.</Text> : null}
      {state.list.slice(start, start + listHeight).map((meta, i) => {
        const selected = start + i === state.index;
        return (
          <Text key={meta.id} wrap="truncate-end" inverse={selected && !theme.colour} color={selected ? theme.color('accent') : undefined}>
            {`${selected ? '›' : ' '} ${meta.created.replace('T', ' ').slice(0, 19)}  ${meta.kind.padEnd(11)} ${meta.pinned ? 'pinned' : '      '} ${byteSize(meta.size).padStart(9)}  rev ${String(meta.file_revision).padEnd(6)} ${meta.label}`}
          </Text>
        );
      })}
      <Text color={theme.color('muted')}>{state.selected ? `Restoring ${state.selected.id} would change:` : ' '}</Text>
      {preview.slice(0, Math.max(0, height - listHeight - 5)).map((line, i) => (
        <Text key={i} wrap="truncate-end" color={theme.color(line.startsWith('+') ? 'success' : line.startsWith('-') ? 'danger' : line.startsWith('~') ? 'warning' : 'muted')}>
          {line}
        </Text>
      ))}
      {state.selected && Array.isArray(state.preview) && state.preview.length === 0 ? <Text color={theme.color('muted')}>nothing: it matches the store now</Text> : null}
    </Box>
  );
}

export function SnapshotBrowser({ width, height }: { width: number; height: number }) {
  const state = useSnapshotState();
  useSnapshotInput(state);
  return <SnapshotBrowserView state={state} width={width} height={height} />;
}
