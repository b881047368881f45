// A data directory with a flow and some plans, and the documents service over it.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { localBackend, type StorageBackend } from '../../src/documents/backends.js';
import { Documents, type Existing } from '../../src/documents/documents.js';
import { existingPlans } from '../../src/documents/references.js';
import { addFlowIn, createPlan, insertPlan, removePlan } from '../../src/domain/tree.js';
import { Store } from '../../src/store/store.js';
import { tempDir } from '../helpers.js';

export interface Fixture {
  root: string;
  dir: string;
  store: Store;
  plans: string[];
  docs: Documents;
  /** The plans that exist now, read afresh. */
  existing(): Promise<Existing>;
  /** Writes a file outside the data directory, for adding. */
  file(name: string, content: string | Buffer): string;
  deletePlan(id: string): Promise<void>;
}

export async function fixture(
  options: { plans?: number; largeBytes?: number; backend?: (dir: string) => StorageBackend } = {},
): Promise<Fixture> {
  const root = tempDir();
  const dir = join(root, '.flow');
  const store = new Store(dir);
  const plans = (
    await store.transact((tx) => {
      const flow = addFlowIn(tx, 'Project');
      return Array.from({ length: options.plans ?? 2 }, (_, i) => {
        const plan = createPlan({ title: `Plan ${i + 1}`, summary: i === 0 ? 'What the first plan is about' : '' });
        insertPlan(tx.index, flow, plan);
        return plan.id;
      });
    })
  ).value;
  const docs = new Documents({ dir, largeBytes: options.largeBytes ?? 1 << 20, backend: options.backend?.(dir) ?? localBackend() });
  return {
    root,
    dir,
    store,
    plans,
    docs,
    async existing() {
      const view = await store.read();
      return (ids) => existingPlans(view, ids);
    },
    file(name, content) {
      const path = join(root, 'src', name);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, content);
      return path;
    },
    async deletePlan(id) {
      await store.transact((tx) => {
        tx.locate(id);
        removePlan(tx.index, id);
      });
    },
  };
}
