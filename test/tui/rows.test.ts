// Pure parts of the TUI: the visible rows, the view-state actions, scrolling and the key table.
import { describe, expect, it } from 'vitest';
import type { Flow } from '../../src/domain/schema.js';
import { createFlow, createPlan, createTask } from '../../src/domain/tree.js';
import { scrollTop } from '../../src/tui/components/Tree.js';
import { pressesOf } from '../../src/tui/dispatch.js';
import { KeyParser } from '../../src/tui/input/keypress.js';
import { actionFor, BINDINGS, keyLabel } from '../../src/tui/keys.js';
import { buildRows, rowBuilder } from '../../src/tui/rows.js';
import type { Focus } from '../../src/tui/state.js';
import {
  clearExpiredFlashes,
  collapseOrParent,
  createTuiStore,
  expandOrChild,
  flashRows,
  keepCursorVisible,
  moveCursor,
  ROWS_SLICE,
  selectRows,
  setStateWithRows,
  type TuiStore,
} from '../../src/tui/state.js';

/** Alpha: Plan One (First, Second done, Third ▸ Child), Plan Two (Other). Beta: empty. */
function fixture() {
  const alpha = createFlow('Alpha');
  const one = createPlan({ title: 'Plan One' });
  const two = createPlan({ title: 'Plan Two', status: 'draft' });
  const first = createTask({ title: 'First task' });
  const second = createTask({ title: 'Second task', status: 'done' });
  const third = createTask({ title: 'Third task', tags: ['demo'] });
  const child = createTask({ title: 'Child needle', status: 'cancelled' });
  third.subtasks.push(child);
  one.tasks.push(first, second, third);
  const other = createTask({ title: 'Other task', status: 'done' });
  two.tasks.push(other);
  alpha.plans.push(one, two);
  const beta = createFlow('Beta');
  const flows = new Map<string, Flow>([
    [alpha.id, alpha],
    [beta.id, beta],
  ]);
  return { flows, order: [alpha.id, beta.id], alpha, beta, one, two, first, second, third, child, other };
}

const titles = (rows: { title: string }[]) => rows.map((r) => r.title);

describe('buildRows', () => {
  it('shows only flows when nothing is expanded', () => {
    const f = fixture();
    const { rows, indexOf } = buildRows(f.flows, f.order, new Set());
    expect(titles(rows)).toEqual(['Alpha', 'Beta']);
    expect(rows[0]).toMatchObject({ kind: 'flow', depth: 0, expandable: true, expanded: false });
    expect(rows[1]).toMatchObject({ expandable: false });
    expect(indexOf.get(f.beta.id)).toBe(1);
  });

  it('opens flows, plans and tasks as they are expanded, with depths and parents', () => {
    const f = fixture();
    const partly = buildRows(f.flows, f.order, new Set([f.alpha.id, f.one.id]));
    expect(titles(partly.rows)).toEqual(['Alpha', 'Plan One', 'First task', 'Second task', 'Third task', 'Plan Two', 'Beta']);
    const all = buildRows(f.flows, f.order, new Set([f.alpha.id, f.one.id, f.third.id, f.two.id]));
    expect(titles(all.rows)).toEqual([
      'Alpha', 'Plan One', 'First task', 'Second task', 'Third task', 'Child needle', 'Plan Two', 'Other task', 'Beta',
    ]);
    const child = all.rows[all.indexOf.get(f.child.id)!];
    expect(child).toMatchObject({ depth: 3, parentId: f.third.id, planId: f.one.id, flowId: f.alpha.id, status: 'cancelled' });
    const third = all.rows[all.indexOf.get(f.third.id)!];
    expect(third).toMatchObject({ depth: 2, parentId: null, expandable: true, expanded: true, tags: ['demo'] });
    expect(all.rows[all.indexOf.get(f.two.id)!].planStatus).toBe('draft');
    // Every row is where indexOf says.
    all.rows.forEach((row, i) => expect(all.indexOf.get(row.id)).toBe(i));
  });

  it('an expanded plan inside a collapsed flow stays hidden', () => {
    const f = fixture();
    expect(titles(buildRows(f.flows, f.order, new Set([f.one.id])).rows)).toEqual(['Alpha', 'Beta']);
  });

  it('counts done tasks (subtasks included) per plan and per flow', () => {
    const f = fixture();
    const { rows, indexOf } = buildRows(f.flows, f.order, new Set([f.alpha.id]));
    expect(rows[indexOf.get(f.alpha.id)!]).toMatchObject({ done: 2, total: 5 });
    expect(rows[indexOf.get(f.one.id)!]).toMatchObject({ done: 1, total: 4 });
    expect(rows[indexOf.get(f.two.id)!]).toMatchObject({ done: 1, total: 1 });
    expect(rows[indexOf.get(f.beta.id)!]).toMatchObject({ done: 0, total: 0 });
  });

  it('a filter shows matches with their ancestors, expanded, even when collapsed', () => {
    const f = fixture();
    const { rows } = buildRows(f.flows, f.order, new Set(), 'NEEDLE');
    expect(titles(rows)).toEqual(['Alpha', 'Plan One', 'Third task', 'Child needle']);
    expect(rows.every((r) => r.expanded || !r.expandable)).toBe(true);
  });

  it('a filter matches tags and ids, and a flow name keeps the flow', () => {
    const f = fixture();
    expect(titles(buildRows(f.flows, f.order, new Set(), 'demo').rows)).toEqual(['Alpha', 'Plan One', 'Third task']);
    expect(titles(buildRows(f.flows, f.order, new Set(), f.other.id).rows)).toEqual(['Alpha', 'Plan Two', 'Other task']);
    expect(titles(buildRows(f.flows, f.order, new Set(), 'beta').rows)).toEqual(['Beta']);
    expect(buildRows(f.flows, f.order, new Set(), 'no such thing').rows).toEqual([]);
  });

  it('skips ids in the order that have no flow', () => {
    const f = fixture();
    expect(titles(buildRows(f.flows, ['flow_gone', ...f.order], new Set()).rows)).toEqual(['Alpha', 'Beta']);
  });
});

function storeWith(expanded: string[] = [], cursor: string | null = null): { tui: TuiStore; f: ReturnType<typeof fixture> } {
  const f = fixture();
  const tui = createTuiStore('default', { flowId: null, planId: null });
  tui.setState({ flows: f.flows, order: f.order, version: 1, expanded: new Set(expanded), cursor });
  return { tui, f };
}

describe('view-state actions', () => {
  it('moveCursor stays within the rows and jumps to top and bottom', () => {
    const { tui, f } = storeWith([]);
    tui.setState({ expanded: new Set([f.alpha.id, f.one.id]) });
    moveCursor(tui, 1); // no cursor yet: from the first row
    expect(tui.getState().cursor).toBe(f.one.id);
    moveCursor(tui, -5);
    expect(tui.getState().cursor).toBe(f.alpha.id);
    moveCursor(tui, 100);
    expect(tui.getState().cursor).toBe(f.beta.id);
    moveCursor(tui, 'top');
    expect(tui.getState().cursor).toBe(f.alpha.id);
    moveCursor(tui, 'bottom');
    expect(tui.getState().cursor).toBe(f.beta.id);
    moveCursor(tui, -2);
    expect(tui.getState().cursor).toBe(f.third.id);
  });

  it('moveCursor does nothing without rows', () => {
    const tui = createTuiStore('default', { flowId: null, planId: null });
    moveCursor(tui, 1);
    expect(tui.getState().cursor).toBeNull();
  });

  it('collapseOrParent closes an open row, else goes to the parent', () => {
    const { tui, f } = storeWith([], null);
    tui.setState({ expanded: new Set([f.alpha.id, f.one.id, f.third.id]), cursor: f.child.id });
    collapseOrParent(tui); // child → its parent task
    expect(tui.getState().cursor).toBe(f.third.id);
    collapseOrParent(tui); // third is open → close it
    expect(tui.getState().expanded.has(f.third.id)).toBe(false);
    expect(tui.getState().cursor).toBe(f.third.id);
    collapseOrParent(tui); // closed top-level task → its plan
    expect(tui.getState().cursor).toBe(f.one.id);
    collapseOrParent(tui); // open plan → close
    expect(tui.getState().expanded.has(f.one.id)).toBe(false);
    collapseOrParent(tui); // closed plan → flow
    expect(tui.getState().cursor).toBe(f.alpha.id);
    collapseOrParent(tui); // open flow → close
    collapseOrParent(tui); // closed flow: nowhere to go
    expect(tui.getState().cursor).toBe(f.alpha.id);
    expect(tui.getState().expanded.size).toBe(0);
  });

  it('collapseOrParent with a filter goes to the parent instead of collapsing', () => {
    const { tui, f } = storeWith([], null);
    tui.setState({ filter: 'needle', cursor: f.third.id });
    collapseOrParent(tui);
    expect(tui.getState().cursor).toBe(f.one.id);
  });

  it('expandOrChild opens a closed row, then steps into its first child', () => {
    const { tui, f } = storeWith([], null);
    tui.setState({ cursor: f.alpha.id });
    expandOrChild(tui);
    expect(tui.getState().expanded.has(f.alpha.id)).toBe(true);
    expect(tui.getState().cursor).toBe(f.alpha.id);
    expandOrChild(tui);
    expect(tui.getState().cursor).toBe(f.one.id);
    tui.setState({ cursor: f.first.id });
    const before = tui.getState().expanded;
    expandOrChild(tui); // a leaf: nothing happens
    expect(tui.getState().expanded).toBe(before);
    expect(tui.getState().cursor).toBe(f.first.id);
  });

  it('keepCursorVisible moves a hidden cursor to the first row and keeps a visible one', () => {
    const { tui, f } = storeWith([], null);
    tui.setState({ expanded: new Set(), cursor: f.child.id });
    keepCursorVisible(tui);
    expect(tui.getState().cursor).toBe(f.alpha.id);
    tui.setState({ cursor: f.beta.id });
    keepCursorVisible(tui);
    expect(tui.getState().cursor).toBe(f.beta.id);
    tui.setState({ filter: 'nothing matches this' });
    keepCursorVisible(tui);
    expect(tui.getState().cursor).toBeNull();
  });

  it('keepCursorVisible with the rows from before lands next to a removed row', () => {
    const { tui, f } = storeWith([], null);
    tui.setState({ expanded: new Set([f.alpha.id, f.one.id, f.third.id]), cursor: f.second.id });
    const remove = (ids: string[]) => {
      const before = selectRows(tui.getState());
      const one = { ...f.one, tasks: f.one.tasks.filter((t) => !ids.includes(t.id)) };
      const alpha = { ...f.alpha, plans: [one, f.two] };
      tui.setState({ flows: new Map([[f.alpha.id, alpha], [f.beta.id, f.beta]]), version: tui.getState().version + 1 });
      keepCursorVisible(tui, before);
    };
    remove([f.second.id]);
    expect(tui.getState().cursor).toBe(f.third.id); // the next row
    // Third goes with its open child: the nearest survivor is the row before it.
    remove([f.second.id, f.third.id]);
    expect(tui.getState().cursor).toBe(f.first.id);
  });

  it('flashes expire after their time, not before', () => {
    const { tui, f } = storeWith();
    flashRows(tui, [f.first.id, f.second.id], 1000);
    expect([...tui.getState().flash.keys()]).toEqual([f.first.id, f.second.id]);
    const before = tui.getState().flash;
    clearExpiredFlashes(tui, 1500);
    expect(tui.getState().flash).toBe(before); // nothing expired: no new state
    flashRows(tui, [f.second.id], 2000); // renewed
    clearExpiredFlashes(tui, 2300);
    expect([...tui.getState().flash.keys()]).toEqual([f.second.id]);
    clearExpiredFlashes(tui, 3300);
    expect(tui.getState().flash.size).toBe(0);
  });

  it('selectRows follows data and filter changes', () => {
    const { tui, f } = storeWith([]);
    const a = selectRows(tui.getState());
    expect(selectRows(tui.getState())).toBe(a);
    tui.setState({ expanded: new Set([f.alpha.id]) });
    expect(selectRows(tui.getState()).rows.length).toBe(a.rows.length + 2);
    tui.setState({ filter: 'beta' });
    expect(titles(selectRows(tui.getState()).rows)).toEqual(['Beta']);
  });
});

/** `count` flows of one plan each, named Flow 0, Flow 1, … */
function manyFlows(count: number): { flows: Map<string, Flow>; order: string[] } {
  const flows = new Map<string, Flow>();
  for (let i = 0; i < count; i++) {
    const flow = createFlow(`Flow ${i}`);
    flow.plans.push(createPlan({ title: `Plan ${i}` }));
    flows.set(flow.id, flow);
  }
  return { flows, order: [...flows.keys()] };
}

describe('rows built a slice at a time', () => {
  it('rowBuilder pauses after every slice of flows and ends with the rows buildRows gives', () => {
    const { flows, order } = manyFlows(25);
    const expanded = new Set([order[3]]);
    const builder = rowBuilder({ flows, order, expanded }, 10);
    let pauses = 0;
    let step = builder.next();
    for (; !step.done; step = builder.next()) pauses++;
    // Two pauses among the 25 flows, two more in the 26 rows' index.
    expect(pauses).toBe(4);
    expect(step.value).toEqual(buildRows(flows, order, expanded));
  });

  it('setStateWithRows lets other work in while it builds, then sets the state with its rows', async () => {
    const { flows, order } = manyFlows(ROWS_SLICE * 2 + 1);
    const tui = createTuiStore('default', { flowId: null, planId: null });
    let ranMeanwhile = false;
    setImmediate(() => (ranMeanwhile = tui.getState().flows.size === 0));
    await setStateWithRows(tui, (state) => ({ flows, order, version: state.version + 1 }));
    expect(ranMeanwhile).toBe(true);
    const { rows } = selectRows(tui.getState());
    expect(rows).toHaveLength(order.length);
    expect(rows.at(-1)?.title).toBe(`Flow ${order.length - 1}`);
  });

  it('asks again when what the rows depend on changed while they were built, and sets nothing on null', async () => {
    const { flows, order } = manyFlows(ROWS_SLICE + 1);
    const tui = createTuiStore('default', { flowId: null, planId: null });
    const asked: number[] = [];
    // A key opens the first flow while the rows are built.
    setImmediate(() => tui.setState({ expanded: new Set([order[0]]) }));
    await setStateWithRows(tui, (state) => {
      asked.push(state.expanded.size);
      return { flows, order, version: state.version + 1 };
    });
    expect(asked).toEqual([0, 1]);
    const { rows } = selectRows(tui.getState());
    expect(rows.slice(0, 2).map((r) => r.title)).toEqual(['Flow 0', 'Plan 0']);
    await setStateWithRows(tui, () => null);
    expect(tui.getState().flows).toBe(flows);
  });
});

describe('scrollTop', () => {
  it('keeps the cursor in view, scrolling as little as possible', () => {
    expect(scrollTop(0, 0, 10, 100)).toBe(0);
    expect(scrollTop(0, 9, 10, 100)).toBe(0);
    expect(scrollTop(0, 10, 10, 100)).toBe(1);
    expect(scrollTop(50, 55, 10, 100)).toBe(50); // inside the window: no scroll
    expect(scrollTop(50, 49, 10, 100)).toBe(49);
    expect(scrollTop(0, 9999, 10, 10_000)).toBe(9990);
  });

  it('does not leave empty space after the rows shrank', () => {
    expect(scrollTop(90, 5, 10, 20)).toBe(5);
    expect(scrollTop(90, 15, 10, 20)).toBe(10);
    expect(scrollTop(5, 2, 10, 4)).toBe(0);
  });
});

describe('keys', () => {
  it('names key presses in the table’s terms, one per key however they arrive', () => {
    const names = (...events: string[]) => {
      const parser = new KeyParser();
      return events.flatMap((e) => parser.push(e)).map((k) => k.name);
    };
    expect(names('\u001b[A', '\u001b[B', '\u001b[C', '\u001b[D')).toEqual(['up', 'down', 'right', 'left']);
    expect(names('\u001b[5~', '\u001b[6~', '\u001b[H', '\u001b[F', '\u001b[1~', '\u001b[4~')).toEqual(['pageUp', 'pageDown', 'home', 'end', 'home', 'end']);
    expect(names('\r', '\u001b', '\t', '\u001b[Z', '\u001b[3~', '\u007f')).toEqual(['return', 'escape', 'tab', 'shift+tab', 'delete', 'backspace']);
    expect(names('\u0012', ' ', 'G')).toEqual(['ctrl+r', 'space', 'G']);
    expect(names('\u001bb', '\u001bf', '\u001b\u007f', '\u001b[1;5C', '\u001b[1;5D')).toEqual(['alt+b', 'alt+f', 'alt+backspace', 'ctrl+right', 'ctrl+left']);
    // ESC and a key in one read may also be Esc, then the key; two Escapes are two.
    const [alt] = new KeyParser().push('\u001bj');
    expect([alt.name, alt.orPresses?.map((k) => k.name)]).toEqual(['alt+j', ['escape', 'j']]);
    const [twice] = new KeyParser().push('\u001b\u001b');
    expect(twice.orPresses?.map((k) => k.name)).toEqual(['escape', 'escape']);
    const [altUp] = new KeyParser().push('\u001b\u001b[A');
    expect([altUp.name, altUp.orPresses?.map((k) => k.name)]).toEqual(['alt+up', ['escape', 'up']]);
    // Esc just before a paste, in the same event: the Esc, then the paste as text.
    const parser = new KeyParser();
    expect(parser.push('\u001b\u001b[200~').map((k) => k.name)).toEqual(['escape']);
    expect(parser.push('line\rq')).toEqual([]);
    expect(parser.push('\u001b[201~')).toEqual([{ name: 'paste', text: 'line\rq' }]);
    // Which it is depends on where the keys go: only text inputs bind Alt keys.
    const presses = (event: string, focus: Focus) => pressesOf(new KeyParser().push(event)[0], focus).map((k) => k.name);
    expect(presses('\u001bb', 'prompt')).toEqual(['alt+b']);
    expect(presses('\u001bb', 'tree')).toEqual(['escape', 'b']);
    expect(presses('\u001bj', 'input')).toEqual(['escape', 'j']);
    expect(presses('j', 'tree')).toEqual(['j']);
    expect(presses('\u001b\u001b[D', 'prompt')).toEqual(['alt+left']);
    expect(presses('\u001b\u001b[D', 'tree')).toEqual(['escape', 'left']);
    // Where Esc answers a question (the conflict banner: take theirs), an Alt chord answers nothing.
    expect(presses('\u001bm', 'conflict')).toEqual(['alt+m']);
    expect(presses('\u001by', 'confirm')).toEqual(['alt+y']);
    // A run of characters in one read: each is a key of its own, control keys too.
    expect(names('jjj')).toEqual(['j', 'j', 'j']);
    expect(names('j \r\t\u0004G')).toEqual(['j', 'space', 'return', 'tab', 'ctrl+d', 'G']);
    expect(names('\u007f\u007f\u007f\u007f\u007f')).toEqual(Array(5).fill('backspace'));
    expect(names('é😀')).toEqual(['é', '😀']);
  });

  it('takes a bracketed paste as one piece of text, however many reads it spans', () => {
    const parser = new KeyParser();
    expect(parser.push('\u001b[200~')).toEqual([]);
    expect(parser.push('line one\rq')).toEqual([]);
    expect(parser.push('\u001b[A')).toEqual([]);
    expect(parser.push('dd')).toEqual([]);
    expect(parser.push('\u001b[201~')).toEqual([{ name: 'paste', text: 'line one\rq\u001b[Add' }]);
    expect(parser.push('j')).toEqual([{ name: 'j', text: 'j' }]);
  });

  it('looks actions up by context, the first context that binds the key winning', () => {
    expect(actionFor('j', 'tree')).toBe('down');
    expect(actionFor('down', 'tree')).toBe('down');
    expect(actionFor('h', 'tree')).toBe('collapse');
    expect(actionFor('h', 'board')).toBe('cardLeft');
    expect(actionFor('left', 'board')).toBe('columnLeft');
    expect(actionFor('space', 'tree')).toBe('cycleStatus');
    expect(actionFor('ctrl+d', 'tree')).toBe('pageDown');
    expect(actionFor('tab', 'tree')).toBe('prompt');
    expect(actionFor('q', 'tree')).toBe('quit');
    expect(actionFor('q', 'list')).toBe('cancel');
    expect(actionFor('escape', 'list')).toBe('cancel');
    expect(actionFor('return', 'list')).toBe('cancel');
    expect(actionFor('a', 'list')).toBeUndefined();
    expect(actionFor('z', 'tree')).toBeUndefined();
    // The prompt's own keys first, then every input's editing keys.
    expect(actionFor('up', 'prompt', 'text')).toBe('historyBack');
    expect(actionFor('ctrl+u', 'prompt', 'text')).toBe('killToStart');
    expect(actionFor('return', 'editor', 'text')).toBe('newline');
    expect(actionFor('a', 'line', 'text')).toBeUndefined();
  });

  it('no key means two things in one context', () => {
    const contexts = new Set(BINDINGS.flatMap((b) => b.contexts));
    for (const context of contexts) {
      const seen = new Map<string, string>();
      for (const b of BINDINGS.filter((x) => x.contexts.includes(context))) {
        for (const k of b.keys) {
          expect(seen.get(k), `${context}: ${k}`).toBeUndefined();
          seen.set(k, b.action);
        }
      }
    }
  });

  it('writes keys as people read them', () => {
    expect(['ctrl+u', 'alt+b', 'return', 'escape', 'up', 'space', 'J', 'alt+backspace'].map(keyLabel)).toEqual([
      'Ctrl-U', 'Alt-B', 'Enter', 'Esc', '↑', 'Space', 'J', 'Alt-Backspace',
    ]);
  });
});
