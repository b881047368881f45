// Prompt history, one file per session under .flow/history/, kept across restarts. The
// file is named after the session, encoded so that no name is a path; a history file
// that is a link leading out of .flow/ means no history (DESIGN §8), never a read or a
// write there.
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { assertResolvesInside } from '../store/contain.js';

export class PromptHistory {
  private lines: string[];
  private readonly file: string;

  constructor(
    private readonly dir: string,
    session: string,
    private readonly size = 500,
  ) {
    this.file = join(dir, 'history', `${encodeURIComponent(session)}.txt`);
    try {
      this.lines = readFileSync(this.checkedFile(), 'utf8').split('\n').filter(Boolean).slice(-size);
    } catch {
      this.lines = [];
    }
  }

  /** The history file, checked every time: a link may appear at any moment. */
  private checkedFile(): string {
    assertResolvesInside(this.dir, this.file, 'prompt history');
    return this.file;
  }

  entries(): readonly string[] {
    return this.lines;
  }

  add(line: string): void {
    const text = line.replace(/\n/g, ' ').trim();
    if (!text || this.lines[this.lines.length - 1] === text) return;
    this.lines.push(text);
    try {
      mkdirSync(join(this.checkedFile(), '..'), { recursive: true });
      if (this.lines.length > this.size * 2) {
        this.lines = this.lines.slice(-this.size);
        writeFileSync(this.checkedFile(), `${this.lines.join('\n')}\n`);
      } else {
        appendFileSync(this.checkedFile(), `${text}\n`);
      }
    } catch {
      // History is a convenience: a read-only folder (or a refused file) must not break the prompt.
    }
  }
}
