// Cells (src/domain/cells.ts) are string-width's figure: its fast path for text that
// needs no grapheme segmentation must never disagree.
import stringWidth from 'string-width';
import { describe, expect, it } from 'vitest';
import { random } from '../../bench/fixtures.js';
import { cells } from '../../src/domain/cells.js';
import { HOSTILE } from '../hostile.js';

describe('cells', () => {
  it('every character of the basic plane alone, as string-width measures it', () => {
    const wrong: string[] = [];
    for (let c = 0; c <= 0xffff; c++) {
      if (c >= 0xd800 && c <= 0xdfff) continue;
      const text = String.fromCharCode(c);
      if (cells(text) !== stringWidth(text)) wrong.push(c.toString(16));
    }
    expect(wrong).toEqual([]);
  });

  it('random mixes of plain, wide, combining, joining and emoji characters, and hostile strings', () => {
    const rand = random(8);
    const pieces = ['a', 'Z', ' ', 'é', 'e\u0301', 'ß', 'λ', 'д', 'д\u0483', 'データ', 'ゔ', 'か\u3099', '計画', '한', '\u1100\u1161', '✅', '☺', '⌚', '↑', '⚊', '👍🏽', '👨\u200d👩\u200d👧', '❤\ufe0f', '\u00ad', '\u200b', '\u0085', 'ｱ', '１', '\t', '\u0007'];
    for (let round = 0; round < 3000; round++) {
      const text = Array.from({ length: 1 + Math.floor(rand() * 8) }, () => pieces[Math.floor(rand() * pieces.length)]).join('');
      expect(cells(text), JSON.stringify(text)).toBe(stringWidth(text));
    }
    for (const text of Object.values(HOSTILE)) expect(cells(text), JSON.stringify(text)).toBe(stringWidth(text));
  });
});
