// Optional snapshot storage (snapshots.backend = "git"): each snapshot is a commit, tagged
// with its id, in a git repository inside snapshots/git. Needs the git program.
//
// Nothing in the data may steer git (DESIGN §8): git is pointed at that repository alone
// (never one it would find above it), runs no hooks or fsmonitor, refuses a repository
// whose config holds settings flow did not write, and takes values from the index only
// in their expected shape and after --end-of-options.
import { existsSync, lstatSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FlowError } from '../domain/errors.js';
import { assertResolvesInside, DamagedEntryError } from '../store/contain.js';
import type { Backend, SnapshotMeta, SnapshotState } from './engine.js';
import { SNAPSHOT_ID } from './files-backend.js';
import { childProcess } from '../node-modules.js';

const FILES = ['flows.json', 'context.json', 'documents_manifest.json', 'documents.json'] as const;
const COMMIT = /^[0-9a-f]{40}([0-9a-f]{24})?$/;
/** What `git init` writes; anything else in the repository's config was put there by someone else. */
const OWN_SETTINGS = new Set([
  'core.repositoryformatversion',
  'core.filemode',
  'core.bare',
  'core.logallrefupdates',
  'core.ignorecase',
  'core.precomposeunicode',
  'core.symlinks',
  'extensions.objectformat',
]);

/** The keys a git config file sets (`section.key`, `section.sub.key`), lower-cased. */
function configKeys(text: string): string[] {
  const keys: string[] = [];
  let section = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[\s*([^\s\]"]+)(?:\s+"(.*)")?\s*\]/.exec(line);
    if (header) {
      section = header[2] === undefined ? header[1] : `${header[1]}.${header[2]}`;
      continue;
    }
    keys.push(`${section}.${line.split('=')[0].trim()}`.toLowerCase());
  }
  return keys;
}

export class GitBackend implements Backend {
  private readonly repo: string;

  constructor(private readonly folder: string) {
    this.repo = join(folder, 'git');
  }

  private git(args: string[], input?: string): string {
    try {
      return childProcess().execFileSync('git', ['-c', 'core.hooksPath=/dev/null', '-c', 'core.fsmonitor=false', ...args], {
        cwd: this.repo,
        encoding: 'utf8',
        input,
        stdio: ['pipe', 'pipe', 'pipe'],
        env: {
          ...process.env,
          GIT_DIR: join(this.repo, '.git'),
          GIT_WORK_TREE: this.repo,
          GIT_AUTHOR_NAME: 'flow',
          GIT_AUTHOR_EMAIL: 'flow@localhost',
          GIT_COMMITTER_NAME: 'flow',
          GIT_COMMITTER_EMAIL: 'flow@localhost',
        },
      });
    } catch (err) {
      const e = err as NodeJS.ErrnoException & { stderr?: string };
      if (e.code === 'ENOENT') throw new FlowError('failed', 'snapshots.backend is "git" but the git program was not found');
      throw new FlowError('failed', `git ${args[0]} failed: ${(e.stderr ?? e.message).trim()}`);
    }
  }

  /** Throws unless snapshots/git is a repository as flow sets it up, inside the data. */
  private assertOwnRepo(): void {
    const dotGit = join(this.repo, '.git');
    assertResolvesInside(this.folder, dotGit, 'snapshot repository');
    if (!existsSync(dotGit) || !lstatSync(dotGit).isDirectory()) {
      throw new FlowError('invalid', `${this.repo} is not the git repository flow keeps snapshots in (no .git folder)`);
    }
    const foreign = configKeys(readFileSync(join(dotGit, 'config'), 'utf8')).filter((key) => !OWN_SETTINGS.has(key));
    if (foreign.length) {
      throw new FlowError(
        'invalid',
        `${join(dotGit, 'config')} has settings flow did not write (${foreign.join(', ')}); ` +
          'flow runs git only in a repository as it set it up: remove them to use the git snapshots',
      );
    }
  }

  private ensureRepo(): void {
    if (!existsSync(join(this.repo, '.git'))) {
      mkdirSync(this.repo, { recursive: true });
      assertResolvesInside(this.folder, this.repo, 'snapshot repository');
      this.git(['init', '-q']);
    }
    this.assertOwnRepo();
  }

  write(id: string, state: SnapshotState): Partial<SnapshotMeta> {
    this.ensureRepo();
    const contents: Record<(typeof FILES)[number], unknown> = {
      'flows.json': state.flows,
      'context.json': state.context,
      'documents_manifest.json': state.manifest,
      'documents.json': state.documents,
    };
    for (const name of FILES) {
      const path = join(this.repo, name);
      assertResolvesInside(this.repo, path, 'snapshot repository file');
      writeFileSync(path, `${JSON.stringify(contents[name], null, 2)}\n`);
    }
    this.git(['add', '-A']);
    this.git(['commit', '-q', '--allow-empty', '-m', id]);
    this.git(['tag', '--end-of-options', id]);
    const commit = this.git(['rev-parse', 'HEAD']).trim();
    return { storage: 'git', parent: null, commit, size: 0 };
  }

  read(meta: SnapshotMeta): SnapshotState {
    const commit = meta.commit ?? '';
    if (!COMMIT.test(commit)) throw new DamagedEntryError(`snapshot ${meta.id}: git commit`, commit, 'not a commit id');
    this.assertOwnRepo();
    const show = (name: string) => JSON.parse(this.git(['show', '--end-of-options', `${commit}:${name}`])) as unknown;
    return {
      flows: show('flows.json') as Record<string, unknown>,
      context: show('context.json'),
      manifest: show('documents_manifest.json'),
      documents: show('documents.json') as Record<string, string>,
    };
  }

  remove(meta: SnapshotMeta): void {
    // A damaged id names no tag of ours: the entry goes, git is not asked.
    if (!SNAPSHOT_ID.test(meta.id)) return;
    this.assertOwnRepo();
    // The tag goes; git's own gc reclaims the objects in time.
    this.git(['tag', '-d', '--end-of-options', meta.id]);
  }
}
