import type { Bind, Container, ServiceIdentifier } from '@cairn/sdk/inversify';
import {
  contributorsOf,
  DisposableStore,
  errorMessage,
  type ContributorRegistration,
  type Disposable,
  type Logger,
} from '@cairn/sdk';

/** The root container, bound in itself so that services can look up contributions lazily. */
export const RootContainer = Symbol.for('cairn.core.RootContainer');

/**
 * A core registry's side of an extension point: it receives each contributor a plugin (or the
 * core) binds with `bindContribution(bind, point, Implementation)`. Core modules make them with
 * `registryExtensionPoint`.
 */
export const ExtensionPoint = Symbol.for('cairn.core.ExtensionPoint');
export interface ExtensionPoint {
  readonly point: symbol;
  /** Takes one contributor from `owner`; disposing the result withdraws it. */
  consume(owner: string, contributor: unknown): Disposable;
}

/**
 * Makes `point` an extension point whose contributors go to a registry of the root container:
 * `register` hands it each one, on behalf of the plugin (or the core) that bound it, and returns
 * what withdraws it.
 *
 * ```ts
 * registryExtensionPoint(bind, SyncTransport, SyncTransportRegistry, (registry, owner, transport: SyncTransport) =>
 *   registry.register(owner, transport));
 * ```
 */
export function registryExtensionPoint<R, T>(
  bind: Bind,
  point: symbol,
  registry: ServiceIdentifier<R>,
  register: (registry: R, owner: string, contributor: T) => Disposable,
): void {
  bind<ExtensionPoint>(ExtensionPoint)
    .toResolvedValue(
      (target: R) => ({ point, consume: (owner: string, contributor: unknown) => register(target, owner, contributor as T) }),
      [registry],
    )
    .inSingletonScope();
}

export interface ResolvedContributor<T> {
  name: string;
  instance: T;
}

/**
 * Constructs, one by one, the contributors bound to `point` in `container` itself (not in its
 * parents). A contributor that throws is reported through `onError` and skipped; the others load.
 */
export function resolveContributors<T>(
  container: Container,
  point: symbol,
  onError: (contributorName: string, error: unknown) => void,
): ResolvedContributor<T>[] {
  const token = contributorsOf(point);
  if (!container.isCurrentBound(token)) return [];
  const resolved: ResolvedContributor<T>[] = [];
  for (const registration of container.getAll<ContributorRegistration>(token)) {
    try {
      resolved.push({ name: registration.name, instance: container.get<T>(registration.id) });
    } catch (error) {
      onError(registration.name, error);
    }
  }
  return resolved;
}

/**
 * Hands every contributor that `container` binds to each extension point's registry, on behalf
 * of `owner`. Disposing the result withdraws them all (used when a plugin is deactivated).
 */
export function connectContributions(
  container: Container,
  extensionPoints: readonly ExtensionPoint[],
  owner: string,
  log: Logger,
): Disposable {
  const connections = new DisposableStore();
  for (const extensionPoint of extensionPoints) {
    const pointName = Symbol.keyFor(extensionPoint.point) ?? String(extensionPoint.point);
    const contributors = resolveContributors(container, extensionPoint.point, (name, error) => {
      log.error(`Contributor ${name} to ${pointName} could not be created and was skipped: ${errorMessage(error)}`);
    });
    for (const contributor of contributors) {
      try {
        connections.add(extensionPoint.consume(owner, contributor.instance));
      } catch (error) {
        log.error(`Contributor ${contributor.name} to ${pointName} failed and was skipped: ${errorMessage(error)}`);
      }
    }
  }
  return connections;
}
