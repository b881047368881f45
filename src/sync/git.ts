// git as a child process, never blocking the event loop (the store's lock keeps being
// refreshed while git runs). Arguments are an array, never a shell line; pathspecs are
// literal; git never asks for a password (it fails instead, and we say so).
import { FlowError } from '../domain/errors.js';
import { childProcess } from '../node-modules.js';

export interface GitResult {
  code: number;
  stdout: Buffer;
  stderr: string;
}

export class GitMissingError extends FlowError {
  constructor() {
    super('failed', 'git was not found: flow sync needs the git program (install it, e.g. apt-get install git)');
  }
}

/** False in the workspace, which holds the terminal (see keepGitOffTheTerminal). */
let mayAskOnTerminal = true;

/**
 * For the workspace: git's ssh must not ask for a passphrase or a host key on /dev/tty,
 * where its prompt would be drawn over the screen and race the workspace for keys. It
 * asks through SSH_ASKPASS instead (the person's own, else `false`, which declines), so
 * git fails with its message; `flow sync` in a shell asks as usual.
 */
export function keepGitOffTheTerminal(): void {
  mayAskOnTerminal = false;
}

export class Git {
  constructor(
    /** Where git runs: the work tree's top folder. */
    readonly cwd: string,
  ) {}

  /** Runs git; a non-zero exit is returned, not thrown. */
  run(args: readonly string[], input?: Buffer): Promise<GitResult> {
    return new Promise((resolve, reject) => {
      const child = childProcess().spawn('git', args, {
        cwd: this.cwd,
        stdio: ['pipe', 'pipe', 'pipe'],
        env: {
          ...process.env,
          GIT_LITERAL_PATHSPECS: '1',
          GIT_TERMINAL_PROMPT: '0',
          // Messages we read (push rejections) in one language.
          LC_ALL: 'C',
          ...(mayAskOnTerminal ? {} : { SSH_ASKPASS_REQUIRE: 'force', SSH_ASKPASS: process.env.SSH_ASKPASS || 'false' }),
        },
      });
      const out: Buffer[] = [];
      let err = '';
      child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
      child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
      child.on('error', (error: NodeJS.ErrnoException) => reject(error.code === 'ENOENT' ? new GitMissingError() : error));
      child.on('close', (code) => resolve({ code: code ?? 1, stdout: Buffer.concat(out), stderr: err.trim() }));
      child.stdin.end(input);
    });
  }

  /** Runs git and returns its output as text; a non-zero exit throws with git's message. */
  async text(args: readonly string[], what = `git ${args[0]}`): Promise<string> {
    const result = await this.run(args);
    if (result.code !== 0) throw new FlowError('failed', `${what} failed: ${result.stderr || `exit ${result.code}`}`);
    return result.stdout.toString('utf8').trim();
  }

  /** True when git exits 0 (a question git answers with its exit code). */
  async test(args: readonly string[]): Promise<boolean> {
    return (await this.run(args)).code === 0;
  }

  /** A file at a revision (`:2:path`, `HEAD:path`), or undefined when it has none there. */
  async show(spec: string): Promise<Buffer | undefined> {
    const result = await this.run(['cat-file', 'blob', '--end-of-options', spec]);
    return result.code === 0 ? result.stdout : undefined;
  }
}
