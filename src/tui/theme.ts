// Themes: JSON files of semantic tokens (themes/*.json, and the user's .flow/themes/),
// validated on load. Components ask for a token, never a colour. NO_COLOR gives a theme
// with no colours at all; selection and emphasis then use inverse and bold.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as z from 'zod/mini';
import { FlowError } from '../domain/errors.js';
import { isInside } from '../store/contain.js';

export const TOKENS = [
  'text', 'muted', 'accent', 'heading', 'border', 'selection.fg', 'selection.bg', 'flash.bg',
  'flash.fg', 'success', 'warning', 'danger', 'id', 'tag', 'live', 'offline', 'status.todo',
  'status.in_progress', 'status.blocked', 'status.done', 'status.cancelled', 'priority.high',
  'priority.medium', 'priority.low', 'prompt', 'banner.fg', 'banner.bg',
] as const;

export type Token = (typeof TOKENS)[number];

// Ink colour names, hex (#rgb/#rrggbb), or rgb(r,g,b).
const COLOUR = /^(#[0-9a-fA-F]{3}|#[0-9a-fA-F]{6}|rgb\(\s*\d{1,3}\s*,\s*\d{1,3}\s*,\s*\d{1,3}\s*\)|(black|red|green|yellow|blue|magenta|cyan|white|gray|grey)(Bright)?|blackBright|redBright|greenBright|yellowBright|blueBright|magentaBright|cyanBright|whiteBright)$/;

const ThemeFileSchema = z.object({
  name: z.string(),
  // Partial: zod's enum-keyed record would reject a missing token as "Invalid input";
  // parseTheme names the missing ones itself.
  tokens: z.partialRecord(
    z.enum(TOKENS),
    z.string().check(z.regex(COLOUR, 'not a colour (use a name like "cyan", "#rrggbb" or "rgb(r,g,b)")')),
  ),
});

export interface Theme {
  name: string;
  /** False under NO_COLOR: components fall back to inverse/bold. */
  colour: boolean;
  color(token: Token): string | undefined;
}

/** themes/ of the package: next to dist/ when bundled, two levels up from src/tui/. */
export const BUILT_IN_DIR = (() => {
  for (const up of ['../themes/', '../../themes/']) {
    const dir = fileURLToPath(new URL(up, import.meta.url));
    if (existsSync(join(dir, 'dark.json'))) return dir;
  }
  return fileURLToPath(new URL('../themes/', import.meta.url));
})();

function parseTheme(path: string): Record<Token, string> {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new FlowError('invalid', `theme ${path} is not valid JSON: ${(err as Error).message}`);
  }
  const parsed = ThemeFileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const message = issue.code === 'unrecognized_keys' ? `unknown tokens: ${issue.keys.join(', ')}` : issue.message;
    throw new FlowError('invalid', `theme ${path}: ${issue.path.join('.')}: ${message}`);
  }
  const missing = TOKENS.filter((t) => !(t in parsed.data.tokens));
  if (missing.length) throw new FlowError('invalid', `theme ${path} lacks tokens: ${missing.join(', ')}`);
  return parsed.data.tokens as Record<Token, string>;
}

/** Names of the themes a person can choose: built-in ones and .flow/themes/*.json. */
export function themeNames(dataDir: string, builtInDir = BUILT_IN_DIR): string[] {
  const names = new Set<string>();
  for (const dir of [builtInDir, join(dataDir, 'themes')]) {
    try {
      for (const file of readdirSync(dir)) if (file.endsWith('.json')) names.add(basename(file, '.json'));
    } catch {
      // no such folder
    }
  }
  return [...names].sort();
}

// A theme name (from config.json or --theme) names a file: a plain name, never a path.
const THEME_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export function loadTheme(
  name: string,
  options: { dataDir: string; noColor: boolean; builtInDir?: string },
): Theme {
  if (!THEME_NAME.test(name)) {
    throw new FlowError('invalid', `${JSON.stringify(name)} is not a theme name (letters, digits, . _ - only)`);
  }
  if (options.noColor) return { name, colour: false, color: () => undefined };
  const own = join(options.dataDir, 'themes', `${name}.json`);
  // A theme file in .flow/themes/ that is a link out of .flow/ is not read (DESIGN §8).
  const candidates = [
    ...(isInside(options.dataDir, `themes/${name}.json`, /^themes\//) ? [own] : []),
    join(options.builtInDir ?? BUILT_IN_DIR, `${name}.json`),
  ];
  for (const path of candidates) {
    if (!existsSync(path)) continue;
    const tokens = parseTheme(path);
    return { name, colour: true, color: (token) => tokens[token] };
  }
  throw new FlowError(
    'not_found',
    `no theme "${name}" (available: ${themeNames(options.dataDir, options.builtInDir).join(', ')})`,
  );
}
