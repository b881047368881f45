// Document names a person (or an agent) might give, each of which must be refused.
export const HOSTILE_NAMES: Readonly<Record<string, string>> = {
  'parent folder': '..',
  'climbs out': '../escape.md',
  absolute: '/etc/passwd',
  'Windows absolute': 'C:\\Windows\\win.ini',
  NUL: 'a\u0000b.md',
  escape: 'red\u001b[31m.md',
  newline: 'two\nlines.md',
  'bidi override': 'invoice\u202efdp.exe',
  'reserved device': 'CON',
  'reserved with extension': 'nul.txt',
  'too long': `${'x'.repeat(253)}.md`,
  'trailing dot': 'notes.',
  backslash: 'a\\b.md',
  'summary mirror': 'summary.md',
  empty: '',
};
