// Preloaded into `flow` by a test (NODE_OPTIONS=--require): appends "<pid>" to the file
// FLOW_PROBE_OUT names the first time this process finds the lock FLOW_PROBE_LOCK names
// (a path ending in ".lock") held by another, so the test knows the command has read the
// store and now waits for that lock. It only watches: every call goes to node:fs as is.
'use strict';
const fs = require('node:fs');
const { syncBuiltinESMExports } = require('node:module');
const mkdirSync = fs.mkdirSync;
let told = false;
fs.mkdirSync = function watched(path, ...rest) {
  try {
    return mkdirSync.call(this, path, ...rest);
  } catch (err) {
    if (!told && err && err.code === 'EEXIST' && String(path).endsWith(process.env.FLOW_PROBE_LOCK)) {
      told = true;
      fs.appendFileSync(process.env.FLOW_PROBE_OUT, `${process.pid}\n`);
    }
    throw err;
  }
};
syncBuiltinESMExports();
