import { afterEach, it } from 'vitest';
import { createHarness, seedFixture, stopAll, KEY, diskTask } from './harness.js';
afterEach(stopAll);
it('smoke', async () => {
  const h = await createHarness({ seed: seedFixture });
  await h.press('?');
  console.log(h.lastFrame());
});
