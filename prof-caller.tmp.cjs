// self time of npm:X (argv[3]) attributed to the first non-X caller's source file:line
const fs = require('fs'); const { SourceMapConsumer } = require('source-map-js');
const p = JSON.parse(fs.readFileSync(process.argv[2], 'utf8')); const lib = process.argv[3] ?? 'npm:zod';
const map = new SourceMapConsumer(JSON.parse(fs.readFileSync('/work/wt/cost/dist/cli.cjs.map', 'utf8')));
const byId = new Map(p.nodes.map((n) => [n.id, n])); const parent = new Map(); for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const self = new Map(); p.samples.forEach((s, i) => self.set(s, (self.get(s) ?? 0) + (p.timeDeltas[i] ?? 0)));
const pos = (n) => { const cf = n.callFrame; if (!cf.url.endsWith('cli.cjs')) return ['node', '']; const o = map.originalPositionFor({ line: cf.lineNumber + 1, column: cf.columnNumber }); return [(o.source ?? '?').replace(/^(\.\.\/)+/, '').replace(/node_modules\/([^/]+)\/.*/, 'npm:$1'), o.line]; };
const out = new Map();
for (const [id, t] of self) { let n = byId.get(id); if (pos(n)[0] !== lib) continue; let cur = n; while (cur && pos(cur)[0] === lib) cur = byId.get(parent.get(cur.id)); const k = cur ? pos(cur).join(':') + ' ' + cur.callFrame.functionName : '?'; out.set(k, (out.get(k) ?? 0) + t); }
console.log([...out].sort((a, b) => b[1] - a[1]).slice(0, 30).map(([k, v]) => `${(v / 1000).toFixed(2).padStart(6)} ${k}`).join('\n'));
