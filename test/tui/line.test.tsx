// The one row component every screen line goes through: whatever a span holds, what
// reaches the terminal has no control character, cut to its width.
import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import { Line } from '../../src/tui/components/Line.js';
import { HOSTILE } from '../hostile.js';

const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

describe('Line', () => {
  it.each(Object.entries(HOSTILE))('draws a raw span holding %s without its control characters', (_name, text) => {
    // As the detail pane builds a time span: text straight from a file, no fieldSpans.
    const { lastFrame, unmount } = render(<Line spans={[{ text: `  ${text}`, color: 'gray' }, { text: ' after' }]} width={60} />);
    const frame = lastFrame() ?? '';
    // Ink's own colour codes are the only escapes: take them out, then look.
    expect(frame.replace(/\u001b\[[0-9;]*m/g, '')).not.toMatch(CONTROL);
    unmount();
  });
});
