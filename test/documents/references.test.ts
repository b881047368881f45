// Which plans exist, as reference counting (and so `list doc` and its numbers) asks: a
// byte search per plan for a few, one pass over the flows' lines for many. Both must give
// what parsing every flow gives, in a read view and inside a transaction.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { existingPlans } from '../../src/documents/references.js';
import { addFlowIn, createPlan, createTask, insertPlan, insertTask, removePlan } from '../../src/domain/tree.js';
import { Store } from '../../src/store/store.js';
import { tempDir } from '../helpers.js';

/** Three flows of 20, 20 and 1 plans; 5 plans deleted, whose ids a note and a title still mention. */
async function store() {
  const store = new Store(join(tempDir(), '.flow'));
  const made = await store.transact((tx) => {
    const plans = [20, 20, 1].flatMap((count, f) => {
      const flow = addFlowIn(tx, `Flow ${f}`);
      return Array.from({ length: count }, (_, i) => {
        const plan = createPlan({ title: `Plan ${f}.${i}` });
        insertPlan(tx.index, flow, plan);
        return plan.id;
      });
    });
    const gone = [plans[0], plans[7], plans[19], plans[20], plans[33]];
    for (const id of gone) removePlan(tx.index, id);
    // Ids in text, even quoted as JSON writes them, are no plans.
    const mention = createTask({ title: `after ${gone[1]}`, notes: `"${gone[0]}" and "${gone[2]}"` });
    insertTask(tx.index, { planId: plans[40] }, mention);
    return { plans, gone };
  });
  return { store, ...made.value };
}

const ids = (found: ReadonlyMap<string, unknown>) => [...found.keys()].sort();

describe('existingPlans', () => {
  it('finds exactly the plans that exist, with a few or many ids, whatever text mentions them', async () => {
    const { store: s, plans, gone } = await store();
    const wanted = [...plans, 'plan_nosuchplan1', 'legacy-plan-id'];
    const alive = plans.filter((id) => !gone.includes(id)).sort();
    expect(wanted.length).toBeGreaterThan(32); // the one-pass way
    expect(ids(existingPlans(await s.read(), wanted))).toEqual(alive);
    expect(ids(existingPlans(await s.read(), wanted.slice(0, 12)))).toEqual(alive.filter((id) => wanted.slice(0, 12).includes(id)).sort());
    // The plans found are the plans, not copies of their ids.
    const found = existingPlans(await s.read(), wanted);
    expect(found.get(plans[1])?.title).toBe('Plan 0.1');
  });

  it('inside a transaction, sees the plans it added and not those it removed', async () => {
    const { store: s, plans, gone } = await store();
    const result = await s.transact((tx) => {
      tx.locate(plans[2]); // a transaction reads only the flows it is asked for
      removePlan(tx.index, plans[2]);
      const flow = addFlowIn(tx, 'New');
      const added = createPlan({ title: 'Added' });
      insertPlan(tx.index, flow, added);
      return { added: added.id, found: ids(existingPlans(tx, [...plans, added.id])) };
    });
    const { added, found } = result.value;
    expect(found).toEqual([...plans.filter((id) => !gone.includes(id) && id !== plans[2]), added].sort());
  });
});
