import { isIPv4 } from 'node:net';
import c from 'compact-encoding';
import Protomux from 'protomux';
import type { SwarmConnection } from 'hyperswarm';
import type { LanAddress } from './address.js';

/** Its own Protomux channel beside the sync's, on the same connection. */
export const NODE_EXCHANGE_CHANNEL = 'cairn/wifi-nodes';

/** At most this many addresses are read from one message: a LAN has few devices. */
const MAX_ADDRESSES = 64;

/**
 * Tells a proven member of the project which DHT nodes (devices) this one knows, and hears the
 * same from it. Devices that each reached only a third one (the one address typed in, where
 * multicast is blocked) learn of each other this way, and still meet once the third has left.
 *
 * Nothing is sent, and nothing heard is used, before `trust()`: that is, before the sync on this
 * connection proved the peer a member. Addresses heard before are held until then.
 */
export class NodeExchange {
  private readonly message: { send(message: unknown): boolean } | null = null;
  private trusted = false;
  private held: LanAddress[] = [];

  constructor(
    connection: SwarmConnection,
    private readonly onAddresses: (addresses: LanAddress[]) => void,
  ) {
    // One multiplexer per connection: the sync finds this one in `userData` and opens its channel
    // on it too (a second multiplexer on the stream would garble both).
    const stream = connection as SwarmConnection & { userData: unknown };
    stream.userData ??= Protomux.from(connection);
    // Opened at once, before any of the peer's data is read, so the peer's open finds it.
    const channel = (stream.userData as Protomux).createChannel({ protocol: NODE_EXCHANGE_CHANNEL });
    if (channel === null) return;
    this.message = channel.addMessage({
      encoding: c.json,
      onmessage: (message: { nodes?: unknown }) => this.heard(readAddresses(message?.nodes)),
    });
    channel.open();
  }

  /** The peer is a member: say what this device knows, and use what it said. */
  trust(known: LanAddress[]): void {
    if (this.trusted) return;
    this.trusted = true;
    this.send(known);
    const held = this.held;
    this.held = [];
    if (held.length > 0) this.onAddresses(held);
  }

  /** Tells the peer of nodes (once trusted; before, they go with `trust`). */
  send(nodes: LanAddress[]): void {
    if (this.trusted && nodes.length > 0) this.message?.send({ nodes });
  }

  private heard(addresses: LanAddress[]): void {
    if (addresses.length === 0) return;
    if (this.trusted) this.onAddresses(addresses);
    else this.held.push(...addresses);
  }
}

function readAddresses(value: unknown): LanAddress[] {
  if (!Array.isArray(value)) return [];
  return value.slice(0, MAX_ADDRESSES).filter((item): item is LanAddress => {
    const address = item as Partial<LanAddress>;
    return (
      typeof address?.host === 'string' &&
      isIPv4(address.host) &&
      Number.isInteger(address.port) &&
      address.port! > 0 &&
      address.port! < 65536
    );
  }).map(({ host, port }) => ({ host, port }));
}
