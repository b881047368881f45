// The one content store (issue 13 item 1): document contents by sha256, written once
// whoever adds them (a document, a snapshot), each as a temp file that is fsynced and
// renamed into place, so a crash leaves a whole blob or none. Files are streamed through
// one fixed buffer: adding a 200 MB file never holds it in memory.
//
//   documents/.blobs/<aa>/<sha256>   contents up to documents.large_mb
//   documents/large/<sha256>         larger ones (git-lfs takes this folder)
//   snapshots/blobs/<aa>/<sha256>    written by earlier versions' snapshots: read, collected
import {
  closeSync,
  fstatSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readSync,
  renameSync,
  statSync,
  unlinkSync,
  writeFileSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { FlowError } from '../domain/errors.js';
import { fsyncDirectory, isAlive, removeStaleTempsIn } from '../store/atomic-write.js';
import { SNAPSHOT_DIR } from '../store/migrate/snapshot.js';
import { DOCUMENTS_DIR, isSha256 } from './contain.js';
import { fsPromises, nodeCrypto } from '../node-modules.js';
import { randomBytes } from '../random-bytes.js';

export const BLOBS_DIR = '.blobs';
export const LARGE_DIR = 'large';
/** Markers of contents being added (`<sha256>.<pid>`), under the small-content folder. */
const PENDING_DIR = '.pending';
const CHUNK = 1 << 20;
/** Bytes kept from the start of a file, enough for file-type to recognise it. */
export const HEAD_BYTES = 4100;

export interface StoredBlob {
  sha256: string;
  size: number;
  /** The first HEAD_BYTES bytes, for media type detection. */
  head: Buffer;
  /** True when this put wrote the blob; false when the content was already stored. */
  created: boolean;
  large: boolean;
  path: string;
}

export type Progress = (done: number, total: number) => void;

export class ContentStore {
  readonly documents: string;
  private readonly small: string;
  private readonly large: string;
  private readonly legacy: string;
  private readonly pendingDir: string;
  private readonly pending = new Set<string>();

  constructor(
    readonly dir: string,
    /** Contents larger than this many bytes go to documents/large/. */
    readonly largeBytes: number,
  ) {
    this.documents = join(dir, DOCUMENTS_DIR);
    this.small = join(this.documents, BLOBS_DIR);
    this.large = join(this.documents, LARGE_DIR);
    this.legacy = join(dir, SNAPSHOT_DIR, 'blobs');
    this.pendingDir = join(this.small, PENDING_DIR);
  }

  private smallPath(hash: string): string {
    return join(this.small, hash.slice(0, 2), hash);
  }

  private largePath(hash: string): string {
    return join(this.large, hash);
  }

  /** Where a stored content is, or undefined when it is not stored. */
  find(hash: string): string | undefined {
    if (!isSha256(hash)) return undefined;
    for (const path of [this.smallPath(hash), this.largePath(hash), join(this.legacy, hash.slice(0, 2), hash)]) {
      if (isFile(path)) return path;
    }
    return undefined;
  }

  has(hash: string): boolean {
    return this.find(hash) !== undefined;
  }

  /**
   * Streams a file into the store. Nothing is left behind when it fails. With `folders`,
   * the folders to fsync are collected there (a caller storing many files syncs each
   * folder once) instead of synced at once.
   */
  async putFile(source: string, progress?: Progress, folders?: Set<string>): Promise<StoredBlob> {
    const input = await fsPromises().open(source, 'r');
    try {
      const total = (await input.stat()).size;
      const large = total > this.largeBytes;
      const folder = large ? this.large : this.small;
      mkdirSync(folder, { recursive: true });
      const temp = join(folder, `incoming.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
      const fd = openSync(temp, 'wx', 0o444);
      let tempOpen = true;
      let placed = false;
      try {
        const hash = nodeCrypto().createHash('sha256');
        const buffer = Buffer.allocUnsafe(CHUNK);
        const head: Buffer[] = [];
        let headBytes = 0;
        let size = 0;
        for (;;) {
          const { bytesRead } = await input.read(buffer, 0, CHUNK, null);
          if (bytesRead === 0) break;
          const chunk = buffer.subarray(0, bytesRead);
          hash.update(chunk);
          writeFully(fd, chunk, temp);
          if (headBytes < HEAD_BYTES) {
            const piece = Buffer.from(chunk.subarray(0, HEAD_BYTES - headBytes));
            head.push(piece);
            headBytes += piece.length;
          }
          size += bytesRead;
          progress?.(size, Math.max(total, size));
        }
        if (fstatSync(fd).size !== size) throw new FlowError('failed', `short write while storing ${source}`);
        fsyncSync(fd);
        closeSync(fd);
        tempOpen = false;
        const sha256 = hash.digest('hex');
        // Held until the caller released it: a collection running meanwhile spares it.
        this.hold(sha256);
        const target = large ? this.largePath(sha256) : this.smallPath(sha256);
        const existing = this.find(sha256);
        if (existing && statSync(existing).size === size) {
          // Stored already: keep that copy.
          unlinkSync(temp);
          placed = true;
          return { sha256, size, head: Buffer.concat(head), created: false, large, path: existing };
        }
        mkdirSync(dirname(target), { recursive: true });
        renameSync(temp, target);
        placed = true;
        if (folders) folders.add(dirname(target));
        else fsyncDirectory(dirname(target));
        return { sha256, size, head: Buffer.concat(head), created: true, large, path: target };
      } finally {
        if (tempOpen) closeSync(fd);
        if (!placed) unlinkSync(temp);
      }
    } finally {
      await input.close();
    }
  }

  /** Removes a stored content (all its copies). */
  remove(hash: string): void {
    if (!isSha256(hash)) return;
    for (const path of [this.smallPath(hash), this.largePath(hash), join(this.legacy, hash.slice(0, 2), hash)]) {
      try {
        unlinkSync(path);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
    }
  }

  /** Re-reads a stored content and checks it still has its hash. */
  async verify(hash: string): Promise<boolean> {
    const path = this.find(hash);
    return path !== undefined && (await hashFile(path)) === hash;
  }

  private hold(sha256: string): void {
    mkdirSync(this.pendingDir, { recursive: true });
    writeFileSync(join(this.pendingDir, `${sha256}.${process.pid}`), '');
    this.pending.add(sha256);
  }

  /** Lets go of the contents this process stored: from now on only references keep them. */
  release(): void {
    for (const sha256 of this.pending) rmSync(join(this.pendingDir, `${sha256}.${process.pid}`), { force: true });
    this.pending.clear();
  }

  /** Contents that processes still running have stored but not yet recorded (markers of dead ones go). */
  held(): Set<string> {
    const out = new Set<string>();
    for (const name of listDir(this.pendingDir)) {
      const [sha256, pid] = name.split('.');
      if (isSha256(sha256) && isAlive(Number(pid))) out.add(sha256);
      else rmSync(join(this.pendingDir, name), { force: true });
    }
    return out;
  }

  /** Every stored content: its hash, where it is, when it was written, and whether an earlier version's snapshot wrote it. */
  *all(): Generator<{ sha256: string; path: string; mtimeMs: number; legacy: boolean }> {
    const fanned = (root: string) => listDir(root).flatMap((sub) => (sub.length === 2 ? listDir(join(root, sub)).map((n) => join(root, sub, n)) : []));
    for (const path of [...fanned(this.small), ...listDir(this.large).map((n) => join(this.large, n)), ...fanned(this.legacy)]) {
      const sha256 = basename(path);
      if (!isSha256(sha256)) continue;
      let mtimeMs: number;
      try {
        mtimeMs = statSync(path).mtimeMs;
      } catch {
        continue;
      }
      yield { sha256, path, mtimeMs, legacy: path.startsWith(this.legacy) };
    }
  }

  /** Temp files of writers that died mid-write. */
  removeStaleTemps(): void {
    for (const folder of [this.small, this.large]) removeStaleTempsIn(folder);
  }
}

function writeFully(fd: number, chunk: Buffer, file: string): void {
  for (let offset = 0; offset < chunk.length; ) {
    const n = writeSync(fd, chunk, offset, chunk.length - offset);
    if (n === 0) throw new FlowError('failed', `short write to ${file}`);
    offset += n;
  }
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function listDir(path: string): string[] {
  try {
    return readdirSync(path);
  } catch {
    return [];
  }
}

/** The sha256 of a file, read in chunks without giving up the thread (for work under a lock). */
export function hashFileSync(path: string): string {
  const fd = openSync(path, 'r');
  try {
    const hash = nodeCrypto().createHash('sha256');
    const buffer = Buffer.allocUnsafe(CHUNK);
    for (let n = readSync(fd, buffer, 0, CHUNK, null); n > 0; n = readSync(fd, buffer, 0, CHUNK, null)) {
      hash.update(buffer.subarray(0, n));
    }
    return hash.digest('hex');
  } finally {
    closeSync(fd);
  }
}

/** The sha256 of a file, streamed. */
export async function hashFile(path: string): Promise<string> {
  const input = await fsPromises().open(path, 'r');
  try {
    const hash = nodeCrypto().createHash('sha256');
    const buffer = Buffer.allocUnsafe(CHUNK);
    for (;;) {
      const { bytesRead } = await input.read(buffer, 0, CHUNK, null);
      if (bytesRead === 0) break;
      hash.update(buffer.subarray(0, bytesRead));
    }
    return hash.digest('hex');
  } finally {
    await input.close();
  }
}

/** The first `limit` bytes of a file as UTF-8 (a character cut at the end is dropped). */
export function readPrefix(path: string, limit: number): string {
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.allocUnsafe(Math.min(limit, fstatSync(fd).size));
    let length = 0;
    for (let n = 1; n > 0 && length < buffer.length; length += n) n = readSync(fd, buffer, length, buffer.length - length, null);
    return new TextDecoder('utf-8').decode(buffer.subarray(0, length)).replace(/\uFFFD$/, '');
  } finally {
    closeSync(fd);
  }
}
