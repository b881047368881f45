// When the main thread takes in what the loader threads parsed (a big store's load): one
// piece per turn of the event loop, never right after a key. A chunk of 200 flows costs
// the main thread a few milliseconds (its structured clone is read, then merged) and
// makes garbage the next collection copies; chunks taken as they came, two threads with
// two each in flight, held a key read behind up to four of them, and a chunk taken just
// after a key delayed that key's own frame.

/** How long after a key no piece is taken in: its frame (drawn within Ink's 9 ms throttle) comes first. */
export const KEY_HOLD_MS = 12;

let lastKeyAt = -Infinity;

/** A key (any input) came now: pieces wait until its frame had its turn. */
export function noteKey(at = performance.now()): void {
  lastKeyAt = at;
}

/**
 * Runs what is pushed in order, one piece per turn (after the I/O waiting then: a key
 * read in that turn is handled, and its frame drawn, before the next piece), and none
 * within `holdMs` after a key.
 */
export class IntakeQueue {
  private readonly pieces: Array<() => void> = [];
  private scheduled = false;

  constructor(
    private readonly holdMs = KEY_HOLD_MS,
    private readonly now = () => performance.now(),
  ) {}

  push(piece: () => void): void {
    this.pieces.push(piece);
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled || !this.pieces.length) return;
    this.scheduled = true;
    const wait = lastKeyAt + this.holdMs - this.now();
    if (wait > 0) setTimeout(() => this.run(), Math.ceil(wait));
    else setImmediate(() => this.run());
  }

  private run(): void {
    this.scheduled = false;
    // A key came while this turn waited: its frame first.
    if (lastKeyAt + this.holdMs > this.now()) return this.schedule();
    this.pieces.shift()?.();
    this.schedule();
  }
}
