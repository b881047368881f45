#!/usr/bin/env node
// Entry point: no arguments on a terminal opens the TUI, anything else is the command line.
import { run } from '../dist/cli.js';

process.exitCode = await run(process.argv.slice(2));
