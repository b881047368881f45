// flow as a library, tested as a consumer uses it: a TypeScript project elsewhere that
// imports the package by name, type-checks against its declarations and runs.
import { spawnSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readStore, ROOT, tempDir } from '../helpers.js';

const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');

const PROGRAM = `
import { Workspace, command, FlowError, type Flow, type TypedCommand } from 'flow-workspace';

const dir = process.argv[2];
const ws = new Workspace({ dir, session: 'script' });
const log: Record<string, unknown> = {};

const a: Flow = await ws.addFlow('A');
const b = await ws.addFlow('B');
const c = await ws.addFlow('C');
log.currentAfterAdds = (await ws.currentFlowId()) === c.id;
await ws.setCurrent(b.id);
log.currentAfterSet = (await ws.currentFlowId()) === b.id;
await ws.deleteFlow(b.id);
log.currentAfterDelete = (await ws.currentFlowId()) === c.id;
log.names = (await ws.flows()).map((f) => f.name);
log.flowById = (await ws.flow(a.id))?.name;

// Any command of the table, as a typed object, through the same bus as the command line.
await ws.run('add plan', { title: 'Storage', flow: c.id });
const task = await ws.run('add task', { title: 'Atomic writes', priority: 'high', tags: ['storage'] });
log.task = task;
const typed: TypedCommand = command('set task', { ref: '1', status: 'done' });
await ws.run(typed.name, typed.args);
log.listed = await ws.run('list task', { fields: ['title', 'status'] });

// The dirty flag: a transaction that changes nothing writes nothing.
const unchanged = await ws.transact((tx) => tx.currentFlowId);
log.unchanged = unchanged.changed;
const before = unchanged.revision;
log.saved = (await ws.save()) === before + 1;

try {
  await ws.run('show task', { ref: 'task_nothere' });
} catch (err) {
  log.error = err instanceof FlowError ? err.code : String(err);
}

// @ts-expect-error: not a priority
void (() => ws.run('add task', { title: 'x', priority: 'urgent' }));
// @ts-expect-error: not a command
void (() => ws.run('frobnicate task', {}));

const inside = 'flow-workspace/dist/cli.cjs';
try {
  await import(inside);
} catch (err) {
  log.deepImport = err instanceof Error && 'code' in err ? err.code : String(err);
}
console.log(JSON.stringify(log));
`;

describe('the package as a library', () => {
  it('type-checks and runs from another project, importing flow-workspace by name', () => {
    const project = tempDir('flow-consumer-');
    const modules = join(project, 'node_modules');
    mkdirSync(join(modules, '@types'), { recursive: true });
    // What npm install flow-workspace (and @types/node) would put there.
    symlinkSync(ROOT, join(modules, 'flow-workspace'), 'dir');
    symlinkSync(join(ROOT, 'node_modules', '@types', 'node'), join(modules, '@types', 'node'), 'dir');
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', type: 'module', private: true }));
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, outDir: 'out', types: ['node'] },
        include: ['main.ts'],
      }),
    );
    writeFileSync(join(project, 'main.ts'), PROGRAM);
    const compiled = spawnSync(process.execPath, [TSC, '-p', project], { encoding: 'utf8', cwd: project });
    expect(compiled.status, compiled.stdout + compiled.stderr).toBe(0);

    const dir = join(tempDir(), '.flow');
    const ran = spawnSync(process.execPath, [join(project, 'out', 'main.js'), dir], { encoding: 'utf8', cwd: project, env: { ...process.env, FLOW_DIR: undefined } });
    expect(ran.status, ran.stderr).toBe(0);
    const log = JSON.parse(ran.stdout);
    expect(log).toMatchObject({
      currentAfterAdds: true,
      currentAfterSet: true,
      currentAfterDelete: true,
      names: ['A', 'C'],
      flowById: 'A',
      task: { title: 'Atomic writes', priority: 'high', tags: ['storage'], status: 'todo' },
      listed: [{ title: 'Atomic writes', status: 'done' }],
      unchanged: false,
      saved: true,
      error: 'not_found',
      deepImport: 'ERR_PACKAGE_PATH_NOT_EXPORTED',
    });
    // Written by the same services as the command line: the session's writer, an undo log.
    const doc = readStore(dir);
    expect(doc.meta.writer).toMatch(/^cli:\d+:script$/);
    expect(Object.keys(doc.flows)).toHaveLength(2);
  });
});
