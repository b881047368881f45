// documents/<plan_id>/summary.md: a plan's summary kept beside its documents (issue 13
// item 2), so a person browsing the folder, or a tool given it, sees what the plan is
// about. flows.json holds the summary; this file is a copy, rewritten when it differs.
import { existsSync, readFileSync, statSync, unlinkSync } from 'node:fs';
import { dirname } from 'node:path';
import { writeFileAtomic } from '../store/atomic-write.js';
import { checkName, resolveInside } from './contain.js';
import { SUMMARY_NAME } from './sources.js';

export type MirrorResult = 'written' | 'removed' | 'unchanged';

export function mirrorSummary(root: string, planId: string, summary: string): MirrorResult {
  const path = resolveInside(root, `${checkName(planId, 'plan folder')}/${SUMMARY_NAME}`);
  const folderExists = existsSync(dirname(path)) && statSync(dirname(path)).isDirectory();
  const current = existsSync(path) ? readFileSync(path, 'utf8') : undefined;
  const wanted = summary.trim() ? `${summary.replace(/\n*$/, '')}\n` : undefined;
  if (wanted && folderExists && current !== wanted) {
    writeFileAtomic(path, [Buffer.from(wanted)]);
    return 'written';
  }
  if (!wanted && current !== undefined) {
    unlinkSync(path);
    return 'removed';
  }
  return 'unchanged';
}
