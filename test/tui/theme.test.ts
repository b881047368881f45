// Themes (built-in and user files, validated) and the prompt history (per session, on disk).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PromptHistory } from '../../src/tui/history.js';
import { BUILT_IN_DIR, loadTheme, themeNames, TOKENS, type Token } from '../../src/tui/theme.js';
import { ROOT, tempDir } from '../helpers.js';

function tokens(overrides: Record<string, string | undefined> = {}): Record<string, string> {
  const out: Record<string, string> = {};
  for (const t of TOKENS) out[t] = 'white';
  for (const [k, v] of Object.entries(overrides)) {
    if (v === undefined) delete out[k];
    else out[k] = v;
  }
  return out;
}

function userTheme(dir: string, name: string, body: unknown): string {
  mkdirSync(join(dir, 'themes'), { recursive: true });
  const path = join(dir, 'themes', `${name}.json`);
  writeFileSync(path, typeof body === 'string' ? body : JSON.stringify(body));
  return path;
}

describe('themes', () => {
  it('finds the package’s themes folder', () => {
    expect(join(BUILT_IN_DIR)).toBe(join(ROOT, 'themes/'));
  });

  it.each(['dark', 'light', 'high-contrast'])('built-in %s loads and defines every token', (name) => {
    const theme = loadTheme(name, { dataDir: tempDir(), noColor: false });
    expect(theme.name).toBe(name);
    expect(theme.colour).toBe(true);
    for (const token of TOKENS) expect(theme.color(token), token).toMatch(/\S/);
    // The file is what was loaded.
    const file = JSON.parse(readFileSync(join(ROOT, 'themes', `${name}.json`), 'utf8'));
    expect(theme.color('accent')).toBe(file.tokens.accent);
  });

  it('a user theme in <dataDir>/themes is found, listed, and wins over a built-in name', () => {
    const dir = tempDir();
    userTheme(dir, 'x', { name: 'x', tokens: tokens({ accent: '#ff8800', 'selection.bg': 'rgb(1, 2, 3)' }) });
    const theme = loadTheme('x', { dataDir: dir, noColor: false });
    expect(theme.color('accent')).toBe('#ff8800');
    expect(theme.color('selection.bg')).toBe('rgb(1, 2, 3)');
    expect(themeNames(dir)).toEqual(['dark', 'high-contrast', 'light', 'x']);
    userTheme(dir, 'dark', { name: 'mine', tokens: tokens({ accent: 'magenta' }) });
    expect(loadTheme('dark', { dataDir: dir, noColor: false }).color('accent')).toBe('magenta');
  });

  it('rejects an invalid colour, naming the file, the token and the rule', () => {
    const dir = tempDir();
    const path = userTheme(dir, 'bad', { name: 'bad', tokens: tokens({ accent: 'chartreuse' }) });
    expect(() => loadTheme('bad', { dataDir: dir, noColor: false })).toThrow(
      `theme ${path}: tokens.accent: not a colour (use a name like "cyan", "#rrggbb" or "rgb(r,g,b)")`,
    );
    userTheme(dir, 'hex', { name: 'hex', tokens: tokens({ muted: '#12345' }) });
    expect(() => loadTheme('hex', { dataDir: dir, noColor: false })).toThrow(/tokens\.muted: not a colour/);
  });

  it('rejects a theme that lacks tokens, listing them', () => {
    const dir = tempDir();
    const path = userTheme(dir, 'short', { name: 'short', tokens: tokens({ 'banner.bg': undefined, live: undefined }) });
    expect(() => loadTheme('short', { dataDir: dir, noColor: false })).toThrow(`theme ${path} lacks tokens: live, banner.bg`);
  });

  it('rejects unknown tokens, bad JSON and unknown names clearly', () => {
    const dir = tempDir();
    userTheme(dir, 'extra', { name: 'extra', tokens: { ...tokens(), sparkle: 'red' } });
    expect(() => loadTheme('extra', { dataDir: dir, noColor: false })).toThrow(/theme .*extra\.json: tokens: unknown tokens: sparkle/);
    userTheme(dir, 'broken', '{ "name": ');
    expect(() => loadTheme('broken', { dataDir: dir, noColor: false })).toThrow(/broken\.json is not valid JSON/);
    expect(() => loadTheme('nope', { dataDir: dir, noColor: false })).toThrow(/no theme "nope" \(available: .*dark.*light/);
  });

  it('NO_COLOR: no colours at all, whatever the theme', () => {
    const dir = tempDir();
    for (const name of ['dark', 'light', 'anything']) {
      const theme = loadTheme(name, { dataDir: dir, noColor: true });
      expect(theme.colour).toBe(false);
      for (const token of TOKENS) expect(theme.color(token as Token)).toBeUndefined();
    }
  });
});

describe('prompt history', () => {
  it('is kept per session across instances', () => {
    const dir = tempDir();
    const a = new PromptHistory(dir, 'default');
    a.add('list task');
    a.add('add task "One"');
    new PromptHistory(dir, 'other session/x').add('show plan 1');
    expect(new PromptHistory(dir, 'default').entries()).toEqual(['list task', 'add task "One"']);
    expect(new PromptHistory(dir, 'other session/x').entries()).toEqual(['show plan 1']);
    expect(readFileSync(join(dir, 'history', 'default.txt'), 'utf8')).toBe('list task\nadd task "One"\n');
  });

  it('drops blank lines and consecutive duplicates, flattens newlines', () => {
    const dir = tempDir();
    const h = new PromptHistory(dir, 's');
    for (const line of ['list task', 'list task', '  ', 'list task  ', 'show task 1', 'list task', 'add task\nTwo']) h.add(line);
    expect(h.entries()).toEqual(['list task', 'show task 1', 'list task', 'add task Two']);
    expect(new PromptHistory(dir, 's').entries()).toEqual(h.entries());
  });

  it('is bounded, in memory and on disk', () => {
    const dir = tempDir();
    const h = new PromptHistory(dir, 's', 5);
    for (let i = 1; i <= 23; i++) h.add(`cmd ${i}`);
    expect(h.entries().length).toBeLessThanOrEqual(10);
    expect(h.entries().at(-1)).toBe('cmd 23');
    const again = new PromptHistory(dir, 's', 5);
    expect(again.entries()).toEqual(['cmd 19', 'cmd 20', 'cmd 21', 'cmd 22', 'cmd 23']);
    const lines = readFileSync(join(dir, 'history', 's.txt'), 'utf8').split('\n').filter(Boolean);
    expect(lines.length).toBeLessThanOrEqual(10);
  });

  it('a folder it cannot write does not break the prompt', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'history'), 'a file where the folder should be');
    const h = new PromptHistory(dir, 's');
    expect(() => h.add('list task')).not.toThrow();
    expect(h.entries()).toEqual(['list task']);
  });
});
