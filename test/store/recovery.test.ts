// What is and is not quarantined: a file being written in place is waited for, valid
// JSON the layout reader cannot follow is read whole, and revisions keep going up.
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { acquireLock } from '../../src/store/lock.js';
import { Store } from '../../src/store/store.js';
import { flowSync, json, readStore, tempDir } from '../helpers.js';

function quarantined(dir: string): string[] {
  return readdirSync(dir).filter((n) => n.startsWith('flows.json.corrupt.'));
}

describe('not quarantined', () => {
  it('a file truncated and then written in place by another tool is waited for', async () => {
    const dir = tempDir();
    flowSync(dir, ['add', 'flow', 'Before']);
    const doc = readStore(dir);
    doc.flows[Object.keys(doc.flows)[0]].name = 'Written in place';
    const text = JSON.stringify(doc, null, 2);
    // Truncate now, write the rest 500 ms later, as a slow editor would.
    const writer = spawn(process.execPath, [
      '-e',
      `const fs=require('fs');const fd=fs.openSync(${JSON.stringify(join(dir, 'flows.json'))},'w');` +
        `setTimeout(()=>{fs.writeSync(fd,${JSON.stringify(text)});fs.closeSync(fd);},500);` +
        `process.stdout.write('truncated\\n');`,
    ]);
    await new Promise<void>((resolve) => writer.stdout.once('data', () => resolve()));
    const list = flowSync(dir, ['list', 'flow', '--json'], { env: { FLOW_SETTLE_MS: '2000' } });
    expect(list.code, list.stderr).toBe(0);
    expect(JSON.parse(list.stdout)[0].name).toBe('Written in place');
    expect(quarantined(dir)).toEqual([]);
  });

  it('valid JSON that looks like flow’s layout but is not (two flows on a line) is read whole', async () => {
    const dir = tempDir();
    flowSync(dir, ['add', 'flow', 'One']);
    flowSync(dir, ['add', 'flow', 'Two']);
    const lines = (await import('node:fs')).readFileSync(join(dir, 'flows.json'), 'utf8').split('\n');
    const at = lines.findIndex((l) => l.startsWith('    "flow_'));
    lines.splice(at, 2, `${lines[at]} ${lines[at + 1].trimStart()}`);
    writeFileSync(join(dir, 'flows.json'), lines.join('\n'));
    expect(() => JSON.parse(lines.join('\n'))).not.toThrow();
    const list = flowSync(dir, ['list', 'flow', '--json']);
    expect(list.code, list.stderr).toBe(0);
    expect(JSON.parse(list.stdout).map((f: { name: string }) => f.name)).toEqual(['One', 'Two']);
    expect(quarantined(dir)).toEqual([]);
    // The next save puts it back in flow's layout.
    expect(flowSync(dir, ['add', 'flow', 'Three']).code).toBe(0);
    expect(Object.keys(readStore(dir).flows)).toHaveLength(3);
  });
});

describe('after a recovery', () => {
  it('revisions keep going up past every revision the undo logs saw, even from an empty file', () => {
    const dir = tempDir();
    for (let i = 0; i < 5; i++) flowSync(dir, ['add', 'flow', `F${i}`]);
    expect(readStore(dir).meta.file_revision).toBe(5);
    writeFileSync(join(dir, 'flows.json'), '');
    expect(flowSync(dir, ['list', 'flow']).code).toBe(5);
    expect(readStore(dir).meta.file_revision).toBe(6);
    expect(json(flowSync(dir, ['add', 'flow', 'After', '--json'])).name).toBe('After');
    expect(readStore(dir).meta.file_revision).toBe(7);
  });
});

describe('the lock', () => {
  it('a holder that lost its lock does not remove the new holder’s lock when it releases', async () => {
    const dir = tempDir();
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'flows.json');
    const first = await acquireLock(file);
    // Someone takes it over (as after a stale period): a new lock directory.
    const { rmdirSync } = await import('node:fs');
    rmdirSync(`${file}.lock`);
    mkdirSync(`${file}.lock`);
    expect(() => first.assertHeld()).toThrow(/took the lock over|removed/);
    await first.release();
    expect(readdirSync(dir)).toContain('flows.json.lock');
  });
});

describe('store reads', () => {
  it('a store read whole once stays readable by the library too', async () => {
    const dir = tempDir();
    flowSync(dir, ['add', 'flow', 'Lib']);
    const doc = readStore(dir);
    writeFileSync(join(dir, 'flows.json'), JSON.stringify(doc));
    const { flows } = await new Store(dir).readAll();
    expect(flows.map((f) => f.name)).toEqual(['Lib']);
  });
});
