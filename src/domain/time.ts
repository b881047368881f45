/** The one clock of the program: ISO-8601 UTC with milliseconds, as DESIGN §2 shows. */
export function now(): string {
  return new Date().toISOString();
}

/**
 * How long ago an ISO time was, as a person reads it: `12s ago`, `3m ago`, `2d ago`;
 * nothing for no time or one that is not a time (another program wrote it).
 */
export function age(from: string | null, at: number): string {
  const time = from ? Date.parse(from) : Number.NaN;
  if (Number.isNaN(time)) return '';
  const seconds = Math.max(0, Math.round((at - time) / 1000));
  if (seconds < 60) return `${seconds}s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m ago`;
  if (seconds < 86400) return `${Math.floor(seconds / 3600)}h ago`;
  return `${Math.floor(seconds / 86400)}d ago`;
}
