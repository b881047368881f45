// Placeholder filled by the snapshot browser; until then, says so and closes.
import { Box, Text, useInput } from 'ink';
import { useTui, useTuiContext } from '../context.js';

export function SnapshotBrowser({ width, height }: { width: number; height: number }) {
  const { tui, theme } = useTuiContext();
  const focused = useTui((s) => s.focus === 'snapshots');
  useInput(() => tui.setState({ focus: 'tree' }), { isActive: focused });
  return (
    <Box width={width} height={height} borderStyle="round" borderColor={theme.color('border')} paddingX={1}>
      <Text color={theme.color('muted')}>Snapshots are not available in this version yet. Any key closes.</Text>
    </Box>
  );
}
