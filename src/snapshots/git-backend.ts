// Optional snapshot storage (snapshots.backend = "git"): each snapshot is a commit, tagged
// with its id, in a git repository inside snapshots/git. Needs the git program.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FlowError } from '../domain/errors.js';
import type { Backend, SnapshotMeta, SnapshotState } from './engine.js';

const FILES = ['flows.json', 'context.json', 'documents_manifest.json', 'documents.json'] as const;

export class GitBackend implements Backend {
  private readonly repo: string;

  constructor(folder: string) {
    this.repo = join(folder, 'git');
  }

  private git(args: string[], input?: string): string {
    try {
      return execFileSync('git', args, {
        cwd: this.repo,
        encoding: 'utf8',
        input,
        stdio: ['pipe', 'pipe', 'pipe'],
        env: { ...process.env, GIT_AUTHOR_NAME: 'flow', GIT_AUTHOR_EMAIL: 'flow@localhost', GIT_COMMITTER_NAME: 'flow', GIT_COMMITTER_EMAIL: 'flow@localhost' },
      });
    } catch (err) {
      const e = err as NodeJS.ErrnoException & { stderr?: string };
      if (e.code === 'ENOENT') throw new FlowError('failed', 'snapshots.backend is "git" but the git program was not found');
      throw new FlowError('failed', `git ${args[0]} failed: ${(e.stderr ?? e.message).trim()}`);
    }
  }

  private ensureRepo(): void {
    if (existsSync(join(this.repo, '.git'))) return;
    mkdirSync(this.repo, { recursive: true });
    this.git(['init', '-q']);
  }

  write(id: string, state: SnapshotState): Partial<SnapshotMeta> {
    this.ensureRepo();
    const contents: Record<(typeof FILES)[number], unknown> = {
      'flows.json': state.flows,
      'context.json': state.context,
      'documents_manifest.json': state.manifest,
      'documents.json': state.documents,
    };
    for (const name of FILES) writeFileSync(join(this.repo, name), `${JSON.stringify(contents[name], null, 2)}\n`);
    this.git(['add', '-A']);
    this.git(['commit', '-q', '--allow-empty', '-m', id]);
    this.git(['tag', id]);
    const commit = this.git(['rev-parse', 'HEAD']).trim();
    return { storage: 'git', parent: null, commit, size: 0 };
  }

  read(meta: SnapshotMeta): SnapshotState {
    const show = (name: string) => JSON.parse(this.git(['show', `${meta.commit}:${name}`])) as unknown;
    return {
      flows: show('flows.json') as Record<string, unknown>,
      context: show('context.json'),
      manifest: show('documents_manifest.json'),
      documents: show('documents.json') as Record<string, string>,
    };
  }

  remove(meta: SnapshotMeta): void {
    // The tag goes; git's own gc reclaims the objects in time.
    this.git(['tag', '-d', meta.id]);
  }
}
