import { existsSync, lstatSync, readFileSync, readlinkSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { LFS_RULE, lfsBackend } from '../../src/documents/backends.js';
import { checkDocuments } from '../../src/documents/check.js';
import { collectDocuments } from '../../src/documents/gc.js';
import { collectSources } from '../../src/documents/sources.js';
import { existingPlans } from '../../src/documents/references.js';
import { fixture, type Fixture } from './support.js';

function gcOptions(f: Fixture, retentionDays: number, snapshotHashes: string[] = [], dryRun = false) {
  return {
    retentionDays,
    dryRun,
    retained: <T>(fn: (hashes: ReadonlySet<string>) => Promise<T>) => fn(new Set(snapshotHashes)),
    withPlans: async <T>(fn: (existing: (ids: string[]) => ReturnType<typeof existingPlans>) => T) =>
      (await f.store.transact((tx) => fn((ids) => existingPlans(tx, ids)))).value,
  };
}

describe('documents of plans', () => {
  it('stores the same file added to two plans once, with two references', async () => {
    const f = await fixture();
    const [a, b] = f.plans;
    const spec = f.file('spec.md', '# The spec\n');
    const [first] = await f.docs.add(collectSources([spec]), a);
    const [second] = await f.docs.add(collectSources([spec]), b);
    expect(first.outcome).toBe('added');
    expect(second.outcome).toBe('linked');
    expect(second.entry.id).toBe(first.entry.id);
    const manifest = f.docs.read();
    expect(manifest.list()).toHaveLength(1);
    const entry = manifest.list()[0];
    expect(entry.plans).toEqual([a, b]);
    expect(entry.path).toBe(`${a}/spec.md`);
    expect(entry.media_type).toBe('text/markdown');
    // One copy on disk: the readable file is the stored content itself.
    const readable = join(f.dir, 'documents', entry.path);
    const blob = f.docs.content.find(entry.sha256) as string;
    expect(statSync(readable).ino).toBe(statSync(blob).ino);
    expect(readFileSync(readable, 'utf8')).toBe('# The spec\n');
    expect([...f.docs.content.all()]).toHaveLength(1);
  });

  it('keeps a document while a plan references it; the last unlink marks it deleted, gc removes it', async () => {
    const f = await fixture();
    const [a, b] = f.plans;
    const [{ entry }] = await f.docs.add(collectSources([f.file('notes.txt', 'some notes')]), a);
    await f.docs.link(entry.id, b, f.existing);
    const first = await f.docs.unlink(entry.id, a, f.existing);
    expect(first.deleted).toBe(false);
    // The readable file follows the plan that still has it.
    expect(f.docs.read().get(entry.id)?.path).toBe(`${b}/notes.txt`);
    expect(existsSync(join(f.dir, 'documents', b, 'notes.txt'))).toBe(true);
    expect(existsSync(join(f.dir, 'documents', a, 'notes.txt'))).toBe(false);
    const last = await f.docs.unlink(entry.id, b, f.existing);
    expect(last.deleted).toBe(true);
    expect(f.docs.read().get(entry.id)?.deleted_at).toBeTruthy();
    expect(existsSync(join(f.dir, 'documents', b, 'notes.txt'))).toBe(false);
    expect(f.docs.content.has(entry.sha256)).toBe(true);
    // Within the retention period nothing goes.
    expect((await collectDocuments(f.docs, gcOptions(f, 7))).removed).toEqual([]);
    const report = await collectDocuments(f.docs, gcOptions(f, 0));
    expect(report.removed.map((r) => r.id)).toEqual([entry.id]);
    expect(report.contents.map((c) => c.sha256)).toEqual([entry.sha256]);
    expect(f.docs.read().get(entry.id)).toBeUndefined();
    expect(f.docs.content.has(entry.sha256)).toBe(false);
  });

  it('counts references of deleted plans out, and back in when the plan comes back', async () => {
    const f = await fixture();
    const [a, b] = f.plans;
    const spec = f.file('spec.md', '# spec');
    const [{ entry }] = await f.docs.add(collectSources([spec]), a);
    await f.docs.add(collectSources([spec]), b);
    const before = await f.store.read();
    const flowBefore = structuredClone(before.allFlows());
    await f.deletePlan(a);
    await f.deletePlan(b);
    // A snapshot still holds the content: gc removes the entry, not the content.
    const held = await collectDocuments(f.docs, gcOptions(f, 0, [entry.sha256], true));
    expect(held.removed.map((r) => r.id)).toEqual([entry.id]);
    expect(held.contents).toEqual([]);
    expect(f.docs.read().get(entry.id)).toBeDefined(); // dry run
    // The plans come back (as an undo of the delete does): the references count again.
    await f.store.transact((tx) => tx.replaceFlows(flowBefore));
    const report = await collectDocuments(f.docs, gcOptions(f, 0));
    expect(report.removed).toEqual([]);
    expect(f.docs.read().get(entry.id)?.deleted_at).toBeNull();
    await f.deletePlan(a);
    await f.deletePlan(b);
    const gone = await collectDocuments(f.docs, gcOptions(f, 0));
    expect(gone.removed.map((r) => r.id)).toEqual([entry.id]);
    expect(f.docs.content.has(entry.sha256)).toBe(false);
  });

  it('gc spares a content an add in progress has stored but not yet recorded', async () => {
    const f = await fixture();
    const blob = await f.docs.content.putFile(f.file('in-flight.md', 'being added'));
    expect((await collectDocuments(f.docs, gcOptions(f, 0))).contents).toEqual([]);
    expect(f.docs.content.has(blob.sha256)).toBe(true);
    f.docs.content.release();
    expect((await collectDocuments(f.docs, gcOptions(f, 0))).contents.map((c) => c.sha256)).toEqual([blob.sha256]);
    expect(f.docs.content.has(blob.sha256)).toBe(false);
  });

  it('adds a folder with its structure, in one manifest write, with a new version by the same name', async () => {
    const f = await fixture();
    const [a] = f.plans;
    f.file('specs/intro.md', 'intro');
    f.file('specs/deep/data.json', '{"a":1}');
    const added = await f.docs.add(collectSources([join(f.root, 'src', 'specs')]), a);
    expect(added.map((d) => d.entry.path).sort()).toEqual([`${a}/specs/deep/data.json`, `${a}/specs/intro.md`]);
    const again = await f.docs.add(collectSources([join(f.root, 'src', 'specs')]), a);
    expect(again.map((d) => d.outcome)).toEqual(['unchanged', 'unchanged']);
    f.file('specs/intro.md', 'intro, second version');
    const updated = await f.docs.add(collectSources([join(f.root, 'src', 'specs', 'intro.md')], 'intro.md'), a);
    expect(updated[0].outcome).toBe('added'); // a file named alone sits at the top of the plan folder
    const nested = await f.docs.add(collectSources([join(f.root, 'src', 'specs')]), a);
    expect(nested.map((d) => d.outcome).sort()).toEqual(['unchanged', 'updated']);
    const intro = f.docs.read().atPath(`${a}/specs/intro.md`);
    expect(readFileSync(join(f.dir, 'documents', a, 'specs', 'intro.md'), 'utf8')).toBe('intro, second version');
    expect(intro?.size).toBe('intro, second version'.length);
  });

  it('never overwrites a file someone put in a plan folder, and leaves nothing behind', async () => {
    const f = await fixture();
    const [a] = f.plans;
    const theirs = join(f.dir, 'documents', a, 'spec.md');
    const mine = f.file('spec.md', 'mine');
    await f.docs.add(collectSources([f.file('other.md', 'other')]), a);
    writeFileSync(theirs, 'theirs');
    await expect(f.docs.add(collectSources([mine]), a)).rejects.toThrow(/already exists/);
    expect(readFileSync(theirs, 'utf8')).toBe('theirs');
    expect(f.docs.read().list().map((e) => e.name)).toEqual(['other.md']);
    expect([...f.docs.content.all()]).toHaveLength(1);
  });

  it('check doc follows a file renamed by hand and reports one deleted by hand', async () => {
    const f = await fixture();
    const [a, b] = f.plans;
    const [{ entry: moved }] = await f.docs.add(collectSources([f.file('moved.md', 'moved')]), a);
    const [{ entry: gone }] = await f.docs.add(collectSources([f.file('gone.md', 'gone')]), a);
    const [{ entry: fine }] = await f.docs.add(collectSources([f.file('fine.md', 'fine')]), b);
    renameSync(join(f.dir, 'documents', a, 'moved.md'), join(f.dir, 'documents', a, 'renamed.md'));
    unlinkSync(join(f.dir, 'documents', a, 'gone.md'));
    const report = await checkDocuments(f.docs, await f.existing());
    expect(report.ok).toBe(false);
    expect(report.findings.map((x) => [x.kind, x.id])).toEqual([
      ['relinked', moved.id],
      ['missing', gone.id],
    ]);
    const manifest = f.docs.read();
    expect(manifest.get(moved.id)?.path).toBe(`${a}/renamed.md`);
    expect(manifest.get(gone.id)).toBeDefined();
    expect(manifest.get(fine.id)?.path).toBe(`${b}/fine.md`);
    // The summary of a plan with documents is kept beside them.
    expect(readFileSync(join(f.dir, 'documents', a, 'summary.md'), 'utf8')).toBe('What the first plan is about\n');
    const restored = await checkDocuments(f.docs, await f.existing(), { restore: true });
    expect(restored.findings.map((x) => x.kind)).toEqual(['restored']);
    expect(restored.ok).toBe(true);
    expect((await checkDocuments(f.docs, await f.existing())).findings).toEqual([]);
  });

  it('check doc reports a content changed in place through its readable file', async () => {
    const f = await fixture();
    const [{ entry }] = await f.docs.add(collectSources([f.file('a.md', 'original')]), f.plans[0]);
    const readable = join(f.dir, 'documents', entry.path);
    // An editor that writes in place through the (read-only) hard link, as root can.
    writeFileSync(readable, 'edited in place');
    const report = await checkDocuments(f.docs, await f.existing());
    expect(report.findings.map((x) => x.kind)).toEqual(['content-damaged']);
    expect(report.ok).toBe(false);
  });

  it('large files go to documents/large/; with lfs the readable file is a link git commits', async () => {
    const warnings: string[] = [];
    const f = await fixture({ largeBytes: 1024, backend: (dir) => lfsBackend(join(dir, 'documents'), (m) => warnings.push(m)) });
    const [{ entry }] = await f.docs.add(collectSources([f.file('big.bin', Buffer.alloc(5000, 1))]), f.plans[0]);
    const [{ entry: small }] = await f.docs.add(collectSources([f.file('small.txt', 'small')]), f.plans[0]);
    expect(entry.storage_type).toBe('lfs');
    expect(small.storage_type).toBe('local');
    expect(f.docs.content.find(entry.sha256)).toBe(join(f.dir, 'documents', 'large', entry.sha256));
    const readable = join(f.dir, 'documents', entry.path);
    expect(lstatSync(readable).isSymbolicLink()).toBe(true);
    expect(readlinkSync(readable)).toBe(`../large/${entry.sha256}`);
    expect(readFileSync(readable)).toEqual(Buffer.alloc(5000, 1));
    expect(readFileSync(join(f.dir, 'documents', '.gitattributes'), 'utf8')).toBe(`${LFS_RULE}\n`);
    const lfsInstalled = spawnSync('git', ['lfs', 'version']).status === 0;
    expect(warnings.some((w) => w.includes('git-lfs is not installed'))).toBe(!lfsInstalled);
    expect((await checkDocuments(f.docs, await f.existing())).findings).toEqual([]);
  });
});
