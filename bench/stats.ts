// Summaries of repeated measurements, shared by the bench scripts (the one percentile of
// the program, which `flow stats` uses too).
import { percentile } from '../src/store/metrics.js';

export { percentile };

export const median = (values: readonly number[]): number => percentile(values, 50);
