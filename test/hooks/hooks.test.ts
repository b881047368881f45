// The hooks contract (issue 14 items 3 and 4), through the real command line: payload and
// environment, veto, timeouts that kill a hook's whole process group, writes from inside
// hooks (fail fast under pre_save, run once from post_save), and no loops. Each test trusts
// the hooks it writes (test/trust/hooks.test.ts covers hooks that are not trusted).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { flow, FLOW_BIN, flowSync as run, json, readStore, tempDir, waitFor, type RunOptions } from '../helpers.js';

// The per-user folder where trust is recorded: a temp one, never the real one.
let home = '';
beforeAll(() => {
  home = tempDir('flow-hooks-home-');
});
const userEnv = () => ({ XDG_CONFIG_HOME: join(home, 'config'), HOME: home });
const flowSync = (dir: string, args: readonly string[], options: RunOptions = {}) =>
  run(dir, args, { ...options, env: { ...userEnv(), ...options.env } });
const FLOW = `${process.execPath} ${FLOW_BIN}`;

function setHooks(dir: string, hooks: Record<string, unknown>, trust = true): void {
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ hooks }));
  if (!trust) return;
  const trusted = flowSync(dir, ['trust', 'hooks', '--yes']);
  if (trusted.code !== 0) throw new Error(`trust hooks: ${trusted.stderr}`);
}

function withPlan(): { dir: string; planId: string } {
  const dir = tempDir('flow-hooks-');
  json(flowSync(dir, ['add', 'flow', 'F', '--json']));
  const plan = json(flowSync(dir, ['add', 'plan', 'P', '--json']));
  return { dir, planId: plan.id };
}

/** A process that exists and is not a zombie waiting to be reaped. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

const lines = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').filter(Boolean) : []);

describe('pre_save', () => {
  it('a non-zero exit vetoes: exit 1 with the hook\'s stderr, flows.json and context.json byte for byte as they were', () => {
    const { dir } = withPlan();
    const flows = readFileSync(join(dir, 'flows.json'));
    const context = readFileSync(join(dir, 'context.json'));
    setHooks(dir, { pre_save: ['echo "no saves on Fridays" >&2; exit 3'] });
    for (const args of [['add', 'task', 'T'], ['add', 'plan', 'Q'], ['rm', 'plan', 'P', '--yes']]) {
      const r = flowSync(dir, args);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stderr).toContain('no saves on Fridays');
      expect(r.stderr).toMatch(/the pre_save hook `echo .*` exited 3: no saves on Fridays; nothing was saved/);
    }
    expect(readFileSync(join(dir, 'flows.json')).equals(flows)).toBe(true);
    expect(readFileSync(join(dir, 'context.json')).equals(context)).toBe(true);
    const asJson = flowSync(dir, ['add', 'task', 'T', '--json']);
    expect(JSON.parse(asJson.stderr).error).toMatchObject({ code: 'vetoed', status: 3, timed_out: false, output: 'no saves on Fridays' });
  });

  it('a hook still running at hooks.timeout_s is killed with its children, and that vetoes', async () => {
    const { dir } = withPlan();
    const flows = readFileSync(join(dir, 'flows.json'));
    const pids = join(dir, 'pids');
    setHooks(dir, { timeout_s: 1, pre_save: [`sleep 300 & echo $! >> ${pids}; echo $$ >> ${pids}; echo started >&2; sleep 300`] });
    const r = flowSync(dir, ['add', 'task', 'T']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/did not finish within 1 s and was stopped with its child processes: started; nothing was saved/);
    expect(readFileSync(join(dir, 'flows.json')).equals(flows)).toBe(true);
    const started = lines(pids).map(Number);
    expect(started).toHaveLength(2);
    await waitFor(() => started.every((pid) => !alive(pid)), { what: 'the hook and its child to be gone' });
  });

  it('a write from inside it fails at once (exit 4, saying why), and the outer save goes on', () => {
    const { dir, planId } = withPlan();
    const out = join(dir, 'inner.txt');
    // Waiting for the lock instead would outlast the hook's timeout and veto the outer save.
    setHooks(dir, {
      timeout_s: 60,
      pre_save: [
        `${FLOW} --dir "$FLOW_DIR" add task inner --plan ${planId} 2>> ${out}; echo "add $?" >> ${out}; ` +
          `${FLOW} --dir "$FLOW_DIR" use plan ${planId} 2>> ${out}; echo "use $?" >> ${out}; ` +
          `${FLOW} --dir "$FLOW_DIR" context note inner 2>> ${out}; echo "note $?" >> ${out}; ` +
          `${FLOW} --dir "$FLOW_DIR" list task --quiet; echo "list $?" >> ${out}`,
      ],
    });
    const r = flowSync(dir, ['add', 'task', 'outer'], { env: { FLOW_LOCK_TIMEOUT_MS: '60000' } });
    expect(r.code, r.stderr).toBe(0);
    const said = lines(out);
    expect(said.filter((l) => /^(add|use|note|list) \d+$/.test(l))).toEqual(['add 4', 'use 4', 'note 4', 'list 0']);
    expect(said.filter((l) => l.includes('runs inside a pre_save hook'))).toHaveLength(3);
    const titles = readStore(dir).flows[Object.keys(readStore(dir).flows)[0]].plans[0].tasks.map((t: { title: string }) => t.title);
    expect(titles).toEqual(['outer']);
  });
});

describe('post_save and on_command', () => {
  it('a post_save hook that runs flow add task lands its task once, written as hook:…, and runs no hooks itself', () => {
    const { dir, planId } = withPlan();
    const ran = join(dir, 'ran');
    setHooks(dir, {
      post_save: [`echo "$FLOW_EVENT" >> ${ran}; ${FLOW} --dir "$FLOW_DIR" add task "from post_save" --plan ${planId} --quiet`],
      on_command: [`echo "$FLOW_EVENT" >> ${ran}`],
    });
    const r = flowSync(dir, ['add', 'task', 'by hand']);
    expect(r.code, r.stderr).toBe(0);
    const doc = readStore(dir);
    const titles = doc.flows[Object.keys(doc.flows)[0]].plans[0].tasks.map((t: { title: string }) => t.title);
    expect(titles).toEqual(['by hand', 'from post_save']);
    expect(doc.meta.writer).toMatch(/^hook:\d+:default$/);
    // One post_save (the hook's own save ran none) and one on_command.
    expect(lines(ran)).toEqual(['post_save', 'on_command']);
  });

  it('a failure is reported with the hook\'s output and never undoes the change; a timeout kills it and goes on', () => {
    const { dir } = withPlan();
    setHooks(dir, { timeout_s: 1, post_save: ['echo "could not notify" >&2; exit 2'], on_command: ['sleep 300'] });
    const before = readStore(dir).meta.file_revision;
    const r = flowSync(dir, ['add', 'task', 'T']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('post_save hook `echo "could not notify" >&2; exit 2` exited 2: could not notify (the change stays)');
    expect(r.stderr).toContain('on_command hook `sleep 300` did not finish within 1 s');
    expect(readStore(dir).meta.file_revision).toBe(before + 1);
  });
});

describe('the payload', () => {
  it('is one JSON document per hook that validates against `flow schema hook`, with FLOW_DIR, FLOW_EVENT and FLOW_HOOK set', () => {
    const { dir } = withPlan();
    const log = join(dir, 'events.jsonl');
    const record = `{ cat; echo; } >> ${log}; echo "$FLOW_EVENT $FLOW_HOOK $FLOW_DIR" >> ${log}.env`;
    setHooks(dir, { pre_save: [record], post_save: [record], on_command: [record] });
    const before = readStore(dir).meta.file_revision;
    json(flowSync(dir, ['add', 'task', 'Hooked', '--tag', 'x', '--json']));
    flowSync(dir, ['list', 'task']);
    const events = lines(log).map((l) => JSON.parse(l));
    const envs = lines(`${log}.env`);
    const schema = json(flowSync(dir, ['schema', 'hook', '--json']));
    const validate = new Ajv2020({ strict: false }).compile(schema);
    expect(events.map((e) => e.event)).toEqual(['pre_save', 'post_save', 'on_command', 'on_command']);
    for (const event of events) expect(validate(event), JSON.stringify(validate.errors)).toBe(true);
    const [pre, post, added, listed] = events;
    for (const save of [pre, post]) {
      expect(save).toMatchObject({ version: 1, dir, session: 'default', revision: { before, after: before + 1 } });
      expect(save.command).toEqual({ name: 'add task', args: { title: 'Hooked', tags: ['x'] } });
      expect(save.writer).toMatch(/^cli:\d+:default$/);
      expect(save.patch.some((op: { op: string; path: string }) => op.op === 'add' && op.path.startsWith(`/flows/`))).toBe(true);
    }
    expect(added).toMatchObject({ command: { name: 'add task' }, revision: { before, after: before + 1 } });
    expect(added.patch).toEqual(post.patch);
    expect(listed).toMatchObject({ command: { name: 'list task' }, revision: { before: before + 1, after: before + 1 }, patch: [] });
    expect(envs).toEqual(['pre_save', 'post_save', 'on_command', 'on_command'].map((e) => `${e} 1 ${dir}`));
  });

  it('`flow schema hook` is a JSON Schema of exactly what is sent; refusing a payload missing a field', () => {
    const { dir } = withPlan();
    const schema = json(flowSync(dir, ['schema', 'hook', '--json']));
    expect(schema.title).toContain('hook');
    expect(schema.required).toEqual(expect.arrayContaining(['event', 'command', 'session', 'writer', 'revision', 'patch']));
    const validate = new Ajv2020({ strict: false }).compile(schema);
    expect(validate({ version: 1, event: 'pre_save', dir, command: null, session: 's', writer: 'w', revision: { before: 1, after: 2 }, patch: [] })).toBe(true);
    expect(validate({ version: 1, event: 'pre_save', dir, command: null, session: 's', writer: 'w', patch: [] })).toBe(false);
    expect(flowSync(dir, ['schema']).stdout).toContain('flows.json (format 3.0)');
  });
});

describe('trust and settings', () => {
  it('an untrusted hook never runs, and says how to trust it', () => {
    const { dir } = withPlan();
    const marker = join(dir, 'ran');
    setHooks(dir, { pre_save: [`touch ${marker}; exit 1`], post_save: [`touch ${marker}`], on_command: [`touch ${marker}`] }, false);
    const r = flowSync(dir, ['add', 'task', 'T']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('flow trust hooks');
    expect(existsSync(marker)).toBe(false);
  });

  it('hooks.timeout_s takes seconds above 0 (default 10)', () => {
    const { dir } = withPlan();
    expect(json(flowSync(dir, ['config', 'get', 'hooks.timeout_s', '--json']))).toMatchObject({ value: 10 });
    expect(flowSync(dir, ['config', 'set', 'hooks.timeout_s', '2.5']).code).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')).hooks.timeout_s).toBe(2.5);
    for (const bad of ['0', '-1', 'soon']) expect(flowSync(dir, ['config', 'set', 'hooks.timeout_s', bad]).code, bad).toBe(1);
  });
});

describe('hooks that misbehave', () => {
  const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e]/;

  it('escape sequences in a hook\'s output never reach the terminal; --json carries them as written, escaped', () => {
    const { dir } = withPlan();
    const flows = readFileSync(join(dir, 'flows.json'));
    const evil = String.raw`title \033]0;owned\007 clear \033[2J csi \302\23331m bidi \342\200\256 end`;
    setHooks(dir, { pre_save: [`printf '${evil}\\n' >&2; exit 1`] });
    const r = flowSync(dir, ['add', 'task', 'T']);
    expect(r.code).toBe(1);
    expect(r.stderr).not.toMatch(CONTROL);
    expect(r.stderr).toContain(String.raw`title \x1b]0;owned\x07 clear \x1b[2J csi \x9b31m bidi \u202e end`);
    const asJson = flowSync(dir, ['add', 'task', 'T', '--json']);
    expect(asJson.stderr).not.toMatch(CONTROL);
    expect(JSON.parse(asJson.stderr).error.output).toBe('title \u001b]0;owned\u0007 clear \u001b[2J csi \u009b31m bidi \u202e end');
    expect(readFileSync(join(dir, 'flows.json')).equals(flows)).toBe(true);

    setHooks(dir, { post_save: [`printf 'after \\033[31mred\\n' >&2; exit 2`] });
    const warned = flowSync(dir, ['add', 'task', 'T']);
    expect(warned.code, warned.stderr).toBe(0);
    expect(warned.stderr).not.toMatch(CONTROL);
    expect(warned.stderr).toContain(String.raw`exited 2: after \x1b[31mred (the change stays)`);
  });

  it('a hook that closes its stdin at once, before a payload larger than a pipe holds: the save goes on, nothing said', () => {
    const { dir, planId } = withPlan();
    setHooks(dir, { pre_save: ['exec 0<&-; exit 0'], post_save: ['exit 0'], on_command: ['exec 0<&- 1>&-; exit 0'] });
    const notes = 'n'.repeat(100_000);
    const r = flowSync(dir, ['add', 'task', 'Big', '--plan', planId, '--notes', notes]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    const doc = readStore(dir);
    expect(doc.flows[Object.keys(doc.flows)[0]].plans[0].tasks[0].notes).toBe(notes);
  });

  it('a hook that floods its output: what is shown is capped, and one that never stops is stopped at its timeout', () => {
    const { dir } = withPlan();
    setHooks(dir, { timeout_s: 2, post_save: ['yes flood | head -c 30000000; exit 3'] });
    const r = flowSync(dir, ['add', 'task', 'T']);
    expect(r.code, r.stderr.slice(0, 500)).toBe(0);
    expect(r.stderr).toMatch(/exited 3: flood\nflood\n/);
    expect(r.stderr.length).toBeLessThan(6000);

    const flows = readFileSync(join(dir, 'flows.json'));
    setHooks(dir, { timeout_s: 1, pre_save: ['yes flood'] });
    const vetoed = flowSync(dir, ['add', 'task', 'U']);
    expect(vetoed.code).toBe(1);
    expect(vetoed.stderr).toMatch(/`yes flood` did not finish within 1 s and was stopped with its child processes: flood\n/);
    expect(vetoed.stderr.length).toBeLessThan(6000);
    expect(readFileSync(join(dir, 'flows.json')).equals(flows)).toBe(true);
  });

  it('a process a hook left in a session of its own (out of reach of the group kill) holding its output: not waited for past the timeout', async () => {
    const { dir } = withPlan();
    const escaped = join(dir, 'escaped');
    setHooks(dir, { timeout_s: 1, post_save: [`setsid sleep 120 & echo $! > ${escaped}; exit 0`] });
    const done = flow(dir, ['add', 'task', 'T'], { env: userEnv() });
    let result: Awaited<typeof done> | undefined;
    void done.then((r) => (result = r));
    try {
      await waitFor(() => result, { timeoutMs: 30_000, what: 'add task to end while the escaped process still runs' });
      expect(result?.code, result?.stderr).toBe(0);
      expect(alive(Number(lines(escaped)[0]))).toBe(true);
    } finally {
      process.kill(Number(lines(escaped)[0]), 'SIGKILL');
      await done;
    }
  });

  it('a character written in two pieces is shown whole', () => {
    const { dir } = withPlan();
    // The brick's four bytes are split over two writes, so that they can arrive as two reads.
    setHooks(dir, { pre_save: [String.raw`printf 'x\360\237' >&2; sleep 0.2; printf '\247\261 end' >&2; exit 1`] });
    const r = flowSync(dir, ['add', 'task', 'T', '--json']);
    expect(JSON.parse(r.stderr).error.output).toBe('x🧱 end');
  });
});
