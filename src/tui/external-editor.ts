// E: notes or a summary in the person's own editor ($VISUAL, else $EDITOR, else vi), as
// `git commit` does: the workspace gives the terminal away, waits, and reads the file
// back. The editor is the person's own setting, never anything from .flow/.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function editorCommand(env: NodeJS.ProcessEnv = process.env): string {
  return env.VISUAL?.trim() || env.EDITOR?.trim() || 'vi';
}

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
    const editor = editorCommand(env);
    // Through the shell, as git runs it: the setting may carry arguments ("code -w").
    const result = suspend(() => spawnSync('/bin/sh', ['-c', `${editor} "$1"`, 'flow-editor', file], { stdio: 'inherit', env }));
    if (result.error) return { ok: false, error: `could not run ${editor}: ${result.error.message}` };
    if (result.status !== 0) return { ok: false, error: `${editor} exited with ${result.status ?? result.signal}; nothing was changed` };
    let edited = readFileSync(file, 'utf8').replace(/\r\n?/g, '\n');
    if (!text.endsWith('\n') && edited.endsWith('\n')) edited = edited.slice(0, -1);
    return { ok: true, text: edited };
  } catch (err) {
    return { ok: false, error: (err as Error).message };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
