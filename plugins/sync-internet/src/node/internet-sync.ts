import { createHash } from 'node:crypto';
import type net from 'node:net';
import HyperDHT, { type DhtNodeAddress } from 'hyperdht';
import Hyperswarm, { type SwarmConnection } from 'hyperswarm';
import { CairnError, dialTcp, ErrorCodes, isCairnError, type DuplexStream, type PluginContext } from '@cairn/sdk';
import type { InternetPeerResult } from '../common/protocol.js';

export type { InternetPeerResult };

/**
 * One run of sync over the internet: this device's HyperDHT node (bootstrapped from the given
 * nodes, else HyperDHT's public ones) joins the project's topic with Hyperswarm, which finds the
 * project's other devices and punches through their routers (NAT); every connection goes to the
 * core's replication service, which lets only proven members in. The run ends once `waitPeers`
 * devices are synced, or with `ERR_TIMEOUT`.
 */


export interface InternetSyncOptions {
  /** Null: HyperDHT's public bootstrap nodes. */
  bootstrap: DhtNodeAddress[] | null;
  /** The address the DHT node binds to (default: every interface). */
  host?: string;
  /** Devices (an archive) to reach at their address too, for networks where the DHT is blocked. */
  connect?: DhtNodeAddress[];
  waitPeers: number;
  timeoutMs: number;
  signal?: AbortSignal;
  onSynced?(synced: number): void;
}

/**
 * How often the topic is looked up again: two devices that joined at nearly the same moment can
 * each miss the other's announcement in their first lookup.
 */
const LOOKUP_INTERVAL_MS = 5_000;
/** How long the end waits for connections ended after a sync to close on the peer's side. */
const CLOSING_GRACE_MS = 10_000;
/** Why a device may not sync with this one: reported as its result, not retried. */
const refusals = new Set<string>([ErrorCodes.REMOVED, ErrorCodes.NOT_PERMITTED, ErrorCodes.PROTOCOL_VERSION]);

/**
 * The project's topic on the DHT: derived from its discovery key, so it names the project there
 * without revealing it, and is no other transport's topic.
 */
export function internetTopic(discoveryKey: string): Buffer {
  return createHash('sha256').update('cairn/sync-internet/v1\0').update(Buffer.from(discoveryKey, 'hex')).digest();
}

export async function syncOverInternet(ctx: PluginContext, options: InternetSyncOptions): Promise<InternetPeerResult[]> {
  const discoveryKey = await ctx.sync.discoveryKey();
  const dht = new HyperDHT({ ...(options.bootstrap !== null && { bootstrap: options.bootstrap }), ...(options.host !== undefined && { host: options.host }) });
  const swarm = new Hyperswarm({ dht });
  const synced = new Map<string, InternetPeerResult>();
  const failed = new Map<string, InternetPeerResult>();
  const closing = new Set<Promise<void>>();
  let lookups: NodeJS.Timeout | undefined;
  let timer: NodeJS.Timeout | undefined;
  let abort: (() => void) | undefined;

  try {
    return await new Promise<InternetPeerResult[]>((resolve, reject) => {
      let settled = false;
      const finish = () => {
        if (settled || synced.size < options.waitPeers) return;
        settled = true;
        resolve([...synced.values()]);
      };
      abort = () => {
        settled = true;
        reject(new CairnError(ErrorCodes.CANCELLED, 'Syncing over the internet was stopped.'));
      };
      options.signal?.addEventListener('abort', abort);
      timer = setTimeout(() => {
        if (settled) return;
        settled = true;
        const detail = [...failed.values()].map((peer) => ` ${peer.deviceName}: ${peer.error!.message}`).join('');
        const refused = synced.size === 0 ? [...failed.values()].find((peer) => refusals.has(peer.error!.code)) : undefined;
        if (refused !== undefined) return reject(new CairnError(refused.error!.code as never, refused.error!.message));
        reject(
          new CairnError(
            ErrorCodes.TIMEOUT,
            `Synced with ${synced.size} of ${options.waitPeers} device${options.waitPeers === 1 ? '' : 's'} in ${Math.round(options.timeoutMs / 1000)} s.${detail}` +
              (synced.size === 0 && failed.size === 0 ? ' No device of this project was found on the DHT: check that another device syncs over the internet now, and that both reach the same bootstrap nodes.' : ''),
          ),
        );
      }, options.timeoutMs);

      const onConnection = (connection: DuplexStream & { on(event: 'close', listener: () => void): unknown }, initiator: boolean, address: string, networkKey: string, swarmKey?: Buffer) => {
        connection.on('error', () => undefined); // the session reports what matters
        const session = ctx.sync.replicate(connection, { initiator, peer: { address } });
        let identity: { deviceId: string; deviceName: string } | null = null;
        void session.peer.then((peer) => (identity = peer), () => undefined);
        session.done.then(
          (summary) => {
            const { deviceId, deviceName } = identity!;
            synced.set(deviceId, { deviceId, deviceName, result: 'ok', sent: summary.sent, received: summary.received });
            failed.delete(deviceId);
            if (swarmKey !== undefined) swarm.leavePeer(swarmKey);
            options.onSynced?.(synced.size);
            // Ended, not destroyed: the peer reads the last status on it before it closes.
            closing.add(new Promise<void>((resolve) => connection.on('close', () => resolve())));
            connection.end();
            finish();
          },
          (error: unknown) => {
            if (isCairnError(error, ErrorCodes.PROJECT_MISMATCH)) return; // not of this project: nothing was exchanged
            const peer = identity ?? { deviceId: networkKey, deviceName: address };
            if (synced.has(peer.deviceId)) return;
            const reason = isCairnError(error) ? { code: error.code, message: error.message } : { code: ErrorCodes.INTERNAL, message: String(error) };
            failed.set(peer.deviceId, { ...peer, result: 'error', sent: null, received: null, error: reason });
            ctx.log.info(`Sync with ${peer.deviceName} over the internet failed: ${reason.message}`);
            // A cut connection is dialled again (and the sync resumes where it stopped); a refusal is final.
            if (swarmKey !== undefined && !refusals.has(reason.code) && !settled) swarm.joinPeer(swarmKey);
          },
        );
      };
      swarm.on('connection', (connection: SwarmConnection) =>
        onConnection(connection, connection.isInitiator, `${connection.rawStream.remoteHost}:${connection.rawStream.remotePort}`, connection.remotePublicKey.toString('hex'), connection.remotePublicKey),
      );
      for (const address of options.connect ?? []) {
        const text = `${address.host}:${address.port}`;
        void dialUntil(address, () => settled).then((socket) => {
          if (socket !== null && settled) socket.destroy();
          else if (socket !== null) onConnection(socket, true, text, text);
        });
      }
      const topic = swarm.join(internetTopic(discoveryKey), { server: true, client: true });
      lookups = setInterval(() => void topic.refresh().catch(() => undefined), LOOKUP_INTERVAL_MS);
    });
  } finally {
    clearInterval(lookups);
    clearTimeout(timer);
    if (abort !== undefined) options.signal?.removeEventListener('abort', abort);
    if (closing.size > 0) {
      let grace: NodeJS.Timeout | undefined;
      await Promise.race([Promise.all(closing), new Promise((resolve) => (grace = setTimeout(resolve, CLOSING_GRACE_MS)))]);
      clearTimeout(grace);
    }
    await swarm.destroy().catch(() => undefined);
    await dht.destroy().catch(() => undefined);
  }
}

/** A TCP connection to `address`, tried again every 2 s until it answers or `stop()` says so. */
async function dialUntil(address: DhtNodeAddress, stop: () => boolean): Promise<net.Socket | null> {
  while (!stop()) {
    const socket = await dialTcp(address);
    if (socket !== null) return socket;
    await new Promise((resolve) => setTimeout(resolve, 2_000));
  }
  return null;
}
