// Reading a file of any known format for `flow migrate --from FILE`: upgraded in memory
// and validated, nothing written.
import { readFileSync } from 'node:fs';
import { FlowError } from '../../domain/errors.js';
import { parseFlow, parseHeader, SchemaError, type Flow, type Header } from '../../domain/schema.js';
import { now } from '../../domain/time.js';
import { detectFormat, upgrade } from './index.js';

export interface UpgradedFile {
  steps: string[];
  original: unknown;
  header: Header;
  flows: Flow[];
}

export function readAnyFormat(path: string): UpgradedFile {
  let original: unknown;
  try {
    original = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message;
    throw new FlowError('invalid', `cannot read ${path}: ${why}`);
  }
  const detected = detectFormat(original);
  if (detected.kind === 'unknown') throw new FlowError('invalid', `${path} is not a flow file: ${detected.reason}`);
  if (detected.kind === 'newer') throw new FlowError('too_new', `${path} is format ${detected.version}, newer than this flow`);
  const { document, steps } = upgrade(original, now());
  const { flows, ...rawHeader } = document as { flows: Record<string, unknown> };
  try {
    return {
      steps,
      original,
      header: parseHeader(rawHeader),
      flows: Object.entries(flows).map(([id, value]) => parseFlow(value, `flows.${id}`)),
    };
  } catch (err) {
    if (err instanceof SchemaError) throw new FlowError('invalid', `${path} does not validate: ${err.message}`);
    throw err;
  }
}
