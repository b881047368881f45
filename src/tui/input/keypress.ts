// Raw terminal input → key presses, in order. Ink splits what stdin delivers at escape
// sequences but hands a run of plain characters over as one string: five backspaces sent
// together, "jjj" from key repeat, a fast "--pr" before Tab. Here every character of such
// a run is a key press of its own, escape sequences are named, and a bracketed paste
// (ESC[200~ … ESC[201~) is one piece of text however many reads it spans.

export interface KeyPress {
  /** The key table's name: a printable character, or up/down/…/ctrl+u/alt+b/paste. */
  name: string;
  /** What the key types: the character, or the pasted text. */
  text?: string;
  /**
   * Alt with a key is ESC and the key in one read, and so are Esc and a key pressed just
   * after it while the workspace is busy: these are the two presses it may be.
   */
  orPresses?: readonly KeyPress[];
}

export const PASTE_START = '\u001b[200~';
export const PASTE_END = '\u001b[201~';

// CSI and SS3 sequences (without the ESC) of the keys the workspace uses.
const SEQUENCES: Readonly<Record<string, string>> = {
  '[A': 'up', '[B': 'down', '[C': 'right', '[D': 'left',
  OA: 'up', OB: 'down', OC: 'right', OD: 'left',
  '[H': 'home', '[F': 'end', OH: 'home', OF: 'end',
  '[1~': 'home', '[7~': 'home', '[4~': 'end', '[8~': 'end',
  '[2~': 'insert', '[3~': 'delete', '[5~': 'pageUp', '[6~': 'pageDown',
  '[Z': 'shift+tab', OM: 'return',
};

// xterm's modifier parameter (ESC[1;5C): 2 shift, 3 alt, 5 ctrl.
const MODIFIERS: Readonly<Record<string, string>> = { '2': 'shift+', '3': 'alt+', '4': 'alt+', '5': 'ctrl+', '6': 'ctrl+', '7': 'ctrl+alt+', '8': 'ctrl+alt+' };

function sequenceName(body: string): string {
  const named = SEQUENCES[body];
  if (named) return named;
  // ESC[1;5C (ctrl+right), ESC[3;5~ (ctrl+delete).
  const modified = /^\[(\d+);(\d)([A-Z~])$/.exec(body);
  if (modified) {
    const base = SEQUENCES[modified[3] === '~' ? `[${modified[1]}~` : `[${modified[3]}`];
    const mod = MODIFIERS[modified[2]];
    if (base && mod) return mod + base;
  }
  return 'unknown';
}

/** One character outside an escape sequence. */
function characterKey(char: string): KeyPress {
  switch (char) {
    case '\r':
    case '\n':
      return { name: 'return' };
    case '\t':
      return { name: 'tab' };
    case '\u007f':
    case '\b':
      return { name: 'backspace' };
    case ' ':
      return { name: 'space', text: ' ' };
    case '\u001b':
      return { name: 'escape' };
  }
  const code = char.codePointAt(0) ?? 0;
  if (code >= 1 && code <= 26) return { name: `ctrl+${String.fromCharCode(code + 96)}` };
  if (code < 32) return { name: 'unknown' };
  return { name: char, text: char };
}

const ESCAPE: KeyPress = { name: 'escape' };

function escaped(event: string): KeyPress {
  const body = event.slice(1);
  if (body === '') return ESCAPE;
  if (body.startsWith('\u001b')) {
    // Two Escapes in one read (Alt-Esc means nothing here).
    if (body === '\u001b') return { name: 'alt+escape', orPresses: [ESCAPE, ESCAPE] };
    // ESC ESC [A: Alt with a named key, as some terminals send it, or Esc and then the key.
    const inner = escaped(body);
    return { name: `alt+${inner.name}`, ...(inner.name !== 'unknown' && { orPresses: [ESCAPE, inner] }) };
  }
  if (body.length > 1 && (body[0] === '[' || body[0] === 'O')) return { name: sequenceName(body) };
  // ESC followed by one character: Alt (Meta) with that key, or Esc and then the key.
  const key = characterKey(body);
  return { name: key.name === 'unknown' ? 'unknown' : `alt+${key.name}`, orPresses: [ESCAPE, key] };
}

/** A parser for one input stream: keeps the text of a paste that spans several reads. */
export class KeyParser {
  private paste: string | null = null;

  /** The key presses of one event Ink emitted (an escape sequence or a run of text). */
  push(event: string): KeyPress[] {
    if (this.paste !== null) {
      if (event === PASTE_END) {
        const text = this.paste;
        this.paste = null;
        return text ? [{ name: 'paste', text }] : [];
      }
      this.paste += event;
      return [];
    }
    if (event === PASTE_START || event === `\u001b${PASTE_START}`) {
      // Esc just before a paste comes in the same event: the Esc still counts.
      this.paste = '';
      return event === PASTE_START ? [] : [ESCAPE];
    }
    if (event.startsWith('\u001b')) return [escaped(event)];
    return Array.from(event, characterKey);
  }
}
