// Where the data directory is (DESIGN §1): --dir, then FLOW_DIR, then the nearest
// ancestor of the working directory holding .flow/, else ./.flow (created on first write).
import { statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

export const DATA_DIR_NAME = '.flow';

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

export function resolveDataDir(
  flag: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
  cwd = process.cwd(),
): string {
  if (flag) return resolve(cwd, flag);
  if (env.FLOW_DIR) return resolve(cwd, env.FLOW_DIR);
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    const candidate = join(dir, DATA_DIR_NAME);
    if (isDirectory(candidate)) return candidate;
    if (dirname(dir) === dir) break;
  }
  return join(resolve(cwd), DATA_DIR_NAME);
}
