// Starting a writer process (writer.mjs) and following what it acknowledges, for the
// concurrency tests and the stress loops.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// Next to this file, or (bundled into dist/ for npm run stress) in test/workers/.
const WRITER = [new URL('./writer.mjs', import.meta.url), new URL('../test/workers/writer.mjs', import.meta.url)]
  .map((url) => fileURLToPath(url))
  .find((path) => existsSync(path)) as string;

export interface Worker {
  child: ChildProcess;
  /** Lines printed so far ("ready", "ack <revision> [id]", …). */
  lines: string[];
  exited: Promise<number | null>;
}

export function startWorker(dir: string, mode: string, arg = '', env: NodeJS.ProcessEnv = {}): Worker {
  const child = spawn(process.execPath, [WRITER, dir, mode, arg], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let buffer = '';
  child.stdout?.on('data', (chunk) => {
    buffer += chunk;
    const parts = buffer.split('\n');
    buffer = parts.pop() ?? '';
    lines.push(...parts);
  });
  let stderr = '';
  child.stderr?.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) =>
    child.on('close', (code) => {
      if (code && code !== 0) process.stderr.write(`worker ${mode} exited ${code}: ${stderr}\n`);
      resolve(code);
    }),
  );
  return { child, lines, exited };
}
