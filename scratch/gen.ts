import { mkdirSync, writeFileSync } from 'node:fs';
import { generateDocument } from '../bench/fixtures.js';
import { serialiseDocument } from '../src/store/layout.js';
for (const n of [10000, 100000]) {
  const doc = generateDocument(n, 'small');
  const { flows, ...header } = doc;
  mkdirSync(`bench/fixtures/${n}-small/.flow`, { recursive: true });
  writeFileSync(`bench/fixtures/${n}-small/.flow/flows.json`, serialiseDocument(header, Object.entries(flows)));
}
