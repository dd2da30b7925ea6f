// Type declarations for the parts of Hyperswarm and HyperDHT this plugin uses; the packages ship
// no TypeScript types.

declare module 'hyperdht' {
  import type { EventEmitter } from 'node:events';

  export interface DhtNodeAddress {
    host: string;
    port: number;
  }

  export interface HyperDhtOptions {
    bootstrap?: Array<DhtNodeAddress | string>;
    /** The address the UDP socket binds to. */
    host?: string;
    port?: number;
    ephemeral?: boolean;
    firewalled?: boolean;
    anyPort?: boolean;
  }

  export default class HyperDHT extends EventEmitter {
    constructor(options?: HyperDhtOptions);
    /**
     * A bootstrap node of a network of one's own: known at `host:port` (its id is derived from
     * them), persistent, not firewalled, with no other bootstrap nodes. `options.host` is the
     * address its socket binds to.
     */
    static bootstrapper(port: number, host: string, options?: HyperDhtOptions): HyperDHT;
    /** Adds a node to the routing table (after pinging it). */
    addNode(node: DhtNodeAddress): void;
    ping(node: DhtNodeAddress, options?: { retry?: boolean }): Promise<unknown>;
    address(): { host: string; family: number; port: number };
    ready(): Promise<void>;
    destroy(options?: { force?: boolean }): Promise<void>;
    readonly destroyed: boolean;
  }
}

declare module 'hyperswarm' {
  import type { EventEmitter } from 'node:events';
  import type HyperDHT from 'hyperdht';

  /** A Noise-encrypted duplex stream to one peer (a `@hyperswarm/secret-stream`). */
  export interface SwarmConnection {
    on(event: string, listener: (...args: never[]) => void): this;
    readonly isInitiator: boolean;
    readonly remotePublicKey: Buffer;
    readonly rawStream: { remoteHost: string; remotePort: number };
    write(chunk: Uint8Array): boolean;
    end(): void;
    destroy(error?: Error): void;
  }

  export interface PeerDiscovery {
    flushed(): Promise<void>;
    refresh(options?: { client?: boolean; server?: boolean }): Promise<void>;
    destroy(): Promise<void>;
  }

  export interface PeerInfo {
    readonly publicKey: Buffer;
  }

  export default class Hyperswarm extends EventEmitter {
    constructor(options?: { dht?: HyperDHT; keyPair?: { publicKey: Buffer; secretKey: Buffer }; maxPeers?: number });
    readonly dht: HyperDHT;
    readonly keyPair: { publicKey: Buffer; secretKey: Buffer };
    readonly connections: Set<SwarmConnection>;
    join(topic: Buffer, options?: { server?: boolean; client?: boolean }): PeerDiscovery;
    joinPeer(publicKey: Buffer): void;
    leavePeer(publicKey: Buffer): void;
    flush(): Promise<void>;
    destroy(): Promise<void>;
    on(event: 'connection', listener: (connection: SwarmConnection, info: PeerInfo) => void): this;
  }
}

declare module 'protomux' {
  export interface ProtomuxChannel {
    open(handshake?: unknown): void;
    addMessage(options: { encoding: unknown; onmessage: (message: never) => void }): { send(message: unknown): boolean };
  }

  export default class Protomux {
    /** The connection's multiplexer (the one the sync uses too). */
    static from(stream: unknown): Protomux;
    createChannel(options: { protocol: string; handshake?: unknown }): ProtomuxChannel | null;
  }
}

declare module 'compact-encoding' {
  const encodings: { json: unknown };
  export default encodings;
}

declare module '@hyperswarm/secret-stream' {
  import type { Duplex } from 'node:stream';

  /** A Noise-encrypted, framed stream over a raw one: what a swarm connection is. */
  export default class NoiseSecretStream {
    constructor(isInitiator: boolean, rawStream: Duplex);
    readonly opened: Promise<boolean>;
    destroy(): void;
  }
}
