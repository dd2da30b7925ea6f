import HyperDHT from 'hyperdht';
import Hyperswarm, { type PeerDiscovery, type SwarmConnection } from 'hyperswarm';
import { CairnError, ErrorCodes, type Disposable, type Logger } from '@cairn/sdk';
import { parseAddress, projectTag, type LanAddress } from './address.js';
import { startAnnouncer } from './mdns.js';
import type { NodeExchange } from './node-exchange.js';

export interface DiscoveryOptions {
  /** Hex: the project's discovery key, the swarm's topic. */
  discoveryKey: string;
  /** Where this device's DHT node listens. */
  address: LanAddress;
  log: Logger;
  /** Each connection the swarm makes to another device (a member or not: the sync tells). */
  onConnection(connection: SwarmConnection): void;
}

/** How long stopping waits for connections ended after a sync to close on the peer's side. */
const CLOSING_GRACE_MS = 10_000;

/**
 * How often the topic is looked up again. Two devices that joined at nearly the same moment can
 * each miss the other's announcement in their one lookup; on a LAN another costs a few packets.
 */
const LOOKUP_INTERVAL_MS = 5_000;

/** How often an address given by hand that did not answer is tried again. */
const RETRY_INTERVAL_MS = 2_000;

/**
 * One run of discovery on the local network: this device's DHT node (a bootstrap node bound to
 * its LAN address, never the public ones), the Hyperswarm on the project's topic, mDNS to tell the
 * project's other devices where the node is, and the nodes of other devices this one learnt of —
 * by mDNS, by hand, or from a proven member.
 */
export class Discovery {
  readonly address: LanAddress;
  /** DHT nodes of other devices already added (`host:port`). */
  private readonly nodes = new Set<string>();
  /** Addresses given by hand that did not answer yet: tried again until they do. */
  private readonly pending = new Map<string, LanAddress>();
  /** Connections ended after a sync, until they close: they carry the last status to the peer. */
  private readonly closing = new Set<Promise<void>>();
  /** The node exchanges of connections to proven members, told of each node this device adds. */
  private readonly exchanges = new Set<NodeExchange>();
  private readonly topic: PeerDiscovery;
  private readonly announcer: Disposable;
  private readonly retryTimer: NodeJS.Timeout;
  /** Looks the topic up again now and then (Hyperswarm alone would wait ten minutes). */
  private readonly lookupTimer: NodeJS.Timeout;
  private refreshTimer: NodeJS.Timeout | null = null;
  private readonly handleConnection: (connection: SwarmConnection) => void;
  private stopped = false;

  /** Starts discovery: `ERR_IO` when the address cannot be listened on. */
  static async open(options: DiscoveryOptions): Promise<Discovery> {
    const { host, port } = options.address;
    // This device's DHT node: where the others find the project's topic. A bootstrap node of its
    // own network, bound to the LAN address it is known by: it never reaches for the public
    // bootstrap nodes (there is no internet here, and no need of it).
    let bootstrap: HyperDHT | null = null;
    try {
      bootstrap = HyperDHT.bootstrapper(port, host, { host });
      await bootstrap.ready();
    } catch (error) {
      await bootstrap?.destroy().catch(() => undefined);
      const code = (error as NodeJS.ErrnoException).code;
      throw new CairnError(
        ErrorCodes.IO,
        code === 'EADDRINUSE'
          ? `Port ${port} on ${host} is taken (another Cairn syncing over Wi-Fi?): set sync-wifi.port to another port, or 0 for any free one.`
          : `Cannot listen on ${host}:${port} (${code ?? (error as Error).message}): check the sync-wifi.host setting.`,
      );
    }
    // Devices on one LAN reach each other directly: no NAT to punch through. (Left to find out
    // for itself, the node would try holepunching, which fails between hosts of a plain LAN.)
    const swarm = new Hyperswarm({ dht: new HyperDHT({ bootstrap: [{ host, port }], host, firewalled: false }) });
    return new Discovery(options, bootstrap, swarm);
  }

  private constructor(
    options: DiscoveryOptions,
    private readonly bootstrap: HyperDHT,
    private readonly swarm: Hyperswarm,
  ) {
    this.address = options.address;
    this.handleConnection = (connection) => options.onConnection(connection);
    swarm.on('connection', this.handleConnection);
    this.topic = swarm.join(Buffer.from(options.discoveryKey, 'hex'), { server: true, client: true });
    this.retryTimer = setInterval(() => {
      for (const [key, pending] of this.pending) void this.reach(pending).then((reached) => reached && this.pending.delete(key));
    }, RETRY_INTERVAL_MS);
    this.lookupTimer = setInterval(() => {
      if (!this.stopped) void this.topic.refresh().catch(() => undefined);
    }, LOOKUP_INTERVAL_MS);
    this.retryTimer.unref();
    this.lookupTimer.unref();
    // On loopback only this computer can reach the device: there is no network to announce it on.
    this.announcer = this.address.host.startsWith('127.')
      ? { dispose: () => undefined }
      : startAnnouncer({
          address: this.address,
          tag: projectTag(options.discoveryKey),
          instance: swarm.keyPair.publicKey.toString('hex').slice(0, 16),
          onFound: (found) => void this.reach(found),
          log: options.log,
        });
  }

  /** `HOST:PORT`, as another device is told to connect to it. */
  get addressText(): string {
    return `${this.address.host}:${this.address.port}`;
  }

  /** Adds another device's DHT node, and looks the topic up again at once; false when nothing answers there. */
  async reach(address: LanAddress): Promise<boolean> {
    const key = `${address.host}:${address.port}`;
    if (this.nodes.has(key)) return true;
    try {
      await this.swarm.dht.ping(address, { retry: false });
    } catch {
      return false;
    }
    if (this.stopped || this.nodes.has(key)) return !this.stopped;
    this.nodes.add(key);
    for (const exchange of this.exchanges) exchange.send([address]);
    this.swarm.dht.addNode(address);
    // A few announcements may land together: one lookup for all.
    if (this.refreshTimer === null) {
      this.refreshTimer = setTimeout(() => {
        this.refreshTimer = null;
        if (!this.stopped) void this.topic.refresh().catch(() => undefined);
      }, 100);
    }
    return true;
  }

  /** An address given by hand that did not answer: tried again until it does. */
  retry(address: LanAddress): void {
    this.pending.set(`${address.host}:${address.port}`, address);
  }

  /** Reaches the nodes a proven member told of (this device's own aside). */
  reachAll(addresses: readonly LanAddress[]): void {
    for (const node of addresses) {
      if (!this.stopped && `${node.host}:${node.port}` !== this.addressText) void this.reach(node);
    }
  }

  /** A proven member's node exchange: it is told now of every node this device knows, and later of each it adds. */
  share(exchange: NodeExchange): void {
    this.exchanges.add(exchange);
    exchange.trust([this.address, ...[...this.nodes].map((key) => parseAddress(key))]);
  }

  /** The exchange's connection closed. */
  forget(exchange: NodeExchange): void {
    this.exchanges.delete(exchange);
  }

  /** Dials the device with this swarm key (again), and keeps at it. */
  joinPeer(publicKey: Buffer): void {
    this.swarm.joinPeer(publicKey);
  }

  leavePeer(publicKey: Buffer): void {
    this.swarm.leavePeer(publicKey);
  }

  /**
   * Ends a connection after a sync: it closes once the peer has read the last status on it, and
   * stopping waits for that.
   */
  endGracefully(connection: SwarmConnection): void {
    const closed = new Promise<void>((resolve) => connection.on('close', () => resolve()));
    this.closing.add(closed);
    void closed.then(() => this.closing.delete(closed));
    connection.end();
  }

  /**
   * Stops looking for devices and announcing this one, then lets the connections ended after a
   * sync close (for a while): the peer finishes its side on the last status such a connection
   * carries. Destroying it now could cut that status off, and the peer would see a failed sync
   * with no one left to retry with (a CLI run that reached its count exits).
   */
  async stopLooking(): Promise<void> {
    this.stopped = true;
    clearInterval(this.retryTimer);
    clearInterval(this.lookupTimer);
    if (this.refreshTimer !== null) clearTimeout(this.refreshTimer);
    await this.announcer.dispose();
    if (this.closing.size > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([Promise.all(this.closing), new Promise((resolve) => (timer = setTimeout(resolve, CLOSING_GRACE_MS)))]);
      clearTimeout(timer);
    }
  }

  /** Closes every connection, the swarm and the DHT node. */
  async destroy(): Promise<void> {
    await this.swarm.destroy();
    this.swarm.off('connection', this.handleConnection);
    await this.bootstrap.destroy();
  }
}
