// The person's editor and opener, one rule for the TUI and `flow open doc`: a setting with
// arguments works ("code -w"), and the file reaches the program as one argument, whatever
// its name holds.
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { editorCommand, openerCommand, runOnFile } from '../../src/app/external-program.js';
import { tempDir } from '../helpers.js';

describe('external programs', () => {
  it('$VISUAL, else $EDITOR, else vi; xdg-open for what is not text', () => {
    expect(editorCommand({ VISUAL: ' code -w ', EDITOR: 'nano' })).toBe('code -w');
    expect(editorCommand({ VISUAL: ' ', EDITOR: 'nano' })).toBe('nano');
    expect(editorCommand({})).toBe('vi');
    expect(openerCommand(true, { EDITOR: 'nano' })).toBe('nano');
    expect(openerCommand(false, { EDITOR: 'nano' })).toBe('xdg-open');
  });

  it('runs a setting with arguments on the file, passed as one argument and never as shell text', () => {
    const dir = tempDir('flow-external-');
    const editor = join(dir, 'editor.sh');
    const out = join(dir, 'args.txt');
    writeFileSync(editor, '#!/bin/sh\nfor a in "$@"; do printf "%s\\n" "$a"; done > "$OUT"\n');
    chmodSync(editor, 0o755);
    const file = join(dir, 'a note $(touch "$OUT.pwned") `x`;.md');
    writeFileSync(file, 'text');
    const env = { ...process.env, OUT: out, VISUAL: `${editor} -w` };
    expect(runOnFile(editorCommand(env), file, env)).toBeNull();
    expect(readFileSync(out, 'utf8')).toBe(`-w\n${file}\n`);
    expect(() => readFileSync(`${out}.pwned`)).toThrow();
  });

  it('says why a program failed', () => {
    const env = { ...process.env };
    expect(runOnFile('false', '/dev/null', env)).toBe('false exited with 1');
    expect(runOnFile('/nonexistent/editor', '/dev/null', env)).toMatch(/exited with 127/);
  });
});
