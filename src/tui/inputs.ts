// The keys of every text input: one-line inputs (add, edit, tags, labels), the filter,
// the notes editor, the prompt and pickers. Each key is applied to the text in the state
// as it is now, so a burst of keys (five backspaces at once, Left Left, a fast --pr<Tab>)
// all count. Submitting closes the input at once, so keys typed after Enter go where
// the person is going next; a failed save opens it again with the text.
import { complete, commonPrefix } from '../commands/complete.js';
import { quoteWord } from '../commands/tokenize.js';
import { oneLine } from '../domain/sanitize.js';
import { clearFilter, targetRow, type Workspace } from './actions.js';
import { searchEverywhere } from './document-actions.js';
import { editExternally } from './external-editor.js';
import { fuzzyFilter } from './fuzzy.js';
import { refCandidates } from './completion.js';
import type { KeyPress } from './input/keypress.js';
import { edit, field, insert, type EditAction, type TextField } from './input/text-buffer.js';
import { actionFor, keyOf, keysOf, type Action } from './keys.js';
import { keepCursorVisible, setMessage, type PickerItem, type PickerState, type PromptState } from './state.js';

const EDIT_ACTIONS: ReadonlySet<Action> = new Set<EditAction>([
  'charLeft', 'charRight', 'wordLeft', 'wordRight', 'lineStart', 'lineEnd', 'deleteBack', 'deleteForward',
  'deleteWordBack', 'deleteAlnumBack', 'deleteWordForward', 'killToStart', 'killToEnd', 'yank', 'rowUp', 'rowDown',
]);

function isEdit(action: Action | undefined): action is EditAction {
  return action !== undefined && EDIT_ACTIONS.has(action);
}

/**
 * The field after a key that edits text: an editing action, a typed character or a
 * paste (one-line fields take a pasted line break as a space). Undefined: not an edit.
 */
function typed(f: TextField, key: KeyPress, action: Action | undefined, options: { multiline?: boolean; width?: number } = {}): TextField | undefined {
  if (isEdit(action)) return edit(f, action, options.width);
  if (action) return undefined;
  if (key.name === 'paste' && key.text) {
    const text = key.text.replace(/\r\n?/g, '\n');
    return insert(f, options.multiline ? text : text.replace(/\n+/g, ' '));
  }
  if (key.text) return insert(f, key.text);
  return undefined;
}

// ---- One-line inputs ----

export function lineInputKey(ws: Workspace, key: KeyPress): void {
  const { tui } = ws;
  const input = tui.getState().input;
  if (!input) return;
  const action = input.complete ? actionFor(key, 'path', 'line', 'text') : actionFor(key, 'line', 'text');
  if (action === 'cancel') {
    tui.setState({ input: null, focus: input.back ?? 'tree' });
    return;
  }
  if (action === 'complete' && input.complete) {
    const { text, candidates } = input.complete(input.field.text);
    tui.setState({ input: { ...input, field: field(text) } });
    if (candidates.length) setMessage(tui, candidateText(candidates), 'info');
    return;
  }
  if (action === 'submit') {
    const back = input.back ?? 'tree';
    tui.setState({ input: null, focus: back });
    void Promise.resolve(input.submit(input.field.text)).then((ok) => {
      // Failed (not a conflict, which has its banner): the text comes back for correction.
      const now = tui.getState();
      if (!ok && now.focus === back && now.input === null) tui.setState({ input, focus: 'input' });
    });
    return;
  }
  const next = typed(input.field, key, action);
  if (next) tui.setState({ input: { ...input, field: next } });
}

// ---- The filter ----

export function searchKey(ws: Workspace, key: KeyPress): void {
  const { tui } = ws;
  const search = tui.getState().search;
  if (!search) return;
  const action = actionFor(key, 'search', 'text');
  if (action === 'cancel') {
    clearFilter(tui);
    tui.setState({ focus: 'tree' });
    return;
  }
  if (action === 'submit') {
    tui.setState({ search: null, focus: 'tree' });
    return;
  }
  if (action === 'searchEverywhere') {
    if (!search.text.trim()) return setMessage(tui, 'Type the words to search for first', 'warning');
    // The filter stays as typed; the hits open in a panel above it.
    tui.setState({ search: null, focus: 'tree' });
    return searchEverywhere(ws, search.text.trim());
  }
  const next = typed(search, key, action);
  if (!next) return;
  tui.setState({ search: next, filter: next.text });
  keepCursorVisible(tui);
}

// ---- The notes editor ----

export function editorKey(ws: Workspace, key: KeyPress): void {
  const { tui } = ws;
  const editor = tui.getState().editor;
  if (!editor) return;
  const close = () => tui.setState({ editor: null, focus: 'tree' });
  if (editor.asking) {
    const answer = actionFor(key, 'confirm');
    if (answer === 'yes') close();
    else if (answer === 'no') tui.setState({ editor: { ...editor, asking: false } });
    return;
  }
  const action = actionFor(key, 'editor', 'text');
  switch (action) {
    case 'newline':
      tui.setState({ editor: { ...editor, field: insert(editor.field, '\n') } });
      return;
    case 'cancel':
      if (editor.field.text === editor.original) close();
      else tui.setState({ editor: { ...editor, asking: true } });
      return;
    case 'save': {
      close();
      void Promise.resolve(editor.save(editor.field.text)).then((ok) => {
        const now = tui.getState();
        if (!ok && now.focus === 'tree' && now.editor === null) tui.setState({ editor, focus: 'editor' });
      });
      return;
    }
    case 'externalEdit': {
      const result = editExternally(editor.field.text, 'notes', ws.suspend);
      if (!result.ok) setMessage(tui, result.error, 'error');
      else {
        tui.setState({ editor: { ...editor, field: field(result.text) } });
        setMessage(tui, `Back from the editor: ${keysOf('save', 'editor')} saves, ${keyOf('cancel', 'editor')} cancels`);
      }
      return;
    }
  }
  const next = typed(editor.field, key, action, { multiline: true, width: ws.layout.editorWidth });
  if (next) tui.setState({ editor: { ...editor, field: next } });
}

// ---- The prompt ----

export function promptKey(ws: Workspace, key: KeyPress): void {
  const { tui, history, controller } = ws;
  const state = tui.getState();
  const prompt = state.prompt;
  const set = (f: TextField, browsing = prompt.browsing, draft = prompt.draft) =>
    tui.setState({ prompt: { field: f, browsing, draft } });
  const action = actionFor(key, 'prompt', 'text');
  switch (action) {
    case 'cancel':
      tui.setState({ focus: 'tree' });
      return;
    case 'clearOrQuit':
      if (prompt.field.text) set(field(), null, '');
      else ws.quit();
      return;
    case 'historyBack':
    case 'historyForward': {
      const entries = history.entries();
      if (!entries.length) return;
      const at = prompt.browsing ?? entries.length;
      const next = Math.max(0, Math.min(entries.length, at + (action === 'historyBack' ? -1 : 1)));
      const draft = prompt.browsing === null ? prompt.field.text : prompt.draft;
      set(field(next === entries.length ? draft : entries[next]), next === entries.length ? null : next, draft);
      return;
    }
    case 'complete':
      return completeWord(ws);
    case 'submit': {
      const line = prompt.field.text;
      if (!line.trim()) return;
      history.add(line);
      // Cleared at once, as a shell does, so the next line can be typed while this one
      // runs; a line that failed comes back for correction if nothing was typed since.
      set(field(), null, '');
      const cursor = targetRow(tui.getState())?.id ?? null;
      void controller.run(line, { cursor, baseRevision: state.revision }).then((output) => {
        const now = tui.getState().prompt;
        if (!output && now.field.text === '') tui.setState({ prompt: { ...now, field: field(line) } });
      });
      return;
    }
  }
  // The prompt stays open after a command: ':' pressed again on its empty line is the
  // key that opens it, out of habit, not the first character of a verb.
  if (key.name === ':' && !prompt.field.text) return;
  const next = typed(prompt.field, key, action);
  // The menu stays known (Tab cycles it only on the line it left): a Tab after typing
  // takes its listing off the message line.
  if (next) tui.setState({ prompt: { field: next, browsing: null, draft: prompt.draft, menu: prompt.menu } });
}

function completeWord(ws: Workspace): void {
  const { tui, controller } = ws;
  const prompt = tui.getState().prompt;
  const put = (head: string, word: string, after: string, menu?: Omit<NonNullable<PromptState['menu']>, 'line' | 'cursor'>) => {
    const text = head + word + after;
    const cursor = head.length + word.length;
    tui.setState({ prompt: { ...prompt, field: { text, cursor }, menu: menu && { ...menu, line: text, cursor } } });
  };
  // Tab again, nothing typed and the cursor not moved since: the next candidate in place of
  // the last (after Home, the candidate would go in at the start of the line).
  const { menu } = prompt;
  if (menu && menu.line === prompt.field.text && menu.cursor === prompt.field.cursor) {
    const index = (menu.index + 1) % menu.candidates.length;
    const head = prompt.field.text.slice(0, menu.from);
    const after = prompt.field.text.slice(prompt.field.cursor);
    const word = menu.candidates[index];
    put(head, word, after, { ...menu, index });
    setMessage(tui, menuText(menu.labels, index), 'info');
    return;
  }
  // Completion looks at the text before the cursor; what follows it stays.
  const before = prompt.field.text.slice(0, prompt.field.cursor);
  const after = prompt.field.text.slice(prompt.field.cursor);
  const labels = new Map<string, string>();
  const state = tui.getState();
  const snapshots = () => {
    try {
      return controller.bus.services.snapshots().list();
    } catch {
      return [];
    }
  };
  const result = complete(controller.table, before, (kind, prefix) =>
    refCandidates(state, kind, prefix, snapshots).map((c) => {
      labels.set(quoteWord(c.insert), c.label);
      return c.insert;
    }),
  );
  if (!result.candidates.length) return dropListing(ws, menu);
  // References keep their ranking (best match first); words stay in the table's order.
  const rank = [...labels.keys()];
  const candidates = labels.size ? [...result.candidates].sort((a, b) => rank.indexOf(a) - rank.indexOf(b)) : result.candidates;
  const head = before.slice(0, result.from);
  const typedWord = before.slice(result.from);
  if (candidates.length === 1) {
    dropListing(ws, menu);
    return put(head, `${candidates[0]} `, after);
  }
  const common = commonPrefix(candidates);
  // Never shorter than what was typed, and never something else in its place: several
  // candidates that do not all start with it are offered one Tab at a time.
  const extends_ = common.length > typedWord.length && common.toLowerCase().startsWith(typedWord.toLowerCase());
  const shownLabels = candidates.map((c) => labels.get(c) ?? c);
  const word = extends_ ? common : typedWord;
  put(head, word, after, { from: head.length, candidates, labels: shownLabels, index: -1 });
  setMessage(tui, menuText(shownLabels, -1), 'info');
}

/**
 * A Tab that makes no menu takes the last menu's listing off the message line: left
 * there, its "(Tab: next)" spoke of candidates for a word no longer being completed.
 */
function dropListing(ws: Workspace, menu: PromptState['menu']): void {
  const { message } = ws.tui.getState();
  if (menu && message?.text === menuText(menu.labels, menu.index)) ws.tui.setState({ message: null });
}

/** Several paths that fit, as the message line lists them. */
function candidateText(candidates: readonly string[]): string {
  const more = candidates.length > 8 ? `  … ${candidates.length} in all` : '';
  return oneLine(`${candidates.slice(0, 8).join('   ')}${more}`);
}

/** The candidates as the message line lists them, the one put in marked. */
function menuText(labels: readonly string[], index: number): string {
  const shown = labels.slice(Math.max(0, index - 2), Math.max(0, index - 2) + 8).map((l, i) => (i + Math.max(0, index - 2) === index ? `› ${l}` : l));
  const more = labels.length > shown.length ? `  … ${labels.length} in all` : '';
  return oneLine(`${shown.join('   ')}${more}  (Tab: next)`);
}

// ---- Pickers ----

let matchCache: { items: PickerItem[]; query: string; matches: PickerItem[] } | undefined;

/** The picker's items that match what was typed, best first. */
export function pickerMatches(picker: PickerState): PickerItem[] {
  if (matchCache && matchCache.items === picker.items && matchCache.query === picker.query.text) return matchCache.matches;
  const matches = fuzzyFilter(picker.items, picker.query.text, (item) => `${item.label} ${item.hint ?? ''}`);
  matchCache = { items: picker.items, query: picker.query.text, matches };
  return matches;
}

export function pickerKey(ws: Workspace, key: KeyPress): void {
  const { tui } = ws;
  const picker = tui.getState().picker;
  if (!picker) return;
  const matches = pickerMatches(picker);
  const at = Math.min(picker.index, Math.max(0, matches.length - 1));
  const action = actionFor(key, 'picker', 'text');
  switch (action) {
    case 'down':
    case 'up':
      tui.setState({ picker: { ...picker, index: Math.max(0, Math.min(matches.length - 1, at + (action === 'down' ? 1 : -1))) } });
      return;
    case 'cancel':
      tui.setState({ picker: null, focus: 'tree' });
      return;
    case 'mark': {
      const item = matches[at];
      if (!picker.multi || !item) return;
      const marked = new Set(picker.marked);
      if (marked.has(item.id)) marked.delete(item.id);
      else marked.add(item.id);
      tui.setState({ picker: { ...picker, marked } });
      return;
    }
    case 'choose': {
      const item = matches[at];
      if (!picker.multi && !item) return;
      tui.setState({ picker: null, focus: 'tree' });
      picker.choose(picker.multi ? [...picker.marked] : [item.id]);
      return;
    }
  }
  const next = typed(picker.query, key, action);
  if (next) tui.setState({ picker: { ...picker, query: next, index: 0 } });
}
