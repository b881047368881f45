/**
 * `make()`, run on the first call and remembered. For zod schemas at module level that
 * only some commands use: building them at load costs every command's start-up (issue 15).
 */
export function once<T>(make: () => T): () => T {
  let made: { value: T } | undefined;
  return () => {
    made ??= { value: make() };
    return made.value;
  };
}
