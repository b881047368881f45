// Preloaded into `flow` by a test: at exit, says which V8 flags flow set through
// process.binding('v8') and whether V8's flags did change (a bundle loaded now has its
// code cache rejected), on stderr or in the file FLOW_PROBE_OUT names (the workspace's
// stderr must stay empty).
'use strict';
const { appendFileSync } = require('node:fs');
const { join } = require('node:path');
const set = [];
const binding = process.binding;
process.binding = function probed(name) {
  const real = binding.call(process, name);
  if (name !== 'v8') return real;
  return { setFlagsFromString: (flags) => (set.push(flags), real.setFlagsFromString(flags)) };
};
process.on('exit', () => {
  const { loadScript } = require(join(__dirname, '..', '..', 'bin', 'load-cli.js'));
  const line = `flags set: ${set.join(' ') || 'none'}, changed: ${loadScript('complete').script.cachedDataRejected}\n`;
  if (process.env.FLOW_PROBE_OUT) appendFileSync(process.env.FLOW_PROBE_OUT, line);
  else process.stderr.write(line);
});
