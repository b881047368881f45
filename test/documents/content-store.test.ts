import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ContentStore, hashFile } from '../../src/documents/content-store.js';
import { isTextual, looksLikeText, mediaTypeOf } from '../../src/documents/media.js';
import { tempDir } from '../helpers.js';

const sha = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');

function setup(largeBytes = 1024) {
  const root = tempDir();
  const dir = join(root, '.flow');
  mkdirSync(dir);
  return { root, dir, store: new ContentStore(dir, largeBytes) };
}

describe('content store', () => {
  it('stores a file once by its sha256, read-only, whoever adds it', async () => {
    const { root, dir, store } = setup();
    writeFileSync(join(root, 'a.md'), '# Spec\n');
    writeFileSync(join(root, 'b.md'), '# Spec\n');
    const first = await store.putFile(join(root, 'a.md'));
    const second = await store.putFile(join(root, 'b.md'));
    expect(first.sha256).toBe(sha('# Spec\n'));
    expect(first.created).toBe(true);
    expect(second.created).toBe(false);
    expect(second.path).toBe(first.path);
    expect(first.path).toBe(join(dir, 'documents', '.blobs', first.sha256.slice(0, 2), first.sha256));
    expect(readFileSync(first.path, 'utf8')).toBe('# Spec\n');
    expect(statSync(first.path).mode & 0o777).toBe(0o444);
    // no temp file is left behind
    expect(readdirSync(join(dir, 'documents', '.blobs')).filter((n) => n.includes('.tmp-'))).toEqual([]);
    expect(await store.verify(first.sha256)).toBe(true);
  });

  it('puts contents above the threshold in documents/large/ and streams them with progress', async () => {
    const { root, dir, store } = setup(1024);
    const bytes = Buffer.alloc(3 * 1024 * 1024 + 17, 7);
    writeFileSync(join(root, 'big.bin'), bytes);
    const seen: number[] = [];
    const blob = await store.putFile(join(root, 'big.bin'), (done, total) => {
      expect(total).toBe(bytes.length);
      seen.push(done);
    });
    expect(blob.large).toBe(true);
    expect(blob.path).toBe(join(dir, 'documents', 'large', sha(bytes)));
    expect(blob.size).toBe(bytes.length);
    expect(seen.length).toBeGreaterThan(1);
    expect(seen[seen.length - 1]).toBe(bytes.length);
    expect(await hashFile(blob.path)).toBe(sha(bytes));
  });

  it('leaves nothing behind when the source cannot be read', async () => {
    const { root, dir, store } = setup();
    await expect(store.putFile(join(root, 'missing'))).rejects.toThrow();
    mkdirSync(join(root, 'folder'));
    await expect(store.putFile(join(root, 'folder'))).rejects.toThrow();
    expect(existsSync(join(dir, 'documents', '.blobs')) ? readdirSync(join(dir, 'documents', '.blobs')) : []).toEqual([]);
  });

  it('finds, lists and removes contents, including ones earlier snapshots stored', async () => {
    const { root, dir, store } = setup();
    writeFileSync(join(root, 'a.txt'), 'alpha');
    const blob = await store.putFile(join(root, 'a.txt'));
    const legacyHash = sha('old');
    mkdirSync(join(dir, 'snapshots', 'blobs', legacyHash.slice(0, 2)), { recursive: true });
    writeFileSync(join(dir, 'snapshots', 'blobs', legacyHash.slice(0, 2), legacyHash), 'old');
    expect(store.find(legacyHash)).toContain('snapshots');
    expect([...store.all()].map((b) => b.sha256).sort()).toEqual([blob.sha256, legacyHash].sort());
    store.remove(blob.sha256);
    expect(store.has(blob.sha256)).toBe(false);
    expect(store.find('../../etc/passwd')).toBeUndefined();
  });

  it('repairs a stored copy of the wrong size instead of trusting it', async () => {
    const { root, store } = setup();
    writeFileSync(join(root, 'a.txt'), 'the real content');
    const blob = await store.putFile(join(root, 'a.txt'));
    writeFileSync(blob.path, 'torn', { mode: 0o644 });
    const again = await store.putFile(join(root, 'a.txt'));
    expect(again.created).toBe(true);
    expect(readFileSync(again.path, 'utf8')).toBe('the real content');
  });
});

describe('media types', () => {
  it('uses magic numbers for binaries and the extension for text', async () => {
    const png = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489', 'hex');
    expect(await mediaTypeOf('picture.dat', png)).toBe('image/png');
    expect(await mediaTypeOf('notes.md', Buffer.from('# hello'))).toBe('text/markdown');
    expect(await mediaTypeOf('main.ts', Buffer.from('export const x = 1;'))).toBe('text/plain');
    expect(await mediaTypeOf('data.json', Buffer.from('{"a":1}'))).toBe('application/json');
    expect(await mediaTypeOf('blob.bin', Buffer.from([0, 1, 2, 3]))).toBe('application/octet-stream');
    expect(looksLikeText(Buffer.from('한국어 텍스트'))).toBe(true);
    expect(looksLikeText(Buffer.from([0xff, 0xfe, 0x00]))).toBe(false);
    expect(isTextual('application/json')).toBe(true);
    expect(isTextual('image/svg+xml')).toBe(true);
    expect(isTextual('image/png')).toBe(false);
  });
});
