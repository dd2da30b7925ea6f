/**
 * Something that holds a resource (a listener, a registration, a handle) and can release it.
 * Everything a plugin registers returns one; push it to `ctx.subscriptions` and the host
 * releases it when the plugin is disabled or the host shuts down.
 */
export interface Disposable {
  dispose(): void | Promise<void>;
}

/**
 * Wraps a function as a {@link Disposable} that runs it once, however often it is disposed. Once
 * run, the function is let go: a disposed subscription kept in a list no longer keeps its
 * listener, nor what the listener holds, alive.
 */
export function toDisposable(dispose: () => void | Promise<void>): Disposable {
  let pending: (() => void | Promise<void>) | null = dispose;
  return {
    dispose() {
      const run = pending;
      pending = null;
      return run?.();
    },
  };
}

/**
 * Disposes every item, last added first (things registered later usually depend on earlier
 * ones). One item that throws does not stop the others; the errors are returned.
 */
export async function disposeAll(items: Iterable<Disposable>): Promise<unknown[]> {
  const errors: unknown[] = [];
  for (const item of [...items].reverse()) {
    try {
      await item.dispose();
    } catch (error) {
      errors.push(error);
    }
  }
  return errors;
}

/** A bag of disposables released together, in reverse order of addition. */
export class DisposableStore implements Disposable {
  private readonly items: Disposable[] = [];
  private disposed = false;

  get isDisposed(): boolean {
    return this.disposed;
  }

  /** Adds an item; if the store is already disposed, the item is disposed at once. */
  add<T extends Disposable>(item: T): T {
    if (this.disposed) {
      void item.dispose();
    } else {
      this.items.push(item);
    }
    return item;
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    const items = this.items.splice(0);
    await disposeAll(items);
  }
}
