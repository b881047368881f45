import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkDocuments } from '../../src/documents/check.js';
import { nameProblem, relativeProblem, resolveInside } from '../../src/documents/contain.js';
import { findDocument } from '../../src/documents/documents.js';
import { MANIFEST_FILE } from '../../src/documents/manifest.js';
import { collectSources } from '../../src/documents/sources.js';
import { tempDir } from '../helpers.js';
import { HOSTILE_NAMES } from './hostile-names.js';
import { fixture } from './support.js';

describe('names and paths never reach outside documents/', () => {
  it('refuses each hostile name before storing anything', async () => {
    const f = await fixture();
    const source = f.file('real.md', 'content');
    for (const [what, name] of Object.entries(HOSTILE_NAMES)) {
      expect(() => collectSources([source], name), what).toThrow(/refused|names one file/);
    }
    expect(Object.keys(HOSTILE_NAMES).length).toBeGreaterThanOrEqual(10);
    expect(existsSync(join(f.dir, 'documents'))).toBe(false);
    expect(existsSync(join(f.dir, MANIFEST_FILE))).toBe(false);
  });

  it('refuses a folder holding a symbolic link, or a file with a hostile name, as a whole', async () => {
    const f = await fixture();
    f.file('folder/fine.md', 'fine');
    symlinkSync('/etc/passwd', join(f.root, 'src', 'folder', 'passwd'));
    expect(() => collectSources([join(f.root, 'src', 'folder')])).toThrow(/symbolic link/);
    f.file('other/ok.md', 'ok');
    writeFileSync(join(f.root, 'src', 'other', 'bad\u001b]0;x\u0007.md'), 'x');
    expect(() => collectSources([join(f.root, 'src', 'other')])).toThrow(/control character/);
  });

  it('never writes through a plan folder that is a symbolic link', async () => {
    const f = await fixture();
    const outside = tempDir();
    mkdirSync(join(f.dir, 'documents'), { recursive: true });
    symlinkSync(outside, join(f.dir, 'documents', f.plans[0]));
    await expect(f.docs.add(collectSources([f.file('a.md', 'a')]), f.plans[0])).rejects.toThrow(/symbolic link/);
    expect(readdirSync(outside)).toEqual([]);
    expect(existsSync(join(f.dir, MANIFEST_FILE))).toBe(false);
    // and the content it stored on the way is taken back
    expect([...f.docs.content.all()]).toEqual([]);
  });

  it('skips manifest entries someone else wrote that climb out, and keeps them in the file', async () => {
    const f = await fixture();
    const [{ entry }] = await f.docs.add(collectSources([f.file('good.md', 'good')]), f.plans[0]);
    const raw = JSON.parse(readFileSync(join(f.dir, MANIFEST_FILE), 'utf8'));
    const bad = (id: string, fields: Record<string, unknown>) => ({ ...entry, id, ...fields });
    raw.documents.doc_climbsout1 = bad('doc_climbsout1', { path: '../../outside.md' });
    raw.documents.doc_absolute01 = bad('doc_absolute01', { path: '/etc/passwd' });
    raw.documents.doc_dotdotmid1 = bad('doc_dotdotmid1', { path: `${f.plans[0]}/../../x` });
    raw.documents.doc_intostore1 = bad('doc_intostore1', { path: `.blobs/${entry.sha256.slice(0, 2)}/${entry.sha256}` });
    raw.documents.doc_badhash001 = bad('doc_badhash001', { path: `${f.plans[0]}/x.md`, sha256: '../../../etc/shadow' });
    raw.documents.doc_controlch1 = bad('doc_controlch1', { path: `${f.plans[0]}/\u001b[2Jx.md` });
    raw.documents['../../evil'] = bad('../../evil', { path: `${f.plans[0]}/evil.md` });
    writeFileSync(join(f.dir, MANIFEST_FILE), JSON.stringify(raw));
    const manifest = f.docs.read();
    expect(manifest.list().map((e) => e.id)).toEqual([entry.id]);
    expect(manifest.damaged.map((d) => d.key).sort()).toEqual(
      ['../../evil', 'doc_absolute01', 'doc_badhash001', 'doc_climbsout1', 'doc_controlch1', 'doc_dotdotmid1', 'doc_intostore1'].sort(),
    );
    expect(() => findDocument(manifest, 'doc_climbsout1')).toThrow(/no document/);
    const report = await checkDocuments(f.docs, await f.existing());
    expect(report.findings.filter((x) => x.kind === 'damaged-entry')).toHaveLength(7);
    expect(report.ok).toBe(false);
    // A write keeps them exactly as they were: nothing is dropped.
    await f.docs.remove(entry.id, f.existing);
    const after = JSON.parse(readFileSync(join(f.dir, MANIFEST_FILE), 'utf8'));
    expect(after.documents.doc_climbsout1).toEqual(raw.documents.doc_climbsout1);
    expect(Object.keys(after.documents)).toHaveLength(8);
    // The content another entry points into is still there.
    expect(f.docs.content.has(entry.sha256)).toBe(true);
  });

  it('explains each refusal', () => {
    expect(nameProblem('..')).toMatch(/climbs out/);
    expect(nameProblem('x'.repeat(256))).toMatch(/255 bytes/);
    expect(nameProblem('한국어 문서.md')).toBeUndefined();
    expect(relativeProblem('a/../b')).toMatch(/climbs out/);
    expect(relativeProblem('/a')).toMatch(/absolute/);
    expect(() => resolveInside('/tmp', 'a/b/../../..')).toThrow(/refused/);
  });
});
