// The TUI's list of recorded conflicts (conflicts.ts): a flow's records are found wherever
// they sit (the flow, a plan, a task, a subtask deep down), and a flow with none gives none.
import { describe, expect, it } from 'vitest';
import type { Flow, Task } from '../../src/domain/schema.js';
import { createFlow, createPlan, createTask } from '../../src/domain/tree.js';
import type { ConflictRecord } from '../../src/sync/conflict-record.js';
import { flowConflicts, selectConflicts } from '../../src/tui/conflicts.js';

const record: ConflictRecord = { kind: 'field', field: 'title', mine: { writer: 'a', value: 'mine' }, theirs: { writer: 'b', value: 'theirs' } };
const recorded = <T extends object>(object: T): T => ({ ...object, conflicts: [record] });

/** A flow of one plan whose first task has a subtask with a subtask of its own. */
function flowWith(where: 'none' | 'flow' | 'plan' | 'task' | 'deep'): Flow {
  const deepest = createTask({ title: 'deepest' });
  const sub: Task = { ...createTask({ title: 'sub' }), subtasks: [where === 'deep' ? recorded(deepest) : deepest] };
  const top: Task = { ...createTask({ title: 'top' }), subtasks: [sub] };
  const plan = { ...createPlan({ title: 'plan' }), tasks: [where === 'task' ? recorded(top) : top, createTask({ title: 'other' })] };
  const flow = { ...createFlow('flow'), plans: [where === 'plan' ? recorded(plan) : plan] };
  return where === 'flow' ? recorded(flow) : flow;
}

describe('flowConflicts', () => {
  it.each(['flow', 'plan', 'task', 'deep'] as const)('finds a record on the %s', (where) => {
    const found = flowConflicts(flowWith(where));
    expect(found).toHaveLength(1);
    expect(found[0].object).toBe(where === 'deep' ? 'task' : where);
    expect(found[0].record.field).toBe('title');
  });

  it('gives none for a flow without records, and the same list again for the same flow object', () => {
    const flow = flowWith('none');
    expect(flowConflicts(flow)).toEqual([]);
    expect(flowConflicts(flow)).toBe(flowConflicts(flow));
  });

  it('lists every flow’s records in the tree’s order', () => {
    const a = flowWith('deep');
    const b = flowWith('none');
    const c = flowWith('plan');
    const list = selectConflicts({ flows: new Map([a, b, c].map((f) => [f.id, f])), order: [c.id, b.id, a.id] });
    expect(list.map((e) => e.object)).toEqual(['plan', 'task']);
  });
});
