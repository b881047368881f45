import { describe, expect, it } from 'vitest';
import type { FlowDocument } from '../../src/domain/schema.js';
import { Image } from '../../src/store/layout.js';
import { MergeRefusedError } from '../../src/sync/side.js';
import { bytes, clone, doc, merge, plan, planTasks, task, tasksOf } from './support.js';

const base = doc(
  [
    { id: 'flow_a', plans: [plan('plan_a', [task('task_1'), task('task_2'), task('task_3')]), plan('plan_b')] },
    { id: 'flow_b', plans: [plan('plan_c', [task('task_4', { subtasks: [task('task_5')] })])] },
    { id: 'flow_c', plans: [] },
  ],
  10,
);

function edit(document: FlowDocument, change: (d: FlowDocument) => void, revision: number, writer: string): FlowDocument {
  const copy = clone(document);
  change(copy);
  copy.meta = { ...copy.meta, file_revision: revision, writer };
  return copy;
}

const ours = (change: (d: FlowDocument) => void) => edit(base, change, 12, 'cli:100:alice');
const theirs = (change: (d: FlowDocument) => void) => edit(base, change, 14, 'cli:200:bob');
const taskIn = (d: FlowDocument, id: string) => {
  const found = tasksOf(d).get(id);
  if (!found) throw new Error(`no ${id}`);
  return found.task;
};

describe('three-way merge of flows.json', () => {
  it('merges edits of different fields of one task, and of different tasks of one plan', () => {
    const result = merge(
      base,
      ours((d) => {
        taskIn(d, 'task_1').title = 'ours title';
        taskIn(d, 'task_2').status = 'done';
      }),
      theirs((d) => {
        taskIn(d, 'task_1').notes = 'theirs notes';
        taskIn(d, 'task_3').priority = 'high';
      }),
    );
    expect(result.conflicts).toEqual([]);
    expect(taskIn(result.doc, 'task_1')).toMatchObject({ title: 'ours title', notes: 'theirs notes' });
    expect(taskIn(result.doc, 'task_2').status).toBe('done');
    expect(taskIn(result.doc, 'task_3').priority).toBe('high');
  });

  it('keeps additions to the same plan from both sides, each in its order: theirs first, then ours', () => {
    const result = merge(
      base,
      ours((d) => d.flows.flow_a.plans[0].tasks.push(task('task_o1'), task('task_o2'))),
      theirs((d) => {
        d.flows.flow_a.plans[0].tasks.push(task('task_t1'));
        d.flows.flow_a.plans[0].tasks.splice(1, 0, task('task_t0'));
      }),
    );
    expect(result.conflicts).toEqual([]);
    expect(planTasks(result.doc, 'flow_a', 'plan_a')).toEqual(['task_1', 'task_t0', 'task_2', 'task_3', 'task_t1', 'task_o1', 'task_o2']);
  });

  it('writes the layout flow reads, with file_revision above both sides and the merge as writer', () => {
    const result = merge(base, ours((d) => (taskIn(d, 'task_1').title = 'x')), theirs((d) => (taskIn(d, 'task_2').title = 'y')));
    expect(Image.fromBytes(Buffer.from(result.text))).toBeDefined();
    expect(result.doc.meta).toMatchObject({ file_revision: 15, writer: 'cli:9:merge' });
    expect(result.revision).toBe(15);
  });

  it('copies flows neither side changed byte for byte', () => {
    const oursDoc = ours((d) => (taskIn(d, 'task_1').title = 'x'));
    const result = merge(base, oursDoc, theirs((d) => (taskIn(d, 'task_2').title = 'y')));
    const line = (text: string) => text.split('\n').find((l) => l.startsWith('    "flow_b"'));
    expect(line(result.text)).toBe(line(bytes(oursDoc).toString()));
  });

  it('applies a move on one side and an edit on the other, also across flows', () => {
    const result = merge(
      base,
      ours((d) => {
        const [moved] = d.flows.flow_a.plans[0].tasks.splice(0, 1);
        d.flows.flow_b.plans[0].tasks.push(moved);
        const [sub] = d.flows.flow_b.plans[0].tasks[0].subtasks.splice(0, 1);
        d.flows.flow_a.plans[1].tasks.push(sub);
      }),
      theirs((d) => {
        taskIn(d, 'task_1').title = 'edited while moved';
        taskIn(d, 'task_5').tags = ['sub'];
      }),
    );
    expect(result.conflicts).toEqual([]);
    const tasks = tasksOf(result.doc);
    expect(tasks.get('task_1')).toMatchObject({ parent: 'plan_c', flow: 'flow_b', task: { title: 'edited while moved' } });
    expect(tasks.get('task_5')).toMatchObject({ parent: 'plan_b', flow: 'flow_a', task: { tags: ['sub'] } });
    expect(planTasks(result.doc, 'flow_a', 'plan_a')).toEqual(['task_2', 'task_3']);
  });

  it('applies a reorder on one side with an insertion on the other', () => {
    const result = merge(
      base,
      ours((d) => d.flows.flow_a.plans[0].tasks.reverse()),
      theirs((d) => d.flows.flow_a.plans[0].tasks.splice(2, 0, task('task_new'))),
    );
    expect(planTasks(result.doc, 'flow_a', 'plan_a')).toEqual(['task_3', 'task_2', 'task_new', 'task_1']);
  });

  it('records the same field changed to different values: ours stays, theirs is kept with both writers', () => {
    const result = merge(
      base,
      ours((d) => (taskIn(d, 'task_1').title = 'alice')),
      theirs((d) => (taskIn(d, 'task_1').title = 'bob')),
    );
    const kept = taskIn(result.doc, 'task_1');
    expect(kept.title).toBe('alice');
    expect(kept.conflicts).toEqual([
      {
        kind: 'field',
        field: 'title',
        mine: { writer: 'cli:100:alice', revision: 12, value: 'alice' },
        theirs: { writer: 'cli:200:bob', revision: 14, value: 'bob' },
        base: 'task_1',
        at: expect.any(String),
      },
    ]);
    expect(result.conflicts).toMatchObject([{ id: 'task_1', object: 'task', title: 'alice' }]);
  });

  it('takes the later `updated` when both sides touched an object, without a conflict', () => {
    const result = merge(
      base,
      ours((d) => Object.assign(taskIn(d, 'task_1'), { title: 'a', updated: '2026-06-01T00:00:00.000Z' })),
      theirs((d) => Object.assign(taskIn(d, 'task_1'), { notes: 'b', updated: '2026-07-01T00:00:00.000Z' })),
    );
    expect(result.conflicts).toEqual([]);
    expect(taskIn(result.doc, 'task_1').updated).toBe('2026-07-01T00:00:00.000Z');
  });

  it('keeps an object deleted on one side and edited on the other, whole, and reports it once', () => {
    const result = merge(
      base,
      ours((d) => d.flows.flow_b.plans.splice(0, 1)),
      theirs((d) => (taskIn(d, 'task_5').title = 'edited deep inside')),
    );
    const plans = result.doc.flows.flow_b.plans;
    expect(plans.map((p) => p.id)).toEqual(['plan_c']);
    expect(taskIn(result.doc, 'task_5').title).toBe('edited deep inside');
    expect(plans[0].conflicts).toMatchObject([{ kind: 'deleted', mine: { deleted: true }, theirs: { deleted: false } }]);
    expect(result.conflicts).toHaveLength(1);
  });

  it('deletes what one side deleted and the other left alone', () => {
    const result = merge(
      base,
      ours((d) => {
        d.flows.flow_a.plans[0].tasks.splice(1, 1);
        delete d.flows.flow_c;
      }),
      theirs((d) => (taskIn(d, 'task_1').title = 'elsewhere')),
    );
    expect(result.conflicts).toEqual([]);
    expect(planTasks(result.doc, 'flow_a', 'plan_a')).toEqual(['task_1', 'task_3']);
    expect(Object.keys(result.doc.flows)).toEqual(['flow_a', 'flow_b']);
  });

  it('records moves to different places on both sides, keeping ours', () => {
    const result = merge(
      base,
      ours((d) => d.flows.flow_a.plans[1].tasks.push(...d.flows.flow_a.plans[0].tasks.splice(0, 1))),
      theirs((d) => d.flows.flow_b.plans[0].tasks.push(...d.flows.flow_a.plans[0].tasks.splice(0, 1))),
    );
    expect(tasksOf(result.doc).get('task_1')?.parent).toBe('plan_b');
    expect(taskIn(result.doc, 'task_1').conflicts).toMatchObject([{ kind: 'place', mine: { parent: 'plan_b' }, theirs: { parent: 'plan_c' } }]);
  });

  it('breaks a loop made of two moves that are each fine, keeping ours and recording theirs', () => {
    const two = doc([{ id: 'flow_a', plans: [plan('plan_a', [task('task_x'), task('task_y')])] }]);
    const result = merge(
      two,
      edit(two, (d) => d.flows.flow_a.plans[0].tasks[1].subtasks.push(...d.flows.flow_a.plans[0].tasks.splice(0, 1)), 2, 'a'),
      edit(two, (d) => d.flows.flow_a.plans[0].tasks[0].subtasks.push(...d.flows.flow_a.plans[0].tasks.splice(1, 1)), 2, 'b'),
    );
    const tasks = tasksOf(result.doc);
    expect(tasks.get('task_x')?.parent).toBe('task_y');
    expect(tasks.get('task_y')?.parent).toBe('plan_a');
    expect(result.conflicts).toMatchObject([{ id: 'task_y', record: { kind: 'place' } }]);
  });

  it('keeps unknown fields on every object, and merges changes to them', () => {
    const extra = clone(base) as FlowDocument & Record<string, unknown>;
    extra.tool = { config: [1, 2] };
    extra.meta = { ...extra.meta, clock: 7 };
    Object.assign(extra.flows.flow_a, { colour: 'red' });
    Object.assign(extra.flows.flow_a.plans[0], { board: 'kanban' });
    Object.assign(taskIn(extra, 'task_5'), { estimate: { hours: 3 } });
    const result = merge(
      extra,
      edit(extra, (d) => (taskIn(d, 'task_1').title = 'x'), 11, 'a'),
      edit(extra, (d) => Object.assign(taskIn(d, 'task_5'), { estimate: { hours: 5 }, title: 'y' }), 11, 'b'),
    );
    const out = result.doc as FlowDocument & Record<string, unknown>;
    expect(out.tool).toEqual({ config: [1, 2] });
    expect(out.meta).toMatchObject({ clock: 7 });
    expect(out.flows.flow_a).toMatchObject({ colour: 'red' });
    expect(out.flows.flow_a.plans[0]).toMatchObject({ board: 'kanban' });
    expect(taskIn(out, 'task_5')).toMatchObject({ estimate: { hours: 5 }, title: 'y' });
  });

  it('merges conflict lists as sets: a record resolved on one side stays resolved', () => {
    const record = { kind: 'field', field: 'title', mine: { value: 'a' }, theirs: { value: 'b' } };
    const withRecord = edit(base, (d) => Object.assign(taskIn(d, 'task_1'), { conflicts: [record] }), 11, 'x');
    const result = merge(
      withRecord,
      edit(withRecord, (d) => delete taskIn(d, 'task_1').conflicts, 12, 'a'),
      edit(withRecord, (d) => (taskIn(d, 'task_1').notes = 'n'), 12, 'b'),
    );
    expect(taskIn(result.doc, 'task_1').conflicts).toBeUndefined();
    expect(taskIn(result.doc, 'task_1').notes).toBe('n');
  });

  it('merges two sides with no common ancestor: same ids merge, different ones are both kept', () => {
    const a = doc([{ id: 'flow_a', plans: [plan('plan_a', [task('task_1')])] }]);
    const b = doc([{ id: 'flow_a', plans: [plan('plan_a', [task('task_1'), task('task_2')])] }, { id: 'flow_z', plans: [] }]);
    const result = merge(null, a, b);
    expect(result.conflicts).toEqual([]);
    expect(planTasks(result.doc, 'flow_a', 'plan_a')).toEqual(['task_1', 'task_2']);
    expect(Object.keys(result.doc.flows)).toEqual(['flow_a', 'flow_z']);
  });

  it('reads a side in another layout (pretty-printed by jq)', () => {
    const other = theirs((d) => (taskIn(d, 'task_2').title = 'pretty'));
    const result = merge(base, ours((d) => (taskIn(d, 'task_1').title = 'x')), Buffer.from(JSON.stringify(other, null, 2)));
    expect(taskIn(result.doc, 'task_2').title).toBe('pretty');
    expect(taskIn(result.doc, 'task_1').title).toBe('x');
  });

  describe('refuses a corrupt or hostile incoming side', () => {
    const mine = ours((d) => (taskIn(d, 'task_1').title = 'x'));
    const refused = (other: Buffer | unknown, reason: RegExp) => {
      let error: unknown;
      try {
        merge(base, mine, other);
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(MergeRefusedError);
      expect((error as MergeRefusedError).side).toBe('theirs');
      expect((error as Error).message).toMatch(reason);
    };

    it('not JSON, or conflict markers from a text merge', () => {
      refused(Buffer.from('{"version": "3.0", "flows": {'), /not valid JSON/);
      refused(Buffer.from(`<<<<<<< HEAD\n${bytes(mine)}=======\n${bytes(base)}>>>>>>> theirs\n`), /not valid JSON/);
      refused(Buffer.alloc(0), /empty/);
    });

    it('wrong schema, a flow under another key, a newer format', () => {
      refused(theirs((d) => Object.assign(taskIn(d, 'task_2'), { status: 'exploded' })), /status/);
      refused(theirs((d) => (d.flows.flow_a.id = 'flow_other')), /not its key/);
      refused({ ...theirs(() => undefined), version: '4.0' }, /newer/);
    });

    it('an id used twice, also hidden in a flow only ours changed', () => {
      refused(theirs((d) => d.flows.flow_a.plans[0].tasks.push(task('task_2'))), /appears twice/);
      refused(theirs((d) => (d.flows.flow_a.plans[0].tasks[0] = task('task_5'))), /appears twice/);
    });

    it('nesting past every bound', () => {
      let deep = task('task_deep0');
      for (let i = 1; i < 300; i++) deep = task(`task_deep${i}`, { subtasks: [deep] });
      refused(theirs((d) => d.flows.flow_a.plans[0].tasks.push(deep)), /deeper than 256/);
      const json = bytes(theirs(() => undefined)).toString().replace('"plans":[]', `"plans":[],"x":${'['.repeat(5000)}${']'.repeat(5000)}`);
      refused(Buffer.from(json), /nested more than/);
    });

    it('an id that is a task there and a plan here', () => {
      refused(theirs((d) => d.flows.flow_a.plans[1].tasks.push(task('plan_a'))), /task there but a plan here|appears twice/);
    });
  });
});
