// Optional semantic ranking (issue 13 item 6): `search.embed_command` is a command that
// reads texts, one JSON string per line on stdin, and prints one vector (a JSON array of
// numbers) per line. The best BM25 candidates are ranked again by a mix of their BM25
// score and the cosine of their vector with the query's. Vectors are cached by the hash
// of their text in .flow/cache/search/vectors.json, so each text is embedded once.
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { FlowError } from '../domain/errors.js';
import { writeFileAtomic } from '../store/atomic-write.js';
import { childProcess, nodeCrypto } from '../node-modules.js';

export interface Embedder {
  embed(texts: readonly string[]): Promise<number[][]>;
}

export const VECTORS_FILE = join('cache', 'search', 'vectors.json');
/** Vectors kept in the cache; the oldest go first. */
const CACHE_LIMIT = 20_000;

export function commandEmbedder(command: string, dir: string): Embedder {
  const cacheFile = join(dir, VECTORS_FILE);
  return {
    async embed(texts) {
      const cache = readCache(cacheFile);
      const key = (text: string) => nodeCrypto().createHash('sha1').update(text).digest('base64');
      const missing = [...new Set(texts.filter((t) => !cache.has(key(t))))];
      if (missing.length) {
        const vectors = await runEmbedder(command, dir, missing);
        missing.forEach((text, i) => cache.set(key(text), vectors[i]));
        writeCache(cacheFile, cache);
      }
      return texts.map((t) => cache.get(key(t)) as number[]);
    },
  };
}

async function runEmbedder(command: string, cwd: string, texts: string[]): Promise<number[][]> {
  const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = childProcess().spawn('sh', ['-c', command], { cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-2000)));
    child.on('error', reject);
    child.on('close', (status) => resolve({ code: status, stdout: out, stderr: err.trim() }));
    child.stdin.on('error', () => undefined);
    child.stdin.end(texts.map((t) => JSON.stringify(t)).join('\n') + '\n');
  });
  if (code !== 0) throw new FlowError('failed', `search.embed_command exited ${code ?? 'on a signal'}${stderr ? `: ${stderr}` : ''}`);
  const vectors = stdout.split('\n').filter((line) => line.trim()).map(parseVector);
  if (vectors.length !== texts.length) {
    throw new FlowError('failed', `search.embed_command printed ${vectors.length} vectors for ${texts.length} texts`);
  }
  return vectors;
}

function parseVector(line: string): number[] {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    value = undefined;
  }
  if (!Array.isArray(value) || !value.length || !value.every((x) => typeof x === 'number' && Number.isFinite(x))) {
    throw new FlowError('failed', 'search.embed_command must print one JSON array of numbers per text');
  }
  return value;
}

function readCache(file: string): Map<string, number[]> {
  try {
    const raw = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    if (raw && typeof raw === 'object' && !Array.isArray(raw)) {
      return new Map(Object.entries(raw).filter((e): e is [string, number[]] => Array.isArray(e[1]) && e[1].every((x) => typeof x === 'number')));
    }
  } catch {
    // no cache, or one that does not read: embed again
  }
  return new Map();
}

function writeCache(file: string, cache: Map<string, number[]>): void {
  const entries = [...cache].slice(-CACHE_LIMIT);
  try {
    mkdirSync(dirname(file), { recursive: true });
    writeFileAtomic(file, [Buffer.from(JSON.stringify(Object.fromEntries(entries)))]);
  } catch {
    // a cache that cannot be written is only slower next time
  }
}

export function cosine(a: readonly number[], b: readonly number[]): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return na && nb ? dot / Math.sqrt(na * nb) : 0;
}
