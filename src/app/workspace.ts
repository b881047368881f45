// flow as a library (the seed's manager API, on the program's own services): a program
// opens a data directory and gets its flows, adds and deletes them, sets the current one,
// saves, and runs any command of the table as a typed object — through the same bus,
// hooks, undo log and automatic snapshots as the command line.
import { CommandBus } from '../commands/bus.js';
import { createTable, type CommandArgs, type CommandName } from '../commands/table.js';
import { sessionName } from '../context/session.js';
import { parseFlow, type Flow } from '../domain/schema.js';
import type { Transaction } from '../store/state.js';
import type { Commit } from '../store/store.js';
import { resolveDataDir } from '../store/paths.js';
import { Services } from './services.js';

export interface WorkspaceOptions {
  /** The data directory (default: as DESIGN §1 says — FLOW_DIR, the nearest .flow/, ./.flow). */
  dir?: string;
  /** Whose scope and undo history (default: FLOW_SESSION, else "default"). */
  session?: string;
  /** Told what the person must hear of: a quarantined file, an upgraded format, a hook's failure. */
  warn?: (message: string) => void;
}

export class Workspace {
  readonly services: Services;
  readonly bus: CommandBus;

  constructor(options: WorkspaceOptions = {}) {
    this.services = new Services({
      dir: resolveDataDir(options.dir),
      session: sessionName(options.session),
      writerKind: 'cli',
      // A program cannot be asked: deleting needs yes, as it does off a terminal.
      interactive: false,
      warn: options.warn,
    });
    this.bus = new CommandBus(createTable(), this.services);
  }

  get dir(): string {
    return this.services.dir;
  }

  /** Runs a command of the table and returns what `--json` would print. */
  async run<N extends CommandName>(name: N, args: CommandArgs<N>): Promise<unknown> {
    return (await this.bus.execute({ name, args })).json;
  }

  /** Every flow, parsed and validated. */
  async flows(): Promise<Flow[]> {
    return this.services.store.flows();
  }

  async flow(id: string): Promise<Flow | undefined> {
    return this.services.store.flow(id);
  }

  /** The file's current flow (sessions may work in another: `use flow`). */
  async currentFlowId(): Promise<string | null> {
    return (await this.services.store.read()).currentFlowId;
  }

  /** Adds a flow; it becomes the current one, and this session's scope. */
  async addFlow(name: string): Promise<Flow> {
    return parseFlow((await this.bus.execute({ name: 'add flow', args: { name } })).json);
  }

  /** Deletes a flow (a snapshot is taken first); if it was current, the next one is, or none. */
  async deleteFlow(id: string): Promise<Flow> {
    return parseFlow((await this.bus.execute({ name: 'rm flow', args: { ref: id, yes: true } })).json);
  }

  async setCurrent(id: string | null): Promise<void> {
    await this.transact((tx) => tx.setCurrentFlow(id));
  }

  /**
   * One transaction on the newest state, with hooks and undo like a command's. The commit
   * says whether it changed anything (`changed`: only then was the file written).
   */
  async transact<T>(change: (tx: Transaction) => T): Promise<Commit<T>> {
    const commit = await this.services.store.transact(change);
    await this.services.recordCommits([commit], 'library', undefined);
    return commit;
  }

  /** Writes the store even when nothing changed: a new revision, in flow's layout. */
  async save(): Promise<number> {
    return (await this.transact((tx) => tx.forceWrite())).revision;
  }
}
