import { peerCountFrom, timeoutMsFrom, type PluginContext, type SyncPeerResult, type SyncRequest } from '@cairn/sdk';
import { bootstrapNodes } from './bootstrap.js';
import type { InternetPeerResult } from './internet-sync.js';

interface SyncInternetInput {
  bootstrap?: unknown;
  waitPeers?: unknown;
  timeout?: unknown;
}

/** Said before every run, in the log and the terminal: the user asked for it, and should know what it shows. */
const EXPOSURE = "Syncing over the internet: while it runs, this device's IP address is visible to the DHT's nodes and to the devices it meets.";

export function activate(ctx: PluginContext): void {
  // The environment is read once, here.
  const env = { CAIRN_INTERNET_BOOTSTRAP: process.env.CAIRN_INTERNET_BOOTSTRAP, CAIRN_INTERNET_HOST: process.env.CAIRN_INTERNET_HOST };

  /** Syncs with every member met, and ends once `waitPeers` are done. HyperDHT loads on first use. */
  const syncPeers = async (input: SyncInternetInput, onSynced?: (synced: number, wanted: number) => void, signal?: AbortSignal): Promise<InternetPeerResult[]> => {
    const { waitPeers, timeoutMs } = checkInput(input);
    const bootstrap = bootstrapNodes(input.bootstrap, env, ctx.configuration.get('sync-internet.bootstrap'));
    ctx.log.warn(EXPOSURE);
    const { syncOverInternet } = await import('./internet-sync.js');
    return syncOverInternet(ctx, {
      bootstrap,
      waitPeers,
      timeoutMs,
      ...(env.CAIRN_INTERNET_HOST ? { host: env.CAIRN_INTERNET_HOST } : {}),
      ...(signal !== undefined && { signal }),
      onSynced: (synced) => onSynced?.(synced, waitPeers),
    });
  };

  // `cairn sync internet [--bootstrap HOST:PORT]... [--wait-peers N] [--timeout S]`
  ctx.subscriptions.push(
    ctx.commands.register('sync-internet.sync', async (input: SyncInternetInput = {}) => {
      const peers = await ctx.progress('Syncing over the internet', (report) =>
        syncPeers(input ?? {}, (synced, wanted) => report({ message: `${synced} of ${wanted} device${wanted === 1 ? '' : 's'} synced`, percent: (100 * synced) / wanted })),
      );
      return { peers: peers.map(printable) };
    }),
    ctx.sync.registerTransport({
      id: 'internet',
      title: 'Sync over the internet',
      async sync(request: SyncRequest): Promise<SyncPeerResult[]> {
        const options = request.options ?? {};
        const peers = await syncPeers(
          { waitPeers: options.waitPeers ?? 1, timeout: options.timeout ?? 120, ...(request.target ? { bootstrap: [request.target] } : {}) },
          undefined,
          request.signal,
        );
        return peers.map((peer) => ({
          peer: { deviceId: peer.deviceId, deviceName: peer.deviceName },
          result: peer.result,
          ...(peer.sent && peer.received ? { summary: { sent: peer.sent, received: peer.received } } : {}),
          ...(peer.error ? { error: peer.error } : {}),
        }));
      },
    }),
  );
}

/** What `cairn sync internet` prints of each device. */
function printable(peer: InternetPeerResult): Record<string, unknown> {
  const { deviceId, deviceName, result, sent, received, error } = peer;
  return { deviceId, deviceName, result, sent, received, ...(error ? { error } : {}) };
}

function checkInput(input: SyncInternetInput): { waitPeers: number; timeoutMs: number } {
  return { waitPeers: peerCountFrom(input.waitPeers), timeoutMs: timeoutMsFrom(input.timeout, 120) };
}
