// Where a clone stands against its remote, for `flow sync --dry-run` and the TUI's
// header: revisions made here and not yet shared, remote commits waiting, conflicts
// recorded, and what merging now would do. Reads only; fetching is the caller's choice.
import { readFileSync } from 'node:fs';
import { now } from '../domain/time.js';
import type { Store } from '../store/store.js';
import { findConflicts, type ConflictEntry } from './conflicts.js';
import { mergeFiles } from './merge.js';
import { fetchRemote, openRepo, type Repo } from './repo.js';
import { MergeRefusedError, revisionIn } from './side.js';

export interface SyncStatus {
  /** remote/branch synced with. */
  remote: string;
  /** Revisions of flows.json made here since the last common point with the remote. */
  unsynced: number;
  /** Commits on the remote branch that change flows.json and are not merged here. */
  waiting: number;
  conflicts: ConflictEntry[];
  /** What merging the remote's flows.json now would do (when something is waiting). */
  preview?: { conflicts: number } | { refused: string };
}

/** Where the data directory stands; `fetch` asks the remote first (network). */
export async function syncStatus(store: Store, options: { fetch?: boolean } = {}): Promise<SyncStatus> {
  const repo = await openRepo(store.dir);
  const { git } = repo;
  if (options.fetch) await fetchRemote(repo);
  const conflicts = findConflicts(await store.read());
  const local = readFileSync(store.file);
  const remote = `${repo.remote}/${repo.remoteBranch}`;
  const hasRemote = await git.test(['rev-parse', '-q', '--verify', repo.tracking]);
  const hasHead = await git.test(['rev-parse', '-q', '--verify', 'HEAD']);
  if (!hasRemote) return { remote, unsynced: revisionIn(local), waiting: 0, conflicts };
  const mergeBase = hasHead ? await git.run(['merge-base', '--end-of-options', 'HEAD', repo.tracking]) : undefined;
  const baseCommit = mergeBase?.code === 0 ? mergeBase.stdout.toString('utf8').trim() : undefined;
  const base = baseCommit ? await git.show(`${baseCommit}:${repo.storePath}`) : undefined;
  const unsynced = base && local.equals(base) ? 0 : Math.max(1, revisionIn(local) - (base ? revisionIn(base) : 0));
  const waiting = await waitingCommits(repo, hasHead);
  const status: SyncStatus = { remote, unsynced, waiting, conflicts };
  const theirs = waiting ? await git.show(`${repo.tracking}:${repo.storePath}`) : undefined;
  if (theirs) {
    try {
      status.preview = { conflicts: mergeFiles(base ?? Buffer.alloc(0), local, theirs, { writer: store.writer, at: now() }).conflicts.length };
    } catch (err) {
      if (!(err instanceof MergeRefusedError)) throw err;
      status.preview = { refused: err.message };
    }
  }
  return status;
}

async function waitingCommits(repo: Repo, hasHead: boolean): Promise<number> {
  const range = hasHead ? ['HEAD..' + repo.tracking] : [repo.tracking];
  const count = await repo.git.text(['rev-list', '--count', '--end-of-options', ...range, '--', repo.storePath]);
  return Number(count) || 0;
}
