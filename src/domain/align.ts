// Which elements of a reordered list stayed put. Pure.

/** Indexes of one longest strictly increasing subsequence (patience sorting, n log n). */
export function longestIncreasing(values: readonly number[]): Set<number> {
  const tails: number[] = []; // index of the smallest tail of a run of each length
  const previous = new Array<number>(values.length);
  for (let i = 0; i < values.length; i++) {
    let lo = 0;
    let hi = tails.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (values[tails[mid]] < values[i]) lo = mid + 1;
      else hi = mid;
    }
    previous[i] = lo > 0 ? tails[lo - 1] : -1;
    tails[lo] = i;
  }
  const kept = new Set<number>();
  for (let i = tails.length ? tails[tails.length - 1] : -1; i >= 0; i = previous[i]) kept.add(i);
  return kept;
}

/**
 * The ids in both lists that keep their order relative to each other: the longest such
 * run (so moving one task to the top marks that one task as moved, not every other).
 * Linear when the order did not change, O(n log n) otherwise.
 */
export function keptInOrder(before: readonly string[], after: readonly string[]): Set<string> {
  const position = new Map<string, number>();
  after.forEach((id, j) => position.set(id, j));
  const common: string[] = [];
  const at: number[] = [];
  for (const id of before) {
    const j = position.get(id);
    if (j === undefined) continue;
    common.push(id);
    at.push(j);
  }
  let ordered = true;
  for (let k = 1; k < at.length && ordered; k++) ordered = at[k] > at[k - 1];
  if (ordered) return new Set(common);
  const kept = new Set<string>();
  for (const k of longestIncreasing(at)) kept.add(common[k]);
  return kept;
}
