// The tree is virtualised: with 10,000 tasks it renders only the rows that fit.
import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { Services } from '../../src/app/services.js';
import { CommandBus } from '../../src/commands/bus.js';
import { createTable } from '../../src/commands/table.js';
import type { Flow } from '../../src/domain/schema.js';
import { createFlow, createPlan, createTask } from '../../src/domain/tree.js';
import { Tree } from '../../src/tui/components/Tree.js';
import { useKeyboard } from '../../src/tui/dispatch.js';
import { TuiContext } from '../../src/tui/context.js';
import { Controller } from '../../src/tui/controller.js';
import { PromptHistory } from '../../src/tui/history.js';
import { createTuiStore, moveCursor, type TuiStore } from '../../src/tui/state.js';
import { loadTheme } from '../../src/tui/theme.js';
import { tempDir, waitFor } from '../helpers.js';
import { KEY, tick } from './harness.js';

const TASKS = 10_000;
const HEIGHT = 10;

let unmount: (() => void) | undefined;
afterEach(() => {
  unmount?.();
  unmount = undefined;
});

function bigTree(): { tui: TuiStore; flow: Flow } {
  const flow = createFlow('Big');
  const plan = createPlan({ title: 'Many' });
  for (let i = 0; i < TASKS; i++) plan.tasks.push(createTask({ title: `Task number ${i}` }));
  flow.plans.push(plan);
  const tui = createTuiStore('default', { flowId: flow.id, planId: plan.id });
  tui.setState({
    flows: new Map([[flow.id, flow]]),
    order: [flow.id],
    version: 1,
    expanded: new Set([flow.id, plan.id]),
    cursor: flow.id,
  });
  return { tui, flow };
}

/** The workspace's keyboard, without the rest of the screen. */
function Keys() {
  useKeyboard();
  return null;
}

function renderTree(tui: TuiStore) {
  const dir = tempDir('flow-tree-');
  const table = createTable();
  // A real controller (never started: the rows come from the state set above).
  const controller = new Controller({ bus: new CommandBus(table, new Services({ dir, session: 'default', writerKind: 'tui', interactive: true })), table, tui });
  const instance = render(
    <TuiContext.Provider
      value={{
        tui,
        controller,
        theme: loadTheme('dark', { dataDir: dir, noColor: false }),
        history: new PromptHistory(dir, 'default'),
        quit: () => {},
        layout: { pageSize: HEIGHT - 1, editorWidth: 56 },
        suspend: (run) => run(),
      }}
    >
      <Keys />
      <Tree width={60} height={HEIGHT} />
    </TuiContext.Provider>,
  );
  unmount = () => instance.unmount();
  return {
    frame: () => instance.lastFrame() ?? '',
    press: async (key: string) => {
      instance.stdin.write(key);
      await tick();
    },
  };
}

describe('virtualised tree', () => {
  it(`renders only ${HEIGHT} of ${TASKS + 2} rows`, async () => {
    const { tui } = bigTree();
    const started = performance.now();
    const view = renderTree(tui);
    const frame = view.frame();
    expect(frame.split('\n')).toHaveLength(HEIGHT);
    expect(frame).toMatch(/^›▾ Big 0\/10000/);
    expect(frame).toContain('Task number 0');
    expect(frame).toContain(`Task number ${HEIGHT - 3}`); // rows 0–9: flow, plan, 8 tasks
    expect(frame).not.toContain(`Task number ${HEIGHT - 2}`); // the row after the window
    // One pass over the rows, not a render of 10,000 of them.
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('scrolls as the cursor leaves the window, still rendering only the window', async () => {
    const { tui } = bigTree();
    const view = renderTree(tui);
    await tick();
    for (let i = 0; i < HEIGHT; i++) await view.press('j');
    // The cursor is on row 10 (Task number 8): the window moved down by one.
    await waitFor(() => view.frame().includes('› ') && view.frame().includes('Task number 8'), { what: 'scrolled' });
    let lines = view.frame().split('\n');
    expect(lines).toHaveLength(HEIGHT);
    expect(lines[0]).toContain('▾ Many');
    expect(lines[HEIGHT - 1]).toMatch(/^› +9\. ○ Task number 8$/);

    // Far down: the window follows, the rows around it are not rendered.
    moveCursor(tui, 5000);
    await waitFor(() => view.frame().includes('Task number 5008'), { what: 'row 5010' });
    lines = view.frame().split('\n');
    expect(lines).toHaveLength(HEIGHT);
    expect(lines[HEIGHT - 1]).toMatch(/^› +5009\. ○ Task number 5008$/);
    expect(lines[0]).toContain('Task number 4999');
    expect(view.frame()).not.toContain('Task number 4998');
    expect(view.frame()).not.toContain('Task number 5009');

    // To the end and back to the top.
    await view.press('G');
    await waitFor(() => view.frame().includes(`Task number ${TASKS - 1}`), { what: 'the last row' });
    expect(view.frame().split('\n')[HEIGHT - 1]).toMatch(new RegExp(`^› +${TASKS}\\. ○ Task number ${TASKS - 1}$`));
    expect(view.frame()).not.toContain(`Task number ${TASKS - HEIGHT - 1}`);
    await view.press('g');
    await waitFor(() => view.frame().startsWith('›▾ Big'), { what: 'the top' });
    await view.press(KEY.down);
    await view.press(KEY.down);
    await view.press(KEY.down);
    expect(view.frame().split('\n')[3]).toMatch(/^› +2\. ○ Task number 1$/);
    expect(view.frame().split('\n')[0]).toMatch(/^ ▾ Big/); // no scroll while the cursor is in view
  });
});
