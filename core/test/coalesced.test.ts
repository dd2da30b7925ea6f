import { expect } from 'chai';
import { coalesced } from '@cairn/core/common/coalesced.js';

describe('coalesced work', () => {
  it('runs one at a time; asked meanwhile, runs once more, and every asker waits for that round', async () => {
    let rounds = 0;
    let release: () => void = () => undefined;
    const work = coalesced(() => {
      rounds += 1;
      return new Promise<void>((resolve) => (release = resolve));
    });
    const first = work.run();
    const askers = [work.run(), work.run(), work.run()];
    expect(rounds).to.equal(1);
    release();
    await new Promise((resolve) => setImmediate(resolve));
    expect(rounds, 'one more round for the three that asked meanwhile').to.equal(2);
    let done = false;
    void Promise.all(askers).then(() => (done = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(done, 'the askers wait for the round that covers them').to.equal(false);
    release();
    await Promise.all([first, ...askers]);
    expect(rounds).to.equal(2);
    // Idle again: the next request starts a round of its own.
    const next = work.run();
    release();
    await next;
    expect(rounds).to.equal(3);
  });

  it('drops an owed round once stopped, and reports a failure to its askers while settled() stays calm', async () => {
    let stopped = false;
    let rounds = 0;
    const work = coalesced(async () => {
      rounds += 1;
      await new Promise((resolve) => setImmediate(resolve));
      if (rounds === 1) stopped = true;
    }, () => stopped);
    await Promise.all([work.run(), work.run()]);
    expect(rounds).to.equal(1);

    const failing = coalesced(() => Promise.reject(new Error('disk full')));
    const asked = failing.run();
    await failing.settled();
    expect(await asked.then(() => 'ok', (error: Error) => error.message)).to.equal('disk full');
  });
});
