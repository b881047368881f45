// .flow/cache/last-write (src/store/last-write.ts): the identity of the flows.json flow's
// last save wrote, so that a reader of that very file skips the check of every line.
// Believed only for that identity, only inside .flow/; a forged one skips a check and
// nothing more: one-flow changes keep the other lines' bytes, a full read still meets a
// bad line.
import { mkdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FlowError } from '../../src/domain/errors.js';
import { identityOf, SETTLE_NS } from '../../src/store/identity.js';
import { isLastWrite, LAST_WRITE_FILE, recordLastWrite } from '../../src/store/last-write.js';
import { Store } from '../../src/store/store.js';
import { flowSync, tempDir, waitFor } from '../helpers.js';

const identity = (dir: string) => identityOf(statSync(join(dir, 'flows.json'), { bigint: true }));

describe('the last-write note', () => {
  it('is written by every save, for the file it wrote, and believed for that file only', async () => {
    const dir = tempDir('flow-last-write-');
    expect(flowSync(dir, ['add', 'flow', 'One']).code).toBe(0);
    expect(readFileSync(join(dir, LAST_WRITE_FILE), 'utf8')).toBe(`${identity(dir)}\n`);
    expect(isLastWrite(dir, identity(dir))).toBe(true);
    expect(flowSync(dir, ['add', 'flow', 'Two']).code).toBe(0);
    expect(isLastWrite(dir, identity(dir))).toBe(true);
    // An outside write makes another file: the note is not of it.
    writeFileSync(join(dir, 'flows.json'), readFileSync(join(dir, 'flows.json')));
    expect(isLastWrite(dir, identity(dir))).toBe(false);
    recordLastWrite(dir, 'another');
    expect(isLastWrite(dir, identity(dir))).toBe(false);
  });

  it('is neither read nor written through a link that leads out of .flow/', () => {
    const dir = tempDir('flow-last-write-link-');
    expect(flowSync(dir, ['add', 'flow', 'One']).code).toBe(0);
    const outside = join(tempDir('flow-last-write-outside-'), 'note');
    writeFileSync(outside, `${identity(dir)}\n`);
    const note = join(dir, LAST_WRITE_FILE);
    rmSync(note);
    symlinkSync(outside, note);
    expect(isLastWrite(dir, identity(dir))).toBe(false);
    expect(flowSync(dir, ['add', 'flow', 'Two']).code).toBe(0);
    expect(readFileSync(outside, 'utf8')).not.toBe(`${identity(dir)}\n`);
  });

  it('forged for a file with a stray line: a one-flow change keeps that line as it was, and a full read still meets it', async () => {
    const dir = tempDir('flow-last-write-forged-');
    mkdirSync(dir, { recursive: true });
    for (const name of ['One', 'Two', 'Three']) expect(flowSync(dir, ['add', 'flow', name]).code).toBe(0);
    const file = join(dir, 'flows.json');
    const lines = readFileSync(file, 'utf8').split('\n');
    const second = lines.findIndex((l) => l.includes('"name":"Two"'));
    // A line that is no flow line, in the middle of the block (JSON no longer parses).
    lines.splice(second, 0, '    stray bytes,');
    writeFileSync(file, lines.join('\n'));
    recordLastWrite(dir, identity(dir));
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
