#!/usr/bin/env node
// Entry point: no arguments on a terminal opens the TUI, anything else is the command line.
// `flow __complete` (the shells' Tab) has its own small bundle, so that a keystroke does not
// load the whole program.
const argv = process.argv.slice(2);
if (argv[0] === '__complete') {
  const { loadScript } = await import('./load-cli.js');
  process.exitCode = await loadScript('complete').exports.main(argv.slice(1));
} else {
  const { importModule, loadCli } = await import('./load-cli.js');
  process.exitCode = await loadCli().cli.run(argv, undefined, importModule);
}
