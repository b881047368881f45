#!/usr/bin/env node
// Entry point: no arguments on a terminal opens the TUI, anything else is the command line.
// CommonJS (bin/package.json): an ES module entry costs Node 20 about 10 ms more to start
// (its loader, and the module facade of node:fs, which loads the stream modules).
// `flow __complete` (the shells' Tab) has its own small bundle, so that a keystroke does not
// load the whole program.
'use strict';
const argv = process.argv.slice(2);
const { deferOptimisation, importModule, loadCli, loadScript } = require('./load-cli.js');
const run =
  argv[0] === '__complete'
    ? loadScript('complete').exports.main(argv.slice(1), __filename)
    : loadCli().cli.run(argv, undefined, importModule, deferOptimisation);
Promise.resolve(run).then((code) => {
  process.exitCode = code;
});
