// Every shortcut of the TUI, in one table: the key dispatcher looks actions up here by
// the context that has the keys, and the help overlay (?) is generated from it.
import type { EditAction } from './input/text-buffer.js';
import type { KeyPress } from './input/keypress.js';

export type Action =
  | EditAction
  // Moving (tree, board, lists).
  | 'down' | 'up' | 'collapse' | 'expand' | 'toggle' | 'top' | 'bottom' | 'pageUp' | 'pageDown'
  | 'columnLeft' | 'columnRight' | 'cardLeft' | 'cardRight'
  // Changing what is under the cursor (or the selection).
  | 'cycleStatus' | 'statusMenu' | 'cyclePriority' | 'editTags' | 'pickDependencies'
  | 'addTask' | 'addSubtask' | 'addPlan' | 'editTitle' | 'editNotes' | 'externalEdit' | 'delete'
  | 'moveDown' | 'moveUp' | 'indent' | 'outdent' | 'moveToPlan' | 'select' | 'clearSelection' | 'copyId'
  // Views and panels.
  | 'board' | 'search' | 'prompt' | 'switchFlow' | 'snapshots' | 'undo' | 'redo' | 'help' | 'quit' | 'cancel'
  // Sync.
  | 'sync' | 'resolveConflicts' | 'resolveMine' | 'resolveTheirs'
  // Snapshot browser.
  | 'restore' | 'restorePlan' | 'pin' | 'snapshotNow'
  // Inputs and questions.
  | 'submit' | 'newline' | 'save' | 'historyBack' | 'historyForward' | 'complete' | 'clearOrQuit'
  | 'choose' | 'mark' | 'yes' | 'no' | 'keepMine' | 'takeTheirs';

/**
 * Who has the keys. Text inputs combine two: `text` (editing keys, shared by every input)
 * and the input's own (`line`, `search`, `prompt`, `editor`, `picker`).
 */
export type KeyContext =
  | 'tree' | 'board' | 'list' | 'snapshots' | 'picker' | 'text' | 'line' | 'search' | 'prompt' | 'editor'
  | 'confirm' | 'conflict' | 'resolve';

export const CONTEXT_TITLES: Readonly<Record<KeyContext, string>> = {
  tree: 'Tree',
  board: 'Board (b)',
  list: 'Help and output panels',
  snapshots: 'Snapshot browser (s)',
  picker: 'Pickers (f, m, D, S)',
  text: 'Every text input',
  line: 'One-line inputs (a, e, t, o, A)',
  search: 'Filter (/)',
  prompt: 'Prompt (: or Tab)',
  editor: 'Notes editor (n)',
  confirm: 'Questions',
  conflict: 'Conflicts',
  resolve: 'Conflicts from a sync (R)',
};

export interface Binding {
  keys: readonly string[];
  action: Action;
  description: string;
  contexts: readonly KeyContext[];
}

const CARD: readonly KeyContext[] = ['tree', 'board'];

// Key names: a printable character, or up/down/left/right/pageUp/pageDown/home/end/
// return/escape/tab/shift+tab/space/backspace/delete, with "ctrl+" and "alt+" for
// combinations.
export const BINDINGS: readonly Binding[] = [
  // Tree and board.
  { keys: ['j', 'down'], action: 'down', description: 'move down', contexts: ['tree', 'board', 'list', 'snapshots'] },
  { keys: ['k', 'up'], action: 'up', description: 'move up', contexts: ['tree', 'board', 'list', 'snapshots'] },
  { keys: ['h', 'left'], action: 'collapse', description: 'collapse / go to parent', contexts: ['tree'] },
  { keys: ['l', 'right'], action: 'expand', description: 'expand', contexts: ['tree'] },
  { keys: ['return'], action: 'toggle', description: 'expand or collapse', contexts: ['tree'] },
  { keys: ['g', 'home'], action: 'top', description: 'go to the top', contexts: ['tree', 'board', 'list', 'snapshots'] },
  { keys: ['G', 'end'], action: 'bottom', description: 'go to the bottom', contexts: ['tree', 'board', 'list', 'snapshots'] },
  { keys: ['pageUp', 'ctrl+u'], action: 'pageUp', description: 'page up', contexts: ['tree', 'list', 'snapshots'] },
  { keys: ['pageDown', 'ctrl+d'], action: 'pageDown', description: 'page down', contexts: ['tree', 'list', 'snapshots'] },
  { keys: ['left'], action: 'columnLeft', description: 'column to the left', contexts: ['board'] },
  { keys: ['right'], action: 'columnRight', description: 'column to the right', contexts: ['board'] },
  { keys: ['h'], action: 'cardLeft', description: 'move the card one column left (its status)', contexts: ['board'] },
  { keys: ['l'], action: 'cardRight', description: 'move the card one column right (its status)', contexts: ['board'] },
  { keys: ['space'], action: 'cycleStatus', description: 'cycle status: todo → in progress → done', contexts: CARD },
  { keys: ['S'], action: 'statusMenu', description: 'set the status (all five)', contexts: CARD },
  { keys: ['p'], action: 'cyclePriority', description: 'cycle priority: low → medium → high', contexts: CARD },
  { keys: ['t'], action: 'editTags', description: 'edit tags', contexts: CARD },
  { keys: ['D'], action: 'pickDependencies', description: 'pick dependencies', contexts: CARD },
  { keys: ['a'], action: 'addTask', description: 'add a task (to the plan; on a subtask, beside it)', contexts: CARD },
  { keys: ['o'], action: 'addSubtask', description: 'add a subtask under the task', contexts: ['tree'] },
  { keys: ['A'], action: 'addPlan', description: 'add a plan (in the flow under the cursor)', contexts: ['tree'] },
  { keys: ['e'], action: 'editTitle', description: 'edit the title', contexts: CARD },
  { keys: ['n'], action: 'editNotes', description: 'edit notes (task) or summary (plan)', contexts: CARD },
  { keys: ['E'], action: 'externalEdit', description: 'edit notes or summary in $VISUAL / $EDITOR', contexts: CARD },
  { keys: ['d'], action: 'delete', description: 'delete (asks first)', contexts: [...CARD, 'snapshots'] },
  { keys: ['J'], action: 'moveDown', description: 'move the task or plan down', contexts: ['tree'] },
  { keys: ['K'], action: 'moveUp', description: 'move the task or plan up', contexts: ['tree'] },
  { keys: ['>'], action: 'indent', description: 'make the task a subtask of the one above', contexts: ['tree'] },
  { keys: ['<'], action: 'outdent', description: 'move the task out one level', contexts: ['tree'] },
  { keys: ['m'], action: 'moveToPlan', description: 'move the task to another plan', contexts: CARD },
  { keys: ['x'], action: 'select', description: 'select / unselect (space, S, p, m, d then act on all)', contexts: CARD },
  { keys: ['escape'], action: 'clearSelection', description: 'clear the selection', contexts: ['tree'] },
  { keys: ['y'], action: 'copyId', description: 'copy the id', contexts: CARD },
  { keys: ['b'], action: 'board', description: 'board of the plan under the cursor / back to the tree', contexts: CARD },
  { keys: ['escape'], action: 'board', description: 'back to the tree', contexts: ['board'] },
  { keys: ['/'], action: 'search', description: 'filter: words, #tag, status:S, priority:P', contexts: ['tree'] },
  { keys: [':', 'tab'], action: 'prompt', description: 'the /flow prompt (. is the task under the cursor)', contexts: CARD },
  { keys: ['f'], action: 'switchFlow', description: 'switch flow', contexts: ['tree'] },
  { keys: ['s'], action: 'snapshots', description: 'snapshot browser', contexts: CARD },
  { keys: ['u'], action: 'undo', description: 'undo your last change', contexts: CARD },
  { keys: ['ctrl+r'], action: 'redo', description: 'redo', contexts: CARD },
  { keys: ['Y'], action: 'sync', description: "sync: commit .flow/, merge the remote's changes, push", contexts: CARD },
  { keys: ['R'], action: 'resolveConflicts', description: 'settle the conflicts a sync recorded, one by one', contexts: CARD },
  { keys: ['?'], action: 'help', description: 'show these keys', contexts: ['tree', 'board', 'list', 'snapshots'] },
  { keys: ['q', 'ctrl+c'], action: 'quit', description: 'quit', contexts: CARD },

  // Help and output panels.
  { keys: ['escape', 'q', 'return'], action: 'cancel', description: 'close', contexts: ['list'] },

  // Snapshot browser.
  { keys: ['r', 'return'], action: 'restore', description: 'restore the whole store from it (asks)', contexts: ['snapshots'] },
  { keys: ['R'], action: 'restorePlan', description: 'restore only the plan under the tree cursor (asks)', contexts: ['snapshots'] },
  { keys: ['p', 'space'], action: 'pin', description: 'pin / unpin', contexts: ['snapshots'] },
  { keys: ['c'], action: 'snapshotNow', description: 'take a snapshot now (asks for a label)', contexts: ['snapshots'] },
  { keys: ['escape', 'q'], action: 'cancel', description: 'close', contexts: ['snapshots'] },

  // Pickers: typing filters the list.
  { keys: ['down', 'ctrl+n'], action: 'down', description: 'next', contexts: ['picker'] },
  { keys: ['up', 'ctrl+p'], action: 'up', description: 'previous', contexts: ['picker'] },
  { keys: ['tab'], action: 'mark', description: 'mark / unmark (pickers of several)', contexts: ['picker'] },
  { keys: ['return'], action: 'choose', description: 'choose (or save the marked ones)', contexts: ['picker'] },
  { keys: ['escape'], action: 'cancel', description: 'cancel', contexts: ['picker'] },

  // Every text input.
  { keys: ['left', 'ctrl+b'], action: 'charLeft', description: 'back one character', contexts: ['text'] },
  { keys: ['right', 'ctrl+f'], action: 'charRight', description: 'forward one character', contexts: ['text'] },
  { keys: ['alt+b', 'ctrl+left', 'alt+left'], action: 'wordLeft', description: 'back one word', contexts: ['text'] },
  { keys: ['alt+f', 'ctrl+right', 'alt+right'], action: 'wordRight', description: 'forward one word', contexts: ['text'] },
  { keys: ['home', 'ctrl+a'], action: 'lineStart', description: 'start of the line', contexts: ['text'] },
  { keys: ['end', 'ctrl+e'], action: 'lineEnd', description: 'end of the line', contexts: ['text'] },
  { keys: ['backspace', 'ctrl+h'], action: 'deleteBack', description: 'delete the character before', contexts: ['text'] },
  { keys: ['delete', 'ctrl+d'], action: 'deleteForward', description: 'delete the character under the cursor', contexts: ['text'] },
  { keys: ['ctrl+w'], action: 'deleteWordBack', description: 'delete the word before (to a space)', contexts: ['text'] },
  { keys: ['alt+backspace'], action: 'deleteAlnumBack', description: 'delete the word before', contexts: ['text'] },
  { keys: ['alt+d'], action: 'deleteWordForward', description: 'delete the word after', contexts: ['text'] },
  { keys: ['ctrl+u'], action: 'killToStart', description: 'delete to the start of the line', contexts: ['text'] },
  { keys: ['ctrl+k'], action: 'killToEnd', description: 'delete to the end of the line', contexts: ['text'] },
  { keys: ['ctrl+y'], action: 'yank', description: 'put back what was deleted last', contexts: ['text'] },

  // One-line inputs and the filter.
  { keys: ['return'], action: 'submit', description: 'save', contexts: ['line'] },
  { keys: ['escape'], action: 'cancel', description: 'cancel', contexts: ['line'] },
  { keys: ['return'], action: 'submit', description: 'keep the filter, back to the tree', contexts: ['search'] },
  { keys: ['escape'], action: 'cancel', description: 'clear the filter (the cursor stays on its task)', contexts: ['search'] },

  // The prompt.
  { keys: ['return'], action: 'submit', description: 'run the command', contexts: ['prompt'] },
  { keys: ['up'], action: 'historyBack', description: 'earlier line in the history', contexts: ['prompt'] },
  { keys: ['down'], action: 'historyForward', description: 'later line in the history', contexts: ['prompt'] },
  { keys: ['tab'], action: 'complete', description: 'complete the word', contexts: ['prompt'] },
  { keys: ['escape'], action: 'cancel', description: 'back to the tree (the text stays)', contexts: ['prompt'] },
  { keys: ['ctrl+c'], action: 'clearOrQuit', description: 'clear the line; quit when empty', contexts: ['prompt'] },

  // The notes editor.
  { keys: ['return'], action: 'newline', description: 'new line', contexts: ['editor'] },
  { keys: ['up'], action: 'rowUp', description: 'up one line', contexts: ['editor'] },
  { keys: ['down'], action: 'rowDown', description: 'down one line', contexts: ['editor'] },
  { keys: ['ctrl+s'], action: 'save', description: 'save', contexts: ['editor'] },
  { keys: ['ctrl+x'], action: 'externalEdit', description: 'continue in $VISUAL / $EDITOR', contexts: ['editor'] },
  { keys: ['escape'], action: 'cancel', description: 'cancel (asks when something changed)', contexts: ['editor'] },

  // Questions.
  { keys: ['y', 'Y'], action: 'yes', description: 'yes', contexts: ['confirm'] },
  { keys: ['n', 'N', 'escape'], action: 'no', description: 'no', contexts: ['confirm'] },
  { keys: ['m'], action: 'resolveMine', description: 'take mine (the value kept in place)', contexts: ['resolve'] },
  { keys: ['t'], action: 'resolveTheirs', description: 'take theirs (the incoming value)', contexts: ['resolve'] },
  { keys: ['j', 'down'], action: 'down', description: 'next conflict', contexts: ['resolve'] },
  { keys: ['k', 'up'], action: 'up', description: 'previous conflict', contexts: ['resolve'] },
  { keys: ['escape', 'q'], action: 'cancel', description: 'later (the banner stays)', contexts: ['resolve'] },
  { keys: ['m'], action: 'keepMine', description: 'keep mine (write it over theirs)', contexts: ['conflict'] },
  { keys: ['t', 'escape'], action: 'takeTheirs', description: 'take theirs (leave it)', contexts: ['conflict'] },
];

const byContext = new Map<KeyContext, Map<string, Action>>();
for (const binding of BINDINGS) {
  for (const context of binding.contexts) {
    let keys = byContext.get(context);
    if (!keys) byContext.set(context, (keys = new Map()));
    for (const key of binding.keys) if (!keys.has(key)) keys.set(key, binding.action);
  }
}

/** The action of a key in the first of `contexts` that binds it. */
export function actionFor(key: KeyPress | string, ...contexts: readonly KeyContext[]): Action | undefined {
  const name = typeof key === 'string' ? key : key.name;
  for (const context of contexts) {
    const action = byContext.get(context)?.get(name);
    if (action) return action;
  }
  return undefined;
}

const LABELS: Readonly<Record<string, string>> = {
  up: '↑', down: '↓', left: '←', right: '→', return: 'Enter', escape: 'Esc', tab: 'Tab', 'shift+tab': 'Shift-Tab',
  space: 'Space', backspace: 'Backspace', delete: 'Delete', home: 'Home', end: 'End', pageUp: 'PgUp', pageDown: 'PgDn',
};

/** How a key is written in help: Ctrl-U, Alt-B, Enter, ↑. */
export function keyLabel(name: string): string {
  if (LABELS[name]) return LABELS[name];
  const combo = /^(ctrl|alt)\+(.+)$/.exec(name);
  if (combo) return `${combo[1] === 'ctrl' ? 'Ctrl' : 'Alt'}-${combo[2].length === 1 ? combo[2].toUpperCase() : keyLabel(combo[2])}`;
  return name;
}

/** The first key of an action in a context, for short hints: "Esc". */
export function keyOf(action: Action, context: KeyContext): string {
  const binding = BINDINGS.find((b) => b.action === action && b.contexts.includes(context));
  return binding ? keyLabel(binding.keys[0]) : '';
}

/** The keys of an action in a context, for hints: "Ctrl-S". */
export function keysOf(action: Action, context: KeyContext): string {
  const binding = BINDINGS.find((b) => b.action === action && b.contexts.includes(context));
  return binding ? binding.keys.map(keyLabel).join('/') : '';
}
