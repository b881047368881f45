// Preloaded into `flow` by a test: at exit, says whether V8's flags changed during the run
// (a bundle loaded now has its code cache rejected) on stderr.
'use strict';
const { join } = require('node:path');
process.on('exit', () => {
  const { loadScript } = require(join(__dirname, '..', '..', 'bin', 'load-cli.js'));
  process.stderr.write(`flags changed: ${loadScript('complete').script.cachedDataRejected}\n`);
});
