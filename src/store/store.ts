// The store: reading flows.json safely and changing it only through transactions
// (DESIGN §4). Composes the lock, the layout, atomic writes, migrations and quarantine.
import { lstatSync, mkdirSync, readFileSync, readlinkSync, realpathSync, statSync, type BigIntStats } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { FlowError } from '../domain/errors.js';
import {
  FORMAT_MAJOR,
  FORMAT_VERSION,
  majorVersion,
  MAX_TASK_DEPTH,
  nestingDepth,
  parseHeader,
  parseStoredFlow,
  SchemaError,
  type Flow,
  type Header,
} from '../domain/schema.js';
import { addFlowIn, TreeIndex } from '../domain/tree.js';
import { now } from '../domain/time.js';
import { removeStaleTemps, writeFileAtomic } from './atomic-write.js';
import { assertResolvesInside } from './contain.js';
import { asFlowError, errnoError } from './errno.js';
import { identityOf, settled, type Identity } from './identity.js';
import { linesChecked, noteLinesChecked } from './lines-checked.js';
import { summaryCache } from './summary-cache.js';
import { assemble, Image, LayoutError, serialiseMember, spliceImage } from './layout.js';
import { recordInJournal } from './journal.js';
import { clockMs, markStartUp, recordSave, timed, timedAsync } from './metrics.js';
import { acquireLock, type Lock, type LockOptions } from './lock.js';
import { detectFormat, upgrade } from './migrate/index.js';
import { quarantineReplacing } from './quarantine.js';
import { crashPoint } from './crash-point.js';
import { hasRollForward, removeRollForward, rollForward, writeRollForward } from './roll-forward.js';
import { salvage, type Salvage } from './salvage.js';
import { writeMigrationSnapshot } from './migrate/snapshot.js';
import { CorruptStoreError, StoreView, TooDeepFlowError, Transaction, type TransactionChanges } from './state.js';

export const STORE_FILE = 'flows.json';
export const LEGACY_FILE = 'workflow.json';

/** What a recovery did, for the message that says so. */
export interface RecoveryOutcome {
  /** The snapshot flows were taken from, if any. */
  recoveredFrom: string | null;
  /** Set when the store was rebuilt from the damaged file itself (salvage). */
  salvaged?: Pick<Salvage, 'kept' | 'restored' | 'lost' | 'damage'>;
}

export class StoreUnreadableError extends FlowError {
  constructor(
    readonly reason: string,
    readonly quarantinedTo: string,
    readonly outcome: RecoveryOutcome,
  ) {
    const { recoveredFrom, salvaged } = outcome;
    const from = recoveredFrom ? ` from ${recoveredFrom}` : '';
    super(
      'unreadable',
      `flows.json could not be read (${reason}). It was moved, unchanged, to ${quarantinedTo}; ` +
        (salvaged
          ? `the store was rebuilt from what still reads in it: ${salvaged.kept.length} flows kept as they were` +
            (salvaged.restored.length ? `, ${salvaged.restored.length} restored${from} (${salvaged.restored.join(', ')})` : '') +
            (salvaged.lost.length ? `; ${salvaged.lost.length} could not be read and are only in the moved file (${salvaged.lost.join(', ')})` : '') +
            `. What was wrong: ${salvaged.damage.slice(0, 5).join('; ')}` +
            (salvaged.damage.length > 5 ? ` (and ${salvaged.damage.length - 5} more).` : '.')
          : recoveredFrom
            ? `the store was restored${from}.`
            : 'no good snapshot was found, so the store starts empty.') +
        ' Nothing else was changed: run the command again.',
      {
        reason,
        quarantined_to: quarantinedTo,
        recovered_from: recoveredFrom,
        ...(salvaged ? { kept: salvaged.kept, restored: salvaged.restored, lost: salvaged.lost, damage: salvaged.damage } : {}),
      },
    );
  }
}

/** Recovery that could not write its replacement: the store was left exactly as it was. */
export class RecoveryFailedError extends FlowError {
  constructor(reason: string, cause: FlowError) {
    super(
      'unreadable',
      `flows.json could not be read (${reason}), and flow could not put a repaired store in its place: ${cause.message}. ` +
        'The store was left exactly as it was; run the command again once that is fixed.',
      { reason, cause: cause.code, ...cause.details },
    );
  }
}

export class StoreTooNewError extends FlowError {
  constructor(version: string) {
    super(
      'too_new',
      `flows.json is format ${version}, newer than this flow understands (${FORMAT_VERSION}); ` +
        'it is open read-only. Upgrade flow to change it.',
      { version },
    );
  }
}

/** A state to start from after quarantine: the newest good snapshot of flows.json. */
export interface Recovery {
  label: string;
  document: Record<string, unknown>;
}

export interface Commit<T> {
  value: T;
  /** False when the transaction changed nothing, so nothing was written. */
  changed: boolean;
  revision: number;
  writer: string;
  changes: TransactionChanges;
  /** Set when this commit also upgraded an older format. */
  migratedFrom?: string[];
}

/**
 * A second file changed in the same transaction as flows.json (context.json): written
 * under both locks (flows.json's first, so two writers never wait on each other), after
 * flows.json and only if flows.json was; a crash between the two is finished by the next
 * writer (roll-forward.ts).
 */
export interface Companion<T> {
  /** The file, beside flows.json in the data directory. */
  readonly path: string;
  /** Under flows.json's lock, once the change passed its pre_save hooks: does this commit change the file? */
  wanted(commit: Commit<T>): boolean;
  /** Under both locks: the file's new bytes, or undefined when it stays as it is. */
  next(commit: Commit<T>): Buffer | undefined;
}

export interface StoreHooks {
  /** Runs under the lock before the write; throw a FlowError('vetoed') to refuse. */
  preSave?(commit: Commit<unknown>, store: Store): void | Promise<void>;
  /** Runs once the lock is released; a failure is only reported (the change is saved). */
  postSave?(commit: Commit<unknown>, store: Store): void | Promise<void>;
}

export interface StoreOptions {
  /** meta.writer of our revisions: `cli|tui|hook:<pid>:<session>`. */
  writer?: string;
  lock?: LockOptions;
  hooks?: StoreHooks;
  /** Newest good snapshot, used after a corrupt file was moved aside. */
  recover?: (store: Store) => Recovery | undefined;
  /**
   * The highest revision known outside flows.json (snapshots, undo logs), so revisions
   * keep going up after a recovery even when the bad file's own revision is unreadable.
   */
  revisionFloor?: (store: Store) => number;
  /**
   * A file changed less than this long ago may be mid-write by a tool that writes in
   * place: it is read again rather than quarantined (env FLOW_SETTLE_MS; default 2000).
   */
  settleMs?: number;
  /** Something the person must hear about (quarantine, migration). */
  warn?: (message: string) => void;
}


interface Source {
  image: Image;
  header: Header;
  identity: Identity | null;
  /** The file was in an older format and must be upgraded before anything else. */
  migration?: { steps: string[]; original: unknown; from: string };
  /** Newer major format: readable, never written. */
  tooNew?: string;
  /** A file read whole that has a flow nested too deeply (cut short when read): never written. */
  tooDeep?: { id: string; hidden: number };
  /** The bytes are in flow's layout, read line by line (not whole). */
  inLayout?: boolean;
}

type Loaded = Source | { corrupt: string; identity: Identity | null };

const MAX_ATTEMPTS = 4;
// How deeply an older-format file may nest to be upgraded: what MAX_TASK_DEPTH levels of
// tasks take (an object and a list each) plus room for the wrapping and other fields.
const MAX_UPGRADE_NESTING = 2 * MAX_TASK_DEPTH + 64;

export class Store {
  readonly file: string;
  readonly writer: string;
  /** The last read, and whether the file had settled before it (identity.ts). */
  private cache: { source: Source; readAtNs: bigint; settled: boolean } | undefined;
  private tempsCleaned = false;
  private lastWritten: Identity | null | undefined;
  /** Formats this process upgraded the store from, when read() did so. */
  migrated: string[] | undefined;
  /** A file the layout reader misread (valid JSON in another shape): read it whole. */
  private wholeParse: Identity | undefined;
  private readonly listeners = new Set<(commit: Commit<unknown>) => void>();

  constructor(
    readonly dir: string,
    private readonly options: StoreOptions = {},
  ) {
    this.file = join(dir, STORE_FILE);
    this.writer = options.writer ?? `cli:${process.pid}:default`;
    markStartUp();
  }

  private stat(): BigIntStats | undefined {
    try {
      return statSync(this.file, { bigint: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  /** Identity of flows.json as it is now (null when absent). */
  currentIdentity(): Identity | null {
    const stat = this.stat();
    return stat ? identityOf(stat) : null;
  }

  /** Identity of the file this process last read or wrote. */
  knownIdentity(): Identity | null | undefined {
    return this.cache?.source.identity ?? this.lastWritten;
  }

  private load(): Loaded {
    const stat = this.stat();
    if (!stat) return this.loadLegacyOrEmpty();
    const identity = identityOf(stat);
    // Reuse the last read when the file is the same bytes. A write landing in the same
    // coarse clock tick as our read could keep mtime/ctime equal, so only trust reads
    // made well after the file's last change.
    const cached = this.cache;
    if (cached && cached.source.identity === identity && settled(stat, cached.readAtNs)) return cached.source;
    if (stat.isDirectory()) return { corrupt: 'flows.json is a folder, not a file', identity };
    const readAtNs = BigInt(Date.now()) * 1_000_000n;
    const buf = timed('read', () => readFileSync(this.file));
    // A file whose lines flow wrote or checked, and nobody's changed since (settled):
    // its lines need no check; one checked here is noted so (lines-checked.ts).
    const quiet = settled(stat, readAtNs);
    const checkLines = !(quiet && linesChecked(this.dir, identity));
    const loaded = this.decode(buf, identity, STORE_FILE, this.wholeParse === identity, checkLines);
    if (!('corrupt' in loaded)) {
      this.cache = { source: loaded, readAtNs, settled: quiet };
      if (checkLines && quiet && loaded.inLayout) noteLinesChecked(this.dir, identity);
    }
    return loaded;
  }

  private loadLegacyOrEmpty(): Loaded {
    let buf: Buffer;
    try {
      buf = readFileSync(join(this.dir, LEGACY_FILE));
    } catch {
      const header = parseHeader({ version: FORMAT_VERSION });
      return { image: Image.fromDocument(header, []), header, identity: null };
    }
    const loaded = this.decode(buf, null, LEGACY_FILE);
    if ('corrupt' in loaded) {
      // workflow.json is only ever read: an unreadable one is reported, not moved.
      throw new FlowError('unreadable', `${LEGACY_FILE} could not be read: ${loaded.corrupt}`);
    }
    return loaded;
  }

  private decode(buf: Buffer, identity: Identity | null, name: string, whole = false, checkLines = true): Loaded {
    if (buf.length === 0) return { corrupt: `${name} is empty (0 bytes)`, identity };
    try {
      const image = whole ? undefined : timed('parse', () => Image.fromBytes(buf, { checkLines }));
      if (image) {
        const version = String(image.header.version ?? '');
        const tooNew = majorVersion(version) > FORMAT_MAJOR ? version : undefined;
        if (tooNew) return { image, header: readOnlyHeader(image.header), identity, tooNew };
        const detected = detectFormat({ ...image.header, flows: {} });
        if (detected.kind === 'unknown') return { corrupt: detected.reason, identity };
        // The header is written back on every save: it must survive serialising.
        JSON.stringify(image.header);
        return { image, header: timed('validate', () => parseHeader(image.header)), identity, inLayout: true };
      }
      return this.decodeParsed(timed('parse', () => JSON.parse(buf.toString('utf8'))), identity, name);
    } catch (err) {
      if (err instanceof SyntaxError) return { corrupt: `not valid JSON: ${err.message}`, identity };
      if (err instanceof SchemaError || err instanceof LayoutError) {
        return { corrupt: err.message, identity };
      }
      if (err instanceof RangeError) return { corrupt: 'nested too deeply to process', identity };
      throw err;
    }
  }

  /** A file in another layout or format: validate it whole, upgrading older formats. */
  private decodeParsed(raw: unknown, identity: Identity | null, name: string): Loaded {
    const detected = detectFormat(raw);
    if (detected.kind === 'unknown') return { corrupt: detected.reason, identity };
    if (detected.kind === 'newer') {
      const { flows, ...header } = raw as Record<string, unknown>;
      const entries = typeof flows === 'object' && flows !== null && !Array.isArray(flows) ? Object.entries(flows) : [];
      return {
        image: Image.fromDocument(header, entries),
        header: readOnlyHeader(header),
        identity,
        tooNew: detected.version,
      };
    }
    // An upgrade walks the tree recursively and is then written: a file nested beyond what
    // flow writes is left as it is (DESIGN §2), never quarantined.
    if (detected.kind === 'older' && nestingDepth(raw, MAX_UPGRADE_NESTING) > MAX_UPGRADE_NESTING) {
      throw new FlowError(
        'too_deep',
        `${name} is of format ${detected.migration.from} and nests more than ${MAX_TASK_DEPTH} levels of tasks: ` +
          'flow cannot upgrade it and leaves it as it is',
      );
    }
    const { document, steps } = upgrade(raw, now());
    const { flows, ...rawHeader } = document as { flows: Record<string, unknown> };
    const header = parseHeader(rawHeader);
    const checked: Array<[string, Flow]> = [];
    let tooDeep: Source['tooDeep'];
    for (const [id, value] of Object.entries(flows)) {
      const { flow, hidden } = parseStoredFlow(value, `flows.${id}`);
      if (flow.id !== id) throw new SchemaError(`flows.${id}.id is ${JSON.stringify(flow.id)}, not its key`, id);
      if (hidden > 0) tooDeep ??= { id, hidden };
      checked.push([id, flow]);
    }
    const source: Source = { image: Image.fromDocument(rawHeader, checked), header, identity };
    if (tooDeep) source.tooDeep = tooDeep;
    if (steps.length) source.migration = { steps, original: raw, from: name };
    return source;
  }

  /**
   * Reads the store for a command that does not write. An older format is upgraded and
   * an unreadable file quarantined first (DESIGN §3–4), both under the lock. The current
   * flow is validated too, so a broken store is met by readers; `validateCurrent: false`
   * leaves that to whoever reads a flow (a listing of names and counts reads none).
   */
  async read({ validateCurrent = true }: { validateCurrent?: boolean } = {}): Promise<StoreView> {
    // What a crash left half published is finished first, so that both files agree; a
    // store that cannot be locked (a read-only file system) is read as it is.
    await this.finishPending().catch((err: unknown) =>
      this.options.warn?.(`could not finish the last two-file change: ${(asFlowError(err) as Error).message}`),
    );
    let migrated = false;
    return this.recovering<StoreView>(async (seen) => {
      let loaded = this.load();
      if (loaded && !('corrupt' in loaded) && loaded.migration && !migrated) {
        migrated = true;
        this.migrated = (await this.transact(() => undefined)).migratedFrom;
        loaded = this.load();
      }
      seen(loaded.identity);
      if ('corrupt' in loaded) throw new CorruptStoreError(loaded.corrupt);
      if (loaded.tooNew) this.options.warn?.(new StoreTooNewError(loaded.tooNew).message);
      if (loaded.tooDeep) this.options.warn?.(new TooDeepFlowError(loaded.tooDeep.id, loaded.tooDeep.hidden).message);
      const trusted = this.cache?.source === loaded && this.cache.settled;
      const summaries = trusted && loaded.identity !== null ? summaryCache(this.dir, loaded.identity) : undefined;
      const view = new StoreView(loaded.image, loaded.header, loaded.tooNew, this.options.warn, summaries);
      if (validateCurrent && view.currentFlowId) view.flow(view.currentFlowId);
      return view;
    });
  }

  /** Parsed, validated flows of the whole store (the TUI's and full listings' view). */
  async readAll(): Promise<{ view: StoreView; flows: Flow[] }> {
    return this.recovering<{ view: StoreView; flows: Flow[] }>(async (seen) => {
      const view = await this.read();
      seen(this.knownIdentity() ?? null);
      return { view, flows: view.allFlows() };
    });
  }

  /**
   * Runs a read; bad bytes met on the way are dealt with as DESIGN §4 says (under the
   * lock: settle, second opinion, quarantine) and the read is tried again.
   */
  private async recovering<T>(read: (seen: (identity: Identity | null) => void) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      let identity: Identity | null = null;
      try {
        return await read((seen) => (identity = seen));
      } catch (err) {
        if (!(err instanceof CorruptStoreError)) throw asFlowError(err);
        await this.recover(err, identity);
        if (attempt >= MAX_ATTEMPTS) {
          throw new FlowError('unreadable', `flows.json keeps changing and cannot be read: ${err.reason}`);
        }
      }
    }
  }

  /**
   * flows.json, or the existing file a symbolic link named flows.json points to: writes
   * go through the link, which stays (temp file, lock and rename beside the real file).
   */
  private writeTarget(): string {
    let link: string;
    try {
      if (!lstatSync(this.file).isSymbolicLink()) return this.file;
      link = readlinkSync(this.file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return this.file;
      throw err;
    }
    try {
      return realpathSync(this.file);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ELOOP') throw err;
      throw new FlowError(
        'invalid',
        `flows.json is a symbolic link to ${link}, which ${code === 'ELOOP' ? 'loops' : 'does not exist'}: ` +
          'flow writes through a link only to an existing file, and saved nothing',
        { link },
      );
    }
  }

  /**
   * A file or folder someone made read-only is respected even where the system would let
   * this process write (root, or a rename that ignores the file's own mode).
   */
  private assertWritable(target: string): void {
    for (const [path, what] of [
      [target, 'flows.json'],
      [dirname(target), 'the folder of flows.json'],
    ] as const) {
      let mode: number;
      try {
        mode = statSync(path).mode;
      } catch {
        continue;
      }
      if ((mode & 0o222) === 0) {
        throw new FlowError(
          'read_only',
          `${what} is read-only (${path}): flow reads it but does not change it, and saved nothing; ` +
            'make it writable (chmod u+w) to allow changes',
          { path },
        );
      }
    }
  }

  private async withLock<T>(fn: (lock: Lock, target: string) => T | Promise<T>): Promise<T> {
    const target = this.writeTarget();
    mkdirSync(this.dir, { recursive: true });
    const lock = await timedAsync('lock', () => acquireLock(target, this.options.lock));
    try {
      await this.finishUnderLock();
      if (!this.tempsCleaned) {
        removeStaleTemps(target);
        this.tempsCleaned = true;
      }
      return await fn(lock, target);
    } finally {
      await lock.release();
    }
  }

  /** Runs `fn` under the lock transactions take (on the file a linked flows.json leads to), outside any transaction. */
  async underLock<T>(fn: () => T): Promise<T> {
    return this.withLock(() => fn());
  }

  /**
   * Finishes a two-file transaction that a crash left half published: the record of it
   * is met by the next writer (or reader), which takes the lock to finish it.
   */
  async finishPending(): Promise<void> {
    if (hasRollForward(this.dir)) await this.withLock(() => undefined);
  }

  /** Under the lock: what finishPending does (see roll-forward.ts). */
  private async finishUnderLock(): Promise<void> {
    if (!hasRollForward(this.dir)) return;
    const loaded = this.load();
    const meta = 'corrupt' in loaded ? undefined : loaded.header.meta;
    const outcome = await rollForward(this.dir, meta, (path) => acquireLock(path, this.options.lock));
    if (outcome.kind === 'finished') {
      const { record } = outcome;
      this.options.warn?.(
        `the change ${record.writer} saved at revision ${record.revision} stopped before ${record.file} was written (a crash?); ` +
          `${record.file} now has its part of that change too`,
      );
    } else if (outcome.kind === 'damaged') {
      this.options.warn?.(`${outcome.movedTo} is not what flow writes (${outcome.why}): moved aside and not used`);
    }
  }

  /**
   * Under the lock: if flows.json is still the unreadable bytes met earlier, put a store
   * rebuilt from them in its place (what still reads in the file itself, then the newest
   * good snapshot, else empty), keep the bad bytes under a quarantine name, and throw
   * StoreUnreadableError to say so. A repair that loses nothing (a copy removed, ids told
   * apart) only warns. Returns quietly when the file has changed since (someone fixed or
   * replaced it), so the caller reads again.
   */
  private recoverUnderLock(
    reason: string,
    identity: Identity | null,
    lock: Lock,
    target: string,
    wholeReadMayHelp = true,
  ): void {
    // Someone writing the file in place may be mid-write (truncated, half written): wait
    // while it keeps changing or changed only a moment ago; if it changes, read again.
    const settleMs = this.options.settleMs ?? envMs('FLOW_SETTLE_MS') ?? 2000;
    const giveUpAt = Date.now() + settleMs + 1000;
    for (;;) {
      const stat = this.stat();
      if (!stat || identityOf(stat) !== identity) return;
      const ageMs = Date.now() - Number(stat.mtimeNs / 1_000_000n);
      if (ageMs >= settleMs || Date.now() >= giveUpAt) break;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, Math.min(100, settleMs - ageMs));
      lock.refresh();
    }
    if (identity === null) return;
    const buf = this.stat()?.isDirectory() ? undefined : readFileSync(this.file);
    // A second opinion before moving anything: bytes the layout reader could not follow
    // may still be valid JSON that validates (a line holding two flows, say).
    if (wholeReadMayHelp && buf) {
      const whole = this.decode(buf, identity, STORE_FILE, true);
      if (!('corrupt' in whole) && !hasDuplicateIds(whole.image)) {
        this.wholeParse = identity;
        this.cache = undefined;
        return;
      }
    }
    try {
      this.assertWritable(target);
      // A link to a file outside the data directory is written through, but what it
      // points to is never moved or replaced because it does not read.
      if (target !== this.file) assertResolvesInside(this.dir, this.file, 'flows.json');
    } catch (err) {
      if (err instanceof FlowError) throw new RecoveryFailedError(reason, err);
      throw err;
    }
    // Asked for only when needed: reading snapshots costs as much as the store.
    let recovery: Recovery | null | undefined;
    const snapshot = (): Recovery | undefined => {
      if (recovery === undefined) recovery = this.options.recover?.(this) ?? null;
      return recovery ?? undefined;
    };
    const rebuilt = this.rebuild(buf, snapshot);
    const revision =
      Math.max(
        headerRevision(rebuilt.header),
        buf ? recoveredRevision(buf) : 0,
        // (The floor covers every snapshot's revision; one read for recovery counts too.)
        headerRevision(recovery ? recovery.document : undefined),
        this.options.revisionFloor?.(this) ?? 0,
      ) + 1;
    const header = {
      ...rebuilt.header,
      meta: { ...(rebuilt.header.meta as object), last_saved: now(), file_revision: revision, writer: this.writer },
    };
    let quarantinedTo: string;
    try {
      quarantinedTo = quarantineReplacing(target, assemble(header, rebuilt.members), { beforeRename: () => lock.assertHeld() });
    } catch (err) {
      const known = errnoError(err);
      if (known) throw new RecoveryFailedError(reason, known);
      throw err;
    }
    this.cache = undefined;
    const salvaged = rebuilt.salvaged;
    if (salvaged && salvaged.damage.length === 0) {
      this.options.warn?.(
        `flows.json was repaired (${salvaged.repairs.join('; ')}); nothing was lost, and the file as it was is in ${quarantinedTo}`,
      );
      return;
    }
    const used = !salvaged || salvaged.restored.length > 0;
    throw new StoreUnreadableError(reason, quarantinedTo, { recoveredFrom: used ? (snapshot()?.label ?? null) : null, salvaged });
  }

  /**
   * What replaces unreadable bytes: the flows that still read in them (salvage), else the
   * newest good snapshot, else an empty store. A salvage that finds nothing wrong (the
   * damage is one it cannot see) gives way to the snapshot, so recovery always ends.
   */
  private rebuild(
    buf: Buffer | undefined,
    snapshot: () => Recovery | undefined,
  ): { header: Record<string, unknown>; members: Array<Buffer | string>; salvaged?: Salvage } {
    const salvaged = buf ? salvage(buf, () => snapshot()?.document) : undefined;
    if (salvaged && salvaged.damage.length + salvaged.repairs.length > 0) {
      try {
        assemble(salvaged.header, []);
        return { header: salvaged.header, members: salvaged.members, salvaged };
      } catch {
        // a header that does not even serialise: start from the snapshot
      }
    }
    const base = snapshot()?.document ?? { version: FORMAT_VERSION, current_flow_id: null, flows: {} };
    const { flows: _flows, ...header } = base;
    return { header, members: Object.entries(flowsOf(base)).map(([id, flow]) => serialiseMember(id, flow)) };
  }

  /**
   * A command met unreadable bytes while reading part of the store (a flow it parsed
   * lazily): quarantine them as DESIGN §4 asks. Throws StoreUnreadableError when it did;
   * returns when the file changed since and should simply be read again.
   */
  async recoverFrom(err: CorruptStoreError): Promise<void> {
    await this.recover(err, this.knownIdentity() ?? null);
  }

  /** recoverUnderLock, taking the lock; a lock it cannot take (a read-only file system) changes nothing. */
  private async recover(err: CorruptStoreError, identity: Identity | null): Promise<void> {
    await this.withLock((lock, target) => this.recoverUnderLock(err.reason, identity, lock, target, err.wholeReadMayHelp)).catch(
      (failed: unknown) => {
        const known = errnoError(failed);
        throw known ? new RecoveryFailedError(err.reason, known) : failed;
      },
    );
  }

  /**
   * Applies `fn` to the newest state under the lock and saves the result atomically
   * (DESIGN §4). `fn` may run more than once (when another writer slipped in), so it
   * must only act through the transaction it is given.
   */
  async transact<T>(fn: (tx: Transaction) => T, companion?: Companion<T>): Promise<Commit<T>> {
    const started = clockMs();
    for (let attempt = 1; ; attempt++) {
      let commit: Commit<T>;
      try {
        commit = await this.withLock((lock, target) => {
          this.assertWritable(target);
          return this.attempt(fn, lock, target, companion);
        });
      } catch (err) {
        if (err instanceof RetryableError && attempt < MAX_ATTEMPTS) continue;
        throw asFlowError(err instanceof RetryableError ? err.cause : err, 'nothing was saved');
      }
      if (commit.changed) {
        // The change is on disk: nothing after this point may turn it into a failure.
        recordSave(this.dir, { revision: commit.revision, at: now(), ms: clockMs() - started });
        try {
          await this.options.hooks?.postSave?.(commit as Commit<unknown>, this);
        } catch (err) {
          this.options.warn?.(`post_save hooks failed: ${(err as Error).message}`);
        }
        for (const listener of this.listeners) listener(commit as Commit<unknown>);
      }
      return commit;
    }
  }

  private async attempt<T>(fn: (tx: Transaction) => T, lock: Lock, target: string, companion?: Companion<T>): Promise<Commit<T>> {
    const loaded = this.load();
    if ('corrupt' in loaded) {
      this.recoverUnderLock(loaded.corrupt, loaded.identity, lock, target);
      throw new RetryableError(new FlowError('unreadable', loaded.corrupt));
    }
    const source = loaded;
    if (source.tooNew) throw new StoreTooNewError(source.tooNew);
    if (source.tooDeep) throw new TooDeepFlowError(source.tooDeep.id, source.tooDeep.hidden);
    // Each step below may block the event loop for a while at 100k flows (reading, the
    // change itself, pre_save hooks): the lock is marked fresh between them.
    lock.refresh();
    const tx = new Transaction(source.image, source.header, undefined, this.options.warn);
    let value: T;
    let changes: TransactionChanges;
    try {
      value = fn(tx);
      changes = tx.changes();
    } catch (err) {
      if (!(err instanceof CorruptStoreError)) throw err;
      this.recoverUnderLock(err.reason, source.identity, lock, target, err.wholeReadMayHelp);
      throw new RetryableError(new FlowError('unreadable', err.reason));
    }
    lock.refresh();
    const changed =
      changes.flows.size > 0 ||
      changes.currentFlowId !== undefined ||
      Object.keys(changes.extras).length > 0 ||
      changes.order !== undefined ||
      changes.forced ||
      !!source.migration;
    const revision = source.header.meta.file_revision + (changed ? 1 : 0);
    const commit: Commit<T> = { value, changed, revision, writer: this.writer, changes };
    if (!changed) {
      // Only the second file changes (a session's scope): still under flows.json's lock,
      // so what it refers to cannot go away meanwhile.
      if (companion?.wanted(commit)) await this.withCompanion(companion, commit, (bytes, side) => bytes && side.write(bytes));
      return commit;
    }
    if (source.migration) commit.migratedFrom = source.migration.steps;

    await this.options.hooks?.preSave?.(commit as Commit<unknown>, this);
    lock.refresh();
    if (source.migration) this.saveMigrationSnapshot(source);

    const header = {
      ...source.header,
      ...changes.extras,
      meta: { ...source.header.meta, last_saved: now(), file_revision: revision, writer: this.writer },
      current_flow_id: changes.currentFlowId ? changes.currentFlowId.after : source.header.current_flow_id,
    };
    if (companion?.wanted(commit)) {
      await this.withCompanion(companion, commit, (bytes, side) => {
        if (!bytes) return this.publish(source, revision, header, changes, lock, target);
        writeRollForward(this.dir, {
          revision,
          writer: this.writer,
          last_saved: header.meta.last_saved,
          file: basename(companion.path),
          content: bytes.toString('utf8'),
        });
        try {
          crashPoint('before-renames');
          this.publish(source, revision, header, changes, lock, target);
        } catch (err) {
          removeRollForward(this.dir);
          throw err;
        }
        crashPoint('between-renames');
        try {
          side.write(bytes);
          removeRollForward(this.dir);
        } catch (err) {
          // flows.json holds the change and the record holds the rest: the next command
          // finishes it, so the change is saved (DESIGN §8: never report a saved change as failed).
          this.options.warn?.(
            `the change is saved, but ${basename(companion.path)} could not be written yet ` +
              `(${(asFlowError(err) as Error).message}); the next command brings it up to date`,
          );
        }
      });
      return commit;
    }
    this.publish(source, revision, header, changes, lock, target);
    return commit;
  }

  /** Takes the companion's lock (after flows.json's), computes its bytes and hands them over with a writer. */
  private async withCompanion<T>(
    companion: Companion<T>,
    commit: Commit<T>,
    use: (bytes: Buffer | undefined, side: { write(bytes: Buffer): void }) => void,
  ): Promise<void> {
    const lock = await acquireLock(companion.path, this.options.lock);
    try {
      removeStaleTemps(companion.path);
      const bytes = companion.next(commit);
      use(bytes, { write: (b) => writeFileAtomic(companion.path, [b], { beforeRename: () => lock.assertHeld() }) });
    } finally {
      await lock.release();
    }
  }

  /** Writes flows.json with the transaction's changes (DESIGN §4 step 4). */
  private publish(source: Source, revision: number, header: Record<string, unknown>, changes: TransactionChanges, lock: Lock, target: string): void {
    const put = new Map<string, unknown>();
    const removed = new Set<string>();
    for (const [id, change] of changes.flows) {
      if (change.after) put.set(id, change.after);
      else removed.add(id);
    }
    writeFileAtomic(target, spliceImage(source.image, header, { put, removed, order: changes.order }), {
      beforeRename: () => {
        try {
          lock.assertHeld();
        } catch (err) {
          throw new RetryableError(err as Error);
        }
        // Nobody may have replaced the file since we read it under the lock (a writer
        // that ignores the lock, or one that took over a lock we lost while stopped).
        if (this.currentIdentity() !== source.identity) {
          throw new RetryableError(new FlowError('conflict', 'flows.json was replaced while saving'));
        }
      },
    });
    // Read back on next use: the bytes are in the page cache and a long-lived process
    // (the TUI) is the only one that needs them.
    this.cache = undefined;
    this.lastWritten = this.currentIdentity();
    if (this.lastWritten) noteLinesChecked(this.dir, this.lastWritten);
    // Still under the lock, so the journal's lines follow the revisions.
    const patch = changes.order || source.migration ? null : changes.patch;
    recordInJournal(this.dir, { revision, from: source.identity, to: this.lastWritten, header, patch });
  }

  private saveMigrationSnapshot(source: Source): void {
    const migration = source.migration as NonNullable<Source['migration']>;
    const flows: Record<string, unknown> = {};
    for (const [id, member] of source.image.members()) flows[id] = source.image.value(member);
    writeMigrationSnapshot(this.dir, {
      from: migration.steps,
      source_file: migration.from,
      original: migration.original,
      result: { ...source.image.header, flows },
    });
  }

  /** Listen to this process's own commits (external changes: see watch). */
  onCommit(listener: (commit: Commit<unknown>) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  // The library API of the original design: each call is one transaction.

  async flows(): Promise<Flow[]> {
    return (await this.readAll()).flows;
  }

  async flow(id: string): Promise<Flow | undefined> {
    return (await this.read()).flow(id);
  }

  /** Adds a flow and makes it the current one. */
  async addFlow(name: string): Promise<Flow> {
    return (await this.transact((tx) => addFlowIn(tx, name))).value;
  }

  /** Deletes a flow; if it was current, the next one (or the first, or none) becomes current. */
  async deleteFlow(id: string): Promise<void> {
    await this.transact((tx) => deleteFlowIn(tx, id));
  }

  async setCurrent(id: string | null): Promise<void> {
    await this.transact((tx) => tx.setCurrentFlow(id));
  }

  /** Writes the store even if nothing changed (new revision, file in flow's layout). */
  async save(): Promise<number> {
    return (await this.transact((tx) => tx.forceWrite())).revision;
  }
}

/** Removes a flow inside a transaction, moving "current" to its neighbour. */
export function deleteFlowIn(tx: Transaction, id: string): Flow {
  const ids = tx.flowIds();
  const i = ids.indexOf(id);
  const flow = tx.deleteFlow(id);
  if (tx.currentFlowId === id) {
    const rest = ids.filter((x) => x !== id);
    tx.setCurrentFlow(rest[i] ?? rest[0] ?? null);
  }
  return flow;
}

/**
 * A newer format's header, read as far as this version understands it: never a reason to
 * quarantine (DESIGN §3: read-only, nothing dropped).
 */
function readOnlyHeader(raw: Record<string, unknown>): Header {
  try {
    return parseHeader(raw);
  } catch {
    return parseHeader({ version: String(raw.version) });
  }
}

function envMs(name: string): number | undefined {
  const value = Number(process.env[name]);
  return process.env[name] !== undefined && Number.isFinite(value) && value >= 0 ? value : undefined;
}

class RetryableError extends Error {
  constructor(override readonly cause: Error) {
    super(cause.message);
  }
}

/** An id that appears in two places: the index of a full read would refuse the file. */
function hasDuplicateIds(image: Image): boolean {
  try {
    new TreeIndex([...image.members().values()].map((member) => parseStoredFlow(image.value(member)).flow));
    return false;
  } catch (err) {
    if (err instanceof SchemaError || err instanceof LayoutError) return true;
    throw err;
  }
}

/** The revision the unreadable bytes claimed, so revisions keep going up after recovery. */
function recoveredRevision(buf: Buffer): number {
  const match = /"file_revision"\s*:\s*(\d{1,15})/.exec(buf.toString('latin1', 0, 65_536));
  return match ? Number(match[1]) : 0;
}

/** A document's (or header's) meta.file_revision, when it is one. */
function headerRevision(doc: Record<string, unknown> | undefined): number {
  const revision = (doc?.meta as { file_revision?: unknown } | undefined)?.file_revision;
  return Number.isInteger(revision) && (revision as number) > 0 ? (revision as number) : 0;
}

/** The flows object of a document, or none. */
function flowsOf(doc: Record<string, unknown> | undefined): Record<string, unknown> {
  const flows = doc?.flows;
  return typeof flows === 'object' && flows !== null && !Array.isArray(flows) ? (flows as Record<string, unknown>) : {};
}

