// The git repository a data directory lives in, as flow sync sees it: where .flow/ is
// inside the work tree, the branch, and the remote branch it syncs with.
import { existsSync, realpathSync } from 'node:fs';
import { relative, sep } from 'node:path';
import { FlowError } from '../domain/errors.js';
import { Git } from './git.js';

export interface Repo {
  git: Git;
  /** The repository's git folder (absolute). */
  gitDir: string;
  /** The data directory relative to the work tree's top, with `/` ('' when it is the top). */
  rel: string;
  /** flows.json as a path in the repository. */
  storePath: string;
  branch: string;
  remote: string;
  remoteBranch: string;
  /** The remote-tracking ref fetch updates: refs/remotes/<remote>/<branch>. */
  tracking: string;
  /** The branch already has an upstream configured. */
  hasUpstream: boolean;
  /** The merge driver's command in the repository's config, if any. */
  driver: string | undefined;
}

/** Pathspec for everything under the data directory. */
export function flowPathspec(repo: Repo): string {
  return repo.rel === '' ? '.' : repo.rel;
}

/** Finds the repository and its remote, or says plainly why sync cannot run. */
export async function openRepo(dir: string): Promise<Repo> {
  if (!existsSync(dir)) throw new FlowError('not_found', `there is no data directory at ${dir} yet: nothing to sync`);
  const top = await new Git(dir).run(['rev-parse', '--show-toplevel', '--absolute-git-dir']);
  if (top.code !== 0) {
    throw new FlowError(
      'failed',
      `${dir} is not inside a git repository: flow sync shares .flow/ through the project's repository ` +
        '(git init and git remote add origin URL, or git clone one)',
    );
  }
  const [root, gitDir] = top.stdout.toString('utf8').trim().split('\n');
  const rel = relative(realpathSync(root), realpathSync(dir)).split(sep).join('/');
  if (rel.startsWith('..')) throw new FlowError('failed', `${dir} is outside the work tree of ${root}`);
  const git = new Git(root);
  const head = await git.run(['symbolic-ref', '--quiet', 'HEAD']);
  if (head.code !== 0) throw new FlowError('failed', 'HEAD is detached: check out a branch to sync it');
  const branch = head.stdout.toString('utf8').trim().replace(/^refs\/heads\//, '');
  // Branches, remotes and the driver, in one read of git's config.
  const config = new Map<string, string>();
  const listed = await git.run(['config', '-z', '--get-regexp', '^(branch|remote)\\.|^merge\\.flow\\.driver$']);
  for (const entry of listed.stdout.toString('utf8').split('\0')) {
    const newline = entry.indexOf('\n');
    if (newline > 0) config.set(entry.slice(0, newline), entry.slice(newline + 1));
  }
  const remotes = [...config.keys()].filter((key) => key.startsWith('remote.') && key.endsWith('.url')).map((key) => key.slice(7, -4));
  const upstreamRemote = config.get(`branch.${branch}.remote`);
  const upstreamMerge = config.get(`branch.${branch}.merge`);
  const remote = upstreamRemote && remotes.includes(upstreamRemote) ? upstreamRemote : remotes.includes('origin') ? 'origin' : remotes[0];
  if (!remote) {
    throw new FlowError('failed', 'this repository has no remote to sync with: add one (git remote add origin URL) and run flow sync again');
  }
  const hasUpstream = remote === upstreamRemote && upstreamMerge !== undefined;
  const remoteBranch = hasUpstream && upstreamMerge ? upstreamMerge.replace(/^refs\/heads\//, '') : branch;
  return {
    git,
    gitDir,
    rel,
    storePath: rel === '' ? 'flows.json' : `${rel}/flows.json`,
    branch,
    remote,
    remoteBranch,
    tracking: `refs/remotes/${remote}/${remoteBranch}`,
    hasUpstream,
    driver: config.get('merge.flow.driver'),
  };
}

/**
 * Commits only here (ahead) and only on the remote branch (behind), as of the last
 * fetch; null for `ahead` when the branch has no commit yet.
 */
export async function divergence(repo: Repo): Promise<{ ahead: number | null; behind: number }> {
  const counted = await repo.git.run(['rev-list', '--left-right', '--count', '--end-of-options', `HEAD...${repo.tracking}`]);
  if (counted.code !== 0) return { ahead: null, behind: 1 };
  const [ahead, behind] = counted.stdout.toString('utf8').trim().split(/\s+/).map(Number);
  return { ahead, behind };
}

/** Fetches the remote branch into its tracking ref; false when the remote does not have it yet. */
export async function fetchRemote(repo: Repo): Promise<boolean> {
  const result = await repo.git.run([
    'fetch',
    '--quiet',
    '--no-tags',
    '--end-of-options',
    repo.remote,
    `+refs/heads/${repo.remoteBranch}:${repo.tracking}`,
  ]);
  if (result.code === 0) return true;
  if (/couldn't find remote ref/i.test(result.stderr)) return false;
  throw new FlowError('failed', `git fetch from ${repo.remote} failed: ${result.stderr}`);
}
