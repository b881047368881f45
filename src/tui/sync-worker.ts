// The TUI's sync thread: reads where the clone stands against its remote (git runs, a
// fetch, flows.json compared with the merge base, a merge preview) without ever holding
// up a frame. One request at a time; the main thread decides when (sync-watch.ts).
import { parentPort, workerData } from 'node:worker_threads';
import { Services } from '../app/services.js';
import { keepGitOffTheTerminal } from '../sync/git.js';
import { readSyncStatus, type SyncReading } from './sync-probe.js';

export interface SyncRequest {
  fetch: boolean;
}

export type SyncReply = { ok: true; reading: SyncReading } | { ok: false; error: string };

if (parentPort) {
  const port = parentPort;
  const { dir, session } = workerData as { dir: string; session: string };
  keepGitOffTheTerminal();
  // As every reader opens the store: an unreadable file is recovered the same way.
  const { store } = new Services({ dir, session, writerKind: 'tui', interactive: false });
  port.on('message', (request: SyncRequest) => {
    readSyncStatus(store, request.fetch).then(
      (reading) => port.postMessage({ ok: true, reading } satisfies SyncReply),
      (err: unknown) => port.postMessage({ ok: false, error: (err as Error).message } satisfies SyncReply),
    );
  });
}
