// flow mcp as an agent's client sees it: the SDK's own Client over stdio against the
// built `flow mcp` process, and the raw bytes on its stdout.
import { spawn } from 'node:child_process';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterEach, describe, expect, it } from 'vitest';
import { createTable } from '../../src/commands/table.js';
import { HOSTILE } from '../hostile.js';
import { FLOW_BIN, flowSync, json, readStore, tempDir } from '../helpers.js';

/** Budgets of the issue: an agent pays for every tool's schema in every conversation. */
const MAX_TOOLS = 15;
const MAX_TOOLS_CHARS = 16_000;

const clients: Client[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

function serverEnv(): Record<string, string> {
  const env: Record<string, string> = { NO_COLOR: '1' };
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('FLOW_')) env[k] = v;
  return env;
}

async function connect(dir: string, session = 'agent') {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [FLOW_BIN, '--dir', dir, '--session', session, 'mcp'],
    env: serverEnv(),
    stderr: 'pipe',
  });
  const client = new Client({ name: 'flow-test', version: '1.0.0' });
  await client.connect(transport);
  clients.push(client);
  return client;
}

/** The text of a resource. */
async function resourceText(client: Client, uri: string): Promise<string> {
  const [content] = (await client.readResource({ uri })).contents;
  if (!('text' in content)) throw new Error(`${uri} is not text`);
  return content.text;
}

/** A call's structured result, failing with its text when the call failed. */
async function call(client: Client, name: string, args: Record<string, unknown>): Promise<any> {
  const result = await client.callTool({ name, arguments: args });
  const text = JSON.stringify(result.content);
  expect(result.isError, text).toBeFalsy();
  return result.structuredContent;
}

function setup() {
  const dir = tempDir();
  json(flowSync(dir, ['add', 'flow', 'Project', '--json']));
  json(flowSync(dir, ['add', 'plan', 'Storage', '--json']));
  // The agent's session works in the same plan.
  flowSync(dir, ['--session', 'agent', 'use', 'plan', 'Storage']);
  return dir;
}

describe('flow mcp with the SDK client', () => {
  it('lists few tools within the size budget, read-only ones annotated', async () => {
    const client = await connect(setup());
    const { tools } = await client.listTools();
    const size = JSON.stringify({ tools }).length;
    expect(tools.length).toBeLessThanOrEqual(MAX_TOOLS);
    expect(size).toBeLessThanOrEqual(MAX_TOOLS_CHARS);
    const read = tools.find((t) => t.name === 'read');
    expect(read?.annotations).toEqual({ readOnlyHint: true, idempotentHint: true, openWorldHint: false });
    for (const tool of tools.filter((t) => t.name !== 'read')) expect(tool.annotations?.readOnlyHint, tool.name).toBe(false);
    expect(tools.find((t) => t.name === 'task')?.annotations?.destructiveHint).toBe(true);
    // sync talks to a git remote: the only tool that reaches past the workspace.
    expect(tools.filter((t) => t.annotations?.openWorldHint).map((t) => t.name)).toEqual(['other']);
    // Every command an agent may run is in exactly one tool; help and the like in none.
    const commands = tools.flatMap((t) => (t.inputSchema.properties?.command as { enum: string[] }).enum);
    expect(new Set(commands).size).toBe(commands.length);
    expect(commands).toEqual(expect.arrayContaining(['add task', 'list task', 'ready task', 'claim task', 'release task', 'undo']));
    // Not for agents: help and the like; trust (only a person grants it), git's merge
    // driver (it writes over any path given), and retention that deletes history for good.
    for (const name of ['help', 'mcp', 'schema', 'completion', 'trust hooks', 'merge-driver', 'gc doc', 'prune snapshot']) {
      expect(commands).not.toContain(name);
    }
    // Every other command of the table is offered; the read-only tool holds only readers.
    const table = createTable();
    expect([...commands].sort()).toEqual(table.commands.filter((c) => c.mcp).map((c) => c.name).sort());
    for (const name of (read?.inputSchema.properties?.command as { enum: string[] }).enum) expect(table.get(name)?.writes, name).toBe(false);
    // The same arguments the command line takes, as JSON Schema of the domain.
    const task = tools.find((t) => t.name === 'task')?.inputSchema.properties as Record<string, any>;
    expect(task.priority.enum).toEqual(['low', 'medium', 'high']);
    expect(task.tags).toMatchObject({ type: 'array', items: { type: 'string' } });
  });

  it('adds tasks and lists them, paged, with only the fields asked for', async () => {
    const dir = setup();
    const client = await connect(dir);
    const added = await call(client, 'task', { command: 'add task', title: 'Atomic writes', priority: 'high', tags: ['storage'] });
    expect(added).toMatchObject({ title: 'Atomic writes', priority: 'high', tags: ['storage'], status: 'todo' });
    for (let i = 1; i <= 30; i++) await call(client, 'task', { command: 'add task', title: `Task ${i}` });
    expect(readStore(dir).meta.writer).toMatch(/^cli:\d+:agent$/);
    const page = await call(client, 'read', { command: 'list task' });
    expect(page.total).toBe(31);
    expect(page.items).toHaveLength(25);
    expect(page.next_offset).toBe(25);
    expect(page.items[0]).toMatchObject({ number: 1, id: added.id, title: 'Atomic writes' });
    const rest = await call(client, 'read', { command: 'list task', offset: 25, fields: ['number', 'title'] });
    expect(rest).toEqual({
      items: Array.from({ length: 6 }, (_, i) => ({ number: 26 + i, title: `Task ${25 + i}` })),
      total: 31,
      offset: 25,
      next_offset: null,
    });
    const capped = await call(client, 'read', { command: 'list task', limit: 1000, fields: ['id'] });
    expect(capped.items).toHaveLength(31);
    const result = await client.callTool({ name: 'read', arguments: { command: 'list task', limit: 2 } });
    expect(result.content).toEqual([{ type: 'text', text: '1–2 of 31; next_offset 2 for more' }]);
  });

  it('says when a search total is a lower bound: search stops looking past the page asked for', async () => {
    const dir = setup();
    const client = await connect(dir);
    for (let i = 1; i <= 5; i++) await call(client, 'task', { command: 'add task', title: `Postgres step ${i}` });
    const first = await client.callTool({ name: 'read', arguments: { command: 'search', query: 'postgres', limit: 2 } });
    expect(first.structuredContent).toMatchObject({ total: 3, total_is_lower_bound: true, offset: 0, next_offset: 2 });
    expect(first.content).toEqual([{ type: 'text', text: '1–2 of 3+; next_offset 2 for more' }]);
    const all = await call(client, 'read', { command: 'search', query: 'postgres', limit: 10 });
    expect(all).toMatchObject({ total: 5, offset: 0, next_offset: null });
    expect(all.total_is_lower_bound).toBeUndefined();
  });

  it('gives flow’s error code for a bad reference, a bad argument and a misplaced command', async () => {
    const client = await connect(setup());
    const missing = await client.callTool({ name: 'task', arguments: { command: 'done task', ref: 'task_nothere' } });
    expect(missing.isError).toBe(true);
    expect(missing.structuredContent).toMatchObject({ error: { code: 'not_found', exit: 1 } });
    expect(missing.content).toEqual([{ type: 'text', text: 'not_found (exit 1): no task "task_nothere"' }]);
    const bad = await client.callTool({ name: 'task', arguments: { command: 'add task', title: 'x', priority: 'urgent' } });
    expect(bad.structuredContent).toMatchObject({ error: { code: 'usage', exit: 2, message: 'priority: "urgent" is not one of low, medium, high' } });
    const unknownKey = await client.callTool({ name: 'task', arguments: { command: 'add task', title: 'x', tag: ['a'] } });
    expect(unknownKey.structuredContent).toMatchObject({ error: { code: 'usage', suggestion: 'tags' } });
    const elsewhere = await client.callTool({ name: 'task', arguments: { command: 'list task' } });
    expect(elsewhere.structuredContent).toMatchObject({ error: { code: 'usage', message: '"list task" is a command of the tool "read", not "task"' } });
    const needsYes = await client.callTool({ name: 'flow', arguments: { command: 'rm flow', ref: 'Project' } });
    expect(needsYes.structuredContent).toMatchObject({ error: { code: 'usage', exit: 2 } });
  });

  it('a change whose result is too large to send is reported done, not failed; a read that large is an error', async () => {
    const dir = setup();
    // 30 tasks of 2,000 characters of notes: removing the plan reports more than a result holds.
    for (let i = 0; i < 30; i++) expect(flowSync(dir, ['add', 'task', `Task ${i}`, '--notes', 'n'.repeat(2000), '--quiet']).code).toBe(0);
    const client = await connect(dir);
    const shown = await client.callTool({ name: 'read', arguments: { command: 'show plan', ref: 'Storage' } });
    expect(shown.isError).toBe(true);
    expect(shown.structuredContent).toMatchObject({ error: { code: 'failed' } });
    const removed = await client.callTool({ name: 'plan', arguments: { command: 'rm plan', ref: 'Storage', yes: true } });
    expect(removed.isError, JSON.stringify(removed.content)).toBeFalsy();
    expect(removed.structuredContent).toMatchObject({ truncated: true });
    expect((removed.structuredContent as { size: number }).size).toBeGreaterThan(48_000);
    expect(JSON.parse(flowSync(dir, ['list', 'plan', '--json']).stdout)).toEqual([]);
  });

  it('claims through the queue: the next ready task, then nothing ready', async () => {
    const client = await connect(setup());
    await call(client, 'task', { command: 'add task', title: 'only one' });
    const claimed = await call(client, 'task', { command: 'claim task', agent: 'agent-1' });
    expect(claimed).toMatchObject({ title: 'only one', status: 'in_progress', claimed_by: 'agent-1' });
    const none = await client.callTool({ name: 'task', arguments: { command: 'claim task', agent: 'agent-2' } });
    expect(none.structuredContent).toMatchObject({ error: { code: 'not_found', exit: 1 } });
    expect(JSON.stringify(none.content)).toContain('nothing ready');
  });

  it('offers the guide, the session context (flow context export) and the schemas as resources', async () => {
    const dir = setup();
    flowSync(dir, ['--session', 'agent', 'add', 'task', 'Atomic writes']);
    flowSync(dir, ['--session', 'agent', 'context', 'set', '--summary', 'Storage first, then the TUI']);
    flowSync(dir, ['--session', 'agent', 'context', 'note', 'rename happens last']);
    flowSync(dir, ['--session', 'other', 'context', 'set', '--summary', 'not this one']);
    const client = await connect(dir);
    const { resources } = await client.listResources();
    expect(resources.map((r) => r.uri)).toEqual(['flow://guide', 'flow://context', 'flow://schema', 'flow://schema/hook']);
    const text = await resourceText(client, 'flow://context');
    // The same text the command prints (it ends its output with a newline).
    expect(`${text}\n`).toBe(flowSync(dir, ['--session', 'agent', 'context', 'export']).stdout);
    for (const part of ['Storage first, then the TUI', 'Atomic writes', 'rename happens last']) expect(text).toContain(part);
    expect(text).not.toContain('not this one');
    const guide = await resourceText(client, 'flow://guide');
    expect(guide).toContain('claim task');
    const schema = JSON.parse(await resourceText(client, 'flow://schema'));
    expect(JSON.stringify(schema)).toContain('claimed_by');
    const hook = JSON.parse(await resourceText(client, 'flow://schema/hook'));
    expect(hook).toEqual(JSON.parse(flowSync(dir, ['schema', 'hook']).stdout));
    await expect(client.readResource({ uri: 'flow://nothing' })).rejects.toThrow(/no resource/);
    await expect(client.readResource({ uri: 'flow://constructor' })).rejects.toThrow(/no resource/);
  });
});

describe('flow mcp on the wire', () => {
  /** Writes messages, closes stdin, and returns every stdout line and stderr. */
  function exchange(dir: string, messages: object[]): Promise<{ lines: string[]; raw: string; stderr: string; code: number | null }> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [FLOW_BIN, '--dir', dir, 'mcp'], { env: serverEnv() });
      let raw = '';
      let stderr = '';
      child.stdout.on('data', (d) => (raw += d));
      child.stderr.on('data', (d) => (stderr += d));
      child.on('error', reject);
      child.on('close', (code) => resolve({ lines: raw.split('\n').filter(Boolean), raw, stderr, code }));
      child.stdin.end(messages.map((m) => JSON.stringify(m)).join('\n') + '\n');
    });
  }

  it('writes nothing but protocol messages, answers every request before stdin closed, and escapes hostile text', async () => {
    const dir = setup();
    const titles = Object.values(HOSTILE);
    const calls = titles.map((title, i) => ({
      jsonrpc: '2.0',
      id: 10 + i,
      method: 'tools/call',
      params: { name: 'task', arguments: { command: 'add task', title: `${title} x` } },
    }));
    const { lines, raw, code } = await exchange(dir, [
      { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } } },
      { jsonrpc: '2.0', method: 'notifications/initialized' },
      ...calls,
      { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'read', arguments: { command: 'list task', limit: 100 } } },
    ]);
    expect(code).toBe(0);
    const messages = lines.map((line) => JSON.parse(line));
    for (const message of messages) expect(message.jsonrpc).toBe('2.0');
    expect(messages.map((m) => m.id).sort((a, b) => a - b)).toEqual([1, 2, ...calls.map((c) => c.id)]);
    // No byte on stdout drives a terminal: escapes, C1 and bidi controls arrive as \u escapes.
    expect(raw).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
    const listed = messages.find((m) => m.id === 2).result.structuredContent.items.map((t: any) => t.title);
    expect(listed).toEqual(titles.map((t) => `${t} x`.trim()));
  });
});
