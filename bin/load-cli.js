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

/**
 * A command runs for tens of milliseconds. V8 compiles a function that ran a while again,
 * optimised, on a background thread, and Node waits for those compiles before the process
 * exits: a listing of 1,000 flows waited ~5 ms for code it never ran (issue 15). Twice
 * V8's budget before a function counts as hot keeps them out of such runs; a long run
 * (`list flow` at 100k flows) still optimises its hot loops, measured no slower. Not for
 * the TUI (its first screen at 100k flows came 5-10% later) nor the MCP server, which
 * run until stopped. Set once the bundle is loaded: V8 accepts a code cache only under
 * the flags it was made with.
 * process.binding('v8') rather than require('node:v8'), which loads Node's streams
 * (2 ms); its deprecation warning is not the person's business.
 */
function deferOptimisation() {
  // Under --no-deprecation the property is true and read-only: nothing to silence.
  const silence = !process.noDeprecation;
  try {
    if (silence) process.noDeprecation = true;
    process.binding('v8').setFlagsFromString('--interrupt-budget=135168');
  } catch {
    // A Node without it keeps its own default.
  } finally {
    if (silence) process.noDeprecation = false;
  }
}

/** Imports an ES module for the script (the TUI bundle). */
const importModule = (url) => import(url);

module.exports = { DIST, deferOptimisation, importModule, loadCli, loadScript };
