// Bundles the program with esbuild. The command line is one self-contained file so a
// run does not resolve hundreds of modules (start-up cost, DESIGN §6); the TUI is a
// separate bundle loaded only when `flow` opens the workspace.
import { build } from 'esbuild';
import { existsSync, renameSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
// CommonJS dependencies (proper-lockfile) call require() for Node built-ins.
const banner = {
  js: "import { createRequire as __flowCreateRequire } from 'node:module'; const require = __flowCreateRequire(import.meta.url);",
};
const common = {
  absWorkingDir: root,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  banner,
  sourcemap: 'linked',
  logLevel: 'warning',
  legalComments: 'none',
};

// Ink loads React DevTools only when DEV=true; bundled, that import would become a static
// import of a package we do not ship. Replace it with nothing.
const withoutInkDevtools = {
  name: 'without-ink-devtools',
  setup(b) {
    b.onResolve({ filter: /\/devtools\.js$/ }, (args) =>
      args.importer.includes('/node_modules/ink/') ? { path: args.path, namespace: 'empty' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'empty' }, () => ({ contents: '', loader: 'js' }));
  },
};

// Built next to dist/ and swapped in with renames, so a `flow` running meanwhile (tests
// in another terminal) never finds dist/ half-written or missing.
const next = `${root}/dist.next-${process.pid}`;
rmSync(next, { recursive: true, force: true });
const entries = [
  { entryPoints: ['src/cli/main.ts'], outfile: `${next}/cli.js`, minifySyntax: true, minifyWhitespace: true },
  { entryPoints: ['src/lib.ts'], outfile: `${next}/lib.js` },
];
if (existsSync(`${root}/src/tui/main.tsx`)) {
  entries.push({
    entryPoints: ['src/tui/main.tsx'],
    outfile: `${next}/tui.js`,
    jsx: 'automatic',
    plugins: [withoutInkDevtools],
  });
}
if (existsSync(`${root}/src/tui/load-worker.ts`)) {
  entries.push({ entryPoints: ['src/tui/load-worker.ts'], outfile: `${next}/load-worker.js` });
}
try {
  await Promise.all(entries.map((entry) => build({ ...common, ...entry })));
} catch (err) {
  rmSync(next, { recursive: true, force: true });
  throw err;
}
const old = `${root}/dist.old-${process.pid}`;
if (existsSync(`${root}/dist`)) renameSync(`${root}/dist`, old);
renameSync(next, `${root}/dist`);
rmSync(old, { recursive: true, force: true });
