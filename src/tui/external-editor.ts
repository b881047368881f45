// E: notes or a summary in the person's own editor, as `git commit` does: the workspace
// gives the terminal away, waits, and reads the file back; Enter on a document opens it
// as `flow open doc` does (app/external-program.ts has the one rule for both).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { editorCommand, openerCommand, runOnFile } from '../app/external-program.js';

export type EditResult = { ok: true; text: string } | { ok: false; error: string };

/**
 * Writes `text` to a temp file, runs the editor on it inside `suspend` (which hands the
 * terminal over), and returns what the file holds afterwards. A final newline the editor
 * added is taken off again, so saving unchanged text changes nothing.
 */
export function editExternally(text: string, name: string, suspend: <T>(run: () => T) => T, env = process.env): EditResult {
  const dir = mkdtempSync(join(tmpdir(), 'flow-edit-'));
  const file = join(dir, `${name.replace(/[^\w.-]+/g, '_')}.md`);
  try {
    writeFileSync(file, text);
    const failed = suspend(() => runOnFile(editorCommand(env), file, env));
    if (failed) return { ok: false, error: `${failed}; nothing was changed` };
    let edited = readFileSync(file, 'utf8').replace(/\r\n?/g, '\n');
    if (!text.endsWith('\n') && edited.endsWith('\n')) edited = edited.slice(0, -1);
    return { ok: true, text: edited };
  } catch (err) {
    return { ok: false, error: (err as Error).message };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Opens a file as `flow open doc` does: text in the person's editor, anything else with
 * xdg-open; the terminal is handed over meanwhile. Returns why it failed, or null.
 */
export function openExternally(path: string, textual: boolean, suspend: <T>(run: () => T) => T, env = process.env): string | null {
  return suspend(() => runOnFile(openerCommand(textual, env), path, env));
}
