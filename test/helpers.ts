// Shared test helpers: temp data dirs, the built `flow` binary as a real process, and
// waiting for a condition instead of sleeping.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll } from 'vitest';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const FLOW_BIN = join(ROOT, 'bin', 'flow.js');

const made: string[] = [];
afterAll(() => {
  if (process.env.KEEP_TEMP) return;
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

export function tempDir(prefix = 'flow-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  input?: string;
  cwd?: string;
}

function childEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  // The tests' own environment must not leak into the program under test.
  delete env.FLOW_DIR;
  delete env.FLOW_SESSION;
  delete env.FORCE_COLOR;
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

/** Runs the built `flow` synchronously. */
export function flowSync(dir: string, args: readonly string[], options: RunOptions = {}): RunResult {
  const result = spawnSync(process.execPath, [FLOW_BIN, '--dir', dir, ...args], {
    encoding: 'utf8',
    env: childEnv(options.env),
    input: options.input ?? '',
    cwd: options.cwd,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Runs the built `flow` as a child process. */
export function flow(dir: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [FLOW_BIN, '--dir', dir, ...args], {
      env: childEnv(options.env),
      cwd: options.cwd,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
}

/** Parses the JSON a `--json` command printed, failing loudly with its stderr. */
export function json<T = any>(result: RunResult): T {
  if (result.code !== 0) throw new Error(`flow exited ${result.code}: ${result.stderr}`);
  return JSON.parse(result.stdout) as T;
}

export function readStore(dir: string): any {
  return JSON.parse(readFileSync(join(dir, 'flows.json'), 'utf8'));
}

export async function waitFor<T>(
  check: () => T | undefined | false | Promise<T | undefined | false>,
  { timeoutMs = 5000, intervalMs = 10, what = 'condition' } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/**
 * Runs the command line in this process (src/cli/main.ts `run`) with captured output:
 * the same code path as the binary minus process start-up, for suites that check many
 * messages. Process boundaries (exit codes, real stdio) are tested with `flowSync`.
 */
export async function flowInProcess(dir: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<RunResult> {
  const { run } = await import('../src/cli/main.js');
  let stdout = '';
  let stderr = '';
  const stream = (write: (s: string) => void) => ({ isTTY: false, write: (s: string | Uint8Array) => (write(String(s)), true) });
  const io = {
    stdout: stream((s) => (stdout += s)),
    stderr: stream((s) => (stderr += s)),
    stdin: { isTTY: false },
    env: { NO_COLOR: '1', ...env },
  } as unknown as Parameters<typeof run>[1];
  const code = await run(['--dir', dir, ...args], io);
  return { code, stdout, stderr };
}
