import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fdSink } from '../../src/cli/fd-sink.js';
import { tempDir } from '../helpers.js';

/** A stream factory that fails the test if the sink ever asks for Node's stream. */
const noStream = (): NodeJS.WriteStream => {
  throw new Error('the sink made a stream');
};

describe('fdSink: output straight to a file descriptor', () => {
  it('writes every byte to a file, is no terminal, and never makes a stream', () => {
    const file = join(tempDir(), 'out');
    const fd = openSync(file, 'w');
    try {
      const sink = fdSink(fd, noStream);
      expect(sink.isTTY).toBe(false);
      const big = `${'ü✅ 計画 '.repeat(50_000)}\n`;
      sink.write('first line\n');
      sink.write(big);
      expect(readFileSync(file, 'utf8')).toBe(`first line\n${big}`);
    } finally {
      closeSync(fd);
    }
  });

  it('takes /dev/null, a character device, for no terminal', () => {
    const fd = openSync('/dev/null', 'w');
    try {
      const sink = fdSink(fd, noStream);
      expect(sink.isTTY).toBe(false);
      expect(sink.write('dropped\n')).toBe(true);
    } finally {
      closeSync(fd);
    }
  });

  it('hands a descriptor it cannot look at to the stream', () => {
    const written: string[] = [];
    const stream = { isTTY: true, write: (text: string) => written.push(text) } as unknown as NodeJS.WriteStream;
    // A closed descriptor: fstat fails, so the sink does not guess.
    const fd = openSync('/dev/null', 'w');
    closeSync(fd);
    const sink = fdSink(fd, () => stream);
    expect(sink.isTTY).toBe(true);
    sink.write('through the stream\n');
    expect(written).toEqual(['through the stream\n']);
  });
});
