/** The one clock of the program: ISO-8601 UTC with milliseconds, as DESIGN §2 shows. */
export function now(): string {
  return new Date().toISOString();
}
