// y: an id to the clipboard. The system's clipboard tool when there is one (pbcopy,
// wl-copy, xclip, xsel, or tmux's paste buffer inside tmux); the terminal's OSC 52 only
// when the person turned it on (clipboard.osc52), since it lets a program set the
// clipboard without asking.
import { spawnSync } from 'node:child_process';

interface Tool {
  name: string;
  command: string;
  args: string[];
  when(env: NodeJS.ProcessEnv): boolean;
}

const TOOLS: readonly Tool[] = [
  { name: 'pbcopy', command: 'pbcopy', args: [], when: () => process.platform === 'darwin' },
  { name: 'wl-copy', command: 'wl-copy', args: [], when: (env) => !!env.WAYLAND_DISPLAY },
  { name: 'xclip', command: 'xclip', args: ['-selection', 'clipboard'], when: (env) => !!env.DISPLAY },
  { name: 'xsel', command: 'xsel', args: ['--clipboard', '--input'], when: (env) => !!env.DISPLAY },
  { name: 'the tmux buffer', command: 'tmux', args: ['load-buffer', '-'], when: (env) => !!env.TMUX },
];

export function osc52(text: string): string {
  return `\u001b]52;c;${Buffer.from(text).toString('base64')}\u0007`;
}

/** Copies `text`; returns where it went, or undefined when nowhere. */
export function copyText(text: string, options: { osc52: boolean; write(data: string): void; env?: NodeJS.ProcessEnv }): string | undefined {
  const env = options.env ?? process.env;
  const places: string[] = [];
  for (const tool of TOOLS) {
    if (!tool.when(env)) continue;
    const result = spawnSync(tool.command, tool.args, { input: text, stdio: ['pipe', 'ignore', 'ignore'], timeout: 1000, env });
    if (result.status === 0) {
      places.push(tool.name);
      break;
    }
  }
  if (options.osc52) {
    options.write(osc52(text));
    places.push('the terminal (OSC 52)');
  }
  return places.length ? places.join(' and ') : undefined;
}
