// Top line: flow, session scope, revision with who wrote it and when, live indicator.
// One line whatever the width: the right part gives up detail first, then the left part
// is cut with … (once).
import { Box } from 'ink';
import { useEffect, useState } from 'react';
import { useTui, useTuiContext } from '../context.js';
import { activeFlowId } from '../state.js';
import { cells } from '../text.js';
import { fieldSpans, fitSpans, Line, type Span } from './Line.js';

export function age(from: string | null, now: number): string {
  if (!from) return '';
  const seconds = Math.max(0, Math.round((now - Date.parse(from)) / 1000));
  if (seconds < 60) return `${seconds}s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m ago`;
  if (seconds < 86400) return `${Math.floor(seconds / 3600)}h ago`;
  return `${Math.floor(seconds / 86400)}d ago`;
}

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

const width = (spans: readonly Span[]) => spans.reduce((n, s) => n + cells(s.text), 0);

export function HeaderView(props: ReturnType<typeof useHeaderState> & { width: number }) {
  const { theme } = useTuiContext();
  const muted = theme.color('muted');
  const left: Span[] = [
    ...fieldSpans(props.flowName, { bold: true, color: theme.color('heading') }),
    { text: '  session ', color: muted },
    ...fieldSpans(props.session, { color: theme.color('accent') }),
    ...(props.scopePlan ? [{ text: ' › ', color: muted }, ...fieldSpans(props.scopePlan, { color: muted })] : []),
  ];
  const live: Span = { text: props.live ? '  ● live' : '  ○ not live', color: theme.color(props.live ? 'live' : 'offline'), bold: !theme.colour };
  const rev: Span = { text: `rev ${props.revision}`, color: muted };
  // From the most to the least detail; the first that leaves the left part room is used.
  const rights: Span[][] = [
    props.writer ? [rev, ...fieldSpans(` by ${props.writer} ${props.when}`, { color: muted }), live] : [rev, live],
    [rev, { text: ` ${props.when}`, color: muted }, live],
    [rev, live],
    [live],
  ];
  const room = (spans: Span[]) => props.width - width(spans);
  // The scope matters more than who wrote last: the whole left part if some right part
  // leaves room for it, else the shortest right part and the left cut.
  const right = rights.find((r) => room(r) >= width(left) + 2) ?? rights[rights.length - 1];
  const leftWidth = Math.max(0, room(right) - 2);
  const shownLeft = fitSpans(left, leftWidth);
  return (
    <Box width={props.width} height={1}>
      <Line spans={shownLeft} width={leftWidth} />
      <Box flexGrow={1} />
      <Line spans={right} width={props.width - width(shownLeft)} />
    </Box>
  );
}

export function Header({ width: columns }: { width: number }) {
  return <HeaderView {...useHeaderState()} width={columns} />;
}
