// A store with tasks, plans and documents to search, and a search that refreshes first.
import { join } from 'node:path';
import { collectSources } from '../../src/documents/sources.js';
import { createTask, insertTask } from '../../src/domain/tree.js';
import type { Embedder } from '../../src/search/embed.js';
import type { Tuning } from '../../src/search/search-index.js';
import { searchStore, type SearchHit, type SearchQuery } from '../../src/search/search.js';
import { fixture, type Fixture } from '../documents/support.js';

export interface SearchFixture extends Fixture {
  addTask(plan: string, title: string, notes?: string): Promise<string>;
  addDoc(plan: string, name: string, text: string): Promise<string>;
  find(query: string | SearchQuery, options?: { tuning?: Tuning; embedder?: Embedder }): Promise<SearchHit[]>;
}

export async function searchFixture(): Promise<SearchFixture> {
  const f = await fixture();
  return {
    ...f,
    async addTask(plan, title, notes = '') {
      return (
        await f.store.transact((tx) => {
          tx.locate(plan);
          return insertTask(tx.index, { planId: plan }, createTask({ title, notes })).task.id;
        })
      ).value;
    },
    async addDoc(plan, name, text) {
      const [added] = await f.docs.add(collectSources([f.file(join(`${name}.d`, name), text)]), plan);
      return added.entry.id;
    },
    async find(query, options = {}) {
      return (await searchStore(f.dir, f.store, f.docs, typeof query === 'string' ? { text: query } : query, options)).hits;
    },
  };
}
