// Hostile strings another writer may leave in a title, a note, a name or a side file
// (DESIGN §8): the trust-boundary tests write them in and check what comes out.

export const HOSTILE: Readonly<Record<string, string>> = {
  'OSC 0 title': '\u001b]0;pwned\u0007Title',
  'OSC 52 clipboard': '\u001b]52;c;cm0gLXJmIH4=\u0007copy',
  'OSC 8 link': '\u001b]8;;https://evil.example\u001b\\click\u001b]8;;\u001b\\',
  'CSI clear': '\u001b[2J\u001b[Hcleared',
  'CSI colour': '\u001b[31mred\u001b[0m',
  'C1 CSI': '\u009b2J c1',
  'C1 OSC': '\u009d0;t\u009c',
  BEL: 'ring\u0007ring',
  NUL: 'nul\u0000byte',
  DEL: 'del\u007fete',
  backspace: 'over\u0008\u0008\u0008written',
  CR: 'visible\rhidden',
  'bidi RLO': 'abc\u202edcba',
  'bidi isolate': '\u2066iso\u2069late',
  'line separator': 'one\u2028two',
  'zero-width joiner': '👨\u200d👩\u200d👧 family',
  tab: 'a\tb',
  newline: 'first\nsecond',
};

