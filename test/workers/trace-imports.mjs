// Registered with --import: prints every module Node resolves or requires, to prove what
// a run loads (the command line is a CommonJS script: its requires are CommonJS).
import Module, { register } from 'node:module';

const load = Module._load;
Module._load = function traced(request, ...rest) {
  process.stderr.write(`[require] ${request}\n`);
  return load.call(this, request, ...rest);
};

register(
  'data:text/javascript,' +
    encodeURIComponent(`
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  process.stderr.write('[resolve] ' + result.url + '\\n');
  return result;
}`),
);
