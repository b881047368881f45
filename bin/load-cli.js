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
  const file = join(as, 'cli.cjs');
  let cachedData;
  try {
    cachedData = readFileSync(join(dist, 'cli.cache'));
  } catch {
    cachedData = undefined;
  }
  // On the source's first line, so line numbers stay the bundle's.
  const wrapped = `(function (exports, require, module, __filename, __dirname) {${readFileSync(join(dist, 'cli.cjs'), 'utf8')}\n})`;
  // No import() inside the script (Node 20 loses its loader with a code cache): run() is
  // given importModule for the TUI bundle instead.
  const script = new vm.Script(wrapped, { filename: file, cachedData });
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(file), module, file, as);
  return { cli: module.exports, script };
}

/** Imports an ES module for the script (the TUI bundle). */
const importModule = (url) => import(url);

module.exports = { DIST, importModule, loadCli };
