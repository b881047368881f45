// When the header's sync figures are read again (issue 16 item 4): at start, a little
// after each change of flows.json (the unsynced count), and with a fetch once a minute
// (remote changes waiting). Never when there is no remote: without one only a local
// look, once a minute, notices a remote added meanwhile. Each reading runs in the sync
// worker, so none of it holds up a frame; one at a time, and none while a sync runs.
import { Worker } from 'node:worker_threads';
import type { Store } from '../store/store.js';
import { readSyncStatus, type SyncReading } from './sync-probe.js';
import type { SyncReply, SyncRequest } from './sync-worker.js';

/** A fetch at most this often. */
export const FETCH_EVERY_MS = 60_000;
/** Without a remote: a local look this often (a remote may be added). */
const LOOK_AGAIN_MS = 60_000;
/** After a change, at least this long before reading again (a burst of saves is one). */
const AFTER_CHANGE_MS = 2_000;

export type Probe = (fetch: boolean) => Promise<SyncReading>;

/** Readings from the sync worker, one request at a time. */
export function workerProbe(workerPath: string, dir: string, session: string): { probe: Probe; stop(): Promise<void> } {
  let worker: Worker | undefined;
  return {
    probe: (fetch) =>
      new Promise((resolve, reject) => {
        const current = (worker ??= new Worker(workerPath, { workerData: { dir, session } }));
        current.unref();
        const onError = (err: Error) => {
          // A thread that died is started again for the next reading.
          current.off('message', onMessage);
          if (worker === current) worker = undefined;
          reject(err);
        };
        const onMessage = (reply: SyncReply) => {
          current.off('error', onError);
          if (reply.ok) resolve(reply.reading);
          else reject(new Error(reply.error));
        };
        current.once('message', onMessage);
        current.once('error', onError);
        current.postMessage({ fetch } satisfies SyncRequest);
      }),
    stop: async () => {
      await worker?.terminate();
    },
  };
}

/** Readings in this process (tests, and a workspace without its worker bundle). */
export function inProcessProbe(store: Store): Probe {
  return (fetch) => readSyncStatus(store, fetch);
}

export class SyncWatch {
  /** The next local look and the next fetch, each with when it is due. */
  private readonly timers = new Map<boolean, { at: number; timer: NodeJS.Timeout }>();
  private reading: SyncReading | undefined;
  private running = false;
  /** A reading that came due while one ran: run when it is done. */
  private again: { fetch: boolean } | undefined;
  private paused = false;
  private stopped = false;
  private lastFetch = -Infinity;
  /** How long the last reading took: a slow one (a large store) is asked for less often. */
  private lastTook = 0;

  constructor(
    private readonly probe: Probe,
    private readonly report: (reading: SyncReading | { kind: 'failed'; reason: string }) => void,
  ) {}

  start(): void {
    this.schedule(false, 0);
  }

  /** flows.json changed: the unsynced count may have. */
  changed(): void {
    if (this.reading?.kind === 'on') this.schedule(false, Math.max(AFTER_CHANGE_MS, 10 * this.lastTook));
  }

  /** A sync of our own starts: nothing is read meanwhile. */
  pause(): void {
    this.paused = true;
  }

  /** It ended: the figures are read again at once; if it fetched, that counts as a fetch. */
  resume(fetched: boolean): void {
    this.paused = false;
    this.again = undefined;
    if (fetched) this.lastFetch = Date.now();
    this.schedule(false, 0);
  }

  stop(): void {
    this.stopped = true;
    for (const { timer } of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  /** A local look (or a fetch) in `delay` ms, unless one is due sooner already. */
  private schedule(fetch: boolean, delay: number): void {
    if (this.stopped) return;
    const at = Date.now() + delay;
    const pending = this.timers.get(fetch);
    if (pending && pending.at <= at) return;
    if (pending) clearTimeout(pending.timer);
    const timer = setTimeout(() => {
      this.timers.delete(fetch);
      this.fire(fetch);
    }, delay);
    timer.unref();
    this.timers.set(fetch, { at, timer });
  }

  private fire(fetch: boolean): void {
    if (this.running || this.paused) {
      this.again = { fetch: fetch || !!this.again?.fetch };
      return;
    }
    void this.read(fetch);
  }

  private async read(fetch: boolean): Promise<void> {
    this.running = true;
    const started = Date.now();
    try {
      const reading = await this.probe(fetch);
      if (fetch) this.lastFetch = Date.now();
      this.reading = reading;
      if (!this.stopped && !this.paused) this.report(reading);
    } catch (err) {
      if (!this.stopped && !this.paused) this.report({ kind: 'failed', reason: (err as Error).message });
    } finally {
      this.lastTook = Date.now() - started;
      this.running = false;
    }
    if (this.paused) return;
    const again = this.again;
    this.again = undefined;
    if (again) this.schedule(again.fetch, 0);
    if (this.reading?.kind === 'on') this.schedule(true, Math.max(0, this.lastFetch + FETCH_EVERY_MS - Date.now()));
    else this.schedule(false, LOOK_AGAIN_MS);
  }
}
