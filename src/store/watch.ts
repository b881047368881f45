// Noticing other writers (DESIGN §4 step 5, the TUI's live view). chokidar watches the
// folder, not the file: a rename-replace save swaps the inode, which a file watch would
// lose. Events are only a hint to look: what counts is whether the file's identity
// (inode, size, mtime, ctime) differs from the state last seen, so bursts of events
// collapse into one reload and our own temp files and saves are ignored.
import { basename } from 'node:path';
import { watch as chokidarWatch, type FSWatcher } from 'chokidar';
import type { Flow } from '../domain/schema.js';
import type { StoreView } from './state.js';
import type { Store } from './store.js';

export interface FileWatch {
  /** Resolves once the folder is being watched (events before that come from polling). */
  ready: Promise<void>;
  close(): Promise<void>;
}

export interface WatchFileOptions {
  /** Wait this long after an event for more before looking (coalescing bursts). */
  settleMs?: number;
  /** Look anyway this often, in case an event was missed (0 = never). */
  pollMs?: number;
}

/**
 * Calls `onHint` (never concurrently) when `file` may have changed. The callback does
 * the real comparison; hints that arrive while it runs cause one more call afterwards.
 */
export function watchFile(
  file: string,
  onHint: () => Promise<void> | void,
  options: WatchFileOptions = {},
): FileWatch {
  const settleMs = options.settleMs ?? 15;
  // Events can be missed (a burst of renames, a busy machine): a stat twice a second
  // bounds how late a change can be seen, whatever the events did.
  const pollMs = options.pollMs ?? 400;
  const dir = file.slice(0, file.length - basename(file).length) || '.';
  const name = basename(file);
  let timer: NodeJS.Timeout | undefined;
  let running = false;
  let again = false;
  let closed = false;

  const look = async () => {
    timer = undefined;
    if (closed) return;
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      do {
        again = false;
        await onHint();
      } while (again && !closed);
    } finally {
      running = false;
    }
  };
  const hint = () => {
    if (closed) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(look, settleMs);
  };

  const watcher: FSWatcher = chokidarWatch(dir, {
    depth: 0,
    ignoreInitial: true,
    // Only flows.json itself: temp files, locks and side files are not changes.
    ignored: (path: string) => path !== dir && path !== dir.replace(/\/$/, '') && basename(path) !== name,
  });
  watcher.on('all', hint);
  watcher.on('error', hint);
  const ready = new Promise<void>((resolve) => watcher.once('ready', () => resolve()));
  const poll = pollMs > 0 ? setInterval(hint, pollMs) : undefined;
  poll?.unref();

  return {
    ready,
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      if (poll) clearInterval(poll);
      await watcher.close();
    },
  };
}

export interface WatchedState {
  view: StoreView;
  flows: Flow[];
}

/**
 * Calls `listener` with the whole validated state each time another writer changed the
 * store's file. This process's own saves are not reported (Store.onCommit has them).
 * Kept out of store.ts so the command line never loads chokidar.
 */
export function watchStore(
  store: Store,
  listener: (state: WatchedState) => void,
  onError: (err: unknown) => void = () => undefined,
  options?: WatchFileOptions,
): FileWatch {
  let seen = store.knownIdentity() ?? store.currentIdentity();
  return watchFile(
    store.file,
    async () => {
      const identity = store.currentIdentity();
      if (identity === seen) return;
      if (identity === store.knownIdentity()) {
        // Our own save (or a state we already read): nothing new to show.
        seen = identity;
        return;
      }
      try {
        const state = await store.readAll();
        seen = store.knownIdentity() ?? identity;
        listener(state);
      } catch (err) {
        seen = store.currentIdentity();
        onError(err);
      }
    },
    options,
  );
}
