// The command line's output, written straight to its file descriptor while it is a file,
// a pipe or /dev/null. Node builds a stream object for process.stdout on first use (the
// stream modules load with it: 2–4 ms of every command that prints, issue 15); a command
// line writes a few lines and exits, which a write(2) does as well. A terminal, and a
// descriptor that cannot take a write at once (a non-blocking pipe that is full), get
// Node's stream after all, for what is left.
import { fstatSync, statSync, writeSync } from 'node:fs';

/** What the command line writes its output to. */
export interface TextSink {
  write(text: string): unknown;
  readonly isTTY?: boolean;
}

/** The null device's device number, to tell it from a terminal (both are character devices). */
function nullDevice(): number | undefined {
  try {
    return statSync('/dev/null').rdev;
  } catch {
    return undefined;
  }
}

/**
 * Output to `fd`; `stream` makes Node's stream for it (and is asked at most once). A
 * reader that closed the pipe (`flow list flow | head`) ends the output quietly.
 */
export function fdSink(fd: number, stream: () => NodeJS.WriteStream): TextSink {
  let fallback: NodeJS.WriteStream | undefined;
  let closed = false;
  const toStream = () => {
    fallback ??= stream();
    return fallback;
  };
  let terminal: boolean | undefined;
  const isTerminal = (): boolean => {
    if (terminal === undefined) {
      let stat;
      try {
        stat = fstatSync(fd);
      } catch {
        stat = undefined;
      }
      terminal = stat === undefined || (stat.isCharacterDevice() && stat.rdev !== nullDevice()) ? !!toStream().isTTY : false;
    }
    return terminal;
  };
  return {
    get isTTY() {
      return isTerminal();
    },
    write(text: string) {
      if (closed) return false;
      if (fallback || isTerminal()) return toStream().write(text);
      const bytes = Buffer.from(text);
      let done = 0;
      while (done < bytes.length) {
        try {
          done += writeSync(fd, bytes, done, bytes.length - done);
        } catch (err) {
          const code = (err as NodeJS.ErrnoException).code;
          if (code === 'EPIPE') {
            closed = true;
            return false;
          }
          if (code !== 'EAGAIN') throw err;
          return toStream().write(bytes.subarray(done));
        }
      }
      return true;
    },
  };
}
