// The /flow prompt: any command, with history (↑/↓, per session, across restarts) and
// Tab completion from the command table. A failed command keeps its text for correction.
import { Box, Text, useInput } from 'ink';
import { LineInput } from './LineInput.js';
import { useState } from 'react';
import { commonPrefix, complete, type IdSource } from '../../commands/complete.js';
import { useTui, useTuiContext } from '../context.js';
import { setMessage, type TuiState } from '../state.js';

/** Completion candidates for ids from what the TUI has loaded. */
export function idSource(state: TuiState): IdSource {
  return (kind, prefix) => {
    const out: string[] = [];
    const want = (id: string) => id.startsWith(prefix) && out.length < 200;
    for (const id of state.order) {
      const flow = state.flows.get(id);
      if (!flow) continue;
      if (kind === 'flow' && want(id)) out.push(id);
      for (const plan of flow.plans) {
        if (kind === 'plan' && want(plan.id)) out.push(plan.id);
        if (kind !== 'task') continue;
        const visit = (tasks: typeof plan.tasks) => {
          for (const t of tasks) {
            if (want(t.id)) out.push(t.id);
            visit(t.subtasks);
          }
        };
        visit(plan.tasks);
      }
      if (out.length >= 200) break;
    }
    return out;
  };
}

function usePromptState() {
  const [value, setValue] = useState('');
  const [browsing, setBrowsing] = useState<number | null>(null);
  // ink-text-input keeps its cursor where it was when the value changes from outside, so
  // text typed after a recalled or completed line went in at the old position. A new key
  // remounts it with the cursor at the end.
  const [inputKey, setInputKey] = useState(0);
  const replaceValue = (next: string) => {
    setValue(next);
    setInputKey((k) => k + 1);
  };
  const focused = useTui((s) => s.focus === 'prompt');
  const scope = useTui((s) => {
    const flow = s.scope.flowId ? s.flows.get(s.scope.flowId) : undefined;
    const plan = flow?.plans.find((p) => p.id === s.scope.planId);
    return [flow?.name, plan?.title].filter(Boolean).join(':') || 'flow';
  });
  return { value, setValue, replaceValue, inputKey, browsing, setBrowsing, focused, scope };
}

function usePromptInput(state: ReturnType<typeof usePromptState>) {
  const { tui, controller, history, quit } = useTuiContext();
  useInput(
    (input, key) => {
      const entries = history.entries();
      if (key.escape) {
        tui.setState({ focus: 'tree' });
        return;
      }
      if (key.ctrl && input === 'c') {
        if (state.value) state.setValue('');
        else quit();
        return;
      }
      if (key.upArrow || key.downArrow) {
        if (!entries.length) return;
        const at = state.browsing ?? entries.length;
        const next = Math.max(0, Math.min(entries.length, at + (key.upArrow ? -1 : 1)));
        state.setBrowsing(next === entries.length ? null : next);
        state.replaceValue(next === entries.length ? '' : entries[next]);
        return;
      }
      if (key.tab) {
        const result = complete(controller.table, state.value, idSource(tui.getState()));
        if (!result.candidates.length) return;
        const head = state.value.slice(0, result.from);
        if (result.candidates.length === 1) {
          state.replaceValue(`${head}${result.candidates[0]} `);
        } else {
          const common = commonPrefix(result.candidates);
          if (common.length > state.value.length - result.from) state.replaceValue(head + common);
          setMessage(tui, result.candidates.slice(0, 12).join('  ') + (result.candidates.length > 12 ? '  …' : ''), 'info');
        }
      }
    },
    { isActive: state.focused },
  );
  return async (line: string) => {
    if (!line.trim()) return;
    history.add(line);
    state.setBrowsing(null);
    const output = await controller.run(line, { baseRevision: tui.getState().revision });
    // Clear what was run, not what was typed while it ran.
    if (output) state.setValue((current) => (current === line ? '' : current));
  };
}

export function PromptView({ state, onSubmit, width }: { state: ReturnType<typeof usePromptState>; onSubmit: (line: string) => void; width: number }) {
  const { theme } = useTuiContext();
  return (
    <Box width={width}>
      <Text color={theme.color('prompt')} bold={!theme.colour}>{`${state.scope} › /flow `}</Text>
      {state.focused ? (
        <LineInput key={state.inputKey} value={state.value} onChange={state.setValue} onSubmit={onSubmit} focus={state.focused} />
      ) : (
        <Text color={theme.color('muted')}>{state.value || 'press : or Tab to type a command, ? for keys'}</Text>
      )}
    </Box>
  );
}

export function Prompt({ width }: { width: number }) {
  const state = usePromptState();
  const onSubmit = usePromptInput(state);
  return <PromptView state={state} onSubmit={(line) => void onSubmit(line)} width={width} />;
}
