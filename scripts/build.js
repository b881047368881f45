// Bundles the program with esbuild. The command line is one self-contained file so a
// run does not resolve hundreds of modules (start-up cost, DESIGN §6); the TUI is a
// separate bundle loaded only when `flow` opens the workspace.
import { build } from 'esbuild';
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
// CommonJS dependencies (proper-lockfile) call require() for Node built-ins.
const banner = {
  js: "import { createRequire as __flowCreateRequire } from 'node:module'; const require = __flowCreateRequire(import.meta.url);",
};
// proper-lockfile takes graceful-fs as its fs, and graceful-fs patches node:fs when it
// loads (pulling in the stream modules: ~2.5 ms of every command's start-up) so that
// opens past EMFILE queue; the lock's mkdir, stat and utimes never need that. signal-exit
// (its release on exit) requires node:assert (~2 ms) for one argument check. Both
// become what they stand for, in every bundle, so every flow process locks the same way.
const lightLockDependencies = {
  name: 'light-lock-dependencies',
  setup(b) {
    b.onResolve({ filter: /^graceful-fs$/ }, (args) =>
      args.importer.includes('/node_modules/proper-lockfile/') ? { path: 'node:fs', external: true } : undefined,
    );
    b.onResolve({ filter: /^assert$/ }, (args) =>
      args.importer.includes('/node_modules/signal-exit/') ? { path: 'assert', namespace: 'light-assert' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'light-assert' }, () => ({
      contents: 'module.exports = { equal(actual, expected, message) { if (actual != expected) throw new Error(message); } };',
      loader: 'js',
    }));
  },
};

const { version } = JSON.parse(readFileSync(`${root}/package.json`, 'utf8'));
const common = {
  absWorkingDir: root,
  define: { FLOW_VERSION: JSON.stringify(version) },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  banner,
  sourcemap: 'linked',
  logLevel: 'warning',
  legalComments: 'none',
  plugins: [lightLockDependencies],
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

// Ink draws nothing but the last frame when a CI variable is set (is-in-ci), to keep
// build logs short. flow opens the workspace only when stdin and stdout are terminals, so
// a CI variable inherited from a runner, a dev container or tmux must not blank it.
const interactiveEvenInCi = {
  name: 'interactive-even-in-ci',
  setup(b) {
    b.onResolve({ filter: /^is-in-ci$/ }, () => ({ path: 'is-in-ci', namespace: 'not-in-ci' }));
    b.onLoad({ filter: /.*/, namespace: 'not-in-ci' }, () => ({ contents: 'export default false;', loader: 'js' }));
  },
};

// Ink rebuilds its per-line caches (styled characters, string widths) for every frame,
// so each keystroke re-measures every character on screen. Keep one bounded cache for
// the whole run instead: most lines are the same from one frame to the next.
const inkOutputCaches = {
  name: 'ink-output-caches',
  setup(b) {
    b.onLoad({ filter: /node_modules\/ink\/build\/output\.js$/ }, async (args) => {
      const { readFile } = await import('node:fs/promises');
      const source = await readFile(args.path, 'utf8');
      const patched = source.replace(
        'caches = new OutputCaches();',
        'caches = sharedOutputCaches();',
      );
      if (patched === source) throw new Error('ink-output-caches: ink/build/output.js changed; update the build');
      const shared = `
let sharedCaches;
function sharedOutputCaches() {
  sharedCaches ??= new OutputCaches();
  // Bounded: a long session must not keep every line it ever drew.
  for (const map of [sharedCaches.widths, sharedCaches.blockWidths, sharedCaches.styledChars]) {
    if (map.size > 20000) map.clear();
  }
  return sharedCaches;
}
`;
      return { contents: patched + shared, loader: 'js' };
    });
  },
};

// Built next to dist/ and swapped in with renames, so a `flow` running meanwhile (tests
// in another terminal) never finds dist/ half-written or missing.
const next = `${root}/dist.next-${process.pid}`;
rmSync(next, { recursive: true, force: true });
// A script bin/load-cli.js runs with a V8 code cache (an ES module cannot use one on Node
// 20): CommonJS, wrapped in the function the loader calls with require, __filename and
// __dirname (written here, on the first line, so the loader passes the file as it reads
// it: no copy of it to build, and line numbers stay the bundle's).
const script = {
  format: 'cjs',
  // import.meta.url made on first use: pathToFileURL costs every start-up 0.4 ms.
  banner: {
    js: "(function (exports, require, module, __filename, __dirname) {var __flowScriptUrl; var __flowScript = { get url() { return (__flowScriptUrl ??= require('node:url').pathToFileURL(__filename).href); } };",
  },
  footer: { js: '})' },
  define: { ...common.define, 'import.meta.url': '__flowScript.url' },
  minifySyntax: true,
  minifyWhitespace: true,
};
const entries = [
  // The command line. Code only some commands need (documents, search) is still
  // evaluated on first use: esbuild turns its dynamic imports into lazy module inits.
  { ...script, entryPoints: ['src/cli/main.ts'], outfile: `${next}/cli.cjs` },
  { entryPoints: ['src/lib.ts'], outfile: `${next}/lib.js` },
  // flow mcp: the MCP SDK lives here only, loaded by the command line when it serves.
  { entryPoints: ['src/mcp/server.ts'], outfile: `${next}/mcp.js`, minifySyntax: true, minifyWhitespace: true },
];
// Benchmarks and stress loops are bundled too, so they run with plain node.
for (const name of ['run', 'child', 'stress', 'agents']) {
  if (existsSync(`${root}/bench/${name}.ts`)) {
    entries.push({ entryPoints: [`bench/${name}.ts`], outfile: `${next}/bench-${name}.js`, external: ['chokidar'] });
  }
}
if (existsSync(`${root}/src/tui/main.tsx`)) {
  entries.push({
    entryPoints: ['src/tui/main.tsx'],
    outfile: `${next}/tui.js`,
    jsx: 'automatic',
    // React's production build: the development one checks everything on every render.
    define: { ...common.define, 'process.env.NODE_ENV': '"production"' },
    plugins: [lightLockDependencies, withoutInkDevtools, interactiveEvenInCi, inkOutputCaches],
  });
}
for (const worker of ['load-worker', 'sync-worker']) {
  if (existsSync(`${root}/src/tui/${worker}.ts`)) entries.push({ entryPoints: [`src/tui/${worker}.ts`], outfile: `${next}/${worker}.js` });
}
/**
 * dist/complete.cjs, for `flow __complete`: the table's words and fields (made by running
 * the table once, here) written into a script that does not load the commands, with what
 * reads the store evaluated only when a reference is completed. One CommonJS script, run
 * by bin/flow.js with the V8 code cache written after a warm-up (dist/complete.cache),
 * as the command line is: every Tab would otherwise compile it again.
 */
async function buildCompletion() {
  const manifest = `${next}/completion-manifest.js`;
  await build({ ...common, entryPoints: ['src/completion/manifest.ts'], outfile: manifest, sourcemap: false });
  const { completionManifest } = await import(pathToFileURL(manifest).href);
  rmSync(manifest);
  await build({
    ...common,
    ...script,
    entryPoints: ['src/completion/main.ts'],
    outfile: `${next}/complete.cjs`,
    define: { ...script.define, FLOW_COMPLETION_MANIFEST: JSON.stringify(completionManifest()) },
  });
  const code = await new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [`${root}/scripts/complete-cache.js`, next], { stdio: ['ignore', 'ignore', 'inherit'] });
    child.on('error', reject);
    child.on('close', resolve);
  });
  if (code !== 0) throw new Error('writing the completion code cache failed');
}

/** The newest change to what the declarations are made of. */
function newestSource(dir = `${root}/src`) {
  let newest = Math.max(...['tsconfig.json', 'tsconfig.lib.json', 'package-lock.json'].map((f) => statSync(`${root}/${f}`).mtimeMs));
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = `${dir}/${entry.name}`;
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * dist/types: the library's declarations (package.json "exports" types). tsc takes
 * seconds, so the previous build's are kept while no source changed since.
 */
async function buildTypes() {
  const old = `${root}/dist/types/lib.d.ts`;
  if (existsSync(old) && statSync(old).mtimeMs > newestSource()) {
    cpSync(`${root}/dist/types`, `${next}/types`, { recursive: true, preserveTimestamps: true });
    return;
  }
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const code = await new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [tsc, '-p', `${root}/tsconfig.lib.json`, '--outDir', `${next}/types`], { stdio: 'inherit' });
    child.on('error', reject);
    child.on('close', resolve);
  });
  if (code !== 0) throw new Error(`tsc (the library's declarations) exited ${code}`);
}

try {
  await Promise.all([...entries.map((entry) => build({ ...common, ...entry })), buildCompletion(), buildTypes()]);
} catch (err) {
  rmSync(next, { recursive: true, force: true });
  throw err;
}
// The loader reads the scripts as latin1, which is their text only while they are ASCII
// (esbuild escapes the rest, but not inside a regular expression's character class).
for (const name of ['cli', 'complete']) {
  const bytes = readFileSync(`${next}/${name}.cjs`);
  const at = bytes.findIndex((byte) => byte > 0x7f);
  if (at >= 0) {
    rmSync(next, { recursive: true, force: true });
    throw new Error(`dist/${name}.cjs is not ASCII at byte ${at} (write that character as an escape in the source)`);
  }
}
// The code cache is made from the script as built, before it is swapped in.
const cache = spawnSync(process.execPath, [`${root}/scripts/code-cache.js`, next], { stdio: ['ignore', 'ignore', 'inherit'] });
if (cache.status !== 0) {
  rmSync(next, { recursive: true, force: true });
  throw new Error('writing the code cache failed');
}
const old = `${root}/dist.old-${process.pid}`;
if (existsSync(`${root}/dist`)) renameSync(`${root}/dist`, old);
renameSync(next, `${root}/dist`);
rmSync(old, { recursive: true, force: true });
