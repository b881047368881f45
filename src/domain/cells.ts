// Text width in terminal cells, as string-width measures it (CJK and emoji take two,
// combining marks and controls none), for the command line's columns and the TUI's rows.

/**
 * string-width, loaded on first use: loading it builds an Intl.Segmenter and a Unicode
 * emoji RegExp (~20 ms of every start-up, measured), which text that needs no grapheme
 * segmentation never uses. A require() the bundler resolves, so it stays in the bundle.
 */
let stringWidth: ((text: string) => number) | undefined;
function measured(text: string): number {
  if (!stringWidth) {
    const loaded: typeof import('string-width') = require('string-width');
    stringWidth = loaded.default;
  }
  return stringWidth(text);
}

// Symbols shown as emoji take two cells, as do a few others (angle brackets, trigrams,
// digrams); the rest of U+2190–U+2BFF one. A property RegExp, unlike string-width's, is
// cheap to build.
const EMOJI_PRESENTATION = /\p{Emoji_Presentation}/u;
const symbolCells = (c: number) =>
  EMOJI_PRESENTATION.test(String.fromCharCode(c)) || c === 0x2329 || c === 0x232a || (c >= 0x2630 && c <= 0x2637) || (c >= 0x268a && c <= 0x268f) ? 2 : 1;

/**
 * Cells of one UTF-16 unit that no neighbour can join or change (no marks, joiners,
 * selectors, emoji or controls): 1 or 2, as string-width gives them; 0 when unsure.
 */
function plainCells(c: number): number {
  if (c < 0x300) return (c >= 0x20 && c < 0x7f) || (c >= 0xa0 && c !== 0xad) ? 1 : 0; // Latin; no controls, no soft hyphen
  if (c < 0x483) return c >= 0x370 ? 1 : 0; // Greek, Cyrillic up to its combining marks
  if ((c >= 0x2010 && c <= 0x2027) || (c >= 0x2030 && c <= 0x205e)) return 1; // punctuation (› … – “), no format characters
  if (c >= 0x2190 && c <= 0x2bff) return symbolCells(c); // arrows, technical, shapes, dingbats
  if (c >= 0x3041 && c <= 0x3096) return 2; // Hiragana
  if (c >= 0x30a0 && c <= 0x30ff) return 2; // Katakana
  if (c >= 0x4e00 && c <= 0x9fff) return 2; // CJK ideographs
  return c >= 0xac00 && c <= 0xd7a3 ? 2 : 0; // Hangul syllables
}

/** Width of `text` in terminal cells. */
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

export function cells(text: string): number {
  // Most cells are printable ASCII, one cell a character: one native test.
  if (PRINTABLE_ASCII.test(text)) return text.length;
  // Most names need no grapheme segmentation; string-width costs ~20 µs a call, which a
  // 100k-row listing cannot pay.
  let width = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = plainCells(text.charCodeAt(i));
    if (unit === 0) return measured(text);
    width += unit;
  }
  return width;
}
