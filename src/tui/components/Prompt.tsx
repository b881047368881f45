// The /flow prompt: any command, with history (↑/↓, per session, across restarts) and
// Tab completion from the command table; its keys are in inputs.ts. A failed command
// keeps its text for correction.
import { Box } from 'ink';
import { useTui, useTuiContext } from '../context.js';
import { keysOf } from '../keys.js';
import { cells } from '../text.js';
import { FieldView, fieldSpans, Line } from './Line.js';

export function Prompt({ width }: { width: number }) {
  const { theme } = useTuiContext();
  const prompt = useTui((s) => s.prompt.field);
  const focused = useTui((s) => s.focus === 'prompt');
  const scope = useTui((s) => {
    const flow = s.scope.flowId ? s.flows.get(s.scope.flowId) : undefined;
    const plan = flow?.plans.find((p) => p.id === s.scope.planId);
    return [flow?.name, plan?.title].filter(Boolean).join(':') || 'flow';
  });
  const head = fieldSpans(`${scope} › /flow `, { color: theme.color('prompt'), bold: !theme.colour });
  const headWidth = Math.min(head.reduce((n, s) => n + cells(s.text), 0), Math.floor(width / 2));
  const rest = Math.max(1, width - headWidth - 1);
  return (
    <Box width={width} height={1}>
      <Box width={headWidth} flexShrink={0}>
        <Line spans={head} width={headWidth} />
      </Box>
      {focused || prompt.text ? (
        <FieldView text={prompt.text} cursor={prompt.cursor} width={rest} focused={focused} />
      ) : (
        <Line spans={[{ text: `press ${keysOf('prompt', 'tree').replace('/', ' or ')} to type a command, ? for keys`, color: theme.color('muted') }]} width={rest} />
      )}
    </Box>
  );
}
