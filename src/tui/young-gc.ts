// Collects V8's young generation when asked (the TUI's load of a big store), instead of
// when the next allocation finds it full. The flows taken in from the loader threads all
// survive, and a scavenge costs what survives: left to V8, the collection came in the
// middle of a key's frame (Ink's render allocates most) with ~33 ms of intake to copy.
// Collected right after each chunk, it copies one chunk's flows, a millisecond or two.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

type Collect = (options: { type: 'minor' | 'major'; execution: 'sync' | 'async' }) => void;

let collect: Collect | null | undefined;

/**
 * V8's gc() with options, taken from a context made while --expose-gc was on; null where
 * there is none. The flag goes off again at once: V8's flags stay its defaults, so a code
 * cache loaded later (bin/load-cli.js) still matches them.
 */
function collector(): Collect | null {
  if (collect !== undefined) return collect;
  try {
    setFlagsFromString('--expose-gc');
    const gc: unknown = runInNewContext('gc');
    collect = typeof gc === 'function' ? (gc as Collect) : null;
  } catch {
    collect = null;
  } finally {
    setFlagsFromString('--no-expose-gc');
  }
  return collect;
}

/** A young-generation collection now (a scavenge); false where V8 gives no way to ask. */
export function collectYoung(): boolean {
  const gc = collector();
  if (!gc) return false;
  gc({ type: 'minor', execution: 'sync' });
  return true;
}
