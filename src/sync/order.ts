// Three-way merge of an ordered list of unique ids: the flows of the file, the plans of a
// flow, the tasks of a plan or a task. Pure.
//
// Each side's reorders are the items outside the longest run it kept in base order (a
// longest increasing subsequence of base positions). Items no side reordered keep base
// order; the others go after their nearest earlier neighbour on the side that placed
// them. Additions on both sides at one place are kept, each in its order: theirs (what
// the remote already shares) first, then ours, as if ours were made after.

import { longestIncreasing } from '../domain/align.js';

export interface OrderInput {
  base: readonly string[];
  ours: readonly string[];
  theirs: readonly string[];
  /** The ids of the merged list; each is in `ours` or `theirs`. */
  keep: ReadonlySet<string>;
}

export function mergeOrder({ base, ours, theirs, keep }: OrderInput): string[] {
  const B = base.filter((id) => keep.has(id));
  const O = ours.filter((id) => keep.has(id));
  const T = theirs.filter((id) => keep.has(id));
  const baseIndex = new Map(B.map((id, i) => [id, i]));
  const movedByOurs = reordered(O, baseIndex);
  const movedByTheirs = reordered(T, baseIndex);

  const result = B.filter((id) => !movedByOurs.has(id) && !movedByTheirs.has(id));
  const placed = new Set(result);
  const place = (list: readonly string[], wanted: (id: string) => boolean) => {
    for (let i = 0; i < list.length; i++) {
      const id = list[i];
      if (placed.has(id) || !wanted(id)) continue;
      // Right after its nearest earlier neighbour that is placed: theirs, placed second,
      // thus lands before what ours put at the same place.
      let at = 0;
      for (let j = i - 1; j >= 0; j--) {
        if (placed.has(list[j])) {
          at = result.indexOf(list[j]) + 1;
          break;
        }
      }
      result.splice(at, 0, id);
      placed.add(id);
    }
  };
  // Ours places what it moved or added, unless theirs moved it (and ours did not).
  place(O, (id) => movedByOurs.has(id) || !movedByTheirs.has(id));
  place(T, () => true);
  return result;
}

/** Items of `list` that are in base but outside a longest run kept in base order. */
function reordered(list: readonly string[], baseIndex: ReadonlyMap<string, number>): Set<string> {
  const common = list.filter((id) => baseIndex.has(id));
  const positions = common.map((id) => baseIndex.get(id) as number);
  if (positions.every((p, i) => i === 0 || positions[i - 1] < p)) return new Set();
  const kept = longestIncreasing(positions);
  return new Set(common.filter((_, i) => !kept.has(i)));
}
