// Glue between the TUI state and the rest of the program: the initial load (off the main
// thread), live updates from other writers, and running /flow commands through the same
// command bus as the shell.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { Services } from '../app/services.js';
import { CommandBus } from '../commands/bus.js';
import { commandHelp } from '../commands/help.js';
import type { Output } from '../commands/output.js';
import { commandObject, type CommandTable } from '../commands/parse.js';
import { PLAIN } from '../commands/style.js';
import { quoteWord, tokenize } from '../commands/tokenize.js';
import { readScope, type Scope } from '../context/context.js';
import { createTable } from '../commands/table.js';
import { FlowError } from '../domain/errors.js';
import type { Flow, Header } from '../domain/schema.js';
import { ownFields, walkTasks } from '../domain/tree.js';
import type { Commit } from '../store/store.js';
import { watchFile, type FileWatch } from '../store/watch.js';
import { VERSION_JSON, VERSION_LINE } from '../version.js';
import type { LoaderMessage, LoaderRequest } from './load-worker.js';
import {
  activeFlowId,
  createTuiStore,
  flashRows,
  keepCursorVisible,
  selectRows,
  setMessage,
  type TuiStore,
} from './state.js';

export interface ControllerOptions {
  bus: CommandBus;
  table: CommandTable;
  tui: TuiStore;
  /** Path of the loader worker bundle; without it, loading happens on the main thread. */
  workerPath?: string;
}

type HeaderInfo = Pick<Header, 'current_flow_id' | 'meta'>;

export class Controller {
  readonly bus: CommandBus;
  readonly table: CommandTable;
  readonly tui: TuiStore;
  private worker: Worker | undefined;
  private watch: FileWatch | undefined;
  private pendingConfirm: ((yes: boolean) => void) | undefined;
  private loaded = false;
  /** Identity of flows.json last loaded on the main thread (no worker). */
  private mainThreadSeen: string | null | undefined;
  private readonly workerPath?: string;

  constructor(options: ControllerOptions) {
    this.bus = options.bus;
    this.table = options.table;
    this.tui = options.tui;
    this.workerPath = options.workerPath;
    this.bus.services.store.onCommit((commit) => this.applyCommit(commit));
  }

  // ---- Loading and live updates ----

  /** Loads the whole store; resolves when the tree is in the state. */
  async start(): Promise<void> {
    if (this.workerPath) await this.loadInWorkers(this.workerPath);
    else await this.loadOnMainThread();
    this.loaded = true;
    this.worker?.on('message', (message: LoaderMessage) => this.onLoaderMessage(message));
    this.watch = watchFile(this.bus.services.store.file, () => this.refresh(), { settleMs: 10 });
    this.tui.setState({ live: true });
  }

  /**
   * Parses and validates the flows in one worker per core, each taking a part of the
   * file; the first stays to compute the changes of later saves.
   */
  private async loadInWorkers(workerPath: string, attempt = 1): Promise<void> {
    const parts = Math.max(1, Math.min(2, availableParallelism()));
    const workers = Array.from({ length: parts }, () => new Worker(workerPath, { workerData: { file: this.bus.services.store.file } }));
    for (const w of workers) w.unref();
    this.worker = workers[0];
    const progress = new Array<number>(parts).fill(0);
    const collected: Flow[][] = workers.map(() => []);
    let fallback = false;
    let header: Header | undefined;
    let order: string[] = [];
    const identities = new Set<string>();
    await Promise.all(
      workers.map(
        (worker, part) =>
          new Promise<void>((resolve) => {
            const onMessage = (message: LoaderMessage) => {
              if (message.type === 'chunk') {
                collected[part].push(...message.flows);
                progress[part] = message.done;
                this.tui.setState({ loading: { done: progress.reduce((a, b) => a + b, 0), total: message.total } });
                return;
              }
              worker.off('message', onMessage);
              if (message.type === 'loaded') {
                identities.add(message.identity);
                if (part === 0) {
                  header = message.header;
                  order = message.order;
                }
              } else fallback = true;
              resolve();
            };
            worker.on('message', onMessage);
            worker.postMessage({ type: 'load', part, parts } satisfies LoaderRequest);
          }),
      ),
    );
    for (const extra of workers.slice(1)) void extra.terminate();
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
    else this.replaceAll(collected.flat(), order, header);
  }

  private send(request: LoaderRequest): void {
    this.worker?.postMessage(request);
  }

  /** Older formats, other layouts, unreadable files: the store's own path handles them. */
  private async loadOnMainThread(): Promise<void> {
    try {
      const { view, flows } = await this.bus.services.store.readAll();
      this.mainThreadSeen = this.bus.services.store.knownIdentity();
      if (!this.loaded) return this.replaceAll(flows, view.flowIds(), view.header);
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
          this.replaceAll(flows, view.flowIds(), view.header);
        } catch (again) {
          this.tui.setState({ fatal: (again as Error).message });
        }
      } else {
        this.tui.setState({ fatal: (err as Error).message, loading: null });
      }
    }
  }

  private replaceAll(flows: Flow[], order: string[], header: HeaderInfo): void {
    const map = new Map(flows.map((f) => [f.id, f]));
    const state = this.tui.getState();
    const before = selectRows(state);
    const next = {
      flows: map,
      order,
      currentFlowId: header.current_flow_id,
      revision: header.meta.file_revision,
      writer: header.meta.writer ?? '',
      lastSaved: header.meta.last_saved ?? null,
      version: state.version + 1,
      loading: null,
    };
    this.tui.setState(next);
    if (!this.loaded) this.focusScope();
    keepCursorVisible(this.tui, before);
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
    const flows = new Map(state.flows);
    const added: string[] = [];
    for (const flow of changed) {
      if (!flows.has(flow.id)) added.push(flow.id);
      flows.set(flow.id, flow);
    }
    for (const id of removed) flows.delete(id);
    const known = new Set(state.order);
    const nextOrder =
      order ?? (added.length || removed.length ? [...state.order.filter((id) => flows.has(id)), ...added.filter((id) => !known.has(id))] : state.order);
    this.tui.setState({
      flows,
      order: nextOrder,
      currentFlowId: header.current_flow_id,
      revision: header.meta.file_revision,
      writer: header.meta.writer ?? '',
      lastSaved: header.meta.last_saved ?? null,
      version: state.version + 1,
    });
    if (external) {
      flashRows(this.tui, changedIds(state.flows, changed));
      setMessage(this.tui, `rev ${header.meta.file_revision}: changed by ${header.meta.writer ?? 'another writer'}`, 'info');
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
   * Runs a /flow command line through the bus. Returns its output, or undefined when it
   * failed: errors go to the message line (or the conflict banner) and the caller keeps
   * the typed text.
   */
  async run(line: string, options: { baseRevision?: number; quiet?: boolean } = {}): Promise<Output | undefined> {
    let parsed: ReturnType<CommandTable['parseLine']>;
    try {
      parsed = this.table.parseLine(line);
    } catch (err) {
      this.report(err);
      return undefined;
    }
    if (parsed.globals.version) {
      const output = { json: VERSION_JSON, human: () => VERSION_LINE };
      this.afterCommand(output);
      return output;
    }
    if (!parsed.command) return { json: null, human: () => '' };
    const { command } = parsed;
    try {
      const output = parsed.globals.help
        ? { json: null, human: () => commandHelp(command, PLAIN), message: '' }
        : await this.bus.execute(commandObject(parsed), { baseRevision: options.baseRevision });
      this.afterCommand(output, options.quiet);
      return output;
    } catch (err) {
      this.report(err, line);
      return undefined;
    }
  }


  private afterCommand(output: Output, quiet?: boolean): void {
    const scope = readScope(this.bus.services.dir, this.bus.services.session);
    const before = this.tui.getState().scope;
    if (scope.flowId !== before.flowId || scope.planId !== before.planId) {
      this.tui.setState({ scope });
      this.focusScope();
    }
    if (quiet) return;
    // A report (list, show, help, diff…) opens in a panel; a one-line result is a message.
    const human = output.human(PLAIN);
    if (human.includes('\n') && this.tui.getState().focus !== 'snapshots') {
      this.tui.setState({ output: human, focus: 'output' });
    }
    const text = output.message ?? human.split('\n')[0];
    if (text) setMessage(this.tui, text, 'success');
  }

  private report(err: unknown, retryLine?: string): void {
    if (err instanceof FlowError && err.code === 'conflict') {
      const details = err.details ?? {};
      this.tui.setState({
        focus: 'conflict',
        conflict: {
          message: err.message,
          field: details.field as string | undefined,
          theirs: details.actual,
          mine: retryLine,
          retry: retryLine === undefined ? undefined : withoutExpect(retryLine),
        },
      });
      return;
    }
    const text = err instanceof FlowError ? err.message : `internal error: ${(err as Error).message}`;
    setMessage(this.tui, text, 'error');
  }

  /** The bus asks (rm without --yes typed at the prompt): answered by the confirm dialog. */
  confirm(question: string): Promise<boolean> {
    return new Promise((resolve) => {
      this.pendingConfirm = resolve;
      this.tui.setState({ focus: 'confirm', confirm: { question, command: '', baseRevision: this.tui.getState().revision } });
    });
  }

  answerConfirm(yes: boolean): boolean {
    const pending = this.pendingConfirm;
    this.pendingConfirm = undefined;
    this.tui.setState({ confirm: null, focus: 'tree' });
    pending?.(yes);
    return pending !== undefined;
  }

  async stop(): Promise<void> {
    await this.watch?.close();
    await this.worker?.terminate();
  }
}

/**
 * The line without its --expect checks, for "keep mine". Re-quoted from the tokens: a
 * pattern over the text cut quoted values with an apostrophe ('it'\''s') in half.
 */
function withoutExpect(line: string): string {
  const words = tokenize(line).map((t) => t.text);
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
}

/** The TUI's pieces wired together: command table, state, bus (asking through the TUI), controller. */
export function createWorkspace(options: WorkspaceOptions): Controller {
  const table = createTable();
  const tui = createTuiStore(options.session, options.scope ?? readScope(options.dir, options.session));
  // Loading from the first frame on: an empty tree would say "No flows yet" about a store
  // that is still being read.
  tui.setState({ loading: { done: 0, total: 0 } });
  let controller: Controller | undefined;
  const services = new Services({
    dir: options.dir,
    session: options.session,
    writerKind: 'tui',
    interactive: true,
    confirm: (question) => (controller as Controller).confirm(question),
    warn: (message) => setMessage(tui, message, 'warning'),
  });
  const bus = new CommandBus(table, services);
  controller = new Controller({ bus, table, tui, workerPath: options.workerPath });
  return controller;
}
