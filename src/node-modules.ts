// Node's own modules that only some commands use, loaded on first use: one imported at
// the top of a module is compiled at every start-up, whatever the command (issue 15,
// start-up; the first five together cost about 13 ms of CPU). Even createRequire waits for
// the first of them.
import { createRequire } from 'node:module';
import { once } from './domain/once.js';

const requireNode = once(() => createRequire(import.meta.url));
const load = (id: string) => requireNode()(id);

export const nodeCrypto = (): typeof import('node:crypto') => load('node:crypto');
export const childProcess = (): typeof import('node:child_process') => load('node:child_process');
export const zlib = (): typeof import('node:zlib') => load('node:zlib');
export const readlinePromises = (): typeof import('node:readline/promises') => load('node:readline/promises');
export const fsPromises = (): typeof import('node:fs/promises') => load('node:fs/promises');
export const nodeOs = (): typeof import('node:os') => load('node:os');
export const stringDecoder = (): typeof import('node:string_decoder') => load('node:string_decoder');
