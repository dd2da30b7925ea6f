import { inject, injectable } from '@cairn/sdk/inversify';
import { CairnError, ErrorCodes, type Disposable, type SyncTransport } from '@cairn/sdk';
import { ContributionTable, contributionPoints } from '../contributions/contribution-table.js';
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
  private readonly table: ContributionTable<'syncTransports', SyncTransport>;

  constructor(@inject(PluginHost) plugins: PluginHost) {
    this.table = new ContributionTable(plugins, contributionPoints.syncTransports);
  }

  register(owner: string, transport: SyncTransport): Disposable {
    if (typeof transport?.id !== 'string' || typeof transport.sync !== 'function') {
      throw new CairnError(ErrorCodes.INVALID_INPUT, `Plugin '${owner}' registered a sync transport without an id or a sync() method.`);
    }
    return this.table.register(owner, transport.id, transport);
  }

  list(): SyncTransportInfo[] {
    return this.table.list((id, declared, registered) => ({
      id,
      title: registered?.value.title ?? declared!.title,
      description: declared?.description ?? null,
      owner: registered?.owner ?? declared!.owner,
      active: registered !== undefined,
    }));
  }

  /** The transport, activating its plugin on first use; a coded error says why it is unavailable. */
  get(id: string): Promise<SyncTransport> {
    return this.table.get(id);
  }
}
