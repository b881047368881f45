import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { commandBackend } from '../../src/documents/backends.js';
import { checkDocuments } from '../../src/documents/check.js';
import { collectSources } from '../../src/documents/sources.js';
import { captureDocuments, contentHashesOf, restoreDocuments, withRetainedHashes } from '../../src/documents/snapshots.js';
import { tempDir } from '../helpers.js';
import { fixture } from './support.js';

describe('documents in snapshots', () => {
  it('captures the manifest and hashes without reading any document', async () => {
    const f = await fixture();
    expect(captureDocuments(f.dir)).toEqual({ manifest: null, documents: {} });
    const [{ entry }] = await f.docs.add(collectSources([f.file('a.md', 'alpha')]), f.plans[0]);
    // What a capture records comes from the manifest alone: not even the readable file is needed.
    rmSync(join(f.dir, 'documents', entry.path));
    const captured = captureDocuments(f.dir);
    expect(captured.documents).toEqual({ [entry.path]: entry.sha256 });
    expect(Object.keys((captured.manifest as { documents: object }).documents)).toEqual([entry.id]);
    expect([...contentHashesOf(captured)]).toEqual([entry.sha256]);
    // The map older snapshots kept counts too.
    expect([...contentHashesOf({ manifest: null, documents: { 'x/y.md': 'a'.repeat(64), bad: '../..' } })]).toEqual(['a'.repeat(64)]);
  });

  it('records a manifest that does not read as the JSON it holds, and refuses to restore it over the documents', async () => {
    const f = await fixture();
    const [{ entry }] = await f.docs.add(collectSources([f.file('a.md', 'alpha')]), f.plans[0]);
    const broken = { version: 1, documents: [{ id: 'doc_1' }], x_tool: true };
    writeFileSync(join(f.dir, 'documents_manifest.json'), JSON.stringify(broken));
    expect(captureDocuments(f.dir)).toEqual({ manifest: broken, documents: {} });
    const torn = '{"version": 1, "documents": {';
    writeFileSync(join(f.dir, 'documents_manifest.json'), torn);
    expect(captureDocuments(f.dir)).toEqual({ manifest: torn, documents: {} });
    rmSync(join(f.dir, 'documents_manifest.json'));
    await f.docs.add(collectSources([f.file('a.md', 'alpha')]), f.plans[0]);
    for (const recorded of [broken, torn]) await expect(restoreDocuments(f.docs, recorded)).rejects.toThrow("the snapshot's manifest does not read as one");
    expect(f.docs.read().list().map((e) => e.sha256)).toEqual([entry.sha256]);
  });

  it('a restore brings back the manifest of its time; later documents disappear, their contents stay', async () => {
    const f = await fixture();
    const [a, b] = f.plans;
    const [{ entry: early }] = await f.docs.add(collectSources([f.file('early.md', 'early')]), a);
    const then = captureDocuments(f.dir);
    const [{ entry: late }] = await f.docs.add(collectSources([f.file('late.md', 'late')]), a);
    await f.docs.link(early.id, b, f.existing);
    await f.docs.remove(early.id, f.existing);
    expect(existsSync(join(f.dir, 'documents', early.path))).toBe(false);
    const result = await restoreDocuments(f.docs, then.manifest);
    expect(result).toEqual({ documents: 1, placed: 1, removed: 1, missing: [] });
    const manifest = f.docs.read();
    expect(manifest.list().map((e) => [e.id, e.plans, e.deleted_at ?? null])).toEqual([[early.id, [a], null]]);
    expect(readFileSync(join(f.dir, 'documents', early.path), 'utf8')).toBe('early');
    expect(existsSync(join(f.dir, 'documents', late.path))).toBe(false);
    expect(f.docs.content.has(late.sha256)).toBe(true);
    expect((await checkDocuments(f.docs, await f.existing())).ok).toBe(true);
  });

  it('a restore of one plan brings back only that plan’s references', async () => {
    const f = await fixture();
    const [a, b] = f.plans;
    const [{ entry: shared }] = await f.docs.add(collectSources([f.file('shared.md', 'shared')]), a);
    const then = captureDocuments(f.dir);
    await f.docs.link(shared.id, b, f.existing);
    await f.docs.unlink(shared.id, a, f.existing);
    const [{ entry: other }] = await f.docs.add(collectSources([f.file('other.md', 'other')]), b);
    await restoreDocuments(f.docs, then.manifest, [a]);
    const manifest = f.docs.read();
    expect(manifest.get(shared.id)?.plans.sort()).toEqual([a, b].sort());
    expect(manifest.get(other.id)?.plans).toEqual([b]);
  });

  it('gc keeps what retained snapshots name, read under the snapshot index lock', async () => {
    const f = await fixture();
    const engine = {
      list: () => ['s1', 's2'],
      side: (meta: string) => (meta === 's1' ? { manifest: null, documents: { 'p/x': 'b'.repeat(64) } } : { manifest: null }),
    };
    expect([...(await withRetainedHashes(f.dir, engine, async (hashes) => hashes))]).toEqual([]);
    mkdirSync(join(f.dir, 'snapshots'));
    expect([...(await withRetainedHashes(f.dir, engine, async (hashes) => hashes))]).toEqual(['b'.repeat(64)]);
    await withRetainedHashes(f.dir, engine, async () => expect(existsSync(join(f.dir, 'snapshots', 'index.json.lock'))).toBe(true));
    expect(existsSync(join(f.dir, 'snapshots', 'index.json.lock'))).toBe(false);
  });
});

describe('command storage backend', () => {
  const trusted = () => undefined;

  it('puts large contents with a command and gets them back when they are missing', async () => {
    const remote = tempDir();
    const script = join(tempDir(), 'copy.sh');
    writeFileSync(script, `#!/bin/sh\nset -e\ncase "$1" in\n  put) cp "$FLOW_DOC_FILE" "${remote}/$FLOW_DOC_SHA256" ;;\n  get) cp "${remote}/$FLOW_DOC_SHA256" "$FLOW_DOC_FILE" ;;\nesac\n`);
    chmodSync(script, 0o755);
    const f = await fixture({ largeBytes: 100, backend: (dir) => commandBackend({ put: `${script} put`, get: `${script} get` }, dir, trusted) });
    const bytes = Buffer.alloc(1000, 3);
    const [{ entry }] = await f.docs.add(collectSources([f.file('big.bin', bytes)]), f.plans[0]);
    expect(entry.storage_type).toBe('command');
    expect(readdirSync(remote)).toEqual([entry.sha256]);
    // The local copy goes (as on a machine that only cloned the repository).
    rmSync(join(f.dir, 'documents', 'large', entry.sha256), { force: true });
    rmSync(join(f.dir, 'documents', entry.path), { force: true });
    const path = await f.docs.contentPath(entry);
    expect(path && readFileSync(path)).toEqual(bytes);
    const report = await checkDocuments(f.docs, await f.existing(), { restore: true });
    expect(report.findings.map((x) => x.kind)).toEqual(['restored']);
  });

  it('a failing put fails the add and leaves nothing behind', async () => {
    const f = await fixture({ largeBytes: 100, backend: (dir) => commandBackend({ put: 'echo "no network" >&2; exit 3', get: 'exit 1' }, dir, trusted) });
    await expect(f.docs.add(collectSources([f.file('big.bin', Buffer.alloc(1000, 4))]), f.plans[0])).rejects.toThrow(
      /documents.command.put exited 3: no network/,
    );
    expect([...f.docs.content.all()]).toEqual([]);
    expect(f.docs.read().list()).toEqual([]);
  });

  it('untrusted, it runs neither command: an add of a large file is refused before anything is stored, a get fails', async () => {
    const marker = join(tempDir(), 'ran');
    let why: string | undefined = 'not trusted here';
    const f = await fixture({ largeBytes: 100, backend: (dir) => commandBackend({ put: `touch ${marker}`, get: `touch ${marker}` }, dir, () => why) });
    await expect(f.docs.add(collectSources([f.file('big.bin', Buffer.alloc(1000, 5))]), f.plans[0])).rejects.toThrow(
      /documents.command.put in config.json did not run \(not trusted here\); review and trust it with `flow trust hooks`/,
    );
    expect([...f.docs.content.all()]).toEqual([]);
    expect(f.docs.read().list()).toEqual([]);
    // Small files never reach the backend, trusted or not.
    const [{ entry: small }] = await f.docs.add(collectSources([f.file('small.md', 'small')]), f.plans[0]);
    expect(small.storage_type).toBe('local');
    why = undefined;
    const [{ entry }] = await f.docs.add(collectSources([f.file('big.bin', Buffer.alloc(1000, 5))]), f.plans[0]);
    expect(existsSync(marker)).toBe(true);
    rmSync(marker);
    rmSync(join(f.dir, 'documents', 'large', entry.sha256), { force: true });
    why = 'not trusted here';
    await expect(f.docs.contentPath(entry)).rejects.toThrow(/documents.command.get in config.json did not run/);
    expect(existsSync(marker)).toBe(false);
  });
});
