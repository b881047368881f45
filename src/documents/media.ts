// Media types: file-type (magic numbers) for binary contents, the extension (mime) for
// text, which has no magic number. file-type 21 is the last major that runs on Node 20.

/** Types whose contents are text people write and search: indexed by flow search. */
const TEXTUAL = /^(text\/|application\/(json|xml|javascript|x-sh|x-httpd-php|toml|yaml|x-yaml|sql|graphql)$|[a-z]+\/[a-z0-9.-]+\+(xml|json)$)/;

export function isTextual(mediaType: string): boolean {
  return TEXTUAL.test(mediaType);
}

/** True when the first bytes of a content read as UTF-8 text (no NUL, no broken sequence). */
export function looksLikeText(head: Buffer): boolean {
  if (head.includes(0)) return false;
  // A multi-byte character cut at the end of the head is not a sign of binary.
  let end = head.length;
  for (let back = 1; back <= 3 && end - back >= 0; back++) {
    const byte = head[end - back];
    if ((byte & 0xc0) === 0xc0) {
      end -= back;
      break;
    }
    if ((byte & 0x80) === 0) break;
  }
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(head.subarray(0, end));
    return true;
  } catch {
    return false;
  }
}

/** The media type of a content, from its first bytes and its name. */
export async function mediaTypeOf(name: string, head: Buffer): Promise<string> {
  // Loaded when a document is added, not at every command's start-up.
  const { default: mime } = await import('mime');
  const byName = mime.getType(name);
  if (looksLikeText(head)) {
    // Source files often have extensions mime gives to binaries (.ts is video/mp2t).
    return byName && isTextual(byName) ? byName : 'text/plain';
  }
  const { fileTypeFromBuffer } = await import('file-type');
  const detected = await fileTypeFromBuffer(head);
  return detected?.mime ?? byName ?? 'application/octet-stream';
}
