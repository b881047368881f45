// Top line: flow, session scope, revision with who wrote it and when, live indicator.
import { Box, Text } from 'ink';
import { useEffect, useState } from 'react';
import { age } from '../../domain/time.js';
import { useTui, useTuiContext } from '../context.js';
import { activeFlowId } from '../state.js';

/** The header's state: what it shows, with the age ticking once a second. */
function useHeaderState() {
  const flowName = useTui((s) => {
    const id = activeFlowId(s);
    return id ? (s.flows.get(id)?.name ?? id) : 'no flow';
  });
  const scopePlan = useTui((s) => {
    const flow = s.scope.planId ? s.flows.get(s.scope.flowId ?? '') : undefined;
    return flow?.plans.find((p) => p.id === s.scope.planId)?.title ?? null;
  });
  const session = useTui((s) => s.session);
  const revision = useTui((s) => s.revision);
  const writer = useTui((s) => s.writer);
  const lastSaved = useTui((s) => s.lastSaved);
  const live = useTui((s) => s.live);
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  return { flowName, scopePlan, session, revision, writer, when: age(lastSaved, now), live };
}

export function HeaderView(props: ReturnType<typeof useHeaderState> & { width: number }) {
  const { theme } = useTuiContext();
  return (
    <Box width={props.width} justifyContent="space-between">
      <Text wrap="truncate-end">
        <Text bold color={theme.color('heading')}>
          {props.flowName}
        </Text>
        <Text color={theme.color('muted')}>{'  session '}</Text>
        <Text color={theme.color('accent')}>{props.session}</Text>
        {props.scopePlan ? <Text color={theme.color('muted')}>{` › ${props.scopePlan}`}</Text> : null}
      </Text>
      <Text wrap="truncate-start">
        <Text color={theme.color('muted')}>{`rev ${props.revision}`}</Text>
        {props.writer ? <Text color={theme.color('muted')}>{` by ${props.writer} ${props.when}`}</Text> : null}
        <Text color={theme.color(props.live ? 'live' : 'offline')} bold={!theme.colour}>
          {props.live ? '  ● live' : '  ○ not live'}
        </Text>
      </Text>
    </Box>
  );
}

export function Header({ width }: { width: number }) {
  return <HeaderView {...useHeaderState()} width={width} />;
}
