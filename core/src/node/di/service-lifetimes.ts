import type { Bind, Newable, ServiceIdentifier } from '@cairn/sdk/inversify';
import { errorMessage } from '@cairn/sdk';

interface Releasable {
  dispose(): unknown;
}

/**
 * The services the root container made, in the order it made them. A service is made after those
 * it is made from, so disposing them last first releases each one before what it depends on.
 */
export class ServiceLifetimes {
  private readonly created: Releasable[] = [];

  /** Notes a service as it is made; one with a `dispose()` is disposed at shutdown. */
  record<T>(service: T): T {
    if (typeof (service as Partial<Releasable> | null)?.dispose === 'function') this.created.push(service as Releasable);
    return service;
  }

  /**
   * Disposes every service made so far, last made first. One that fails does not keep the others
   * from being disposed; the failure is thrown once all are done.
   */
  async disposeAll(): Promise<void> {
    const failures: unknown[] = [];
    for (const service of this.created.splice(0).reverse()) {
      try {
        await service.dispose();
      } catch (error) {
        failures.push(error);
      }
    }
    if (failures.length === 1) throw failures[0];
    if (failures.length > 1) throw new AggregateError(failures, failures.map((failure) => errorMessage(failure)).join('; '));
  }
}

/**
 * Binds a service of the root container: one instance, made when something first needs it, and
 * disposed at shutdown when it has a `dispose()`.
 */
export function bindService<T>(bind: Bind, service: Newable<T>): void;
export function bindService<T>(bind: Bind, service: ServiceIdentifier<T>, implementation: Newable<T>): void;
export function bindService<T>(bind: Bind, service: ServiceIdentifier<T>, implementation = service as Newable<T>): void {
  bind(service)
    .to(implementation)
    .inSingletonScope()
    .onActivation((context, instance) => context.get(ServiceLifetimes).record(instance));
}
