// Format detection and the chain of version adapters. Each adapter recognises one older
// format and upgrades it one step; a future 4.x adapter is one more entry in MIGRATIONS.
import { FORMAT_MAJOR, majorVersion } from '../../domain/schema.js';
import { isObject } from './normalize.js';
import { v1 } from './v1.js';
import { v2 } from './v2.js';

export interface Migration {
  /** The format this adapter reads, as shown to people ("1.x"). */
  from: string;
  detect(raw: unknown): boolean;
  /** Returns the next format's document; `at` is the migration's timestamp. */
  upgrade(raw: unknown, at: string): Record<string, unknown>;
}

export const MIGRATIONS: readonly Migration[] = [v1, v2];

export type Detected =
  | { kind: 'current' }
  | { kind: 'older'; migration: Migration }
  | { kind: 'newer'; version: string }
  | { kind: 'unknown'; reason: string };

export function detectFormat(raw: unknown): Detected {
  if (!isObject(raw)) return { kind: 'unknown', reason: 'the top level is not a JSON object' };
  const version = raw.version === undefined ? undefined : String(raw.version);
  const major = version === undefined ? FORMAT_MAJOR : majorVersion(version);
  // Checked before the adapters: a newer file may look like an older one (a top-level
  // `tasks` list, say), and upgrading it would downgrade it (DESIGN §3).
  if (major > FORMAT_MAJOR) return { kind: 'newer', version: version as string };
  const migration = MIGRATIONS.find((m) => m.detect(raw));
  if (migration) return { kind: 'older', migration };
  if (!isObject(raw.flows)) {
    return { kind: 'unknown', reason: '"flows" is missing or not an object (and no "tasks" list)' };
  }
  if (major !== FORMAT_MAJOR) return { kind: 'unknown', reason: `unknown version ${JSON.stringify(version)}` };
  return { kind: 'current' };
}

export interface Upgrade {
  document: Record<string, unknown>;
  /** The formats passed through, oldest first ("2.x"). */
  steps: string[];
}

/** Applies adapters until the document is in the current format. */
export function upgrade(raw: unknown, at: string): Upgrade {
  const steps: string[] = [];
  let document = raw;
  for (let detected = detectFormat(document); detected.kind === 'older'; detected = detectFormat(document)) {
    if (steps.length > MIGRATIONS.length) throw new Error('internal: migration loop');
    steps.push(detected.migration.from);
    document = detected.migration.upgrade(document, at);
  }
  return { document: document as Record<string, unknown>, steps };
}
