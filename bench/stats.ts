// Summaries of repeated measurements, shared by the bench scripts.

export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export const median = (values: readonly number[]): number => percentile(values, 50);
