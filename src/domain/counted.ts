// A count in words, as every message says it: "1 task", "3 tasks", "0 plans".

/** `n` and the noun, plural unless `n` is 1 (nouns that take a plain -s). */
export const counted = (n: number, noun: string): string => `${n} ${noun}${n === 1 ? '' : 's'}`;
