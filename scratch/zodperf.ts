import 'zod/compile';
import { readFileSync } from 'node:fs';
import { parseFlow } from '../src/domain/schema.js';
const doc = JSON.parse(readFileSync('bench/fixtures/10000-small/.flow/flows.json', 'utf8'));
const flows = Object.values(doc.flows) as unknown[];
for (let round = 0; round < 3; round++) {
  const t = performance.now();
  for (const f of flows) parseFlow(f);
  console.log('zod parse 10k flows', (performance.now() - t).toFixed(0), 'ms');
}
