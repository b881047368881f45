// Where the clone stands against its remote, as the header shows it (issue 16 item 4):
// local revisions not shared yet, remote commits waiting, and whether merging them would
// record conflicts. Run in the sync worker (off the main thread: git, and reading
// flows.json whole to compare it with the merge base) or, without one, in process.
import { FlowError } from '../domain/errors.js';
import type { Store } from '../store/store.js';
import { openRepo } from '../sync/repo.js';
import { syncStatus } from '../sync/status.js';

export type SyncReading =
  /** No git, no repository or no remote: nothing to show, nothing to fetch. */
  | { kind: 'off'; reason: string }
  | {
      kind: 'on';
      remote: string;
      unsynced: number;
      waiting: number;
      /** Conflicts merging what waits would record (0 when nothing waits). */
      wouldConflict: number;
      /** Why what waits would be refused, if it would. */
      refused?: string;
      /** The fetch failed (offline, no access): the figures are as of the last one. */
      fetchFailed?: string;
    };

export async function readSyncStatus(store: Store, fetch: boolean): Promise<SyncReading> {
  try {
    await openRepo(store.dir);
  } catch (err) {
    return { kind: 'off', reason: (err as Error).message };
  }
  let fetchFailed: string | undefined;
  let status: Awaited<ReturnType<typeof syncStatus>>;
  try {
    status = await syncStatus(store, { fetch });
  } catch (err) {
    if (!fetch || !(err instanceof FlowError)) throw err;
    // Offline: what the last fetch brought still tells something.
    fetchFailed = err.message;
    status = await syncStatus(store, { fetch: false });
  }
  const { preview } = status;
  return {
    kind: 'on',
    remote: status.remote,
    unsynced: status.unsynced,
    waiting: status.waiting,
    wouldConflict: preview && 'conflicts' in preview ? preview.conflicts : 0,
    refused: preview && 'refused' in preview ? preview.refused : undefined,
    fetchFailed,
  };
}
