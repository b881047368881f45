// Which elements of a reordered list of ids stayed put. Pure.

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
  // Longest increasing subsequence of `at` (patience sorting, with back links).
  const tails: number[] = [];
  const back = new Array<number>(at.length).fill(-1);
  for (let k = 0; k < at.length; k++) {
    let lo = 0;
    let hi = tails.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (at[tails[mid]] < at[k]) lo = mid + 1;
      else hi = mid;
    }
    if (lo > 0) back[k] = tails[lo - 1];
    tails[lo] = k;
  }
  const kept = new Set<string>();
  for (let k = tails.length ? tails[tails.length - 1] : -1; k >= 0; k = back[k]) kept.add(common[k]);
  return kept;
}
