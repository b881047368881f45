// Semantic text styles for command-line output. Colours are named by meaning, never by
// literal, and are off under NO_COLOR, --no-color, or when output is not a terminal.

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

export function createStyle(colour: boolean): Style {
  return {
    colour,
    paint: (token, text) => (colour && text ? `\u001b[${ANSI[token]}m${text}\u001b[0m` : text),
  };
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
