// The one sanitizer for text that reaches a terminal (DESIGN §8: data never drives the
// terminal). Whatever another writer put in a title, a note or a side file is shown, not
// obeyed: C0 controls, DEL, C1 controls (and so every escape sequence, whose introducer
// is one of them) and bidirectional overrides become visible escapes such as `\x1b`.
// Pure and allocation-free when there is nothing to escape.

/**
 * What is never passed through: C0 (U+0000–U+001F), DEL, C1 (U+0080–U+009F), bidi
 * embeddings/overrides (U+202A–U+202E) and isolates (U+2066–U+2069), and the line and
 * paragraph separators (U+2028, U+2029), which some terminals and editors break lines at.
 */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
const UNSAFE_ALL = new RegExp(UNSAFE.source, 'g');
/** UNSAFE but newline and tab, which multi-line text keeps as layout. */
const UNSAFE_IN_LINES = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

export interface SanitizeOptions {
  /**
   * A one-line field (a title, a name, a tag): newline and tab are shown as `\n` and
   * `\t` rather than laid out. Otherwise (notes, summaries) they are kept as layout.
   */
  oneLine?: boolean;
}

/** A piece of sanitized text; `escaped` pieces are visible escapes, shown dim. */
export interface Segment {
  text: string;
  escaped: boolean;
}

/** The visible form of one unsafe character. */
export function visibleEscape(char: string): string {
  switch (char) {
    case '\n':
      return '\\n';
    case '\t':
      return '\\t';
    case '\r':
      return '\\r';
  }
  const code = char.charCodeAt(0);
  return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

function kept(char: string, options: SanitizeOptions | undefined): boolean {
  return !options?.oneLine && (char === '\n' || char === '\t');
}

/** True when `text` holds something sanitize() would change. */
export function needsSanitizing(text: string, options?: SanitizeOptions): boolean {
  return (options?.oneLine ? UNSAFE : UNSAFE_IN_LINES).test(text);
}

/** `text` with every unsafe character replaced by its visible escape. */
export function sanitize(text: string, options?: SanitizeOptions): string {
  // One native test for the common case (a listing is many lines, nothing to escape).
  if (!(options?.oneLine ? UNSAFE : UNSAFE_IN_LINES).test(text)) return text;
  return text.replace(UNSAFE_ALL, (char) => (kept(char, options) ? char : visibleEscape(char)));
}

/** A one-line field, sanitized: `sanitize(text, { oneLine: true })`. */
export function oneLine(text: string): string {
  return sanitize(text, { oneLine: true });
}

/** The same as sanitize(), split so that a view can show the escapes in a dim style. */
export function sanitizeSegments(text: string, options?: SanitizeOptions): Segment[] {
  if (!needsSanitizing(text, options)) return [{ text, escaped: false }];
  const out: Segment[] = [];
  let plain = '';
  for (const char of text) {
    if (UNSAFE.test(char) && !kept(char, options)) {
      if (plain) out.push({ text: plain, escaped: false });
      plain = '';
      const escape = visibleEscape(char);
      const last = out[out.length - 1];
      if (last?.escaped) last.text += escape;
      else out.push({ text: escape, escaped: true });
    } else {
      plain += char;
    }
  }
  if (plain) out.push({ text: plain, escaped: false });
  return out;
}

/** Characters JSON.stringify leaves raw that a terminal would still act on or reorder. */
const JSON_UNSAFE = /[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * JSON.stringify that also escapes DEL, C1 and bidi controls (`\u009b`): the document
 * means exactly the same and round-trips unchanged, but no byte of it drives a terminal.
 * (JSON.stringify already escapes every C0 character.)
 */
export function safeJson(value: unknown, space?: number): string {
  const json = JSON.stringify(value, null, space) ?? 'null';
  return json.replace(JSON_UNSAFE, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
