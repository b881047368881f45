import { afterEach, it } from 'vitest';
import { createHarness, seedFixture, stopAll, KEY } from './harness.js';
afterEach(stopAll);
it('smoke', async () => {
  const h = await createHarness({ seed: seedFixture });
  console.log(h.lastFrame());
  await h.press('j');
  console.log(h.lastFrame());
  await h.press('e');
  console.log(h.lastFrame());
});
