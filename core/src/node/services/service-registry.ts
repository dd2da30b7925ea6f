import { injectable } from '@cairn/sdk/inversify';
import { CairnError, Emitter, ErrorCodes, toDisposable, type Disposable, type InvocationContext, type ServiceEvent } from '@cairn/sdk';

interface RegisteredService {
  owner: string;
  service: object;
}

/**
 * Host services by name, for the workbench to call over the RPC: plugins register theirs with
 * `ctx.services.register`, the core its own. Only a service's own and inherited methods can be
 * called, never its other properties.
 */
@injectable()
export class ServiceRegistry {
  private readonly services = new Map<string, RegisteredService>();
  private readonly onDidEmitEmitter = new Emitter<ServiceEvent>();
  /** A service sent an event to the workbench windows. */
  readonly onDidEmit = this.onDidEmitEmitter.event;

  register(owner: string, name: string, service: object): Disposable {
    if (typeof name !== 'string' || name.length === 0) {
      throw new CairnError(ErrorCodes.INVALID_INPUT, 'A service name must be a non-empty string.');
    }
    if (typeof service !== 'object' || service === null) {
      throw new CairnError(ErrorCodes.INVALID_INPUT, `Service '${name}' must be an object with methods.`);
    }
    const existing = this.services.get(name);
    if (existing !== undefined) {
      throw new CairnError(ErrorCodes.INVALID_INPUT, `Service '${name}' is already registered by '${existing.owner}'.`);
    }
    const entry = { owner, service };
    this.services.set(name, entry);
    return toDisposable(() => {
      if (this.services.get(name) === entry) this.services.delete(name);
    });
  }

  /** Sends an event of a service; only the plugin that registered the service may. */
  emit(owner: string, name: string, event: string, data: unknown): void {
    const entry = this.services.get(name);
    if (entry === undefined || entry.owner !== owner) {
      throw new CairnError(ErrorCodes.INVALID_INPUT, `Plugin '${owner}' has no service '${name}' to send events of; register it first.`);
    }
    this.onDidEmitEmitter.fire({ service: name, event: String(event), data: data ?? null });
  }

  has(name: string): boolean {
    return this.services.has(name);
  }

  async invoke(name: string, method: string, args: unknown[], context: InvocationContext): Promise<unknown> {
    const entry = this.services.get(name);
    if (entry === undefined) {
      throw new CairnError(ErrorCodes.NOT_FOUND, `There is no service '${name}' (is the plugin that provides it enabled and active?).`);
    }
    const target = entry.service as Record<string, unknown>;
    const callable = method !== 'constructor' && !method.startsWith('_') && typeof target[method] === 'function';
    if (!callable || Object.prototype.hasOwnProperty.call(Object.prototype, method)) {
      throw new CairnError(ErrorCodes.NOT_FOUND, `Service '${name}' has no method '${method}'.`);
    }
    return (target[method] as (...parameters: unknown[]) => unknown).call(entry.service, ...args, context);
  }

  dispose(): void {
    this.onDidEmitEmitter.dispose();
  }
}
