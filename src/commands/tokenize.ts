// Shell-style word splitting for the TUI prompt and hooks (DESIGN §6: "Quoting follows
// the shell"): whitespace separates words; '…' is literal; "…" allows \" \\ \$ \` escapes;
// a backslash outside quotes escapes the next character. Pure.

export interface Token {
  text: string;
  /** Offset of the token's first character in the input (for error markers). */
  start: number;
  /**
   * True when a part was quoted or escaped before any unquoted `=`: "--x" and \--x are values,
   * not flags, while --x="a b" is still a flag, as in the shell.
   */
  quoted: boolean;
}

export class TokenizeError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
    this.name = 'TokenizeError';
  }
}

const DOUBLE_QUOTE_ESCAPES = new Set(['"', '\\', '$', '`', '\n']);

export function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const n = input.length;
  while (i < n) {
    while (i < n && /\s/.test(input[i])) i++;
    if (i >= n) break;
    const start = i;
    let text = '';
    let quoted = false;
    let afterEquals = false;
    while (i < n && !/\s/.test(input[i])) {
      const c = input[i];
      if (c === "'") {
        const end = input.indexOf("'", i + 1);
        if (end < 0) throw new TokenizeError(`unclosed ' quote (opened at column ${i + 1})`, i);
        text += input.slice(i + 1, end);
        if (!afterEquals) quoted = true;
        i = end + 1;
      } else if (c === '"') {
        if (!afterEquals) quoted = true;
        let j = i + 1;
        for (;;) {
          if (j >= n) throw new TokenizeError(`unclosed " quote (opened at column ${i + 1})`, i);
          const d = input[j];
          if (d === '"') break;
          if (d === '\\' && j + 1 < n && DOUBLE_QUOTE_ESCAPES.has(input[j + 1])) {
            if (input[j + 1] !== '\n') text += input[j + 1];
            j += 2;
          } else {
            text += d;
            j++;
          }
        }
        i = j + 1;
      } else if (c === '\\') {
        if (i + 1 >= n) throw new TokenizeError('a backslash at the end has nothing to escape', i);
        // Backslash-newline joins lines as in the shell: it adds nothing, not even an empty word.
        if (input[i + 1] !== '\n') {
          text += input[i + 1];
          if (!afterEquals) quoted = true;
        }
        i += 2;
      } else {
        if (c === '=') afterEquals = true;
        text += c;
        i++;
      }
    }
    if (text !== '' || quoted) tokens.push({ text, start, quoted });
  }
  return tokens;
}

/** Quotes a word so that tokenize() gives it back unchanged (for history and completion). */
export function quoteWord(word: string): string {
  if (word !== '' && /^[\w@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}
