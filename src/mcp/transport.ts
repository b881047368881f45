// MCP over stdio: one JSON-RPC message per line on stdin and stdout (nothing else ever
// goes to stdout). Like the SDK's StdioServerTransport, but messages are written with
// safeJson, so text from the store reaches the client escaped (DESIGN §8: DEL, C1 and
// bidi overrides as \u escapes, which decode to the same characters), and the end of
// stdin closes the connection once every request read before it has been answered.
import { ReadBuffer } from '@modelcontextprotocol/sdk/shared/stdio.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { safeJson } from '../domain/sanitize.js';

export class LineTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;
  private readonly buffer = new ReadBuffer();
  private closed = false;
  private ended = false;
  /** Requests read and not yet answered. */
  private pending = 0;

  constructor(
    private readonly input: NodeJS.ReadableStream,
    private readonly output: NodeJS.WritableStream,
  ) {}

  private readonly onData = (chunk: Buffer) => {
    try {
      this.buffer.append(chunk);
    } catch (err) {
      // A line longer than the buffer takes: this connection cannot go on.
      this.onerror?.(err instanceof Error ? err : new Error(String(err)));
      void this.close();
      return;
    }
    for (;;) {
      let message: JSONRPCMessage | null;
      try {
        message = this.buffer.readMessage();
      } catch (err) {
        // A line that is not a JSON-RPC message: say so, and read on.
        this.onerror?.(err instanceof Error ? err : new Error(String(err)));
        continue;
      }
      if (message === null) return;
      if ('method' in message && 'id' in message) this.pending++;
      this.onmessage?.(message);
    }
  };

  private readonly onEnd = () => {
    this.ended = true;
    if (this.pending === 0) void this.close();
  };

  async start(): Promise<void> {
    this.input.on('data', this.onData);
    this.input.on('end', this.onEnd);
  }

  async send(message: JSONRPCMessage): Promise<void> {
    await new Promise<void>((resolve) => {
      if (this.output.write(`${safeJson(message)}\n`)) resolve();
      else this.output.once('drain', () => resolve());
    });
    if ('result' in message || 'error' in message) {
      this.pending = Math.max(0, this.pending - 1);
      if (this.ended && this.pending === 0) await this.close();
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.input.off('data', this.onData);
    this.input.off('end', this.onEnd);
    this.buffer.clear();
    this.onclose?.();
  }
}
