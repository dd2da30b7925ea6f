import net from 'node:net';
import HyperDHT, { type DhtNodeAddress } from 'hyperdht';
import Hyperswarm, { type SwarmConnection } from 'hyperswarm';
import { CairnError, ErrorCodes, isCairnError, type CliEvents, type DuplexStream, type PluginContext, type SyncSession } from '@cairn/sdk';
import { internetTopic } from './internet-sync.js';

/**
 * `cairn archive`: a headless, long-running member that stays on the project's topic and syncs
 * with every member that comes by — over the DHT, or at its address over TCP where the DHT is
 * blocked — so that devices that are never online at the same time meet through it. It keeps all
 * the data and writes none of its own. One JSON line per event on stdout; SIGTERM (or SIGINT)
 * lets the sessions under way finish for a while, cuts the rest, and ends it with exit 0.
 */

export interface ArchiveOptions {
  bootstrap: DhtNodeAddress[] | null;
  /** The address to listen on (default every interface), for the DHT node and for TCP. */
  host: string;
  /** The port, UDP for the DHT node and TCP for members that come by address; 0: any free one. */
  port: number;
  events: CliEvents;
  /** Resolves when the archive is to stop. */
  stopped: Promise<string>;
}

/** How long sessions under way may run on after a stop is asked for. */
const FINISH_GRACE_MS = 10_000;

export async function runArchive(ctx: PluginContext, options: ArchiveOptions): Promise<{ sessions: number }> {
  const info = await ctx.project.info();
  const discoveryKey = await ctx.sync.discoveryKey();
  const { events } = options;
  const server = net.createServer();
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(new CairnError(ErrorCodes.IO, `Cannot listen at ${options.host}:${options.port}: ${error.code === 'EADDRINUSE' ? 'the port is in use (another archive?)' : error.message}. Give another --port.`)),
    );
    server.listen(options.port, options.host, () => resolve((server.address() as net.AddressInfo).port));
  });
  // The DHT node on the same port number, UDP: one port to open in a firewall.
  const dht = new HyperDHT({ ...(options.bootstrap !== null && { bootstrap: options.bootstrap }), host: options.host, port });
  const swarm = new Hyperswarm({ dht });
  const running = new Set<{ session: SyncSession; done: Promise<void> }>();
  let sessions = 0;
  let stopping = false;

  const serve = (stream: DuplexStream & { on(event: 'close', listener: () => void): unknown }, initiator: boolean, address: string) => {
    if (stopping) return void stream.destroy();
    stream.on('error', () => undefined); // the session reports what matters
    const started = Date.now();
    const session = ctx.sync.replicate(stream, { initiator, peer: { address } });
    let identity: { deviceId: string; deviceName: string } | null = null;
    void session.peer.then((peer) => (identity = peer), () => undefined);
    const done = session.done.then(
      (summary) => {
        sessions += 1;
        events.emit({ event: 'session', deviceId: identity!.deviceId, deviceName: identity!.deviceName, sent: summary.sent, received: summary.received, ms: Date.now() - started });
        stream.end(); // ended, not cut: the member reads the last status before it closes
      },
      (error: unknown) => {
        if (isCairnError(error, ErrorCodes.PROJECT_MISMATCH)) return;
        const reason = isCairnError(error) ? { code: error.code, message: error.message } : { code: ErrorCodes.INTERNAL, message: String(error) };
        events.emit({ event: 'session-failed', address, ...(identity ?? {}), error: reason, ms: Date.now() - started });
      },
    );
    const entry = { session, done };
    running.add(entry);
    void done.finally(() => running.delete(entry));
  };

  swarm.on('connection', (connection: SwarmConnection) => serve(connection, connection.isInitiator, `${connection.rawStream.remoteHost}:${connection.rawStream.remotePort}`));
  server.on('connection', (socket) => serve(socket, false, `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? 0}`));
  try {
    // Only announces: members come to it. Dialling them too would meet each member twice.
    swarm.join(internetTopic(discoveryKey), { server: true, client: false });
    events.emit({ event: 'start', deviceId: info.deviceId, deviceName: info.deviceName, projectName: info.projectName, address: `${options.host}:${port}` });
    const reason = await options.stopped;
    stopping = true;
    server.close();
    if (running.size > 0) {
      let grace: NodeJS.Timeout | undefined;
      await Promise.race([Promise.all([...running].map((entry) => entry.done)), new Promise((resolve) => (grace = setTimeout(resolve, FINISH_GRACE_MS)))]);
      clearTimeout(grace);
      for (const { session } of running) session.cancel();
      await Promise.all([...running].map((entry) => entry.done));
    }
    events.emit({ event: 'stop', reason, sessions });
    return { sessions };
  } finally {
    server.close();
    await swarm.destroy().catch(() => undefined);
    await dht.destroy().catch(() => undefined);
  }
}
