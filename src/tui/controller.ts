// Glue between the TUI state and the rest of the program: the initial load (off the main
// thread), live updates from other writers, and running /flow commands through the same
// command bus as the shell.
import { statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads';
import { Services } from '../app/services.js';
import { CommandBus } from '../commands/bus.js';
import { commandHelp } from '../commands/help.js';
import type { Output } from '../commands/output.js';
import { commandObject, type CommandTable } from '../commands/parse.js';
import { PLAIN } from '../commands/style.js';
import { quoteWord, tokenize } from '../commands/tokenize.js';
import { join } from 'node:path';
import { CONTEXT_FILE, readContext, readScope, scopeOf, sessionOf, type Scope, type SessionContext } from '../context/context.js';
import { createTable } from '../commands/table.js';
import { FlowError } from '../domain/errors.js';
import { oneLine, sanitize } from '../domain/sanitize.js';
import type { Flow, Header } from '../domain/schema.js';
import { ownFields, walkTasks } from '../domain/tree.js';
import type { Commit } from '../store/store.js';
import { watchFile, type FileWatch } from '../store/watch.js';
import { VERSION_JSON, VERSION_LINE } from '../version.js';
import { hasExpect, withoutExpect, type TuiCommand } from './commands.js';
import { manifestPath } from '../documents/manifest.js';
import { flowConflicts, selectConflicts } from './conflicts.js';
import { planCountsOf, type RowModel } from './rows.js';
import { readDocuments } from './documents.js';
import type { FlowSummaries, LoaderMessage, LoaderRequest } from './load-worker.js';
import { sameSession, sessionView } from './session-context.js';
import { IntakeQueue } from './intake.js';
import { collectYoung } from './young-gc.js';
import { inProcessProbe, SyncWatch, workerProbe } from './sync-watch.js';
import {
  activeFlowId,
  createTuiStore,
  flashRows,
  keepCursorVisible,
  messageClock,
  selectRows,
  setMessage,
  nextTurn,
  ROWS_SLICE,
  setStateWithRows,
  type TuiState,
  type TuiStore,
} from './state.js';

export interface ControllerOptions {
  bus: CommandBus;
  table: CommandTable;
  tui: TuiStore;
  /** Path of the loader worker bundle; without it, loading happens on the main thread. */
  workerPath?: string;
  /** Path of the sync worker bundle; without it, sync figures are read in this process. */
  syncWorkerPath?: string;
  /** Size of flows.json from which it is parsed in the background (default about 8k flows). */
  backgroundLoadBytes?: number;
}

/**
 * A pre_save hook's veto for the message line: the hook's own words first (the line is
 * cut at the screen's width), then which hook it was.
 */
function vetoText(err: FlowError): string {
  const { output, status, timed_out: timedOut, hook } = err.details ?? {};
  const how = timedOut === true ? 'timed out' : `exit ${String(status)}`;
  const said = typeof output === 'string' && output ? `: ${output}` : '';
  return `vetoed by a pre_save hook (${how})${said}; nothing was saved (hook: ${String(hook)})`;
}

/** What a key asks the bus to do (see Controller.execute). */
export interface Job {
  command: TuiCommand | TuiCommand[] | (() => TuiCommand | TuiCommand[] | undefined);
  /** The revision the person saw (a removed object is then reported as a conflict). */
  baseRevision?: number;
  /** No message on success (the key's effect shows by itself). */
  quiet?: boolean;
}

type HeaderInfo = Pick<Header, 'current_flow_id' | 'meta'>;

const byId = (flows: readonly Flow[]) => new Map(flows.map((f) => [f.id, f]));

/** The state that shows `flows` as the whole tree. */
function wholeTree(state: TuiState, flows: Map<string, Flow>, order: string[], header: HeaderInfo): Partial<TuiState> {
  return {
    flows,
    order,
    currentFlowId: header.current_flow_id,
    revision: header.meta.file_revision,
    writer: header.meta.writer ?? '',
    lastSaved: header.meta.last_saved ?? null,
    version: state.version + 1,
    // Every flow is here: no rows from summaries (dropped with the same change, so the
    // rows are built once).
    pending: null,
  };
}

const tenth = (p: { done: number; total: number } | null) => (p && p.total ? Math.floor((p.done * 10) / p.total) : -1);

/** From this size of flows.json (about 8k flows) the loader threads parse in the background (load-worker.ts). */
const BACKGROUND_LOAD_BYTES = 8 * 1024 * 1024;

/** Flows parsed ahead for the first screen: more than any terminal has rows. */
const FIRST_SCREEN_FLOWS = 100;

export class Controller {
  readonly bus: CommandBus;
  readonly table: CommandTable;
  readonly tui: TuiStore;
  private worker: Worker | undefined;
  /** The loader threads of a load still running (stop() ends them). */
  private loaders: Worker[] = [];
  private watch: FileWatch | undefined;
  /** stop() was called: a load still running starts nothing when it ends. */
  private stopped = false;
  private contextWatch: FileWatch | undefined;
  private documentsWatch: FileWatch | undefined;
  /** Jobs run one after another (see execute). */
  private queue: Promise<unknown> = Promise.resolve();
  private running = false;
  private loaded = false;
  /**
   * While the rest of the file is read after the first screen: the flows our own commits
   * changed meanwhile, which the full read (from before them) must not take back.
   */
  private touchedWhileReading: Set<string> | null = null;
  private firstScreenAt = 0;
  /** The file's order of flows as the first screen's read found it. */
  private firstOrder: string[] | null = null;
  /** How long the start took (ms): to the first screen (when there was one) and to the whole store. */
  readonly loadTimes: { firstScreen: number | null; whole: number | null } = { firstScreen: null, whole: null };
  /** Identity of flows.json last loaded on the main thread (no worker). */
  private mainThreadSeen: string | null | undefined;
  private readonly workerPath?: string;
  private readonly backgroundLoadBytes: number;
  /** When the header's sync figures are read (sync-watch.ts). */
  readonly syncWatch: SyncWatch;
  private readonly stopSyncProbe: () => Promise<void>;

  constructor(options: ControllerOptions) {
    this.bus = options.bus;
    this.table = options.table;
    this.tui = options.tui;
    this.workerPath = options.workerPath;
    this.backgroundLoadBytes = options.backgroundLoadBytes ?? BACKGROUND_LOAD_BYTES;
    this.bus.services.store.onCommit((commit) => this.applyCommit(commit));
    const { services } = this.bus;
    const probe = options.syncWorkerPath
      ? workerProbe(options.syncWorkerPath, services.dir, services.session)
      : { probe: inProcessProbe(services.store), stop: async () => undefined };
    this.stopSyncProbe = probe.stop;
    this.syncWatch = new SyncWatch(probe.probe, (reading) => this.tui.setState({ sync: reading }));
  }

  // ---- Loading and live updates ----

  /** Loads the whole store; resolves when the tree is in the state. */
  async start(): Promise<void> {
    const started = performance.now();
    this.readDocuments();
    this.checkScope();
    if (this.workerPath) await this.loadInWorkers(this.workerPath);
    else await this.loadOnMainThread();
    // A key that came while the whole tree was taken in is drawn before the watchers start.
    await new Promise((resolve) => setImmediate(resolve));
    // Quit while the store was read: no watcher or sync probe may start after stop(),
    // or the process, its screen already given back, would never exit.
    if (this.stopped) return;
    this.loaded = true;
    this.loadTimes.whole = performance.now() - started;
    if (this.touchedWhileReading) this.loadTimes.firstScreen = this.firstScreenAt - started;
    this.touchedWhileReading = null;
    this.firstOrder = null;
    this.tui.setState({ reading: null, pending: null });
    this.worker?.on('message', (message: LoaderMessage) => this.onLoaderMessage(message));
    // The loader that stays may still die (out of memory in a refresh): live updates are
    // then read on the main thread, instead of posted to a dead thread or an unhandled error.
    const stayed = this.worker;
    const gone = () => {
      if (this.worker !== stayed) return;
      this.worker = undefined;
      void this.refresh();
    };
    stayed?.once('error', gone);
    stayed?.once('exit', gone);
    this.watch = watchFile(this.bus.services.store.file, () => this.refresh(), { settleMs: 10 });
    // While one of our own commands runs, a change of scope is its own (use plan, add
    // flow): it is looked at when the command is done, not reported as someone else's.
    this.contextWatch = watchFile(join(this.bus.services.dir, CONTEXT_FILE), () => (this.running ? undefined : this.checkScope()), { settleMs: 10 });
    this.documentsWatch = watchFile(manifestPath(this.bus.services.dir), () => this.readDocuments(), { settleMs: 10 });
    this.tui.setState({ live: true });
    this.syncWatch.start();
  }

  /**
   * Parses and validates the flows in one worker per core, each taking a part of the
   * file; the first stays to compute the changes of later saves. A big store is parsed
   * in the background (below the main thread's priority, for good), so the first stays
   * out of it: it only sends the first screen, at the priority later saves need.
   */
  private async loadInWorkers(workerPath: string, attempt = 1): Promise<void> {
    const parts = Math.max(1, Math.min(2, availableParallelism()));
    const background = (statSync(this.bus.services.store.file, { throwIfNoEntry: false })?.size ?? 0) >= this.backgroundLoadBytes;
    const count = background ? parts + 1 : parts;
    const workers = Array.from({ length: count }, () => new Worker(workerPath, { workerData: { file: this.bus.services.store.file } }));
    for (const w of workers) w.unref();
    this.worker = workers[0];
    this.loaders = workers;
    const progress = new Array<number>(count).fill(0);
    // The first screen is sent ahead (once: not again on a second attempt).
    const first = this.touchedWhileReading ? undefined : { flowId: this.tui.getState().scope.flowId, count: FIRST_SCREEN_FLOWS };
    // Each thread's chunks wait in a port of their own, unread (a structured clone costs
    // the main thread only when it is read), until the intake queue gives them their turn.
    const channels = workers.map(() => new MessageChannel());
    const request = (i: number): LoaderRequest => {
      const chunks = channels[i].port2;
      if (!background) return { type: 'load', part: i, parts, first: i === 0 ? first : undefined, paced: true, chunks };
      if (i === 0) return { type: 'load', part: 0, parts, first, parse: false, chunks };
      return { type: 'load', part: i - 1, parts, paced: true, background: true, chunks };
    };
    const intake = new IntakeQueue();
    // Filled as chunks arrive, so the whole tree's change costs no pass over 100k flows of its own.
    const collected = new Map<string, Flow>();
    let fallback = false;
    let header: Header | undefined;
    let order: string[] = [];
    const identities = new Set<string>();
    // The other workers start once the first has said something (its first screen, as a
    // rule): on a busy machine, reading the file twice at once only delays that screen.
    let firstSpoke = () => {};
    const spoken = new Promise<void>((resolve) => (firstSpoke = resolve));
    await Promise.all(
      workers.map(
        (worker, part) =>
          new Promise<void>((resolve) => {
            const onMessage = (message: LoaderMessage) => {
              if (part === 0) firstSpoke();
              if (message.type === 'first') return this.showFirstScreen(message.flows, message.order, message.header);
              if (message.type === 'summaries') return void this.showPending(message.summaries);
              if (message.type === 'chunk') return intake.push(() => takeChunk(message));
              worker.off('message', onMessage);
              worker.off('error', onGone);
              worker.off('exit', onGone);
              if (message.type === 'loaded') {
                identities.add(message.identity);
                if (part === 0) {
                  header = message.header;
                  order = message.order;
                }
              } else fallback = true;
              // After the chunks before it.
              intake.push(resolve);
            };
            const takeChunk = (message: Extract<LoaderMessage, { type: 'chunk' }>) => {
              // Quit meanwhile: the rest of the store is not wanted.
              if (this.stopped) return;
              const flows = receiveMessageOnPort(channels[part].port1)?.message as Flow[] | undefined;
              worker.postMessage({ type: 'more' } satisfies LoaderRequest);
              if (fallback || !flows) return;
              // The tree's counts and conflicts, a chunk at a time, rather than all at once
              // when the whole tree comes in (a key pressed then would wait for all of it).
              for (const flow of flows) {
                collected.set(flow.id, flow);
                planCountsOf(flow);
                flowConflicts(flow);
              }
              collectYoung();
              progress[part] = message.done;
              const done = { done: progress.reduce((a, b) => a + b, 0), total: message.total };
              if (!this.touchedWhileReading) this.tui.setState({ loading: done });
              // Under the first screen, a frame per tenth: every frame drawn is time a key waits.
              else if (tenth(done) !== tenth(this.tui.getState().reading)) this.tui.setState({ reading: done });
            };
            // A thread that dies (out of memory, a bundle that fails to load) before it
            // answered: the main thread reads the file instead of waiting for it forever.
            const onGone = () => {
              worker.off('message', onMessage);
              fallback = true;
              if (part === 0) firstSpoke();
              intake.push(resolve);
            };
            worker.once('error', onGone);
            worker.once('exit', onGone);
            worker.on('message', onMessage);
            const load = () => worker.postMessage(request(part), [channels[part].port2]);
            if (part === 0) load();
            else void spoken.then(load);
          }),
      ),
    );
    for (const { port1 } of channels) port1.close();
    this.loaders = [];
    for (const extra of workers.slice(1)) void extra.terminate();
    if (this.stopped) return;
    // Each part read the file on its own: if someone saved in between, the parts do not
    // fit together. Read again (or, if the file keeps changing, on the main thread).
    if (!fallback && identities.size > 1) {
      if (attempt < 3) {
        await this.worker?.terminate();
        return this.loadInWorkers(workerPath, attempt + 1);
      }
      fallback = true;
    }
    if (fallback || !header) await this.loadOnMainThread();
    else await this.replaceAllKeepingOwn(collected, order, header);
  }

  /**
   * The first screen (issue 15 item 4): the flows it shows, parsed ahead of the rest, so
   * the tree is there and keys work long before the whole file is read. The other flows
   * join the tree when the workers are done.
   */
  private showFirstScreen(flows: Flow[], order: string[], header: Header): void {
    const present = new Set(flows.map((f) => f.id));
    // Reading is said before the tree shows (replaceAll lets the keys through last).
    this.tui.setState({ reading: { done: 0, total: order.length } });
    this.replaceAll(byId(flows), order.filter((id) => present.has(id)), header);
    this.touchedWhileReading = new Set();
    this.firstScreenAt = performance.now();
    this.firstOrder = order;
  }

  /**
   * The other flows' names and counts (a byte scan): rows for them until they are parsed,
   * built between keys (setStateWithRows), as long as the whole tree is not in already.
   */
  private async showPending(summaries: FlowSummaries): Promise<void> {
    const order = this.firstOrder;
    if (!order || this.loaded || summaries.names.length !== order.length) return;
    const before = selectRows(this.tui.getState());
    const indexOf = new Map<string, number>();
    for (let i = 0; i < order.length; i++) {
      if (i % ROWS_SLICE === ROWS_SLICE - 1) await nextTurn();
      indexOf.set(order[i], i);
    }
    const pending = { indexOf, ...summaries };
    await setStateWithRows(this.tui, (state) =>
      this.firstOrder === order && !state.pending
        ? // Flows our own commits added meanwhile stay at the end, as they would in the file.
          { pending, order: [...order, ...state.order.filter((id) => !indexOf.has(id))] }
        : null,
    );
    if (this.tui.getState().pending === pending) keepCursorVisible(this.tui, before);
  }

  /**
   * The whole file as the workers read it, with what our commits changed since. Its rows
   * (100k at 100k flows) are built between keys (setStateWithRows), then it is shown.
   */
  private async replaceAllKeepingOwn(flows: Map<string, Flow>, order: string[], header: Header): Promise<void> {
    const before = selectRows(this.tui.getState());
    await setStateWithRows(this.tui, (state) => {
      const touched = this.touchedWhileReading;
      if (!touched?.size || state.revision <= header.meta.file_revision) return wholeTree(state, flows, order, header);
      for (const id of touched) {
        const own = state.flows.get(id);
        if (own) flows.set(id, own);
        else flows.delete(id);
      }
      const known = new Set(order);
      const ordered = [...order.filter((id) => flows.has(id)), ...[...touched].filter((id) => flows.has(id) && !known.has(id))];
      const meta = { ...header.meta, file_revision: state.revision, writer: state.writer, last_saved: state.lastSaved ?? undefined };
      return wholeTree(state, flows, ordered, { current_flow_id: state.currentFlowId, meta });
    });
    this.afterWholeTree(before);
  }

  private send(request: LoaderRequest): void {
    this.worker?.postMessage(request);
  }

  /** Older formats, other layouts, unreadable files: the store's own path handles them. */
  private async loadOnMainThread(): Promise<void> {
    try {
      const { view, flows } = await this.bus.services.store.readAll();
      this.mainThreadSeen = this.bus.services.store.knownIdentity();
      if (!this.loaded) return this.replaceAll(byId(flows), view.flowIds(), view.header);
      // A later change read whole (no loader thread): show it like any other, flashing
      // what differs.
      const before = this.tui.getState().flows;
      const changed = flows.filter((f) => JSON.stringify(before.get(f.id)) !== JSON.stringify(f));
      const present = new Set(flows.map((f) => f.id));
      const removed = [...before.keys()].filter((id) => !present.has(id));
      if (changed.length || removed.length || view.revision !== this.tui.getState().revision) {
        this.applyFlows(changed, removed, view.flowIds(), view.header, true);
      }
    } catch (err) {
      this.report(err);
      if (err instanceof FlowError && err.code === 'unreadable') {
        // The store was moved aside and restored: show what is there now.
        try {
          const { view, flows } = await this.bus.services.store.readAll();
          this.replaceAll(byId(flows), view.flowIds(), view.header);
        } catch (again) {
          this.tui.setState({ fatal: (again as Error).message });
        }
      } else {
        this.tui.setState({ fatal: (err as Error).message, loading: null });
      }
    }
  }

  /** Shows `flows` (from now on the state's: not to be changed after) as the whole tree. */
  private replaceAll(flows: Map<string, Flow>, order: string[], header: HeaderInfo): void {
    const state = this.tui.getState();
    const before = selectRows(state);
    this.tui.setState(wholeTree(state, flows, order, header));
    this.afterWholeTree(before);
  }

  private afterWholeTree(before: RowModel): void {
    // No rows from summaries from now on (showPending may still be building them).
    this.firstOrder = null;
    // Once: on the first screen, or on the whole tree when there was none.
    if (!this.loaded && !this.touchedWhileReading) this.focusScope();
    keepCursorVisible(this.tui, before);
    // Last: keys pressed while loading are let through once the cursor is in place.
    this.tui.setState({ loading: null });
  }

  /** The documents manifest, when it changed (by a document command or anyone else). */
  readDocuments(): void {
    const before = this.tui.getState().documents;
    const documents = readDocuments(this.bus.services.dir, before);
    if (documents !== before) this.tui.setState({ documents });
  }

  /** Opens the session's flow and plan in the tree and puts the cursor there. */
  focusScope(): void {
    const state = this.tui.getState();
    const flowId = activeFlowId(state);
    if (!flowId) return;
    const expanded = new Set(state.expanded);
    expanded.add(flowId);
    const flow = state.flows.get(flowId);
    const planId = state.scope.planId && flow?.plans.some((p) => p.id === state.scope.planId) ? state.scope.planId : null;
    for (const plan of flow?.plans ?? []) if (!planId || plan.id === planId) expanded.add(plan.id);
    this.tui.setState({ expanded, cursor: planId ?? flowId });
  }

  private refresh(): Promise<void> | void {
    if (this.worker) return this.send({ type: 'refresh' });
    // Without a worker, most hints are poll ticks or our own saves: read the whole store
    // only when the file is not the one loaded last (the worker compares the same way).
    if (this.bus.services.store.currentIdentity() === this.mainThreadSeen) return;
    return this.loadOnMainThread();
  }

  private onLoaderMessage(message: LoaderMessage): void {
    if (message.type === 'diff') {
      const own = message.identity === this.bus.services.store.knownIdentity();
      this.applyFlows(message.changed, message.removed, message.order, message.header, !own);
    } else if (message.type === 'fallback') {
      void this.loadOnMainThread();
    }
  }

  private applyFlows(
    changed: readonly Flow[],
    removed: readonly string[],
    order: string[] | null,
    header: HeaderInfo,
    external: boolean,
  ): void {
    const state = this.tui.getState();
    // A diff of an older version than we show (read before our own save landed) would
    // only take the view back; the next one brings it current.
    if (header.meta.file_revision < state.revision) return;
    const before = selectRows(state);
    for (const id of [...changed.map((f) => f.id), ...removed]) this.touchedWhileReading?.add(id);
    const flows = new Map(state.flows);
    const added: string[] = [];
    for (const flow of changed) {
      if (!flows.has(flow.id)) added.push(flow.id);
      flows.set(flow.id, flow);
    }
    for (const id of removed) flows.delete(id);
    const known = new Set(state.order);
    // Flows still being read are in the order without being in `flows` yet.
    const gone = new Set(removed);
    const stays = (id: string) => flows.has(id) || (!gone.has(id) && !!state.pending?.indexOf.has(id));
    const nextOrder =
      order ?? (added.length || removed.length ? [...state.order.filter(stays), ...added.filter((id) => !known.has(id))] : state.order);
    this.tui.setState({
      flows,
      order: nextOrder,
      currentFlowId: header.current_flow_id,
      revision: header.meta.file_revision,
      writer: header.meta.writer ?? '',
      lastSaved: header.meta.last_saved ?? null,
      version: state.version + 1,
    });
    if (header.meta.file_revision !== state.revision) this.syncWatch.changed();
    // The conflicts being gone through were settled (here, or by someone else).
    if (this.tui.getState().focus === 'resolve' && !selectConflicts(this.tui.getState()).length) this.tui.setState({ focus: 'tree' });
    if (external) {
      // Only what differs from what is shown: our own saves are in already.
      const ids = changedIds(state.flows, changed);
      flashRows(this.tui, ids);
      if ((ids.length || removed.length) && header.meta.writer !== this.bus.services.store.writer) {
        setMessage(this.tui, `rev ${header.meta.file_revision}: changed by ${oneLine(header.meta.writer ?? 'another writer')}`, 'info');
      }
    }
    keepCursorVisible(this.tui, before);
  }

  private applyCommit(commit: Commit<unknown>): void {
    const changed: Flow[] = [];
    const removed: string[] = [];
    for (const [id, change] of commit.changes.flows) {
      if (change.after) changed.push(change.after);
      else removed.push(id);
    }
    const state = this.tui.getState();
    const currentFlowId = commit.changes.currentFlowId ? commit.changes.currentFlowId.after : state.currentFlowId;
    this.applyFlows(
      changed,
      removed,
      null,
      { current_flow_id: currentFlowId, meta: { file_revision: commit.revision, writer: commit.writer, last_saved: new Date().toISOString() } },
      false,
    );
  }

  // ---- Commands ----

  /**
   * Runs a job of the keys: command objects through the bus, one job after another in
   * the order of the keys, so results and messages follow that order. A job that builds
   * its command when its turn comes (`() => …`) sees every earlier job's change (two
   * quick spaces move a task two statuses on). Resolves with the last output, or
   * undefined when something failed: the message line (or the conflict banner) says why.
   */
  execute(job: Job): Promise<Output | undefined> {
    const at = messageClock();
    return this.enqueue(async () => {
      let commands: TuiCommand[];
      try {
        const built = typeof job.command === 'function' ? job.command() : job.command;
        commands = built === undefined ? [] : Array.isArray(built) ? built : [built];
      } catch (err) {
        this.report(err, at);
        return undefined;
      }
      let output: Output | undefined;
      for (const command of commands) {
        try {
          output = await this.bus.execute({ name: command.name, args: command.args }, { baseRevision: job.baseRevision });
        } catch (err) {
          this.report(err, at, {
            mine: command.mine?.value,
            retry: hasExpect(command) ? () => void this.execute({ command: withoutExpect(command) }) : undefined,
          });
          return undefined;
        }
        this.afterCommand(output, at, { quiet: job.quiet, panel: false });
      }
      return output;
    });
  }

  /**
   * Runs a line typed at the prompt (the person's own text, so it is parsed). A `.` word
   * is the task under the cursor.
   */
  run(line: string, options: { cursor?: string | null; baseRevision?: number } = {}): Promise<Output | undefined> {
    const at = messageClock();
    return this.enqueue(async () => {
      let parsed: ReturnType<CommandTable['parseTokens']>;
      try {
        const tokens = tokenize(line).map((t) => (t.text === '.' && !t.quoted && options.cursor ? { ...t, text: options.cursor } : t));
        parsed = this.table.parseTokens(tokens, true);
      } catch (err) {
        this.report(err, at);
        return undefined;
      }
      if (parsed.globals.version) {
        const output = { json: VERSION_JSON, human: () => VERSION_LINE };
        this.afterCommand(output, at);
        return output;
      }
      if (parsed.command === undefined) return { json: null, human: () => '' };
      const { command } = parsed;
      try {
        const output = parsed.globals.help
          ? { json: null, human: () => commandHelp(command, PLAIN), message: '' }
          : await this.bus.execute(commandObject(parsed), { baseRevision: options.baseRevision });
        this.afterCommand(output, at);
        return output;
      } catch (err) {
        const retry = withoutExpectLine(line);
        this.report(err, at, { mine: line, retry: retry === line ? undefined : () => void this.run(retry) });
        return undefined;
      }
    });
  }

  private enqueue<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(async () => {
      this.running = true;
      try {
        return await work();
      } finally {
        this.running = false;
      }
    });
    this.queue = next
      .catch(() => undefined)
      // The steps of a long command are shown while it runs (Services' progress).
      .finally(() => this.tui.getState().progress !== null && this.tui.setState({ progress: null }));
    return next;
  }

  /** Resolves when every job queued so far has run (tests and shutdown wait on it). */
  idle(): Promise<void> {
    return this.queue.then(() => undefined);
  }

  /**
   * After a command: the scope it may have changed, and what it said. A report typed at
   * the prompt (list, show, help, diff…) opens in a panel; otherwise the first line is
   * the message.
   */
  private afterCommand(output: Output, at: number, options: { quiet?: boolean; panel?: boolean } = {}): void {
    this.checkScope(true);
    if (options.quiet) return;
    const human = sanitize(output.human(PLAIN));
    const focus = this.tui.getState().focus;
    if (options.panel !== false && human.includes('\n') && (focus === 'tree' || focus === 'prompt')) {
      this.tui.setState({ output: human, focus: 'output', panelTop: 0 });
    }
    const text = output.message ?? human.split('\n')[0];
    // A command that did its work but has more to say (sync: conflicts remain) warns.
    if (text) setMessage(this.tui, oneLine(text), output.exitCode ? 'warning' : 'success', at);
  }

  /**
   * The session's scope (and its summary and decisions) from context.json: another
   * process of the same session may change it. `focus` (after the person's own
   * command) also moves the cursor there.
   */
  checkScope(focus = false): void {
    let entry: SessionContext | undefined;
    try {
      entry = sessionOf(readContext(this.bus.services.dir), this.bus.services.session);
    } catch (err) {
      return setMessage(this.tui, oneLine((err as Error).message), 'warning');
    }
    // The summary and decisions shown come from the same read as the scope.
    const view = sessionView(entry);
    if (!sameSession(view, this.tui.getState().sessionContext)) this.tui.setState({ sessionContext: view });
    const scope = scopeOf(entry);
    const before = this.tui.getState().scope;
    if (scope.flowId === before.flowId && scope.planId === before.planId) return;
    this.tui.setState({ scope });
    if (focus) this.focusScope();
    else {
      const state = this.tui.getState();
      const plan = scope.planId ? state.flows.get(scope.flowId ?? '')?.plans.find((p) => p.id === scope.planId) : undefined;
      const flow = scope.flowId ? state.flows.get(scope.flowId) : undefined;
      const where = plan ? `plan "${oneLine(plan.title)}"` : flow ? `flow "${oneLine(flow.name)}"` : 'no plan';
      setMessage(this.tui, `Session "${oneLine(state.session)}" now works in ${where} (changed by another process)`, 'info');
    }
  }

  private report(err: unknown, at = messageClock(), conflict: { mine?: unknown; retry?: () => void } = {}): void {
    if (err instanceof FlowError && err.code === 'conflict') {
      const details = err.details ?? {};
      const field = typeof details.field === 'string' ? details.field : undefined;
      // "Keep mine" can only work on a field of an object that is still there: a task
      // the other writer deleted has nothing to write over.
      this.tui.setState({
        focus: 'conflict',
        input: null,
        editor: null,
        conflict: {
          // The banner's own lines show theirs and mine: the message names only what
          // changed, so it fits its one line instead of being cut before the values.
          message: field ? `field "${oneLine(field)}" of ${oneLine(String(details.id))} changed since you read it` : oneLine(err.message),
          field,
          theirs: field ? details.actual : undefined,
          mine: field ? conflict.mine : undefined,
          retry: field ? conflict.retry : undefined,
        },
      });
      return;
    }
    const text = err instanceof FlowError ? (err.code === 'vetoed' ? vetoText(err) : err.message) : `internal error: ${(err as Error).message}`;
    setMessage(this.tui, oneLine(text), 'error', at);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    // A load still running ends with its threads (the first is the one that stays, below).
    for (const loader of this.loaders.slice(1)) void loader.terminate();
    this.syncWatch.stop();
    await this.stopSyncProbe();
    await this.watch?.close();
    await this.contextWatch?.close();
    await this.documentsWatch?.close();
    // Taken off first: its exit is no loss to make up for.
    const worker = this.worker;
    this.worker = undefined;
    await worker?.terminate();
    // Hooks still running in the background end as they would have (each within its timeout).
    await this.bus.services.hooks.settled();
  }
}

/** Puts a question in the question bar; `answer` gets y or n. */
export function ask(tui: TuiStore, question: string, details: string[], answer: (yes: boolean) => void): void {
  const back = tui.getState().focus;
  tui.setState({
    focus: 'confirm',
    confirm: {
      question,
      details,
      answer: (yes) => {
        tui.setState({ confirm: null, focus: back === 'confirm' ? 'tree' : back });
        answer(yes);
      },
    },
  });
}

/**
 * The line without its --expect checks, for "keep mine". Re-quoted from the tokens: a
 * pattern over the text cut quoted values with an apostrophe ('it'\''s') in half.
 */
function withoutExpectLine(line: string): string {
  let words: string[];
  try {
    words = tokenize(line).map((t) => t.text);
  } catch {
    return line;
  }
  if (!words.some((w) => w === '--expect' || w.startsWith('--expect='))) return line;
  const kept: string[] = [];
  for (let i = 0; i < words.length; i++) {
    if (words[i] === '--expect') i++;
    else if (!words[i].startsWith('--expect=')) kept.push(quoteWord(words[i]));
  }
  return kept.join(' ');
}

/** Each object of a flow by id, with its own fields (children left out) as JSON. */
function fieldsById(flow: Flow): Map<string, string> {
  const own = (node: object) => JSON.stringify(ownFields(node));
  const out = new Map([[flow.id, own(flow)]]);
  for (const plan of flow.plans) {
    out.set(plan.id, own(plan));
    for (const { task } of walkTasks(plan.tasks)) out.set(task.id, own(task));
  }
  return out;
}

/** Ids of flows, plans and tasks that are new or whose own fields changed. */
function changedIds(before: ReadonlyMap<string, Flow>, changed: readonly Flow[]): string[] {
  const ids: string[] = [];
  for (const flow of changed) {
    const old = before.get(flow.id);
    const oldFields = old ? fieldsById(old) : new Map<string, string>();
    for (const [id, text] of fieldsById(flow)) if (oldFields.get(id) !== text) ids.push(id);
  }
  return ids;
}

export interface WorkspaceOptions {
  dir: string;
  session: string;
  /** The session's scope, when the caller already read it. */
  scope?: Scope;
  /** The loader worker bundle; without it the store is read on the main thread. */
  workerPath?: string;
  /** The sync worker bundle; without it sync figures are read in this process. */
  syncWorkerPath?: string;
  backgroundLoadBytes?: ControllerOptions['backgroundLoadBytes'];
}

/** The TUI's pieces wired together: command table, state, bus (asking through the TUI), controller. */
export function createWorkspace(options: WorkspaceOptions): Controller {
  const table = createTable();
  const tui = createTuiStore(options.session, options.scope ?? readScope(options.dir, options.session));
  // Loading from the first frame on: an empty tree would say "No flows yet" about a store
  // that is still being read.
  tui.setState({ loading: { done: 0, total: 0 } });
  const services = new Services({
    dir: options.dir,
    session: options.session,
    writerKind: 'tui',
    interactive: true,
    // The bus asks (rm without --yes typed at the prompt): answered in the question bar.
    confirm: (question) => new Promise((resolve) => ask(tui, oneLine(question), [], resolve)),
    warn: (message) => setMessage(tui, oneLine(message), 'warning'),
    // post_save and on_command hooks never hold up a frame; what they say reaches the message line.
    hooksInBackground: true,
    progress: (step) => tui.setState({ progress: oneLine(step) }),
  });
  const bus = new CommandBus(table, services);
  const { workerPath, syncWorkerPath, backgroundLoadBytes } = options;
  return new Controller({ bus, table, tui, workerPath, syncWorkerPath, backgroundLoadBytes });
}
