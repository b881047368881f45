// Shell-style word splitting (DESIGN §6: "Quoting follows the shell … in the prompt too").
import { describe, expect, it } from 'vitest';
import { quoteWord, tokenize, TokenizeError } from '../../src/commands/tokenize.js';

const words = (input: string) => tokenize(input).map((t) => t.text);

describe('tokenize: words', () => {
  it.each<[string, string, string[]]>([
    ['plain words', 'add task Write tests', ['add', 'task', 'Write', 'tests']],
    ['empty input', '', []],
    ['only whitespace', ' \t \n ', []],
    ['leading and trailing spaces', '   a   b   ', ['a', 'b']],
    ['tabs separate', 'a\tb\t\tc', ['a', 'b', 'c']],
    ['newlines separate', 'a\nb\r\nc', ['a', 'b', 'c']],
    ['vertical tab and form feed separate', 'a\vb\fc', ['a', 'b', 'c']],
    // Single quotes: everything literal, backslashes included.
    ['single quotes keep spaces', "'Write tests' now", ['Write tests', 'now']],
    ['single quotes keep backslashes', "'a\\b\\'", ['a\\b\\']],
    ['single quotes keep double quotes', `'say "hi"'`, ['say "hi"']],
    ['single quotes keep $ and backticks', "'$HOME `x`'", ['$HOME `x`']],
    ['single quotes keep newlines and tabs', "'a\n\tb'", ['a\n\tb']],
    // Double quotes: \" \\ \$ \` are escapes, any other backslash stays.
    ['double quotes keep spaces', '"Write tests" now', ['Write tests', 'now']],
    ['escaped double quote', '"say \\"hi\\""', ['say "hi"']],
    ['escaped backslash', '"a\\\\b"', ['a\\b']],
    ['escaped dollar', '"\\$HOME"', ['$HOME']],
    ['escaped backtick', '"\\`x\\`"', ['`x`']],
    ['unescaped dollar is literal (no expansion)', '"$HOME"', ['$HOME']],
    ['other backslashes stay in double quotes', '"a\\nb\\t\\q"', ['a\\nb\\t\\q']],
    ['backslash-newline in double quotes joins lines', '"a\\\nb"', ['ab']],
    ['single quote inside double quotes', `"it's"`, ["it's"]],
    ['escaped backslash before closing quote', '"a\\\\" b', ['a\\', 'b']],
    // A backslash outside quotes escapes the next character.
    ['escaped space joins words', 'Write\\ tests', ['Write tests']],
    ['escaped quote is literal', "it\\'s", ["it's"]],
    ['escaped double quote outside', '\\"x\\"', ['"x"']],
    ['escaped backslash outside', 'a\\\\b', ['a\\b']],
    ['escaped letter is the letter', '\\n\\t', ['nt']],
    ['escaped tab joins words', 'a\\\tb', ['a\tb']],
    ['backslash-newline joins lines', 'ab\\\ncd', ['abcd']],
    ['backslash-newline between words adds no word', 'show task 1 \\\n', ['show', 'task', '1']],
    ['backslash-newline alone adds no word', 'a \\\n b', ['a', 'b']],
    // Adjacent parts make one word.
    ['"a"\'b\'c is one word', `"a"'b'c`, ['abc']],
    ['mixed parts with spaces inside', `pre"fix one"'two three'post`, ['prefix onetwo threepost']],
    ['quoted part in the middle of a word', 'a"b c"d e', ['ab cd', 'e']],
    ['flag with quoted inline value', '--notes="two words"', ['--notes=two words']],
    // Empty quoted strings are words.
    ['"" is an empty word', 'a "" b', ['a', '', 'b']],
    ["'' is an empty word", "a '' b", ['a', '', 'b']],
    ['two empty words', `"" ''`, ['', '']],
    ['empty parts vanish inside a word', `a""b''c`, ['abc']],
    // Unicode passes through.
    ['accents', 'héllo "wörld ñ"', ['héllo', 'wörld ñ']],
    ['emoji (surrogate pairs)', '🚀 "ship 🚢 it" x🎉y', ['🚀', 'ship 🚢 it', 'x🎉y']],
    ['CJK', '添加 "任务 一"', ['添加', '任务 一']],
    ['combining marks', 'e\u0301 "a\u0308"', ['e\u0301', 'a\u0308']],
    ['right-to-left text', "'שלום עולם'", ['שלום עולם']],
    ['escaped emoji', '\\🚀', ['🚀']],
  ])('%s', (_name, input, expected) => {
    expect(words(input)).toEqual(expected);
  });
});

describe('tokenize: start offsets and the quoted flag', () => {
  it.each<[string, Array<{ text: string; start: number; quoted: boolean }>]>([
    ['add task', [
      { text: 'add', start: 0, quoted: false },
      { text: 'task', start: 4, quoted: false },
    ]],
    ['  --tag  x', [
      { text: '--tag', start: 2, quoted: false },
      { text: 'x', start: 9, quoted: false },
    ]],
    [`"--tag" '--json' \\--quiet`, [
      { text: '--tag', start: 0, quoted: true },
      { text: '--json', start: 8, quoted: true },
      { text: '--quiet', start: 17, quoted: true },
    ]],
    [`a"b" c'd'`, [
      { text: 'ab', start: 0, quoted: true },
      { text: 'cd', start: 5, quoted: true },
    ]],
    ['"" x', [
      { text: '', start: 0, quoted: true },
      { text: 'x', start: 3, quoted: false },
    ]],
    ['\t/flow\nadd', [
      { text: '/flow', start: 1, quoted: false },
      { text: 'add', start: 7, quoted: false },
    ]],
    ['a\\\nb c', [
      { text: 'ab', start: 0, quoted: false },
      { text: 'c', start: 5, quoted: false },
    ]],
  ])('%j', (input, expected) => {
    expect(tokenize(input)).toEqual(expected);
  });

  it.each<[string, string, boolean]>([
    ['--notes="two words"', '--notes=two words', false],
    ["--notes='two words'", '--notes=two words', false],
    ['--notes=two\\ words', '--notes=two words', false],
    ['--notes=""', '--notes=', false],
    ['"--notes=two words"', '--notes=two words', true],
    ['--"notes"=x', '--notes=x', true],
    ['\\--notes=x', '--notes=x', true],
    ['"" ', '', true],
  ])('%j: quoting after an unquoted = leaves the word bare (a flag stays a flag)', (input, text, quoted) => {
    expect(tokenize(input)).toEqual([{ text, start: 0, quoted }]);
  });

  it('a token only counts as quoted when some part of it was', () => {
    const [plain, escaped, mid] = tokenize('--x \\--x -"-"x');
    expect(plain.quoted).toBe(false);
    expect(escaped.quoted).toBe(true);
    expect(mid).toEqual({ text: '--x', start: 9, quoted: true });
  });
});

describe('tokenize: errors', () => {
  it.each<[string, string, number]>([
    [`add task "Write tests`, 'unclosed " quote (opened at column 10)', 9],
    [`add task 'Write tests`, "unclosed ' quote (opened at column 10)", 9],
    [`"`, 'unclosed " quote (opened at column 1)', 0],
    [`'`, "unclosed ' quote (opened at column 1)", 0],
    [`a"b`, 'unclosed " quote (opened at column 2)', 1],
    [`"ok" 'ok' "not`, 'unclosed " quote (opened at column 11)', 10],
    // An escaped closing quote does not close it.
    [`"abc\\"`, 'unclosed " quote (opened at column 1)', 0],
    [`"abc\\`, 'unclosed " quote (opened at column 1)', 0],
    // Inside single quotes a backslash escapes nothing, so the quote closes and a new one opens.
    [`'it\\'s'`, "unclosed ' quote (opened at column 7)", 6],
    // The other kind of quote does not close it.
    [`"it's`, 'unclosed " quote (opened at column 1)', 0],
    [`'say "hi"`, "unclosed ' quote (opened at column 1)", 0],
    ['trailing \\', 'a backslash at the end has nothing to escape', 9],
    ['\\', 'a backslash at the end has nothing to escape', 0],
  ])('%j → %s', (input, message, offset) => {
    let error: unknown;
    try {
      tokenize(input);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(TokenizeError);
    expect((error as TokenizeError).message).toBe(message);
    expect((error as TokenizeError).offset).toBe(offset);
  });
});

describe('quoteWord', () => {
  const tricky = [
    '',
    ' ',
    '  two  spaces  ',
    'plain',
    'task_ab12',
    'a b',
    "it's",
    "'",
    "''",
    '"',
    '""',
    `"'"`,
    `'"'`,
    '\\',
    '\\\\',
    "\\'",
    'ends with backslash\\',
    '$HOME',
    '${x}',
    '`cmd`',
    '$(rm -rf /)',
    'a;b',
    'a&&b',
    'a|b',
    '(x)',
    '!bang',
    '#hash',
    '~',
    '*.ts',
    '?',
    '[x]',
    '{a,b}',
    '<in >out',
    'tab\there',
    'new\nline',
    'cr\r\nlf',
    '\n',
    '\t',
    '--tag',
    '--notes=two words',
    '-h',
    '--',
    '/flow',
    'key=value',
    'a,b,c',
    '50%',
    'user@host:path/to.file',
    'héllo wörld',
    '🚀 launch',
    'x🎉y',
    '添加任务',
    'e\u0301',
    '\u00a0nbsp\u00a0',
    '\u3000ideographic space',
    '\u0000nul',
    'bell\u0007',
    'mixed "double" and \'single\' and \\back',
  ];

  it.each(tricky.map((w) => [JSON.stringify(w), w]))('round-trips %s', (_label, word) => {
    const quoted = quoteWord(word);
    const tokens = tokenize(quoted);
    expect(tokens).toHaveLength(1);
    expect(tokens[0].text).toBe(word);
  });

  it('round-trips a whole line of tricky words, in order', () => {
    const line = tricky.map(quoteWord).join(' ');
    expect(tokenize(line).map((t) => t.text)).toEqual(tricky);
  });

  it('round-trips random words (fixed seed)', () => {
    const alphabet = [..."ab '\"\\$`\t\n;|&*?-=/é🚀 "];
    let seed = 12345;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    for (let n = 0; n < 500; n++) {
      const length = Math.floor(random() * 8);
      const word = Array.from({ length }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
      expect(tokenize(quoteWord(word)).map((t) => t.text), JSON.stringify(word)).toEqual([word]);
    }
  });

  it.each([
    ['plain', 'plain'],
    ['task_ab12', 'task_ab12'],
    ['snapshots.keep', 'snapshots.keep'],
    ['a=b,c', 'a=b,c'],
    ['', "''"],
    ['a b', "'a b'"],
    ["it's", `'it'\\''s'`],
    ['$HOME', "'$HOME'"],
    ['é', "'é'"],
  ])('quoteWord(%j) is %s (safe words stay bare)', (word, expected) => {
    expect(quoteWord(word)).toBe(expected);
  });
});
