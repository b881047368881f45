import { describe, expect, it } from 'vitest';
import { needsSanitizing, oneLine, safeJson, sanitize, sanitizeSegments } from '../../src/domain/sanitize.js';
import { createStyle, PLAIN, terminalText } from '../../src/commands/style.js';
import { HOSTILE } from '../hostile.js';

const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

describe('sanitize', () => {
  it('leaves ordinary text, unicode and emoji untouched (same string)', () => {
    for (const text of ['plain', 'Korean 한국어 텍스트', 'emoji 🎉', HOSTILE['zero-width joiner'], '']) {
      expect(sanitize(text)).toBe(text);
      expect(needsSanitizing(text)).toBe(false);
    }
  });

  it.each(Object.entries(HOSTILE))('shows %s as visible escapes, with no control character left', (_, text) => {
    const shown = sanitize(text);
    expect(shown).not.toMatch(CONTROL);
    const line = oneLine(text);
    expect(line).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
  });

  it('names each character it escapes', () => {
    expect(sanitize('\u001b[2J')).toBe('\\x1b[2J');
    expect(sanitize('\u009b')).toBe('\\x9b');
    expect(sanitize('a\u202eb')).toBe('a\\u202eb');
    expect(sanitize('\u0000\u007f')).toBe('\\x00\\x7f');
    expect(sanitize('a\rb')).toBe('a\\rb');
  });

  it('keeps newlines and tabs as layout in multi-line text, shows them in one-line fields', () => {
    expect(sanitize('a\nb\tc')).toBe('a\nb\tc');
    expect(needsSanitizing('a\nb\tc')).toBe(false);
    expect(oneLine('a\nb\tc')).toBe('a\\nb\\tc');
    expect(needsSanitizing('a\nb', { oneLine: true })).toBe(true);
  });

  it('splits into segments that join to sanitize() and mark the escapes', () => {
    const text = 'a\u001b[31mb\u0007\u0007c';
    const segments = sanitizeSegments(text);
    expect(segments.map((s) => s.text).join('')).toBe(sanitize(text));
    expect(segments).toEqual([
      { text: 'a', escaped: false },
      { text: '\\x1b', escaped: true },
      { text: '[31mb', escaped: false },
      { text: '\\x07\\x07', escaped: true },
      { text: 'c', escaped: false },
    ]);
    expect(sanitizeSegments('plain')).toEqual([{ text: 'plain', escaped: false }]);
  });
});

describe('safeJson', () => {
  it.each(Object.entries(HOSTILE))('escapes %s and round-trips it unchanged', (_, text) => {
    const json = safeJson({ title: text, nested: [text] }, 2);
    // Newlines in the output are the indentation's own; every character inside strings is escaped.
    expect(json).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/);
    expect(safeJson(text)).not.toMatch(CONTROL);
    expect(JSON.parse(json)).toEqual({ title: text, nested: [text] });
  });

  it('prints what JSON.stringify prints when there is nothing to escape', () => {
    const value = { a: 'b', n: 1, list: ['한국어'] };
    expect(safeJson(value)).toBe(JSON.stringify(value));
    expect(safeJson(undefined)).toBe('null');
  });
});

describe('terminalText (the command line sink)', () => {
  it('applies colours painted by the style and nothing a stored text carries', () => {
    const style = createStyle(true);
    const title = HOSTILE['CSI colour'];
    const out = terminalText(`${style.paint('heading', 'Tasks')} ${title}`);
    expect(out).toBe('\u001b[1mTasks\u001b[0m \\x1b[31mred\\x1b[0m');
  });

  it('cannot be tricked by text that imitates the colour marks', () => {
    const style = createStyle(true);
    const painted = style.paint('danger', 'x');
    // A forged mark with a wrong tag stays visible text; only this process knows the tag.
    const forged = '\ue000000000000000:2J\ue001';
    expect(terminalText(forged)).toBe(forged);
    expect(terminalText(painted)).toBe('\u001b[31mx\u001b[0m');
  });

  it('writes no escape sequence at all without colour', () => {
    for (const text of Object.values(HOSTILE)) {
      expect(terminalText(PLAIN.paint('heading', text))).not.toMatch(/[\u001b\u009b]/);
    }
  });
});
