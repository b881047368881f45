// Real git for sync tests: a bare repository on local disk and clones of it, each with
// its own .flow/, driven through the built `flow` binary.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { flow, flowSync, tempDir, type RunResult } from '../helpers.js';

export const HAS_GIT = spawnSync('git', ['--version']).status === 0;

/** The environment of every git and flow run: a private HOME, a fixed identity. */
export function gitEnv(home: string): NodeJS.ProcessEnv {
  return {
    HOME: home,
    XDG_CONFIG_HOME: join(home, '.config'),
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_AUTHOR_NAME: 'flow test',
    GIT_AUTHOR_EMAIL: 'test@flow.invalid',
    GIT_COMMITTER_NAME: 'flow test',
    GIT_COMMITTER_EMAIL: 'test@flow.invalid',
  };
}

export class Clone {
  constructor(
    readonly path: string,
    readonly env: NodeJS.ProcessEnv,
  ) {}

  get dir(): string {
    return join(this.path, '.flow');
  }

  git(...args: string[]): { code: number | null; stdout: string; stderr: string } {
    const result = spawnSync('git', args, { cwd: this.path, encoding: 'utf8', env: { ...process.env, ...this.env } });
    return { code: result.status, stdout: result.stdout, stderr: result.stderr };
  }

  flow(...args: string[]): RunResult {
    return flowSync(this.dir, args, { cwd: this.path, env: this.env });
  }

  flowAsync(...args: string[]): Promise<RunResult> {
    return flow(this.dir, args, { cwd: this.path, env: this.env });
  }

  /** `flow … --json`, failing loudly unless it exits 0. */
  json<T = any>(...args: string[]): T {
    const result = this.flow(...args, '--json');
    if (result.code !== 0) throw new Error(`flow ${args.join(' ')} exited ${result.code}: ${result.stderr}`);
    return JSON.parse(result.stdout) as T;
  }

  store(): Buffer {
    return readFileSync(join(this.dir, 'flows.json'));
  }
}

/** A bare repository and a way to clone it. */
export function remoteRepository(): { remote: string; clone(name: string): Clone } {
  const root = tempDir('flow-sync-');
  const home = join(root, 'home');
  mkdirSync(home);
  const env = gitEnv(home);
  const remote = join(root, 'remote.git');
  const run = (cwd: string, ...args: string[]) => {
    const result = spawnSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, ...env } });
    if (result.status !== 0) throw new Error(`git ${args.join(' ')}: ${result.stderr}`);
  };
  run(root, 'init', '-q', '--bare', '-b', 'main', remote);
  return {
    remote,
    clone(name: string) {
      run(root, 'clone', '-q', remote, name);
      run(join(root, name), 'checkout', '-q', '-B', 'main');
      return new Clone(join(root, name), env);
    },
  };
}
