// The one dependency cycle check (the TUI's picker and add/set task use it).
import { describe, expect, it } from 'vitest';
import { cycleMessage, dependencyCycle } from '../../src/domain/dependencies.js';
import { createTask } from '../../src/domain/tree.js';
import type { Task } from '../../src/domain/schema.js';

function tasks(edges: Record<string, string[]>): Map<string, Task> {
  const out = new Map<string, Task>();
  const template = createTask({ title: '' });
  for (const [id, deps] of Object.entries(edges)) out.set(id, { ...template, id, title: id.toUpperCase(), depends_on: deps });
  return out;
}

describe('dependencyCycle', () => {
  it('finds the circle a new list closes, as the tasks along it', () => {
    const all = tasks({ a: [], b: ['c'], c: ['a'] });
    const cycle = dependencyCycle('a', ['b'], (id) => all.get(id));
    expect(cycle?.map((t) => t.id)).toEqual(['a', 'b', 'c', 'a']);
    expect(cycleMessage(cycle ?? [])).toBe('that makes a dependency cycle ("A" → "B" → "C" → "A")');
  });

  it('accepts a list that closes nothing, shared dependencies (a diamond) and dangling ids', () => {
    const all = tasks({ a: [], b: ['d'], c: ['d'], d: ['gone'] });
    expect(dependencyCycle('a', ['b', 'c', 'missing'], (id) => all.get(id))).toBeUndefined();
  });

  it('a task on itself is a cycle with its own message', () => {
    const all = tasks({ a: [] });
    const cycle = dependencyCycle('a', ['a'], (id) => all.get(id));
    expect(cycle?.map((t) => t.id)).toEqual(['a', 'a']);
    expect(cycleMessage(cycle ?? [])).toBe('a task cannot depend on itself ("A")');
  });

  it('a circle elsewhere that does not pass through the task is not its business', () => {
    const all = tasks({ a: [], b: ['c'], c: ['b'] });
    expect(dependencyCycle('a', ['b'], (id) => all.get(id))).toBeUndefined();
  });

  it('follows a chain of 20,000 without running out of stack', () => {
    const edges: Record<string, string[]> = {};
    for (let i = 0; i < 20_000; i++) edges[`t${i}`] = i + 1 < 20_000 ? [`t${i + 1}`] : ['t0'];
    const all = tasks(edges);
    expect(dependencyCycle('t0', ['t1'], (id) => all.get(id))?.length).toBe(20_001);
  });
});
