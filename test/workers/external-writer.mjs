// A foreign writer: rewrites flows.json by rename-replace (or in place) without flow's
// lock, renaming a flow each time. Usage: node external-writer.mjs <file> <saves> <maxGapMs> [inplace]
import { readFileSync, renameSync, writeFileSync } from 'node:fs';

const [file, saves, maxGap, mode] = process.argv.slice(2);
for (let i = 0; i < Number(saves); i++) {
  await new Promise((r) => setTimeout(r, Math.random() * Number(maxGap)));
  const doc = JSON.parse(readFileSync(file, 'utf8'));
  const id = Object.keys(doc.flows)[i % Object.keys(doc.flows).length];
  doc.flows[id].name = `renamed ${i}`;
  // Every other save leaves the revision alone: such writers must be noticed too.
  if (i % 2 === 0) doc.meta.file_revision += 1;
  const text = JSON.stringify(doc, null, i % 3 === 0 ? 2 : undefined);
  if (mode === 'inplace') writeFileSync(file, text);
  else {
    writeFileSync(`${file}.ext-tmp`, text);
    renameSync(`${file}.ext-tmp`, file);
  }
}
