// Type declarations for the parts of the Hypercore stack that Cairn uses. These packages ship
// no TypeScript types; the declarations are kept to what the core calls.

declare module 'hypercore' {
  import type { EventEmitter } from 'node:events';

  export interface HypercoreGetOptions {
    wait?: boolean;
    timeout?: number;
  }

  export interface DownloadRange {
    start?: number;
    end?: number;
    linear?: boolean;
  }

  export interface Download {
    done(): Promise<void>;
    destroy(): void;
  }

  export default class Hypercore extends EventEmitter {
    /** The key of a core signed by `publicKey` alone (the default manifest). */
    static key(publicKey: Buffer): Buffer;
    readonly key: Buffer;
    /** Who signs the core: known once its first proof has arrived. */
    readonly manifest: { signers: Array<{ publicKey: Buffer }> } | null;
    /** Of a core this side writes: its signing key pair. */
    readonly keyPair: { publicKey: Buffer; secretKey: Buffer | null };
    readonly discoveryKey: Buffer;
    readonly length: number;
    readonly contiguousLength: number;
    readonly byteLength: number;
    readonly writable: boolean;
    readonly opened: boolean;
    readonly closed: boolean;
    ready(): Promise<void>;
    close(): Promise<void>;
    append(block: Buffer | Buffer[]): Promise<{ length: number; byteLength: number }>;
    get(index: number, options?: HypercoreGetOptions): Promise<Buffer | null>;
    has(start: number, end?: number): Promise<boolean>;
    update(options?: { wait?: boolean }): Promise<boolean>;
    download(range?: DownloadRange): Download;
    static createProtocolStream(stream: unknown, options?: Record<string, unknown>): ProtocolStream;
  }

  /** The outer stream of a replication: its noise stream carries the Protomux. */
  export interface ProtocolStream {
    noiseStream: import('@hyperswarm/secret-stream').default;
    destroy(error?: Error): void;
    on(event: string, listener: (...args: never[]) => void): unknown;
    once(event: string, listener: (...args: never[]) => void): unknown;
  }
}

declare module 'corestore' {
  import type Hypercore from 'hypercore';

  export interface CorestoreGetOptions {
    name?: string;
    key?: Buffer | string;
    encryption?: { key: Buffer };
    valueEncoding?: string;
    active?: boolean;
    wait?: boolean;
  }

  export default class Corestore {
    constructor(storage: string, options?: Record<string, unknown>);
    readonly opened: boolean;
    ready(): Promise<void>;
    close(): Promise<void>;
    get(options: CorestoreGetOptions): Hypercore;
    namespace(name: string | Buffer): Corestore;
    replicate(stream: unknown, options?: Record<string, unknown>): import('hypercore').ProtocolStream;
  }
}

declare module 'hyperdrive' {
  import type { Readable, Writable } from 'node:stream';
  import type Corestore from 'corestore';
  import type Hypercore from 'hypercore';

  export interface HyperdriveEntry {
    key: string;
    value: { blob: { byteLength: number; blockOffset: number; blockLength: number } | null; metadata: unknown };
  }

  export default class Hyperdrive {
    constructor(store: Corestore, key: Buffer | null, options?: { encryptionKey?: Buffer });
    readonly key: Buffer;
    readonly core: Hypercore;
    /** The drive's Hyperbee of entries; `getBySeq` reads the entry a block of `core` wrote (value null: a deletion). */
    readonly db: { core: Hypercore; getBySeq(seq: number, options?: { wait?: boolean }): Promise<{ key: string; value: unknown } | null> };
    readonly blobs: { core: Hypercore } | null;
    ready(): Promise<void>;
    close(): Promise<void>;
    getBlobs(): Promise<{ core: Hypercore } | null>;
    entry(path: string, options?: { wait?: boolean; timeout?: number }): Promise<HyperdriveEntry | null>;
    put(path: string, data: Buffer, options?: { metadata?: unknown }): Promise<void>;
    createReadStream(path: string, options?: { wait?: boolean; timeout?: number }): Readable;
    createWriteStream(path: string, options?: { metadata?: unknown }): Writable;
  }
}

declare module 'protomux' {
  export interface ProtomuxMessage {
    send(message: unknown): boolean;
  }

  export interface ProtomuxChannel {
    open(handshake?: unknown): void;
    close(): void;
    addMessage(options: { encoding: unknown; onmessage: (message: never) => void }): ProtomuxMessage;
    readonly closed: boolean;
  }

  export default class Protomux {
    static from(stream: unknown): Protomux;
    pair(options: { protocol: string; id?: Buffer | null }, notify: (id: Buffer | null) => unknown): void;
    unpair(options: { protocol: string; id?: Buffer | null }): void;
    createChannel(options: {
      protocol: string;
      id?: Buffer | null;
      unique?: boolean;
      handshake?: unknown;
      onopen?: (handshake: never) => void;
      onclose?: () => void;
    }): ProtomuxChannel | null;
  }
}

declare module 'compact-encoding' {
  const encodings: { json: unknown; raw: { json: unknown }; buffer: unknown; string: unknown; uint: unknown };
  export default encodings;
}

declare module 'hypercore-crypto' {
  const crypto: {
    discoveryKey(key: Buffer): Buffer;
    randomBytes(length: number): Buffer;
    keyPair(seed?: Buffer): { publicKey: Buffer; secretKey: Buffer };
    sign(message: Buffer, secretKey: Buffer): Buffer;
    verify(message: Buffer, signature: Buffer, publicKey: Buffer): boolean;
  };
  export default crypto;
}

declare module 'sodium-universal' {
  const sodium: {
    crypto_generichash(output: Buffer, input: Buffer, key?: Buffer): void;
    crypto_generichash_BYTES: number;
    randombytes_buf(buffer: Buffer): void;
    crypto_sign_ed25519_pk_to_curve25519(curve: Buffer, publicKey: Buffer): void;
    crypto_sign_ed25519_sk_to_curve25519(curve: Buffer, secretKey: Buffer): void;
    crypto_box_seal(sealed: Buffer, message: Buffer, publicKey: Buffer): void;
    crypto_box_seal_open(message: Buffer, sealed: Buffer, publicKey: Buffer, secretKey: Buffer): boolean;
    crypto_box_SEALBYTES: number;
    crypto_secretbox_easy(box: Buffer, message: Buffer, nonce: Buffer, key: Buffer): void;
    crypto_secretbox_open_easy(message: Buffer, box: Buffer, nonce: Buffer, key: Buffer): boolean;
    crypto_secretbox_NONCEBYTES: number;
    crypto_secretbox_MACBYTES: number;
    crypto_secretstream_xchacha20poly1305_init_push(state: Buffer, header: Buffer, key: Buffer): void;
    crypto_secretstream_xchacha20poly1305_push(state: Buffer, out: Buffer, message: Buffer, ad: Buffer | null, tag: number): number;
    crypto_secretstream_xchacha20poly1305_init_pull(state: Buffer, header: Buffer, key: Buffer): void;
    crypto_secretstream_xchacha20poly1305_pull(state: Buffer, out: Buffer, tag: Buffer, cipher: Buffer, ad: Buffer | null): number;
    crypto_secretstream_xchacha20poly1305_STATEBYTES: number;
    crypto_secretstream_xchacha20poly1305_HEADERBYTES: number;
    crypto_secretstream_xchacha20poly1305_ABYTES: number;
    crypto_secretstream_xchacha20poly1305_TAG_FINAL: number;
  };
  export default sodium;
}

declare module '@hyperswarm/secret-stream' {
  import type { Duplex } from 'node:stream';

  export default class NoiseSecretStream {
    constructor(isInitiator: boolean, rawStream?: unknown, options?: Record<string, unknown>);
    readonly isInitiator: boolean;
    readonly noiseStream: NoiseSecretStream;
    readonly rawStream: Duplex | null;
    readonly handshakeHash: Buffer | null;
    readonly opened: Promise<boolean>;
    readonly rawBytesRead: number;
    readonly rawBytesWritten: number;
    readonly destroyed: boolean;
    readonly destroying: boolean;
    userData: unknown;
    setKeepAlive(ms: number): void;
    destroy(error?: Error): void;
    end(): void;
    on(event: string, listener: (...args: never[]) => void): this;
    once(event: string, listener: (...args: never[]) => void): this;
  }
}
