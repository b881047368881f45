// Pure text handling of the TUI: terminal-cell widths, cutting and wrapping at grapheme
// boundaries, the editing functions every input uses, and the filter's terms.
import { describe, expect, it } from 'vitest';
import { createTask } from '../../src/domain/tree.js';
import { fitSpans, fieldWindow } from '../../src/tui/components/Line.js';
import { parseQuery, taskMatches } from '../../src/tui/filter.js';
import { fuzzyFilter, fuzzyScore } from '../../src/tui/fuzzy.js';
import { cursorRow, edit, field, insert, visualRows, type EditAction, type TextField } from '../../src/tui/input/text-buffer.js';
import { cells, stableWidth, truncateSegments, wrap } from '../../src/tui/text.js';

const truncate = (text: string, width: number) => truncateSegments([{ text, escaped: false }], width).map((s) => s.text).join('');

describe('cells, truncate, wrap', () => {
  it('measure terminal cells: CJK and emoji two, combining marks none', () => {
    expect(cells('abc')).toBe(3);
    expect(cells('日本')).toBe(4);
    expect(cells('e\u0301')).toBe(1);
    expect(cells('👨\u200d👩\u200d👧')).toBe(2);
  });

  it('cut with … at a grapheme boundary, never over the width', () => {
    expect(truncate('abcdef', 6)).toBe('abcdef');
    expect(truncate('abcdef', 4)).toBe('abc…');
    // A wide character that does not fit whole is left out, not split.
    expect(truncate('日本語', 4)).toBe('日…');
    expect(cells(truncate('日本語', 4))).toBeLessThanOrEqual(4);
    expect(truncate('e\u0301e\u0301e\u0301', 2)).toBe('e\u0301…');
    expect(truncate('👨\u200d👩\u200d👧 family', 3)).toBe('👨\u200d👩\u200d👧…');
    expect(truncate('x', 0)).toBe('');
  });

  it('wrap at spaces, break words longer than a line, keep line breaks, drop nothing', () => {
    expect(wrap('the quick brown fox', 10)).toEqual(['the quick', 'brown fox']);
    expect(wrap('abcdefghij', 4)).toEqual(['abcd', 'efgh', 'ij']);
    expect(wrap('one\n\ntwo', 10)).toEqual(['one', '', 'two']);
    expect(wrap('日本語のテキスト', 6)).toEqual(['日本語', 'のテキ', 'スト']);
    const long = 'word '.repeat(50).trim();
    expect(wrap(long, 17).join(' ')).toBe(long);
    expect(wrap(long, 17).every((l) => cells(l) <= 17)).toBe(true);
  });

  it('stableWidth leaves out the emoji pieces terminals disagree on, so measured is drawn', () => {
    expect(stableWidth('👍🏽 ❤️ 👨\u200d👩\u200d👧')).toBe('👍 ❤ 👨👩👧');
    expect(cells(stableWidth('👍🏽'))).toBe(2);
    expect(cells(stableWidth('❤️'))).toBe(1);
    expect(cells(stableWidth('👨\u200d👩\u200d👧'))).toBe(6);
    expect(stableWidth('plain 日本 e\u0301 🇩🇪')).toBe('plain 日本 e\u0301 🇩🇪');
  });

  it('fitSpans cuts styled pieces together to the width', () => {
    const spans = fitSpans([{ text: 'abc', color: 'red' }, { text: 'defgh', color: 'blue' }], 6);
    expect(spans.map((s) => s.text).join('')).toBe('abcde…');
    expect(spans[0].color).toBe('red');
    expect(spans[1].color).toBe('blue');
    expect(fitSpans([{ text: 'ab' }], 5).map((s) => s.text)).toEqual(['ab']);
  });

  it('fieldWindow keeps the cursor in view and shows control characters as escapes', () => {
    expect(fieldWindow('hello', 5, 10)).toEqual({ before: 'hello', at: ' ', after: '' });
    expect(fieldWindow('hello', 0, 10)).toEqual({ before: '', at: 'h', after: 'ello' });
    const scrolled = fieldWindow('abcdefghijklmnop', 16, 5);
    expect(scrolled.before + scrolled.at).toBe('mnop ');
    const hostile = fieldWindow('a\u001bb', 1, 20);
    expect(hostile).toEqual({ before: 'a', at: '\\x1b', after: 'b' });
  });
});

const at = (text: string, cursor = text.length): TextField => ({ text, cursor });
const apply = (f: TextField, ...actions: EditAction[]) => actions.reduce((acc, a) => edit(acc, a), f);

describe('text buffer', () => {
  it('moves by grapheme: an emoji, a flag and an accented letter are one step each', () => {
    const text = 'a👍🏽🇩🇪e\u0301b';
    const left = (f: TextField) => edit(f, 'charLeft');
    let f = at(text);
    const cursors: number[] = [];
    for (let i = 0; i < 6; i++) cursors.push((f = left(f)).cursor);
    expect(cursors.map((c) => text.slice(c))).toEqual(['b', 'e\u0301b', '🇩🇪e\u0301b', '👍🏽🇩🇪e\u0301b', text, text]);
    expect(edit(at(text), 'deleteBack').text).toBe('a👍🏽🇩🇪e\u0301');
    expect(apply(at(text), 'charLeft', 'deleteBack').text).toBe('a👍🏽🇩🇪b');
  });

  it('readline moves and deletes: words, line start and end, kill and yank', () => {
    const line = at('add task "Write tests" --tag x');
    expect(apply(line, 'wordLeft').cursor).toBe(line.text.length - 1);
    expect(line.text.slice(apply(line, 'wordLeft', 'wordLeft', 'wordLeft').cursor)).toBe('tests" --tag x');
    expect(apply(line, 'lineStart').cursor).toBe(0);
    expect(apply(line, 'lineStart', 'wordRight').cursor).toBe(3);
    expect(apply(line, 'deleteWordBack').text).toBe('add task "Write tests" --tag ');
    expect(apply(line, 'deleteWordBack', 'deleteWordBack').text).toBe('add task "Write tests" ');
    expect(apply(line, 'deleteAlnumBack', 'deleteAlnumBack').text).toBe('add task "Write tests" --');
    const killed = apply(line, 'wordLeft', 'wordLeft', 'killToStart');
    expect(killed.text).toBe('tag x');
    expect(apply(killed, 'lineEnd', 'yank').text).toBe('tag xadd task "Write tests" --');
    const ended = apply(line, 'lineStart', 'wordRight', 'killToEnd');
    expect(ended.text).toBe('add');
    expect(ended.killed).toBe(' task "Write tests" --tag x');
    expect(apply(line, 'lineStart', 'deleteForward').text).toBe('dd task "Write tests" --tag x');
    expect(apply(line, 'lineStart', 'deleteWordForward').text).toBe(' task "Write tests" --tag x');
    // At either end nothing breaks.
    expect(apply(at(''), 'deleteBack', 'deleteForward', 'charLeft', 'wordRight', 'killToEnd', 'yank')).toEqual({ text: '', cursor: 0 });
  });

  it('lines: Home/End and Ctrl-U/K act on the line of the cursor; Ctrl-K at its end joins the next', () => {
    const text = 'first line\nsecond line\nthird';
    const mid = field(text, text.indexOf('line', 12));
    expect(edit(mid, 'lineStart').cursor).toBe(11);
    expect(edit(mid, 'lineEnd').cursor).toBe(22);
    expect(edit(mid, 'killToStart').text).toBe('first line\nline\nthird');
    expect(edit(mid, 'killToEnd').text).toBe('first line\nsecond \nthird');
    expect(apply(mid, 'lineEnd', 'killToEnd').text).toBe('first line\nsecond linethird');
  });

  it('visual rows wrap long lines at spaces; up and down keep the column', () => {
    const text = 'aaaa bbbb cccc\nshort\n\nlast line here';
    const rows = visualRows(text, 10);
    expect(rows.map((r) => text.slice(r.start, r.end))).toEqual(['aaaa bbbb ', 'cccc', 'short', '', 'last line ', 'here']);
    expect(cursorRow(rows, 0)).toBe(0);
    expect(cursorRow(rows, text.indexOf('cccc'))).toBe(1);
    expect(cursorRow(rows, text.indexOf('short') + 5)).toBe(2);
    const f = field(text, 2);
    const down = (x: TextField) => edit(x, 'rowDown', 10);
    const path = [down(f)];
    for (let i = 0; i < 4; i++) path.push(down(path[path.length - 1]));
    expect(path.map((p) => p.cursor)).toEqual([text.indexOf('cccc') + 2, text.indexOf('short') + 2, text.indexOf('\n\n') + 1, text.indexOf('last') + 0, text.indexOf('here') + 0]);
    expect(edit(field(text, 1), 'rowUp', 10).cursor).toBe(0);
    expect(edit(field(text, text.length - 1), 'rowDown', 10).cursor).toBe(text.length);
    // Wide characters wrap by cells.
    expect(visualRows('日本語のテキスト', 6).length).toBe(3);
  });

  it('insert puts text at the cursor', () => {
    expect(insert(field('ac', 1), 'b')).toEqual({ text: 'abc', cursor: 2 });
  });
});

describe('filter terms', () => {
  const task = createTask({ title: 'Fix the lock', tags: ['Storage', 'bug'], priority: 'high', status: 'in_progress', notes: 'retry with backoff' });
  const matches = (q: string) => taskMatches(task, parseQuery(q));

  it('words match the title, notes, tags and id; every term must match', () => {
    expect(matches('lock')).toBe(true);
    expect(matches('BACKOFF')).toBe(true);
    expect(matches('storage')).toBe(true);
    expect(matches(task.id.slice(5))).toBe(true);
    expect(matches('lock nothing')).toBe(false);
  });

  it('#tag, status: and priority: match their field, by prefix', () => {
    expect(matches('#stor')).toBe(true);
    expect(matches('#bug lock')).toBe(true);
    expect(matches('#feature')).toBe(false);
    expect(matches('status:in_progress')).toBe(true);
    expect(matches('status:prog')).toBe(false); // a prefix of the value, not a piece of it
    expect(matches('status:in')).toBe(true);
    expect(matches('status:todo')).toBe(false);
    expect(matches('status:todo status:in_progress')).toBe(true); // either
    expect(matches('priority:h')).toBe(true);
    expect(matches('p:low')).toBe(false);
    expect(parseQuery('status:bogus').unknown).toEqual(['status:bogus']);
    expect(matches('status:bogus')).toBe(false);
  });

  it('full-width letters and digits match as ASCII, either way round', () => {
    const wide = createTask({ title: 'ｗｉｄｅ　ｔｉｔｌｅ ２０２６', tags: ['ＵＩ'], notes: 'Ｎｏｔｅｓ' });
    const wideMatches = (q: string) => taskMatches(wide, parseQuery(q));
    expect(wideMatches('wide')).toBe(true);
    expect(wideMatches('2026 notes')).toBe(true);
    expect(wideMatches('#ui')).toBe(true);
    expect(wideMatches('narrow')).toBe(false);
    expect(matches('ＬＯＣＫ')).toBe(true);
    expect(matches('＃ｓｔｏｒ')).toBe(true);
  });

  it('text NFKC would rewrite is found by its own copy (half-width katakana, roman numerals)', () => {
    const kana = createTask({ title: 'ﾃｽﾄ item Ⅳ', tags: ['ﾀｸﾞ'] });
    const kanaMatches = (q: string) => taskMatches(kana, parseQuery(q));
    expect(kanaMatches('ﾃｽﾄ')).toBe(true);
    expect(kanaMatches('Ⅳ')).toBe(true);
    expect(kanaMatches('#ﾀｸﾞ')).toBe(true);
    expect(kanaMatches('item')).toBe(true);
    expect(kanaMatches('ﾃｽﾄx')).toBe(false);
  });
});

describe('fuzzy', () => {
  it('matches the letters in order, best first', () => {
    expect(fuzzyScore('pay', 'Payments')).toBeGreaterThan(fuzzyScore('pay', 'Display a yard'));
    expect(fuzzyScore('pmt', 'Payments')).toBeGreaterThan(0);
    expect(fuzzyScore('zz', 'Payments')).toBe(-1);
    const names = ['Fraud checks', 'Checkout rewrite', 'Payments API'];
    expect(fuzzyFilter(names, 'chk', (n) => n)).toEqual(['Checkout rewrite', 'Fraud checks']);
    expect(fuzzyFilter(names, '', (n) => n)).toEqual(names);
  });

  it('full-width letters match as ASCII (pickers and Tab completion of names)', () => {
    expect(fuzzyScore('wide', 'ｗｉｄｅ ｆｌｏｗ')).toBeGreaterThan(0);
    expect(fuzzyScore('ｐａｙ', 'Payments')).toBe(fuzzyScore('pay', 'Payments'));
    expect(fuzzyFilter(['Ｃｈｅｃｋｏｕｔ', 'Payments'], 'chk', (n) => n)).toEqual(['Ｃｈｅｃｋｏｕｔ']);
  });
});
