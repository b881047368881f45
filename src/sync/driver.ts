// `flow merge-driver %O %A %B %P`: git's merge driver for flows.json. Reads the three
// files git names, writes the merge over %A in flow's layout, and says how it went:
// clean, or conflicts recorded in the file. A side that is refused leaves %A as it was.
// The paths are git's arguments, never data; %P is only named in messages.
import { readFileSync } from 'node:fs';
import { writeFileAtomic } from '../store/atomic-write.js';
import { mergeFiles, type MergeOptions, type MergeResult } from './merge.js';

export interface DriverFiles {
  /** %O: the common ancestor (empty when there is none). */
  base: string;
  /** %A: ours, and where the result goes. */
  ours: string;
  /** %B: theirs. */
  theirs: string;
}

/** Merges the three files and replaces %A; throws (leaving %A alone) when it cannot. */
export function runMergeDriver(files: DriverFiles, options: MergeOptions): MergeResult {
  const result = mergeFiles(readFileSync(files.base), readFileSync(files.ours), readFileSync(files.theirs), options);
  writeFileAtomic(files.ours, result.bytes);
  return result;
}
