import { inject, injectable } from '@cairn/sdk/inversify';
import { SyncTransport, type Disposable } from '@cairn/sdk';
import type { ExtensionPoint } from '../di/contributions.js';
import { SyncTransportRegistry } from './sync-transport-registry.js';

/** Feeds `SyncTransport` contributions into the transport registry. */
@injectable()
export class SyncTransportExtensionPoint implements ExtensionPoint {
  readonly point = SyncTransport;

  constructor(@inject(SyncTransportRegistry) private readonly registry: SyncTransportRegistry) {}

  consume(owner: string, contributor: unknown): Disposable {
    return this.registry.register(owner, contributor as SyncTransport);
  }
}
