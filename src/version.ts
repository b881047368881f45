// The program's version, set from package.json by the bundler (scripts/build.js) and by
// the test runner (vitest.config.ts).
import { FORMAT_VERSION } from './domain/schema.js';

declare const FLOW_VERSION: string | undefined;

export const PROGRAM_VERSION = typeof FLOW_VERSION === 'string' ? FLOW_VERSION : 'unbundled';

export const VERSION_JSON = { version: PROGRAM_VERSION, format: FORMAT_VERSION } as const;
export const VERSION_LINE = `flow ${PROGRAM_VERSION} (flows.json format ${FORMAT_VERSION})`;
