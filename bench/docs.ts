// Documents and search (issue 13), run from bench/run.ts: `add doc` throughput for 1,000
// small files, peak RSS of adding a 200 MB file, search latency over 10k documents and
// 100k tasks (in process and as a `flow search` process, next to `node -e 0`), and
// snapshot create time with 10k documents: today's engine walking documents/, next to
// the same store without documents and to what the engine would read instead (the
// manifest, captureDocuments).
import { closeSync, mkdirSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { localBackend } from '../src/documents/backends.js';
import { Documents } from '../src/documents/documents.js';
import { captureDocuments } from '../src/documents/snapshots.js';
import { collectSources } from '../src/documents/sources.js';
import { searchStore } from '../src/search/search.js';
import { SnapshotEngine } from '../src/snapshots/engine.js';
import { Store } from '../src/store/store.js';
import { random, storeDir } from './fixtures.js';
import { median, percentile } from './stats.js';

type Run = (argv: string[], env?: NodeJS.ProcessEnv) => { ms: number; rss: number };

export interface DocsBenchTools {
  quick: boolean;
  flow: string;
  nodeMs: number;
  processRun: Run;
  table(title: string, head: string[], rows: string[][]): void;
  fmt(ms: number): string;
  mb(bytes: number): string;
}

export interface DocsFigures {
  smallFiles: { files: number; ms: number; perSecond: number; rss: number };
  large: { bytes: number; ms: number; rss: number; withinLimit: boolean };
  search: {
    documents: number;
    tasks: number;
    buildMs: number;
    inProcess: { p50: number; p95: number };
    process: { p50: number; p95: number };
    afterChange: { inProcess: number; process: number };
  };
  snapshot: { documents: number; walkMs: number; withoutDocumentsMs: number; manifestMs: number };
}

const RSS_LIMIT = 150 * 1024 * 1024;

/** `count` markdown files of a few hundred words from a vocabulary with a long tail. */
function writeTexts(folder: string, count: number, seed: number): string[] {
  mkdirSync(folder, { recursive: true });
  const rand = random(seed);
  const vocabulary = Array.from({ length: 20_000 }, (_, i) => `${['data', 'plan', 'store', 'graph', 'index'][i % 5]}${i.toString(36)}`);
  for (let i = 0; i < count; i++) {
    const words = Array.from({ length: 200 + Math.floor(rand() * 400) }, () => vocabulary[Math.floor(rand() ** 3 * vocabulary.length)]);
    writeFileSync(join(folder, `doc-${i}.md`), `# Document ${i}\n\n${words.join(' ')}\n`);
  }
  // Queries: common, middling and rare words, and a task word from the flows fixture.
  return [...[0, 3, 40, 400, 4000, 12_000].map((i) => vocabulary[i]), 'storage', 'atomic writes', 'snapsh'];
}

function bigFile(path: string, bytes: number): void {
  const chunk = Buffer.alloc(1 << 20);
  for (let i = 0; i < chunk.length; i++) chunk[i] = (i * 2654435761) >>> 24;
  const fd = openSync(path, 'w');
  try {
    for (let written = 0; written < bytes; written += chunk.length) writeSync(fd, chunk, 0, Math.min(chunk.length, bytes - written));
  } finally {
    closeSync(fd);
  }
}

export async function benchDocs(tools: DocsBenchTools): Promise<DocsFigures> {
  const { quick, flow, processRun } = tools;
  process.stdout.write('… documents and search');
  const started = Date.now();

  // 1,000 small files in one `flow add doc FOLDER`.
  const small = storeDir(100, 'flow-bench-docs-');
  writeTexts(join(small.root, 'small'), 1000, 1);
  const add = processRun([process.execPath, flow, '--dir', small.dir, 'add', 'doc', join(small.root, 'small'), '--plan', small.plan, '--quiet']);

  // One 200 MB file: streamed, never held in memory.
  const large = storeDir(100, 'flow-bench-docs-');
  const bytes = 200 * 1024 * 1024;
  bigFile(join(large.root, 'big.bin'), bytes);
  const big = processRun([process.execPath, flow, '--dir', large.dir, 'add', 'doc', join(large.root, 'big.bin'), '--plan', large.plan, '--quiet']);
  rmSync(large.root, { recursive: true, force: true });

  // Search over 10k documents and 100k tasks (quick: 1k and 10k).
  const documents = quick ? 1000 : 10_000;
  const flows = quick ? 3334 : 33_334;
  const corpus = storeDir(flows, 'flow-bench-docs-');
  const queries = writeTexts(join(corpus.root, 'texts'), documents, 2);
  const store = new Store(corpus.dir);
  const docs = new Documents({ dir: corpus.dir, largeBytes: 20 << 20, backend: localBackend() });
  await docs.add(collectSources([join(corpus.root, 'texts')]), corpus.plan);
  let t = performance.now();
  await searchStore(corpus.dir, store, docs, { text: queries[0] });
  const buildMs = performance.now() - t;
  const inProcess: number[] = [];
  const processes: number[] = [];
  for (let round = 0; round < (quick ? 2 : 3); round++) {
    for (const query of queries) {
      t = performance.now();
      await searchStore(corpus.dir, new Store(corpus.dir), docs, { text: query });
      inProcess.push(performance.now() - t);
      processes.push(processRun([process.execPath, flow, '--dir', corpus.dir, 'search', query, '--json']).ms);
    }
  }
  // Right after a change (a task added): the delta is brought up to date first.
  processRun([process.execPath, flow, '--dir', corpus.dir, 'add', 'task', 'bench search task', '--plan', corpus.plan, '--quiet']);
  const afterProcess = processRun([process.execPath, flow, '--dir', corpus.dir, 'search', 'bench', '--json']).ms;
  processRun([process.execPath, flow, '--dir', corpus.dir, 'add', 'task', 'bench search again', '--plan', corpus.plan, '--quiet']);
  t = performance.now();
  await searchStore(corpus.dir, new Store(corpus.dir), docs, { text: 'bench' });
  const afterInProcess = performance.now() - t;

  // Snapshot create with documents: today's engine walks and hashes documents/.
  const engine = new SnapshotEngine(corpus.dir);
  t = performance.now();
  await engine.create(store, { label: 'bench with documents' });
  const walkMs = performance.now() - t;
  const bare = storeDir(flows, 'flow-bench-docs-');
  t = performance.now();
  await new SnapshotEngine(bare.dir).create(new Store(bare.dir), { label: 'bench without documents' });
  const withoutDocumentsMs = performance.now() - t;
  const manifestRuns = Array.from({ length: 5 }, () => {
    const at = performance.now();
    captureDocuments(corpus.dir);
    return performance.now() - at;
  });
  for (const dir of [small.root, corpus.root, bare.root]) rmSync(dir, { recursive: true, force: true });

  const figures: DocsFigures = {
    smallFiles: { files: 1000, ms: add.ms, perSecond: 1000 / (add.ms / 1000), rss: add.rss },
    large: { bytes, ms: big.ms, rss: big.rss, withinLimit: big.rss > 0 && big.rss <= RSS_LIMIT },
    search: {
      documents,
      tasks: flows * 3,
      buildMs,
      inProcess: { p50: median(inProcess), p95: percentile(inProcess, 95) },
      process: { p50: median(processes), p95: percentile(processes, 95) },
      afterChange: { inProcess: afterInProcess, process: afterProcess },
    },
    snapshot: { documents, walkMs, withoutDocumentsMs, manifestMs: median(manifestRuns) },
  };
  process.stdout.write(` done in ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
  return figures;
}

export function reportDocs(figures: DocsFigures, tools: DocsBenchTools): void {
  const { table, fmt, mb, nodeMs } = tools;
  const { smallFiles, large, search, snapshot } = figures;
  table(
    'Documents: add doc (one process)',
    ['what', 'wall', 'throughput', 'peak RSS', ''],
    [
      ['1,000 small files (a folder)', fmt(smallFiles.ms), `${smallFiles.perSecond.toFixed(0)} files/s`, mb(smallFiles.rss), ''],
      ['one 200 MB file', fmt(large.ms), `${(large.bytes / 1048576 / (large.ms / 1000)).toFixed(0)} MB/s`, mb(large.rss), large.withinLimit ? 'within 150 MB' : 'OVER 150 MB'],
    ],
  );
  table(
    `Search over ${search.documents.toLocaleString('en')} documents + ${search.tasks.toLocaleString('en')} tasks (node -e 0 = ${fmt(nodeMs)})`,
    ['first search (builds the index)', 'in process p50', 'p95', 'flow search process p50', 'p95', 'vs node -e 0', 'after a change: in process', 'process'],
    [
      [
        fmt(search.buildMs),
        fmt(search.inProcess.p50),
        fmt(search.inProcess.p95),
        fmt(search.process.p50),
        fmt(search.process.p95),
        `${(search.process.p50 / nodeMs).toFixed(1)}×`,
        fmt(search.afterChange.inProcess),
        fmt(search.afterChange.process),
      ],
    ],
  );
  table(
    `Snapshot create with ${snapshot.documents.toLocaleString('en')} documents`,
    ['today’s engine (walks documents/)', 'same store, no documents', 'reading the manifest instead (captureDocuments)'],
    [[fmt(snapshot.walkMs), fmt(snapshot.withoutDocumentsMs), fmt(snapshot.manifestMs)]],
  );
}
