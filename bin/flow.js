#!/usr/bin/env node
// Entry point: no arguments on a terminal opens the TUI, anything else is the command line.
import { importModule, loadCli } from './load-cli.js';

process.exitCode = await loadCli().cli.run(process.argv.slice(2), undefined, importModule);
