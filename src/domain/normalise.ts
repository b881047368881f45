// Text in one form for matching (search, the TUI's filter, fuzzy pickers and completion):
// full-width letters and digits as ASCII (NFKC), lower case, so "ｗｉｄｅ" is found by "wide".
// Pure.

const NOT_ASCII = /[^\u0000-\u007f]/;

/** `text` in the form matching compares: NFKC (ASCII is already in it), lower case. */
export function normalise(text: string): string {
  return (NOT_ASCII.test(text) ? text.normalize('NFKC') : text).toLowerCase();
}

/**
 * Printable ASCII as it is spelt full width (U+FF01-U+FF5E, the ideographic space for a
 * space), as CJK input methods type it; NFKC (normalise) takes it back to ASCII.
 */
export function fullWidth(ascii: string): string {
  return ascii.replace(/[\u0020-\u007e]/g, (c) => (c === ' ' ? '\u3000' : String.fromCharCode(c.charCodeAt(0) + 0xfee0)));
}
