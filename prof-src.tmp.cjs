// node prof-src.tmp.cjs PROFILE ROOTFN : self time by original source file under the subtree(s) whose function matches ROOTFN
const fs = require('fs'); const { SourceMapConsumer } = require('source-map-js');
const p = JSON.parse(fs.readFileSync(process.argv[2], 'utf8')); const rootRe = new RegExp(process.argv[3] ?? '.');
const map = new SourceMapConsumer(JSON.parse(fs.readFileSync('/work/wt/cost/dist/cli.cjs.map', 'utf8')));
const byId = new Map(p.nodes.map((n) => [n.id, n])); const self = new Map(); p.samples.forEach((s, i) => self.set(s, (self.get(s) ?? 0) + (p.timeDeltas[i] ?? 0)));
const out = new Map();
const src = (n) => { const cf = n.callFrame; if (!cf.url.endsWith('cli.cjs')) return cf.url ? 'node:' + cf.url.split('/').pop() : cf.functionName || '(native)'; const o = map.originalPositionFor({ line: cf.lineNumber + 1, column: cf.columnNumber }); return (o.source ?? '?').replace(/^(\.\.\/)+/, '').replace(/node_modules\/([^/]+)\/.*/, 'npm:$1'); };
const walk = (n, inside) => { const now = inside || rootRe.test(n.callFrame.functionName + ' ' + n.callFrame.url + ':' + n.callFrame.lineNumber); if (now) { const k = src(n); out.set(k, (out.get(k) ?? 0) + (self.get(n.id) ?? 0)); } for (const c of n.children ?? []) walk(byId.get(c), now); };
walk(p.nodes[0], false);
const tot = [...out.values()].reduce((a, b) => a + b, 0);
console.log('total', (tot / 1000).toFixed(1), 'ms'); console.log([...out].sort((a, b) => b[1] - a[1]).slice(0, Number(process.env.N ?? 30)).map(([k, v]) => `${(v / 1000).toFixed(2).padStart(6)} ${k}`).join('\n'));
