import { inject, injectable } from '@cairn/sdk/inversify';
import { CairnError, Emitter, ErrorCodes, toDisposable, type Disposable, type SyncTransport } from '@cairn/sdk';
import { PluginHost } from '../plugins/plugin-host.js';

export interface SyncTransportInfo {
  id: string;
  title: string;
  description: string | null;
  owner: string;
  /** Registered now; false while its plugin waits for its first use. */
  active: boolean;
}

/**
 * The ways to sync that enabled plugins offer (sync with a file, over Wi-Fi, or a third
 * party's). Disabling a plugin withdraws its transports.
 */
@injectable()
export class SyncTransportRegistry {
  private readonly transports = new Map<string, { owner: string; transport: SyncTransport }>();
  private readonly onDidChangeEmitter = new Emitter<void>();
  readonly onDidChange = this.onDidChangeEmitter.event;

  constructor(@inject(PluginHost) private readonly plugins: PluginHost) {}

  register(owner: string, transport: SyncTransport): Disposable {
    if (typeof transport?.id !== 'string' || typeof transport.sync !== 'function') {
      throw new CairnError(ErrorCodes.INVALID_INPUT, `Plugin '${owner}' registered a sync transport without an id or a sync() method.`);
    }
    const existing = this.transports.get(transport.id);
    if (existing !== undefined) {
      throw new CairnError(ErrorCodes.INVALID_INPUT, `Sync transport '${transport.id}' is already registered by '${existing.owner}'.`);
    }
    const entry = { owner, transport };
    this.transports.set(transport.id, entry);
    this.onDidChangeEmitter.fire();
    return toDisposable(() => {
      if (this.transports.get(transport.id) === entry) {
        this.transports.delete(transport.id);
        this.onDidChangeEmitter.fire();
      }
    });
  }

  list(): SyncTransportInfo[] {
    const infos = new Map<string, SyncTransportInfo>();
    for (const plugin of this.plugins.known()) {
      if (!plugin.usable) continue;
      for (const declared of plugin.manifest?.contributes?.syncTransports ?? []) {
        infos.set(declared.id, {
          id: declared.id,
          title: declared.title,
          description: declared.description ?? null,
          owner: plugin.id,
          active: false,
        });
      }
    }
    for (const [id, { owner, transport }] of this.transports) {
      infos.set(id, { id, title: transport.title, description: infos.get(id)?.description ?? null, owner, active: true });
    }
    return [...infos.values()].sort((a, b) => a.id.localeCompare(b.id));
  }

  /** The transport, activating its plugin on first use; a coded error says why it is unavailable. */
  async get(id: string): Promise<SyncTransport> {
    if (!this.transports.has(id)) await this.plugins.activateByEvent(`onSyncTransport:${id}`);
    const entry = this.transports.get(id);
    if (entry !== undefined) return entry.transport;
    const provider = this.plugins.providerOf(`onSyncTransport:${id}`);
    throw (
      (provider && this.plugins.unavailableError(provider.id, `Sync transport '${id}'`)) ??
      new CairnError(ErrorCodes.NOT_FOUND, `There is no sync transport '${id}'.`)
    );
  }

  dispose(): void {
    this.onDidChangeEmitter.dispose();
  }
}
