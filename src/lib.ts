// flow as a library for other TypeScript programs (package.json "exports"): the Workspace
// (the manager API and every command, on the program's services), the format's schemas
// and tree operations, and the store itself for programs that work at that level.
export { Workspace, type WorkspaceOptions } from './app/workspace.js';
export { command, COMMANDS, createTable, type CommandArgs, type CommandName, type TypedCommand } from './commands/table.js';
export * from './domain/schema.js';
export * from './domain/tree.js';
export * from './domain/errors.js';
export { newId } from './domain/ids.js';
export { Store, deleteFlowIn, StoreUnreadableError, StoreTooNewError, STORE_FILE, type Commit, type StoreOptions } from './store/store.js';
export { StoreView, Transaction } from './store/state.js';
export { Image, serialiseDocument } from './store/layout.js';
export { resolveDataDir } from './store/paths.js';
export { CommandBus } from './commands/bus.js';
export { Services, type ServiceOptions } from './app/services.js';
export { acquireLock } from './store/lock.js';
export { watchStore, watchFile } from './store/watch.js';
