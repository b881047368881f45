// Approval test: a script of commands run against an empty store; the resulting
// flows.json (ids and times normalised) must equal the committed expected file.
// Regenerate after an intended change with UPDATE_APPROVALS=1.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tokenize } from '../../src/commands/tokenize.js';
import { flowSync, ROOT, tempDir } from '../helpers.js';

const SCRIPT = join(ROOT, 'test', 'approval', 'script.txt');
const EXPECTED = join(ROOT, 'test', 'approval', 'expected-flows.json');

/** Replaces ids by their order of appearance and timestamps by a marker. */
function normalise(text: string): string {
  const seen = new Map<string, string>();
  const counts: Record<string, number> = {};
  return text
    .replace(/\b(flow|plan|task)_[a-z0-9]{8,}\b/g, (id, kind: string) => {
      if (!seen.has(id)) seen.set(id, `${kind}_${(counts[kind] = (counts[kind] ?? 0) + 1)}`);
      return seen.get(id) as string;
    })
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/g, '<time>')
    .replace(/"writer":"cli:\d+:/g, '"writer":"cli:<pid>:');
}

describe('approval', () => {
  it('the command script produces the expected flows.json', () => {
    const dir = tempDir();
    const lines = readFileSync(SCRIPT, 'utf8').split('\n').filter((l) => l.trim() && !l.startsWith('#'));
    for (const line of lines) {
      const args = tokenize(line).map((t) => t.text);
      const result = flowSync(dir, args);
      expect(result.code, `${line}\n${result.stderr}`).toBe(0);
    }
    const actual = normalise(readFileSync(join(dir, 'flows.json'), 'utf8'));
    if (process.env.UPDATE_APPROVALS) writeFileSync(EXPECTED, actual);
    // A missing expected file is a failure, never a silent first approval.
    expect(existsSync(EXPECTED), `${EXPECTED} is missing: run with UPDATE_APPROVALS=1 and review it`).toBe(true);
    expect(actual).toBe(readFileSync(EXPECTED, 'utf8'));
  });
});
