// Loads the command line's bundle (dist/cli.cjs, one CommonJS script) with the V8 code
// cache the build wrote for it (dist/cli.cache, after a warm-up run of common commands):
// a run then skips compiling what the warm-up compiled (issue 15, start-up). A cache V8
// rejects (another Node, other V8 flags) or that is missing costs only that compile: the
// script that runs is the same either way.
'use strict';
const { readFileSync } = require('node:fs');
const { createRequire } = require('node:module');
const { join } = require('node:path');
const vm = require('node:vm');

const DIST = join(__dirname, '..', 'dist');

/**
 * The bundle in `dist`, run once, and its script (to write a code cache from). `as` is
 * the folder it is known by: stack traces and the cache name the bundle there, so the
 * build's warm-up (in a folder of its own) names it as the installed one.
 */
function loadCli(dist = DIST, as = dist) {
  const { exports, script } = loadScript('cli', dist, as);
  return { cli: exports, script };
}

/**
 * `name`.cjs in `dist` run with its code cache `name`.cache: the command line, or shell
 * completion's bundle (dist/complete.cjs, run on every Tab).
 */
function loadScript(name, dist = DIST, as = dist) {
  const file = join(as, `${name}.cjs`);
  let cachedData;
  try {
    cachedData = readFileSync(join(dist, `${name}.cache`));
  } catch {
    cachedData = undefined;
  }
  // The build wrote the script wrapped in its function and checked it is ASCII: read as
  // latin1 it is its own text, with no UTF-8 to decode.
  const source = readFileSync(join(dist, `${name}.cjs`), 'latin1');
  // No import() inside the script (Node 20 loses its loader with a code cache): run() is
  // given importModule for the TUI bundle instead.
  const script = new vm.Script(source, { filename: file, cachedData });
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(file), module, file, as);
  return { exports: module.exports, script };
}

/** Imports an ES module for the script (the TUI bundle). */
const importModule = (url) => import(url);

module.exports = { DIST, importModule, loadCli, loadScript };
