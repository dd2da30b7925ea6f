import type { PluginContext, SyncPeerResult, SyncRequest } from '@cairn/sdk';
import { COMAPEO_SERVICE, type ComapeoStatus, type ComapeoSyncResult, type InviteResult, type JoinResult } from '../common/protocol.js';
import { ComapeoPlugin } from './comapeo-plugin.js';
import { addressesIn, addressIn, countIn, roleIn, secondsIn } from './input.js';
import { workbenchService } from './workbench-service.js';

/**
 * Activated by its commands, its sync transport or its workbench section only: the CoMapeo
 * process starts on the first thing that needs it, never with the host, and goes with the plugin.
 */
export function activate(ctx: PluginContext): void {
  const plugin = new ComapeoPlugin(ctx);

  ctx.subscriptions.push(
    // `cairn comapeo status`.
    ctx.commands.register('comapeo.status', (): Promise<ComapeoStatus> => plugin.status()),

    // `cairn comapeo create [--name NAME]`.
    ctx.commands.register('comapeo.create', (input: { name?: unknown } = {}) => plugin.create(input.name === undefined ? null : String(input.name))),

    // `cairn comapeo join [--connect HOST:PORT]... [--timeout S]`.
    ctx.commands.register('comapeo.join', (input: { connect?: unknown; timeout?: unknown } = {}): Promise<JoinResult> =>
      plugin.join({ addresses: addressesIn(input.connect), timeoutMs: secondsIn(input.timeout, 120) * 1000 }),
    ),

    // `cairn comapeo invite [--connect HOST:PORT]... [--device NAME] [--role participant|coordinator] [--timeout S]`.
    ctx.commands.register('comapeo.invite', (input: { connect?: unknown; device?: unknown; role?: unknown; timeout?: unknown } = {}): Promise<InviteResult> =>
      plugin.invite({
        addresses: addressesIn(input.connect),
        deviceName: input.device === undefined ? null : String(input.device),
        role: roleIn(input.role),
        timeoutMs: secondsIn(input.timeout, 120) * 1000,
      }),
    ),

    // `cairn comapeo sync [--connect HOST:PORT]... [--wait-peers N] [--timeout S]`.
    ctx.commands.register('comapeo.sync', (input: { connect?: unknown; waitPeers?: unknown; timeout?: unknown } = {}): Promise<ComapeoSyncResult> =>
      plugin.sync({ addresses: addressesIn(input.connect), waitPeers: countIn(input.waitPeers, 1), timeoutMs: secondsIn(input.timeout, 120) * 1000 }),
    ),

    // Among the project's sync transports (`target`: a device's address), for the Sync view and other plugins.
    ctx.sync.registerTransport({
      id: 'comapeo',
      title: 'Sync with CoMapeo phones',
      async sync(request: SyncRequest): Promise<SyncPeerResult[]> {
        const options = request.options ?? {};
        const result = await plugin.sync({
          addresses: request.target ? [addressIn(request.target)] : [],
          waitPeers: countIn(options.waitPeers, 1),
          timeoutMs: secondsIn(options.timeout, 120) * 1000,
        });
        return result.peers.map((peer) => ({ peer: { deviceId: peer.deviceId, deviceName: peer.deviceName ?? peer.deviceId, deviceType: peer.deviceType ?? 'mobile' }, result: 'ok' }));
      },
    }),

    ctx.services.register(COMAPEO_SERVICE, workbenchService(ctx, plugin)),
  );
}
