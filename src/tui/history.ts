// Prompt history, one file per session under .flow/history/, kept across restarts.
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export class PromptHistory {
  private lines: string[];
  private readonly file: string;

  constructor(
    dir: string,
    session: string,
    private readonly size = 500,
  ) {
    this.file = join(dir, 'history', `${encodeURIComponent(session)}.txt`);
    try {
      this.lines = readFileSync(this.file, 'utf8').split('\n').filter(Boolean).slice(-size);
    } catch {
      this.lines = [];
    }
  }

  entries(): readonly string[] {
    return this.lines;
  }

  add(line: string): void {
    const text = line.replace(/\n/g, ' ').trim();
    if (!text || this.lines[this.lines.length - 1] === text) return;
    this.lines.push(text);
    try {
      mkdirSync(join(this.file, '..'), { recursive: true });
      if (this.lines.length > this.size * 2) {
        this.lines = this.lines.slice(-this.size);
        writeFileSync(this.file, `${this.lines.join('\n')}\n`);
      } else {
        appendFileSync(this.file, `${text}\n`);
      }
    } catch {
      // History is a convenience: a read-only folder must not break the prompt.
    }
  }
}
