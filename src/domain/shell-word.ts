// Words of a command line for `sh`: what flow prints for a person to run, and what git
// runs as the merge driver.

/** `text` as one word for `sh`, always quoted. */
export function shellWord(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

/** `text` as one word for `sh`: as it is when nothing in it is special, quoted otherwise. */
export function shellArg(text: string): string {
  return /^[A-Za-z0-9_.:/-]+$/.test(text) ? text : shellWord(text);
}
