// Type declarations for the parts of Hyperswarm and HyperDHT this plugin uses; the packages ship
// no TypeScript types.

declare module 'hyperdht' {
  export interface DhtNodeAddress {
    host: string;
    port: number;
  }

  export default class HyperDHT {
    /** Without `bootstrap`, HyperDHT's public bootstrap nodes; `host` is the address the socket binds to. */
    constructor(options?: { bootstrap?: DhtNodeAddress[]; host?: string; port?: number });
    destroy(options?: { force?: boolean }): Promise<void>;
  }
}

declare module 'hyperswarm' {
  import type HyperDHT from 'hyperdht';

  /** A Noise-encrypted duplex stream to one peer. */
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
    refresh(options?: { client?: boolean; server?: boolean }): Promise<void>;
    flushed(): Promise<void>;
  }

  export default class Hyperswarm {
    constructor(options?: { dht?: HyperDHT });
    join(topic: Buffer, options?: { server?: boolean; client?: boolean }): PeerDiscovery;
    /** Dials the peer of this key, and again whenever the connection drops, until `leavePeer`. */
    joinPeer(publicKey: Buffer): void;
    leavePeer(publicKey: Buffer): void;
    destroy(): Promise<void>;
    on(event: 'connection', listener: (connection: SwarmConnection) => void): this;
  }
}

declare module 'hyperdht/testnet.js' {
  import type { DhtNodeAddress } from 'hyperdht';

  /** A small DHT of `size` nodes on `host`, for tests: `bootstrap` is where it is reached. */
  export default function createTestnet(size: number, options?: { host?: string }): Promise<{ bootstrap: DhtNodeAddress[]; destroy(): Promise<void> }>;
}
