import { toDisposable, type Disposable } from './disposable.js';

/**
 * A subscribable event: call it with a listener to subscribe; dispose the result to
 * unsubscribe. Passing an array as `disposables` adds the subscription to it, which is the
 * usual way to tie a listener to `ctx.subscriptions`.
 */
export type Event<T> = (listener: (event: T) => unknown, disposables?: Disposable[]) => Disposable;

export interface EmitterOptions {
  /** Called when a listener throws; by default the error is written to the console. */
  onListenerError?: (error: unknown) => void;
}

/**
 * The owner side of an {@link Event}: keep the emitter private, expose `emitter.event`.
 * A listener that throws does not stop the others from being called.
 */
export class Emitter<T> implements Disposable {
  private listeners: Array<(event: T) => unknown> = [];
  private disposed = false;

  constructor(private readonly options: EmitterOptions = {}) {}

  readonly event: Event<T> = (listener, disposables) => {
    if (this.disposed) return toDisposable(() => undefined);
    this.listeners.push(listener);
    const subscription = toDisposable(() => {
      this.listeners = this.listeners.filter((candidate) => candidate !== listener);
    });
    disposables?.push(subscription);
    return subscription;
  };

  /** Calls every listener with `event`, in subscription order. */
  fire(event: T): void {
    // A copy, so listeners that unsubscribe while being called do not skip their neighbours.
    for (const listener of [...this.listeners]) {
      try {
        listener(event);
      } catch (error) {
        (this.options.onListenerError ?? defaultListenerError)(error);
      }
    }
  }

  get listenerCount(): number {
    return this.listeners.length;
  }

  dispose(): void {
    this.disposed = true;
    this.listeners = [];
  }
}

function defaultListenerError(error: unknown): void {
  console.error('An event listener failed:', error);
}
