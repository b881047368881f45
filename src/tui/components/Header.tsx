// Top line: flow, session scope, where the clone stands against its remote (⇡ revisions
// not shared yet, ⇣ remote commits waiting), revision with who wrote it and when, live
// indicator. One line whatever the width: the right part gives up detail first, then the
// left part is cut with … (once).
import { Box } from 'ink';
import { useEffect, useState } from 'react';
import { age } from '../../domain/time.js';
import { useTui, useTuiContext } from '../context.js';
import { activeFlowId, type TuiState } from '../state.js';
import type { Theme } from '../theme.js';
import { cells } from '../text.js';
import { fieldSpans, fitSpans, Line, type Span } from './Line.js';

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
  const sync = useTui((s) => s.sync);
  const syncing = useTui((s) => s.syncing);
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  return { flowName, scopePlan, session, revision, writer, when: age(lastSaved, now), live, sync, syncing };
}

/**
 * The sync part: nothing without a remote; `⇡2 ⇣1` (local revisions not shared, remote
 * commits waiting), `⇣1!` when merging those would record a conflict, `⇣?` when the
 * last fetch failed; `synced` when both are 0. `long` adds words for wide terminals.
 */
export function syncSpans(sync: TuiState['sync'], syncing: boolean, theme: Theme, long: boolean): Span[] {
  const muted = theme.color('muted');
  if (syncing) return [{ text: 'syncing… ', color: theme.color('accent') }];
  if (!sync || sync.kind === 'off') return [];
  if (sync.kind === 'failed') return [{ text: 'sync ? ', color: theme.color('warning') }];
  const waiting = sync.fetchFailed ? '?' : String(sync.waiting);
  if (sync.unsynced === 0 && sync.waiting === 0 && !sync.fetchFailed) return [{ text: 'synced ', color: muted }];
  const spans: Span[] = [];
  if (sync.unsynced) spans.push({ text: `⇡${sync.unsynced}${long ? ' to share' : ''} `, color: theme.color('accent') });
  if (sync.waiting || sync.fetchFailed) {
    const warn = sync.wouldConflict > 0 || sync.refused !== undefined;
    spans.push({ text: `⇣${waiting}${warn ? '!' : ''}${long ? ' waiting' : ''} `, color: theme.color(warn ? 'warning' : 'accent') });
  }
  return spans;
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
  const sync = syncSpans(props.sync, props.syncing, theme, false);
  // From the most to the least detail; the first that leaves the left part room is used.
  const rights: Span[][] = [
    [...syncSpans(props.sync, props.syncing, theme, true), rev, ...fieldSpans(` by ${props.writer} ${props.when}`, { color: muted }), live],
    [...sync, rev, ...fieldSpans(` by ${props.writer} ${props.when}`, { color: muted }), live],
    [...sync, rev, { text: ` ${props.when}`, color: muted }, live],
    [...sync, rev, live],
    [...sync, live],
    [live],
  ].filter((_, i) => props.writer || i > 1);
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
