// The person's own programs that flow hands the terminal to: their editor ($VISUAL, else
// $EDITOR, else vi, as git does) for text, xdg-open for anything else. One rule for the
// TUI and `flow open doc`. The command is the person's setting, never anything from
// .flow/; it runs through the shell, as git runs it, so a setting may carry arguments
// ("code -w"), and the file is passed as "$1", never spliced into the command text.
import { childProcess } from '../node-modules.js';

export function editorCommand(env: NodeJS.ProcessEnv = process.env): string {
  return env.VISUAL?.trim() || env.EDITOR?.trim() || 'vi';
}

/** What opens a file: the editor for text, else xdg-open. */
export function openerCommand(textual: boolean, env: NodeJS.ProcessEnv = process.env): string {
  return textual ? editorCommand(env) : 'xdg-open';
}

/** Runs `command` on `file` with the terminal handed over; why it failed, or null. */
export function runOnFile(command: string, file: string, env: NodeJS.ProcessEnv = process.env): string | null {
  const result = childProcess().spawnSync('/bin/sh', ['-c', `${command} "$1"`, 'flow', file], { stdio: 'inherit', env });
  if (result.error) return `could not run ${command}: ${result.error.message}`;
  return result.status === 0 ? null : `${command} exited with ${result.status ?? result.signal}`;
}
