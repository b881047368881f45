// The command bus: a parsed command runs its handler with an Env; writes go through one
// store transaction. The command line and the TUI both execute through here.
import { mkdirSync } from 'node:fs';
import { readConfig, type Config } from '../config/config.js';
import { readScope, writeScope, type Scope } from '../context/context.js';
import { FlowError } from '../domain/errors.js';
import { insideHook, runHooks } from '../hooks/hooks.js';
import { Store, type Commit } from '../store/store.js';
import { CorruptStoreError, type StoreView, type Transaction } from '../store/state.js';
import type { Env } from './env.js';
import type { Output } from './output.js';
import type { CommandTable, ParsedCommand } from './parse.js';
import { commandName } from './spec.js';

export type WriterKind = 'cli' | 'tui' | 'hook';

export interface BusOptions {
  dir: string;
  session: string;
  writerKind: WriterKind;
  interactive: boolean;
  confirm?: (question: string) => Promise<boolean>;
  warn?: (message: string) => void;
}

export class CommandBus {
  readonly store: Store;
  private configCache: Config | undefined;

  constructor(
    readonly table: CommandTable,
    private readonly options: BusOptions,
  ) {
    const kind = insideHook() ? 'hook' : options.writerKind;
    const hooksOn = !insideHook();
    this.store = new Store(options.dir, {
      writer: `${kind}:${process.pid}:${options.session}`,
      warn: options.warn,
      hooks: hooksOn
        ? {
            preSave: (commit) => this.runSaveHooks('pre_save', commit),
            postSave: (commit) => this.runSaveHooks('post_save', commit),
          }
        : undefined,
    });
  }

  get dir(): string {
    return this.options.dir;
  }

  get session(): string {
    return this.options.session;
  }

  config(): Config {
    this.configCache ??= readConfig(this.options.dir);
    return this.configCache;
  }

  private runSaveHooks(event: 'pre_save' | 'post_save', commit: Commit<unknown>): void {
    const commands = this.config().hooks[event];
    if (!commands.length) return;
    const runs = runHooks(
      event,
      commands,
      { revision: commit.revision, writer: commit.writer, patch: commit.changes.patch, session: this.session },
      this.options.dir,
    );
    for (const run of runs) {
      if (run.status !== 0) this.options.warn?.(`${event} hook \`${run.command}\` failed: ${run.stderr || run.status}`);
    }
  }

  scope(): Scope {
    return readScope(this.options.dir, this.options.session);
  }

  async execute(parsed: ParsedCommand, options: { baseRevision?: number } = {}): Promise<Output> {
    this.configCache = undefined;
    let view: StoreView | undefined;
    let transacted = false;
    const name = commandName(parsed.spec);
    const env: Env = {
      store: this.store,
      dir: this.options.dir,
      session: this.options.session,
      table: this.table,
      scope: this.scope(),
      baseRevision: options.baseRevision,
      interactive: this.options.interactive,
      read: async () => (view ??= await this.store.read()),
      transact: async <T>(fn: (tx: Transaction) => T) => {
        if (transacted) throw new Error(`internal: "${name}" ran two transactions`);
        transacted = true;
        mkdirSync(this.options.dir, { recursive: true });
        return this.store.transact(fn);
      },
      setScope: (scope: Scope) => writeScope(this.options.dir, this.options.session, scope),
      confirm: async (question: string) => {
        if (!this.options.interactive || !this.options.confirm) return false;
        return this.options.confirm(question);
      },
      config: () => this.config(),
      warn: (message: string) => this.options.warn?.(message),
    };
    let output: Output;
    try {
      output = await parsed.spec.run(parsed.args, env);
    } catch (err) {
      // Bad bytes met in a flow the command read lazily: quarantine like any reader.
      if (err instanceof CorruptStoreError) {
        await this.store.recoverFrom(err);
        throw new FlowError('unreadable', `flows.json changed while being read (${err.reason}); run the command again`);
      }
      throw err;
    }
    if (!insideHook()) {
      const commands = this.config().hooks.on_command;
      if (commands.length) {
        try {
          runHooks('on_command', commands, { command: name, args: parsed.args, session: this.session }, this.options.dir);
        } catch (err) {
          if (!(err instanceof FlowError)) throw err;
        }
      }
    }
    return output;
  }
}
