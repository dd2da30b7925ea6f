import {
  peerCountFrom,
  timeoutMsFrom,
  type PluginContext,
  type SyncPeerResult,
  type SyncRequest,
} from '@cairn/sdk';
import { STATE_EVENT, SYNC_WIFI_SERVICE, type SyncWifiService, type WifiPeerResult } from '../common/protocol.js';
import { parseAddress } from './address.js';
import { listenOverridesFrom, listenSettings } from './settings.js';
import type { LanInviteInput } from './lan-invites.js';
import type { WifiSync } from './wifi-sync.js';

interface SyncWifiInput {
  waitPeers?: unknown;
  timeout?: unknown;
  connect?: unknown;
}

export function activate(ctx: PluginContext): void {
  // The environment is read here, once: the rest of the plugin reads its settings through this.
  const settings = listenSettings(ctx.configuration, listenOverridesFrom(process.env));
  // Hyperswarm and its kin load on first use, not at activation.
  let loading: Promise<WifiSync> | null = null;
  const load = () =>
    (loading ??= import('./wifi-sync.js').then(({ WifiSync }) => {
      const wifi = new WifiSync(ctx, settings);
      wifi.onDidChange((state) => ctx.services.emit(SYNC_WIFI_SERVICE, STATE_EVENT, state));
      return wifi;
    }));

  /**
   * Discovers, syncs with every member found, and ends once `waitPeers` of them are done.
   * Discovery started here stops here: it never keeps running in the background.
   */
  const syncPeers = async (input: SyncWifiInput, onProgress?: (synced: number, wanted: number) => void) => {
    const { waitPeers, timeoutMs, connect } = checkInput(input);
    const wifi = await load();
    const startedHere = !wifi.discovering;
    try {
      await wifi.start();
      for (const address of connect) await wifi.connect(address, { retry: true });
      return await wifi.syncPeers(waitPeers, timeoutMs, (synced) => onProgress?.(synced, waitPeers));
    } finally {
      if (startedHere) await wifi.stop();
    }
  };

  // Invites load mDNS: on first use too, not at activation.
  let invitesLoading: Promise<ReturnType<typeof import('./lan-invites.js').lanInvites>> | null = null;
  const invites = () => (invitesLoading ??= import('./lan-invites.js').then(({ lanInvites }) => lanInvites(ctx, settings)));

  // `cairn sync wifi [--wait-peers N] [--timeout S] [--connect HOST:PORT]...`
  ctx.subscriptions.push(
    ctx.commands.register('sync-wifi.sync', async (input: SyncWifiInput = {}) => {
      const peers = await ctx.progress('Syncing over Wi-Fi', (report) =>
        syncPeers(input ?? {}, (synced, wanted) =>
          report({ message: `${synced} of ${wanted} device${wanted === 1 ? '' : 's'} synced`, percent: (100 * synced) / wanted }),
        ),
      );
      return { peers: peers.map(printable) };
    }),
    ctx.commands.register('sync-wifi.join', async (input: LanInviteInput = {}) => (await invites()).join(input ?? {})),
    ctx.commands.register('sync-wifi.invite', async (input: LanInviteInput = {}) => (await invites()).invite(input ?? {})),
    ctx.commands.register('sync-wifi.connect', async (address: unknown) => {
      const wifi = await load();
      await wifi.connect(String(typeof address === 'object' && address !== null ? (address as { address?: unknown }).address : address));
      return wifi.state();
    }),
  );

  // The transport, for the Sync view and other plugins: `target` is a device's address, if any.
  ctx.subscriptions.push(
    ctx.sync.registerTransport({
      id: 'wifi',
      title: 'Sync over Wi-Fi',
      async sync(request: SyncRequest): Promise<SyncPeerResult[]> {
        const wifi = await load();
        const follow = wifi.onDidChange((state) => {
          for (const device of state.devices) {
            if (device.status === 'syncing' && device.progress !== null) {
              request.onProgress?.(device.progress, { deviceId: device.id, deviceName: device.deviceName, deviceType: device.deviceType, address: device.address });
            }
          }
        });
        const aborted = () => void wifi.stop();
        request.signal?.addEventListener('abort', aborted);
        try {
          const options = request.options ?? {};
          const peers = await syncPeers({
            waitPeers: options.waitPeers ?? 1,
            timeout: options.timeout ?? 60,
            connect: request.target ? [request.target] : [],
          });
          return peers.map((peer) => ({
            peer: { deviceId: peer.deviceId, deviceName: peer.deviceName },
            result: peer.result,
            ...(peer.sent && peer.received ? { summary: { sent: peer.sent, received: peer.received } } : {}),
            ...(peer.error ? { error: peer.error } : {}),
          }));
        } finally {
          follow.dispose();
          request.signal?.removeEventListener('abort', aborted);
        }
      },
      joinByCode: async (request) => (await invites()).joinByCode(request),
    }),
  );

  // For the workbench's Sync section, which also hears of every change of the state.
  ctx.subscriptions.push(
    ctx.services.register(SYNC_WIFI_SERVICE, {
      state: async () => (await load()).state(),
      setDiscovering: async (on: boolean) => {
        const wifi = await load();
        if (on) await wifi.start();
        else await wifi.stop();
        return wifi.state();
      },
      connect: async (address: string) => {
        const wifi = await load();
        await wifi.connect(address);
        return wifi.state();
      },
      sync: async (deviceId: string | null) => (await load()).sync(typeof deviceId === 'string' ? deviceId : null),
      invite: async (request: { device?: unknown; connect?: unknown; role?: unknown }) =>
        (await invites()).invite({
          role: request?.role,
          ...(typeof request?.device === 'string' && request.device.trim() !== '' && { device: request.device.trim() }),
          ...(typeof request?.connect === 'string' && request.connect.trim() !== '' && { connect: [request.connect.trim()] }),
        }),
      renameDevice: async (name: string) => {
        const info = await ctx.project.renameDevice(name);
        (await load()).notifyChanged();
        return info;
      },
    } satisfies { [K in keyof SyncWifiService]: unknown }),
  );

  // Disposed first (subscriptions go last-first): discovery stops while its service still hears it.
  ctx.subscriptions.push({ dispose: async () => (await loading)?.dispose() });
}

/** What `cairn sync wifi` prints of each device (DESIGN §7). */
function printable(peer: WifiPeerResult): Record<string, unknown> {
  const { deviceId, deviceName, result, sent, received, error } = peer;
  return { deviceId, deviceName, result, sent, received, ...(error ? { error } : {}) };
}

function checkInput(input: SyncWifiInput): { waitPeers: number; timeoutMs: number; connect: string[] } {
  const waitPeers = peerCountFrom(input.waitPeers);
  const timeoutMs = timeoutMsFrom(input.timeout, 60);
  const given = input.connect === undefined ? [] : Array.isArray(input.connect) ? input.connect : [input.connect];
  const connect = given.map((address) => String(address));
  for (const address of connect) parseAddress(address); // every address is checked before anything starts
  return { waitPeers, timeoutMs, connect };
}
