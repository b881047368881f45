// Where large contents are kept besides documents/large/ (issue 13 item 5): one small
// interface, so another backend is one more implementation.
//   local    nothing more (the default)
//   lfs      the .gitattributes rule that makes git-lfs take documents/large/**
//   command  put/get shell commands from config (aws s3 cp, rclone, …), given the content
//            as environment variables, never spliced into the command text; they come
//            with the data, so they run only when trusted (DESIGN §8, src/hooks/trust.ts)
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FlowError } from '../domain/errors.js';
import { HOW_TO_TRUST } from '../hooks/trust.js';
import { writeFileAtomic } from '../store/atomic-write.js';
import type { StorageType } from './manifest.js';
import { childProcess } from '../node-modules.js';

export interface StoredContent {
  sha256: string;
  /** The content's file in the local store. */
  path: string;
  name: string;
}

export interface StorageBackend {
  readonly type: StorageType;
  /** Readable files are symbolic links (so git commits a link, and git-lfs the content). */
  readonly symlinks: boolean;
  /** A content was just stored locally: keep it wherever this backend keeps contents. */
  stored(content: StoredContent): Promise<void>;
  /** A content missing locally: write it to `dest`. False when this backend cannot. */
  fetch(content: StoredContent, dest: string): Promise<boolean>;
  /** Throws when this backend may not run here, before anything is stored for it. */
  assertUsable(): void;
}

/** Why the commands of config.json may not run here, or undefined when they may. */
export type Distrust = () => string | undefined;

export interface CommandBackendConfig {
  put: string;
  get: string;
}

const local: StorageBackend = {
  type: 'local',
  symlinks: false,
  async stored() {},
  async fetch() {
    return false;
  },
  assertUsable() {},
};

export const LFS_RULE = 'large/** filter=lfs diff=lfs merge=lfs -text';

/** git-lfs: the attributes rule in documents/.gitattributes; it works without git-lfs installed. */
export function lfsBackend(documentsDir: string, warn: (message: string) => void): StorageBackend {
  let checked = false;
  return {
    type: 'lfs',
    symlinks: true,
    async stored() {
      if (checked) return;
      checked = true;
      const file = join(documentsDir, '.gitattributes');
      const current = existsSync(file) ? readFileSync(file, 'utf8') : '';
      if (!current.split('\n').includes(LFS_RULE)) {
        mkdirSync(documentsDir, { recursive: true });
        writeFileAtomic(file, [Buffer.from(`${current}${current && !current.endsWith('\n') ? '\n' : ''}${LFS_RULE}\n`)]);
      }
      if (childProcess().spawnSync('git', ['lfs', 'version'], { stdio: 'ignore' }).status !== 0) {
        warn('git-lfs is not installed: documents/large/ is marked for it in documents/.gitattributes, but git stores these files itself until git-lfs is installed (https://git-lfs.com)');
      }
    },
    async fetch() {
      return false;
    },
    assertUsable() {},
  };
}

/** put/get commands: run by sh with FLOW_DOC_SHA256, FLOW_DOC_FILE and FLOW_DOC_NAME set, when trusted. */
export function commandBackend(config: CommandBackendConfig, cwd: string, distrust: Distrust): StorageBackend {
  const assertRunnable = (what: 'put' | 'get', command: string): void => {
    if (!command.trim()) throw new FlowError('invalid', `documents.command.${what} is not set (flow config set documents.command.${what} "…")`);
    const why = distrust();
    if (why) throw new FlowError('failed', `documents.command.${what} in config.json did not run (${why}); ${HOW_TO_TRUST}`);
  };
  const run = async (what: 'put' | 'get', command: string, content: StoredContent, file: string): Promise<void> => {
    assertRunnable(what, command);
    const env = { ...process.env, FLOW_DOC_SHA256: content.sha256, FLOW_DOC_FILE: file, FLOW_DOC_NAME: content.name };
    const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
      const child = childProcess().spawn('sh', ['-c', command], { cwd, env, stdio: ['ignore', 'ignore', 'pipe'] });
      let err = '';
      child.stderr.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-2000)));
      child.on('error', reject);
      child.on('close', (status) => resolve({ code: status, stderr: err.trim() }));
    });
    if (code !== 0) {
      throw new FlowError('failed', `documents.command.${what} exited ${code ?? 'on a signal'}${stderr ? `: ${stderr}` : ''}`);
    }
  };
  return {
    type: 'command',
    symlinks: false,
    async stored(content) {
      await run('put', config.put, content, content.path);
    },
    async fetch(content, dest) {
      await run('get', config.get, content, dest);
      return existsSync(dest);
    },
    assertUsable() {
      assertRunnable('put', config.put);
    },
  };
}

export function localBackend(): StorageBackend {
  return local;
}

export interface DocumentSettings {
  storage: StorageType;
  command: CommandBackendConfig;
}

/** The backend documents.storage names. */
export function backendFor(settings: DocumentSettings, dir: string, warn: (message: string) => void, distrust: Distrust): StorageBackend {
  if (settings.storage === 'lfs') return lfsBackend(join(dir, 'documents'), warn);
  if (settings.storage === 'command') return commandBackend(settings.command, dir, distrust);
  return local;
}
