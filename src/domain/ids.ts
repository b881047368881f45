import { randomBytes } from '../random-bytes.js';

export type IdKind = 'flow' | 'plan' | 'task';

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';
// 12 base32 characters = 60 random bits: a collision among a million objects has odds
// of about 4e-7, so new ids need no look-up in the (possibly unparsed) rest of the file.
const ID_LENGTH = 12;

export function newId(kind: IdKind | 'snap' | 'doc'): string {
  const bytes = randomBytes(ID_LENGTH);
  let out = `${kind}_`;
  for (let i = 0; i < ID_LENGTH; i++) out += BASE32[bytes[i] & 31];
  return out;
}

const ID_PATTERN = /^(flow|plan|task)_[0-9a-z]{8,}$/;

/** The kind an id names, from its prefix; migrated ids without a prefix give undefined. */
export function idKind(id: string): IdKind | undefined {
  const match = ID_PATTERN.exec(id);
  return match ? (match[1] as IdKind) : undefined;
}
