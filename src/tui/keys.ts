// Every shortcut of the TUI, in one table: the input hooks look actions up here and the
// help overlay (?) is generated from it.
import type { Key } from 'ink';

export type Action =
  | 'down' | 'up' | 'collapse' | 'expand' | 'top' | 'bottom' | 'pageUp' | 'pageDown'
  | 'cycleStatus' | 'addTask' | 'addPlan' | 'editTitle' | 'editNotes' | 'delete'
  | 'moveDown' | 'moveUp' | 'search' | 'prompt' | 'switchFlow' | 'snapshots' | 'undo' | 'redo'
  | 'help' | 'quit' | 'cancel' | 'toggle'
  | 'restore' | 'restorePlan' | 'pin' | 'snapshotNow';

/** Where a binding applies: the tree pane, list-like panels, or the snapshot browser. */
export type KeyContext = 'tree' | 'list' | 'snapshots';

export interface Binding {
  keys: readonly string[];
  action: Action;
  description: string;
  contexts: readonly KeyContext[];
}

// Key names: a printable character, or one of up/down/left/right/pageUp/pageDown/
// return/escape/tab/space/home/end, with "ctrl+" for control combinations.
export const BINDINGS: readonly Binding[] = [
  { keys: ['j', 'down'], action: 'down', description: 'move down', contexts: ['tree', 'list'] },
  { keys: ['k', 'up'], action: 'up', description: 'move up', contexts: ['tree', 'list'] },
  { keys: ['h', 'left'], action: 'collapse', description: 'collapse / go to parent', contexts: ['tree'] },
  { keys: ['l', 'right'], action: 'expand', description: 'expand', contexts: ['tree'] },
  { keys: ['return'], action: 'toggle', description: 'expand or collapse', contexts: ['tree'] },
  { keys: ['g', 'home'], action: 'top', description: 'go to the top', contexts: ['tree', 'list'] },
  { keys: ['G', 'end'], action: 'bottom', description: 'go to the bottom', contexts: ['tree', 'list'] },
  { keys: ['pageUp', 'ctrl+u'], action: 'pageUp', description: 'page up', contexts: ['tree', 'list'] },
  { keys: ['pageDown', 'ctrl+d'], action: 'pageDown', description: 'page down', contexts: ['tree', 'list'] },
  { keys: ['space'], action: 'cycleStatus', description: 'cycle status: todo → in progress → done', contexts: ['tree'] },
  { keys: ['a'], action: 'addTask', description: 'add a task (in the plan under the cursor)', contexts: ['tree'] },
  { keys: ['A'], action: 'addPlan', description: 'add a plan (in the flow under the cursor)', contexts: ['tree'] },
  { keys: ['e'], action: 'editTitle', description: 'edit the title', contexts: ['tree'] },
  { keys: ['n'], action: 'editNotes', description: 'edit notes (task) or summary (plan)', contexts: ['tree'] },
  { keys: ['d'], action: 'delete', description: 'delete (asks first)', contexts: ['tree', 'list'] },
  { keys: ['J'], action: 'moveDown', description: 'move the task down', contexts: ['tree'] },
  { keys: ['K'], action: 'moveUp', description: 'move the task up', contexts: ['tree'] },
  { keys: ['/'], action: 'search', description: 'search / filter the tree', contexts: ['tree'] },
  { keys: [':', 'tab'], action: 'prompt', description: 'focus the /flow prompt', contexts: ['tree'] },
  { keys: ['f'], action: 'switchFlow', description: 'switch flow', contexts: ['tree'] },
  { keys: ['s'], action: 'snapshots', description: 'snapshot browser', contexts: ['tree'] },
  { keys: ['u'], action: 'undo', description: 'undo your last change', contexts: ['tree'] },
  { keys: ['ctrl+r'], action: 'redo', description: 'redo', contexts: ['tree'] },
  { keys: ['?'], action: 'help', description: 'show these keys', contexts: ['tree', 'list'] },
  { keys: ['q', 'ctrl+c'], action: 'quit', description: 'quit', contexts: ['tree'] },
  { keys: ['escape', 'q'], action: 'cancel', description: 'close', contexts: ['list', 'snapshots'] },
  { keys: ['return'], action: 'cancel', description: 'close', contexts: ['list'] },
  { keys: ['j', 'down'], action: 'down', description: 'next snapshot', contexts: ['snapshots'] },
  { keys: ['k', 'up'], action: 'up', description: 'previous snapshot', contexts: ['snapshots'] },
  { keys: ['r', 'return'], action: 'restore', description: 'restore the whole store from it', contexts: ['snapshots'] },
  { keys: ['R'], action: 'restorePlan', description: 'restore only the plan under the tree cursor', contexts: ['snapshots'] },
  { keys: ['p', 'space'], action: 'pin', description: 'pin / unpin', contexts: ['snapshots'] },
  { keys: ['d'], action: 'delete', description: 'delete the snapshot', contexts: ['snapshots'] },
  { keys: ['c'], action: 'snapshotNow', description: 'take a snapshot now', contexts: ['snapshots'] },
];

/** The name of a key press in the table's terms. */
export function keyName(input: string, key: Key): string {
  if (key.upArrow) return 'up';
  if (key.downArrow) return 'down';
  if (key.leftArrow) return 'left';
  if (key.rightArrow) return 'right';
  if (key.pageUp) return 'pageUp';
  if (key.pageDown) return 'pageDown';
  if (key.home) return 'home';
  if (key.end) return 'end';
  if (key.return) return 'return';
  if (key.escape) return 'escape';
  if (key.tab) return 'tab';
  if (key.ctrl && input) return `ctrl+${input}`;
  if (input === ' ') return 'space';
  return input;
}

/**
 * The key presses in one input event, by name. Ink hands a run of plain characters over as
 * one string: typing faster than a frame, key repeat while the workspace is busy (holding
 * j through a big tree), a paste. Each character is a key press of its own.
 */
export function keyNames(input: string, key: Key): string[] {
  if (input.length <= 1 || key.ctrl || key.meta) return [keyName(input, key)];
  return Array.from(input, characterName);
}

function characterName(character: string): string {
  if (character === '\r' || character === '\n') return 'return';
  if (character === '\t') return 'tab';
  if (character === ' ') return 'space';
  const code = character.charCodeAt(0);
  if (code >= 1 && code <= 26) return `ctrl+${String.fromCharCode(code + 96)}`;
  return character;
}

/** The actions of the key presses in one input event, in order; keys without one are left out. */
export function actionsFor(context: KeyContext, input: string, key: Key): Action[] {
  const actions: Action[] = [];
  for (const name of keyNames(input, key)) {
    const action = BINDINGS.find((b) => b.contexts.includes(context) && b.keys.includes(name))?.action;
    if (action) actions.push(action);
  }
  return actions;
}
