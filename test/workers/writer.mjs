// A writer process for concurrency and crash tests, using the built library.
// Usage: node writer.mjs <dir> <mode> [count]
//   add <n>        n transactions, each adding a task to a random plan; prints "ack <rev> <id>"
//   loop           add tasks until killed, printing "ack <rev>" after each commit
//   hold           take the lock and hang (to be SIGKILLed while holding it)
//   slow <ms>      one transaction whose change takes <ms> (to be SIGSTOPped inside it)
import { writeSync } from 'node:fs';
import { createTask, insertTask, Store } from '../../dist/lib.js';
import { acquireLock } from '../../dist/lib.js';

const [dir, mode, arg] = process.argv.slice(2);
const store = new Store(dir, { writer: `test:${process.pid}:${mode}` });
const say = (line) => writeSync(1, `${line}\n`);

function addToRandomPlan(tx) {
  const ids = tx.flowIds();
  let flow = tx.flow(ids[Math.floor(Math.random() * ids.length)]);
  // Other writers may have added flows without plans: take one that has some.
  if (!flow.plans.length) flow = ids.map((id) => tx.flow(id)).find((f) => f.plans.length > 0);
  const plan = flow.plans[Math.floor(Math.random() * flow.plans.length)];
  const task = createTask({ title: `from ${process.pid}` });
  insertTask(tx.index, { planId: plan.id }, task);
  return task.id;
}

if (mode === 'add') {
  for (let i = 0; i < Number(arg); i++) {
    const commit = await store.transact(addToRandomPlan);
    say(`ack ${commit.revision} ${commit.value}`);
  }
} else if (mode === 'loop') {
  say('ready');
  for (;;) {
    const commit = await store.transact(addToRandomPlan);
    say(`ack ${commit.revision}`);
  }
} else if (mode === 'hold') {
  await acquireLock(`${dir}/flows.json`);
  say('locked');
  setInterval(() => {}, 1 << 30);
} else if (mode === 'slow') {
  let announced = false;
  const commit = await store.transact((tx) => {
    const id = addToRandomPlan(tx);
    if (!announced) {
      announced = true;
      say('in-tx');
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, Number(arg));
    }
    return id;
  });
  say(`ack ${commit.revision} ${commit.value}`);
}
