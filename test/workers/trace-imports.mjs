// Registered with --import: prints every module Node resolves, to prove what a run loads.
import { register } from 'node:module';

register(
  'data:text/javascript,' +
    encodeURIComponent(`
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  process.stderr.write('[resolve] ' + result.url + '\\n');
  return result;
}`),
);
