// Semantic text styles for command-line output. Colours are named by meaning, never by
// literal, and are off under NO_COLOR, --no-color, or when output is not a terminal.
//
// Text from the store is never trusted to be free of escape sequences (DESIGN §8), so
// paint() does not write escape sequences either: it marks where a colour starts with a
// per-process random tag that no stored text can know, and terminalText(), the one sink
// of every line the command line prints, sanitizes everything and only then turns the
// marks into colours.
import { randomBytes } from '../random-bytes.js';
import { sanitize } from '../domain/sanitize.js';
import { once } from '../domain/once.js';

export type StyleToken =
  | 'accent'
  | 'muted'
  | 'success'
  | 'warning'
  | 'danger'
  | 'heading'
  | 'id'
  | 'status.todo'
  | 'status.in_progress'
  | 'status.blocked'
  | 'status.done'
  | 'status.cancelled'
  | 'priority.high'
  | 'priority.low';

// SGR parameters for a 16-colour terminal; the TUI uses theme files instead.
const ANSI: Record<StyleToken, string> = {
  accent: '36',
  muted: '2',
  success: '32',
  warning: '33',
  danger: '31',
  heading: '1',
  id: '2',
  'status.todo': '0',
  'status.in_progress': '33',
  'status.blocked': '31',
  'status.done': '32',
  'status.cancelled': '2',
  'priority.high': '31',
  'priority.low': '2',
};

export interface Style {
  readonly colour: boolean;
  paint(token: StyleToken, text: string): string;
}

// The random tag is made when colour is first painted: output without colour (a pipe,
// NO_COLOR) holds no mark, and every mark starts with U+E000.
const MARK_START = '\ue000';
const marks = once(() => {
  const tag = `${MARK_START}${randomBytes(6).toString('hex')}:`;
  return { tag, pattern: new RegExp(`${tag}([0-9;]+)\ue001`, 'g') };
});
const mark = (sgr: string) => `${marks().tag}${sgr}\ue001`;

export function createStyle(colour: boolean): Style {
  return {
    colour,
    paint: (token, text) => (colour && text ? `${mark(ANSI[token])}${text}${mark('0')}` : text),
  };
}

/**
 * What the command line writes to a terminal or pipe: control characters, escape
 * sequences and bidi overrides shown as visible escapes (newlines kept as layout, a tab
 * laid out as four spaces, so that no control character but the newline is written),
 * then the colours of paint() applied.
 */
export function terminalText(text: string): string {
  const shown = sanitize(text).replace(/\t/g, '    ');
  return shown.includes(MARK_START) ? shown.replace(marks().pattern, (_, sgr: string) => `\u001b[${sgr}m`) : shown;
}

/** Text with paint()'s colour marks dropped, for measuring and for plain output. */
export function withoutMarks(text: string): string {
  // Most cells have no colour (a pipe, NO_COLOR): one native search, no RegExp.
  return text.includes(MARK_START) ? text.replace(marks().pattern, '') : text;
}

export const PLAIN: Style = createStyle(false);

export function colourWanted(
  stream: { isTTY?: boolean },
  noColorFlag: boolean | undefined,
  env: NodeJS.ProcessEnv = process.env,
): boolean {
  if (noColorFlag) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR && env.FORCE_COLOR !== '0') return true;
  return !!stream.isTTY;
}
