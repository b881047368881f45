// .flow/cache/lines-checked (src/store/lines-checked.ts): the identity of the flows.json
// whose lines flow wrote or checked, so that a reader of that very file skips the check of
// every line. Believed only for that identity, only inside .flow/; a forged one skips a
// check and nothing more: one-flow changes keep the other lines' bytes, a full read still
// meets a bad line.
import { mkdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FlowError } from '../../src/domain/errors.js';
import { identityOf, SETTLE_NS } from '../../src/store/identity.js';
import { linesChecked, LINES_CHECKED_FILE, noteLinesChecked } from '../../src/store/lines-checked.js';
import { Store } from '../../src/store/store.js';
import { flowSync, tempDir, waitFor } from '../helpers.js';

const identity = (dir: string) => identityOf(statSync(join(dir, 'flows.json'), { bigint: true }));

describe('the lines-checked note', () => {
  it('is written by every save, for the file it wrote, and believed for that file only', async () => {
    const dir = tempDir('flow-lines-checked-');
    expect(flowSync(dir, ['add', 'flow', 'One']).code).toBe(0);
    expect(readFileSync(join(dir, LINES_CHECKED_FILE), 'utf8')).toBe(`${identity(dir)}\n`);
    expect(linesChecked(dir, identity(dir))).toBe(true);
    expect(flowSync(dir, ['add', 'flow', 'Two']).code).toBe(0);
    expect(linesChecked(dir, identity(dir))).toBe(true);
    // An outside write makes another file: the note is not of it.
    writeFileSync(join(dir, 'flows.json'), readFileSync(join(dir, 'flows.json')));
    expect(linesChecked(dir, identity(dir))).toBe(false);
    noteLinesChecked(dir, 'another');
    expect(linesChecked(dir, identity(dir))).toBe(false);
  });

  it('is written by a reader that checked the lines of a settled file in layout, and not for another layout', async () => {
    const dir = tempDir('flow-lines-checked-read-');
    expect(flowSync(dir, ['add', 'flow', 'One']).code).toBe(0);
    const file = join(dir, 'flows.json');
    const settle = () => waitFor(() => Date.now() - Math.max(statSync(file).ctimeMs, statSync(file).mtimeMs) > Number(SETTLE_NS / 1_000_000n) + 5, { what: 'flows.json to settle' });
    // The same bytes, written by another program: a new file, checked by the next reader.
    writeFileSync(file, readFileSync(file));
    await settle();
    expect(linesChecked(dir, identity(dir))).toBe(false);
    expect(flowSync(dir, ['list', 'flow']).code).toBe(0);
    expect(linesChecked(dir, identity(dir))).toBe(true);
    // Hand-formatted JSON is read whole: nothing to note.
    writeFileSync(file, JSON.stringify(JSON.parse(readFileSync(file, 'utf8')), null, 4));
    await settle();
    expect(flowSync(dir, ['list', 'flow']).code).toBe(0);
    expect(linesChecked(dir, identity(dir))).toBe(false);
  });

  it('is neither read nor written through a link that leads out of .flow/', () => {
    const dir = tempDir('flow-lines-checked-link-');
    expect(flowSync(dir, ['add', 'flow', 'One']).code).toBe(0);
    const outside = join(tempDir('flow-lines-checked-outside-'), 'note');
    writeFileSync(outside, `${identity(dir)}\n`);
    const note = join(dir, LINES_CHECKED_FILE);
    rmSync(note);
    symlinkSync(outside, note);
    expect(linesChecked(dir, identity(dir))).toBe(false);
    expect(flowSync(dir, ['add', 'flow', 'Two']).code).toBe(0);
    expect(readFileSync(outside, 'utf8')).not.toBe(`${identity(dir)}\n`);
  });

  it('forged for a file with a stray line: a one-flow change keeps that line as it was, and a full read still meets it', async () => {
    const dir = tempDir('flow-lines-checked-forged-');
    mkdirSync(dir, { recursive: true });
    for (const name of ['One', 'Two', 'Three']) expect(flowSync(dir, ['add', 'flow', name]).code).toBe(0);
    const file = join(dir, 'flows.json');
    const lines = readFileSync(file, 'utf8').split('\n');
    const second = lines.findIndex((l) => l.includes('"name":"Two"'));
    // A line that is no flow line, in the middle of the block (JSON no longer parses).
    lines.splice(second, 0, '    stray bytes,');
    writeFileSync(file, lines.join('\n'));
    noteLinesChecked(dir, identity(dir));
    // Believed only for a file that has settled (changed longer than the racy margin ago).
    const changed = () => Math.max(statSync(file).ctimeMs, statSync(file).mtimeMs);
    await waitFor(() => Date.now() - changed() > Number(SETTLE_NS / 1_000_000n) + 5, { what: 'flows.json to settle' });
    const store = new Store(dir);
    const firstId = JSON.parse(`{${lines.find((l) => l.includes('"name":"One"'))!.replace(/,$/, '')}}`);
    const id = Object.keys(firstId)[0];
    await store.transact((tx) => {
      tx.flow(id)!.name = 'One, renamed';
    });
    const after = readFileSync(file, 'utf8');
    expect(after).toContain('One, renamed');
    expect(after).toContain('    stray bytes,');
    // A full read checks every line it reads, whatever the note says.
    await expect(new Store(dir).readAll()).rejects.toBeInstanceOf(FlowError);
  });
});
