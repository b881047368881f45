// s: the snapshot browser. Lists snapshots (time, kind, pin, size, revision, label) and
// previews what restoring the selected one would change; its keys are in
// snapshot-actions.ts, and each one that loses something asks first.
import { Box } from 'ink';
import { useMemo } from 'react';
import { byteSize } from '../../commands/render.js';
import { useTui, useTuiContext } from '../context.js';
import { keyOf, keysOf } from '../keys.js';
import { snapshotPreview } from '../snapshot-actions.js';
import { fieldSpans, Line, type Span } from './Line.js';

export function SnapshotBrowser({ width, height }: { width: number; height: number }) {
  const context = useTuiContext();
  const { theme } = context;
  const browser = useTui((s) => s.snapshots);
  const flows = useTui((s) => s.flows);
  const selected = browser?.list[browser.index];
  const preview = useMemo(
    () => (selected ? snapshotPreview(context.controller.bus.services.snapshots(), flows, selected) : []),
    [selected?.id, flows],
  );
  if (!browser) return null;
  const inner = width - 4;
  const listHeight = Math.max(3, Math.floor((height - 5) / 2));
  const start = Math.max(0, Math.min(browser.index - Math.floor(listHeight / 2), browser.list.length - listHeight));
  const previewLines = typeof preview === 'string' ? [preview] : preview;
  const previewRoom = Math.max(0, height - 5 - Math.min(listHeight, Math.max(1, browser.list.length)) - (browser.error ? 1 : 0));
  const keys = (['restore', 'restorePlan', 'pin', 'delete', 'snapshotNow'] as const).map((a) => `${keysOf(a, 'snapshots').split('/')[0]} ${a === 'restore' ? 'restore' : a === 'restorePlan' ? 'restore plan' : a === 'pin' ? 'pin' : a === 'delete' ? 'delete' : 'new'}`).join(' · ');
  const row = (line: string): Span[] =>
    fieldSpans(line, { color: theme.color(line.startsWith('+') ? 'success' : line.startsWith('-') ? 'danger' : line.startsWith('~') ? 'warning' : 'muted') });
  return (
    <Box width={width} height={height} flexDirection="column" borderStyle="round" borderColor={theme.color('accent')} paddingX={1} overflow="hidden">
      <Box height={1}>
        <Line spans={[{ text: `Snapshots (${browser.list.length})  `, bold: true, color: theme.color('heading') }, { text: `${keys} · ${keyOf('cancel', 'snapshots')}`, color: theme.color('muted') }]} width={inner} />
      </Box>
      {browser.error ? <Line spans={fieldSpans(browser.error, { color: theme.color('danger') })} width={inner} /> : null}
      {browser.list.length === 0 ? <Line spans={[{ text: `No snapshots yet: press ${keysOf('snapshotNow', 'snapshots')} to take one.`, color: theme.color('muted') }]} width={inner} /> : null}
      {browser.list.slice(start, start + listHeight).map((meta, i) => {
        const isSelected = start + i === browser.index;
        const text = `${isSelected ? '›' : ' '} ${meta.created.replace('T', ' ').slice(0, 19)}  ${meta.kind.padEnd(11)} ${meta.pinned ? 'pinned' : '      '} ${byteSize(meta.size).padStart(9)}  rev ${String(meta.file_revision).padEnd(6)} `;
        return (
          <Box key={meta.id} height={1}>
            <Line
              spans={[{ text, color: isSelected ? theme.color('accent') : undefined }, ...fieldSpans(meta.label, { color: isSelected ? theme.color('accent') : undefined })]}
              width={inner}
              inverse={isSelected && !theme.colour}
            />
          </Box>
        );
      })}
      <Box height={1}>
        <Line spans={[{ text: selected ? `Restoring ${selected.id} would change:` : ' ', color: theme.color('muted') }]} width={inner} />
      </Box>
      {previewLines.slice(0, previewRoom).map((line, i) => (
        <Box key={i} height={1}>
          <Line spans={row(line)} width={inner} />
        </Box>
      ))}
      {selected && previewLines.length === 0 ? <Line spans={[{ text: 'nothing: it matches the store now', color: theme.color('muted') }]} width={inner} /> : null}
    </Box>
  );
}
