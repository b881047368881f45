// `flow sync` (issue 16 item 3): commit the shared files of .flow/, merge the remote's
// (flows.json by id, through the merge driver), push; when someone pushed in between,
// fetch and merge again. Only paths inside .flow/ are ever committed.
//
// git rewrites flows.json in place when it merges; the store's lock is held from the
// commit to the end of the merge, so no writer's change lands in between and is lost.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FlowError } from '../domain/errors.js';
import { oneLine } from '../domain/sanitize.js';
import { now } from '../domain/time.js';
import { writeFileAtomic } from '../store/atomic-write.js';
import { acquireLock } from '../store/lock.js';
import type { Store } from '../store/store.js';
import { findConflicts, type ConflictEntry } from './conflicts.js';
import { mergeFiles } from './merge.js';
import { divergence, fetchRemote, flowPathspec, openRepo, type Repo } from './repo.js';
import { ensureShareFiles, registerDriver } from './setup.js';
import { MergeRefusedError, revisionIn } from './side.js';

export interface SyncOptions {
  store: Store;
  session: string;
  /** The merge driver's command line for git config (setup.ts driverCommand). */
  driver: string;
  /** Push attempts before giving up when others keep pushing first. */
  attempts?: number;
  /** Told each step as it starts (the TUI shows it while sync runs). */
  onStep?: (step: string) => void;
}

export type MergeKind = 'none' | 'fast-forward' | 'merge';

export interface SyncReport {
  /** The revision committed, or null when .flow/ had no change to commit. */
  committed: number | null;
  merged: MergeKind;
  pushed: boolean;
  /** Push attempts made (more than one: someone pushed in between). */
  attempts: number;
  remote: string;
  /** What sync set up on first use: files it wrote, the driver it registered. */
  setUp: string[];
  /** Changed files outside .flow/, left alone. */
  outside: string[];
  /** Conflicts recorded in flows.json after the sync (older ones included). */
  conflicts: ConflictEntry[];
}

const EMPTY = Buffer.alloc(0);

export async function sync(options: SyncOptions): Promise<SyncReport> {
  const { store } = options;
  const repo = await openRepo(store.dir);
  // One sync at a time in a clone: two would trip over each other's git index.
  const turn = await acquireLock(join(store.dir, 'sync'), { timeoutMs: 120_000 });
  try {
    const setUp = ensureShareFiles(store.dir);
    if (await registerDriver(repo.git, options.driver, repo.driver)) setUp.push('merge driver in .git/config');
    await refuseIgnoredStore(repo);
    await refuseMergeInProgress(repo);
    // Reading first also upgrades an older format or moves a corrupt file aside, so only
    // a good store is ever committed.
    await store.read();
    const outside = await changesOutside(repo);
    const attempts = options.attempts ?? 10;
    let committed: number | null = null;
    let merged: MergeKind = 'none';
    const remote = `${repo.remote}/${repo.remoteBranch}`;
    const step = options.onStep ?? (() => undefined);
    for (let attempt = 1; ; attempt++) {
      step(attempt === 1 ? `fetching ${remote}` : `${remote} changed meanwhile: fetching again (attempt ${attempt})`);
      const remoteExists = await fetchRemote(repo);
      const lock = await acquireLock(store.file);
      let ahead: number | null;
      try {
        committed = (await commitShared(repo, store, options.session)) ?? committed;
        const state = remoteExists ? await divergence(repo) : { ahead: await commitCount(repo), behind: 0 };
        ahead = state.ahead;
        if (state.behind > 0) {
          step(`merging ${remote}`);
          merged = await mergeRemote(repo, store, ahead === null || ahead === 0);
          if (merged === 'merge') ahead = (ahead ?? 0) + 1;
        }
      } finally {
        await lock.release();
      }
      if (ahead) step(`pushing to ${remote}`);
      const pushed = ahead ? await push(repo) : 'nothing';
      if (pushed !== 'rejected') {
        const conflicts = findConflicts(await store.read());
        return { committed, merged, pushed: pushed === 'pushed', attempts: attempt, remote, setUp, outside, conflicts };
      }
      if (attempt >= attempts) {
        throw new FlowError('busy', `others kept pushing to ${remote} first (${attempt} attempts); run flow sync again`);
      }
      // Someone pushed in between: back off a little (jittered) and merge theirs too.
      await new Promise((resolve) => setTimeout(resolve, 20 + Math.random() * 40 * attempt));
    }
  } finally {
    await turn.release();
  }
}

async function refuseIgnoredStore(repo: Repo): Promise<void> {
  if (await repo.git.test(['check-ignore', '-q', '--', repo.storePath])) {
    throw new FlowError(
      'failed',
      `${repo.storePath} is ignored by the repository's .gitignore (a rule such as ".flow/"): remove that rule so .flow/.gitignore decides what is shared`,
    );
  }
}

async function refuseMergeInProgress(repo: Repo): Promise<void> {
  if (existsSync(join(repo.gitDir, 'MERGE_HEAD'))) {
    throw new FlowError('failed', 'a git merge is in progress: finish it (flow resolve, git add, git commit) or undo it (git merge --abort), then sync');
  }
}

/** Commits on the branch (before it was ever pushed): null when it has none yet. */
async function commitCount(repo: Repo): Promise<number | null> {
  const counted = await repo.git.run(['rev-list', '--count', 'HEAD']);
  return counted.code === 0 ? Number(counted.stdout.toString('utf8').trim()) : null;
}

/** Paths outside .flow/ with uncommitted changes, new files included (sync leaves them alone). */
async function changesOutside(repo: Repo): Promise<string[]> {
  const status = await repo.git.run(['status', '--porcelain', '-z']);
  const entries = status.stdout.toString('utf8').split('\0');
  const paths: string[] = [];
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i];
    if (entry.length < 4) continue;
    paths.push(entry.slice(3));
    // A rename or copy is followed by the path it came from.
    if (entry[0] === 'R' || entry[0] === 'C') i++;
  }
  const prefix = `${repo.rel}/`;
  return repo.rel === '' ? [] : paths.filter((path) => !path.startsWith(prefix));
}

/** Commits the shared files of .flow/ (nothing else); returns the revision, or null. */
async function commitShared(repo: Repo, store: Store, session: string): Promise<number | null> {
  const spec = flowPathspec(repo);
  const status = await repo.git.run(['status', '--porcelain', '-z', '--', spec]);
  if (status.code === 0 && status.stdout.length === 0) return null;
  await repo.git.text(['add', '-A', '--', spec], 'staging .flow/');
  if (await repo.git.test(['diff', '--cached', '--quiet', '--', spec])) return null;
  const revision = existsSync(store.file) ? revisionIn(readFileSync(store.file)) : 0;
  const message = `flow sync: session ${oneLine(session)} at revision ${revision}`;
  await repo.git.text(['commit', '--quiet', '-m', message, '--', spec], 'committing .flow/');
  return revision;
}

/**
 * Merges the remote branch (under the store's lock). flows.json merges by id through the
 * driver; when git leaves it unmerged (conflicts recorded, or a clone where the driver
 * could not run) it is merged here from git's three stages, and the merge is committed
 * with the conflicts recorded in the file. Anything else unmerged undoes the merge.
 */
async function mergeRemote(repo: Repo, store: Store, fastForward: boolean): Promise<MergeKind> {
  const { git } = repo;
  const message = `flow sync: merge ${repo.remote}/${repo.remoteBranch}`;
  // --ff: a merge commit when a fast-forward is not possible, whatever merge.ff says.
  const result = await git.run(['merge', '--ff', '--no-edit', '--allow-unrelated-histories', '-m', message, '--end-of-options', repo.tracking]);
  if (result.code === 0) return fastForward ? 'fast-forward' : 'merge';
  const unmerged = (await git.run(['diff', '--name-only', '--diff-filter=U', '-z'])).stdout.toString('utf8').split('\0').filter(Boolean);
  const abort = async (why: string) => {
    await git.run(['merge', '--abort']);
    throw new FlowError('failed', `${why}; the merge was undone, nothing was changed`);
  };
  if (!unmerged.length) {
    if (existsSync(join(repo.gitDir, 'MERGE_HEAD'))) await abort(`git merge failed: ${result.stderr}`);
    throw new FlowError('failed', `git merge failed: ${result.stderr}`);
  }
  const others = unmerged.filter((path) => path !== repo.storePath);
  if (others.length) {
    await abort(`the remote's changes conflict with local ones in ${others.map((p) => oneLine(p)).join(', ')}: merge those by hand (git pull), then run flow sync again`);
  }
  const [base, ours, theirs] = await Promise.all([1, 2, 3].map((stage) => git.show(`:${stage}:${repo.storePath}`)));
  let bytes: Buffer[];
  try {
    bytes = mergeFiles(base ?? EMPTY, ours ?? EMPTY, theirs ?? EMPTY, { writer: store.writer, at: now() }).bytes;
  } catch (err) {
    if (err instanceof MergeRefusedError) return abort(err.message);
    throw err;
  }
  writeFileAtomic(store.file, bytes);
  await git.text(['add', '--', repo.storePath], 'staging the merged flows.json');
  await git.text(['commit', '--quiet', '--no-edit'], 'committing the merge');
  return 'merge';
}

/** Pushes HEAD to the remote branch: pushed, or rejected (someone pushed first). */
async function push(repo: Repo): Promise<'pushed' | 'rejected'> {
  const { git } = repo;
  const upstream = repo.hasUpstream ? [] : ['--set-upstream'];
  const result = await git.run(['push', '--porcelain', ...upstream, '--end-of-options', repo.remote, `HEAD:refs/heads/${repo.remoteBranch}`]);
  if (result.code === 0) {
    repo.hasUpstream = true;
    return 'pushed';
  }
  const said = `${result.stdout.toString('utf8')}\n${result.stderr}`;
  if (/\[rejected\]|\(fetch first\)|non-fast-forward|\(stale info\)|cannot lock ref/.test(said)) return 'rejected';
  throw new FlowError('failed', `git push to ${repo.remote} failed: ${result.stderr}`);
}
