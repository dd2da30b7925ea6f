import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import {
  CairnError,
  contributorsOf,
  disposeAll,
  DisposableStore,
  Emitter,
  ErrorCodes,
  errorMessage,
  isCairnError,
  SDK_VERSION,
  toDisposable,
  type Disposable,
} from '@cairn/sdk';

describe('SDK helpers', () => {
  describe('Disposable', () => {
    it('toDisposable runs its function once', () => {
      let calls = 0;
      const disposable = toDisposable(() => {
        calls += 1;
      });
      disposable.dispose();
      disposable.dispose();
      expect(calls).to.equal(1);
    });

    it('disposeAll goes last-first, and one failure does not stop the rest', async () => {
      const order: string[] = [];
      const errors = await disposeAll([
        toDisposable(() => void order.push('first')),
        toDisposable(() => {
          throw new Error('second failed');
        }),
        toDisposable(async () => void order.push('third')),
      ]);
      expect(order).to.deep.equal(['third', 'first']);
      expect(errors.map(errorMessage)).to.deep.equal(['second failed']);
    });

    it('DisposableStore disposes what it holds, and late additions at once', async () => {
      const store = new DisposableStore();
      const disposed: string[] = [];
      store.add(toDisposable(() => void disposed.push('a')));
      await store.dispose();
      expect(store.isDisposed).to.equal(true);
      store.add(toDisposable(() => void disposed.push('late')));
      expect(disposed).to.deep.equal(['a', 'late']);
    });
  });

  describe('Emitter', () => {
    it('calls listeners in order until they unsubscribe', () => {
      const emitter = new Emitter<number>();
      const seen: string[] = [];
      const first = emitter.event((value) => seen.push(`first ${value}`));
      const subscriptions: Disposable[] = [];
      emitter.event((value) => seen.push(`second ${value}`), subscriptions);
      emitter.fire(1);
      first.dispose();
      emitter.fire(2);
      subscriptions.forEach((subscription) => subscription.dispose());
      emitter.fire(3);
      expect(seen).to.deep.equal(['first 1', 'second 1', 'second 2']);
      expect(emitter.listenerCount).to.equal(0);
    });

    it('keeps calling listeners when one throws', () => {
      const errors: unknown[] = [];
      const emitter = new Emitter<string>({ onListenerError: (error) => errors.push(error) });
      const seen: string[] = [];
      emitter.event(() => {
        throw new Error('listener broke');
      });
      emitter.event((value) => seen.push(value));
      emitter.fire('x');
      expect(seen).to.deep.equal(['x']);
      expect(errors.map(errorMessage)).to.deep.equal(['listener broke']);
    });

    it('ignores subscriptions after dispose', () => {
      const emitter = new Emitter<void>();
      emitter.dispose();
      let called = false;
      emitter.event(() => (called = true));
      emitter.fire();
      expect(called).to.equal(false);
    });
  });

  describe('errors', () => {
    it('recognises coded errors, also from another copy of the SDK', () => {
      expect(isCairnError(new CairnError(ErrorCodes.NOT_FOUND, 'gone'))).to.equal(true);
      expect(isCairnError({ code: 'ERR_TIMEOUT', message: 'slow' })).to.equal(true);
      expect(isCairnError({ code: 'ENOENT', message: 'not ours' })).to.equal(false);
      expect(isCairnError(new Error('plain'))).to.equal(false);
      expect(new CairnError(ErrorCodes.TIMEOUT, 'slow').toJSON()).to.deep.equal({ code: 'ERR_TIMEOUT', message: 'slow' });
    });
  });

  it('SDK_VERSION is the package version, which plugin engine ranges are checked against', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(SDK_VERSION).to.equal(pkg.version);
  });

  it('extension points must be Symbol.for symbols, so every SDK copy agrees', () => {
    expect(contributorsOf(Symbol.for('x.Point'))).to.equal(Symbol.for('x.Point#contributors'));
    expect(() => contributorsOf(Symbol('private'))).to.throw(TypeError, /Symbol\.for/);
  });
});
