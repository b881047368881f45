import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { commandEmbedder } from '../../src/search/embed.js';
import { indexTerms, queryGroups } from '../../src/search/tokenize.js';
import { snippet } from '../../src/search/snippet.js';
import { tempDir } from '../helpers.js';
import { searchFixture } from './support.js';

const ids = (hits: Array<{ id: string }>) => hits.map((h) => h.id);

/** What the delta segment overrides (its header's first line), or undefined when there is none. */
function deltaOf(dir: string): { flows: Record<string, unknown>; docs: Record<string, unknown> } | undefined {
  const file = join(dir, 'cache', 'search', 'delta.idx');
  if (!existsSync(file)) return undefined;
  const text = readFileSync(file, 'utf8');
  return JSON.parse(text.slice(0, text.indexOf('\n'))).extra;
}

describe('tokens', () => {
  it('cuts CJK runs into pairs and keeps Korean words whole', () => {
    expect(indexTerms('Storage layer, ATOMIC writes!')).toEqual(['storage', 'layer', 'atomic', 'writes']);
    expect(indexTerms('数据库设计')).toEqual(['数据', '据库', '库设', '设计']);
    expect(indexTerms('데이터베이스를 설계')).toEqual(['데이터베이스를', '데이', '이터', '터베', '베이', '이스', '스를', '설계', '설계']);
    expect(indexTerms('ＦＵＬＬ width')).toEqual(['full', 'width']);
    expect(queryGroups('데이터 cache')).toEqual([
      { terms: ['데이', '이터'], cjk: true },
      { terms: ['cache'], cjk: false },
    ]);
  });

  it('snippets show the match in its context', () => {
    const s = snippet(`${'lorem ipsum '.repeat(20)}the POSTGRES migration ${'dolor '.repeat(20)}`, 'postgres');
    expect(s.match).not.toBeNull();
    const [start, end] = s.match as [number, number];
    expect(s.text.slice(start, end)).toBe('POSTGRES');
    expect(s.text.startsWith('…')).toBe(true);
  });
});

describe('flow search', () => {
  it('finds a word in a markdown document, a task note and a plan summary, the most frequent use first', async () => {
    const f = await searchFixture();
    const [a, b] = f.plans;
    const task = await f.addTask(a, 'Migrate the store', 'move everything to postgres next week');
    const heavy = await f.addDoc(b, 'heavy.md', '# Postgres\n\npostgres tuning, postgres vacuum, postgres indexes and postgres backups');
    const light = await f.addDoc(b, 'light.md', '# Notes\n\nwe might use postgres one day, or not; other words here too');
    await f.store.transact((tx) => {
      const plan = tx.locate(a);
      if (plan?.kind === 'plan') plan.plan.summary = 'Everything about the postgres move';
    });
    const hits = await f.find('postgres');
    expect(new Set(ids(hits))).toEqual(new Set([task, heavy, light, a]));
    expect(ids(hits.filter((h) => h.kind === 'doc'))).toEqual([heavy, light]);
    const doc = hits.find((h) => h.id === heavy);
    expect(doc?.path).toBe(`documents/${b}/heavy.md`);
    const note = hits.find((h) => h.id === task);
    expect(note?.snippet.text).toContain('postgres');
    expect(note?.plan_id).toBe(a);
    // Filters: by kind and by plan; prefixes and a typo find it too.
    expect(ids(await f.find({ text: 'postgres', kinds: ['doc'] }))).toEqual([heavy, light]);
    expect(new Set(ids(await f.find({ text: 'postgres', plan: a })))).toEqual(new Set([task, a]));
    expect(ids(await f.find('postg'))).toContain(task);
    expect(ids(await f.find('postrges'))).toContain(task);
    expect(await f.find('nothing-like-this')).toEqual([]);
  });

  it('finds Korean, Chinese and Japanese text', async () => {
    const f = await searchFixture();
    const [a] = f.plans;
    const korean = await f.addTask(a, '설계 회의', '데이터베이스를 새로 설계한다');
    const chinese = await f.addTask(a, '数据库设计', '');
    const japanese = await f.addDoc(a, 'jp.md', 'データベースの移行計画');
    expect(ids(await f.find('데이터베이스'))).toEqual([korean]);
    expect(ids(await f.find('설계'))).toEqual([korean]);
    expect(ids(await f.find('데이터'))).toEqual([korean]);
    expect(ids(await f.find('数据库'))).toEqual([chinese]);
    expect(ids(await f.find('データベース'))).toEqual([japanese]);
    expect(ids(await f.find('移行'))).toEqual([japanese]);
    const [hit] = await f.find('데이터베이스');
    expect(hit.snippet.text).toContain('데이터베이스를');
  });

  it('finds new text right after it was added, by flow and by another writer', async () => {
    const f = await searchFixture();
    const [a] = f.plans;
    expect(await f.find('quokka')).toEqual([]);
    const ours = await f.addTask(a, 'Feed the quokka');
    expect(ids(await f.find('quokka'))).toEqual([ours]);
    // Another writer edits flows.json directly (no flow involved): a title changes.
    const file = join(f.dir, 'flows.json');
    writeFileSync(file, readFileSync(file, 'utf8').replace('Feed the quokka', 'Feed the wombat'));
    expect(await f.find('quokka')).toEqual([]);
    expect(ids(await f.find('wombat'))).toEqual([ours]);
    // A document added, then removed.
    const doc = await f.addDoc(a, 'zoo.md', 'the quokka enclosure');
    expect(ids(await f.find('quokka'))).toEqual([doc]);
    await f.docs.remove(doc, f.existing);
    expect(await f.find('quokka')).toEqual([]);
  });

  it('keeps a small delta beside a large base, and merges it when it grows', async () => {
    const f = await searchFixture();
    const [a, b] = f.plans;
    const tuning = { mergeBelow: 0, mergeDeltaAt: 10 };
    const first = await f.addTask(a, 'alpha kangaroo');
    expect(ids(await f.find('kangaroo', { tuning }))).toEqual([first]);
    const second = await f.addTask(b, 'beta kangaroo');
    expect(new Set(ids(await f.find('kangaroo', { tuning })))).toEqual(new Set([first, second]));
    expect(Object.keys(deltaOf(f.dir)?.flows ?? {})).toHaveLength(1);
    // An edit of a flow the base holds: the base's old version is not found any more.
    const file = join(f.dir, 'flows.json');
    writeFileSync(file, readFileSync(file, 'utf8').replace('alpha kangaroo', 'alpha wallaby'));
    expect(ids(await f.find('kangaroo', { tuning }))).toEqual([second]);
    expect(ids(await f.find('wallaby', { tuning }))).toEqual([first]);
    for (let i = 0; i < 8; i++) await f.addTask(b, `more kangaroo ${i}`);
    expect(await f.find('kangaroo', { tuning })).toHaveLength(9);
    expect(deltaOf(f.dir), 'merged into the base').toBeUndefined();
  });

  it('rebuilds an index that is corrupt, torn or from elsewhere, and never trusts it', async () => {
    const f = await searchFixture();
    const [a] = f.plans;
    const task = await f.addTask(a, 'Platypus care');
    expect(ids(await f.find('platypus'))).toEqual([task]);
    const base = join(f.dir, 'cache', 'search', 'base.idx');
    const good = readFileSync(base, 'utf8');
    for (const bad of [good.slice(0, good.length / 2), 'not json', '', good.replace('platypus', 'xlatypus')]) {
      writeFileSync(base, bad);
      expect(ids(await f.find('platypus'))).toEqual([task]);
    }
  });

  it('mixes in semantic ranking from search.embed_command', async () => {
    const f = await searchFixture();
    const [a] = f.plans;
    // BM25 alone ranks the task that says "engine" twice first.
    const twice = await f.addTask(a, 'engine engine notes');
    const car = await f.addTask(a, 'engine of the car');
    expect(ids(await f.find('engine'))[0]).toBe(twice);
    // A deterministic embedder that knows cars and engines belong together, and notes apart.
    const script = join(tempDir(), 'embed.js');
    writeFileSync(
      script,
      `const lines = require('fs').readFileSync(0, 'utf8').split('\\n').filter(Boolean);\n` +
        `for (const line of lines) { const t = JSON.parse(line).toLowerCase();\n` +
        `  console.log(JSON.stringify(t.includes('notes') ? [-1, 0] : [(t.match(/car/g) || []).length + (t.includes('engine') ? 1 : 0), 1])); }\n`,
    );
    chmodSync(script, 0o755);
    const embedder = commandEmbedder(`node ${script}`, f.dir);
    expect(ids(await f.find('engine car', { embedder }))).toEqual([car]);
    const ranked = await f.find('engine', { embedder });
    expect(ids(ranked)).toEqual([car, twice]);
    // Vectors are cached by text.
    expect(Object.keys(JSON.parse(readFileSync(join(f.dir, 'cache', 'search', 'vectors.json'), 'utf8')))).toHaveLength(3);
  });
});
