import NoiseSecretStream from '@hyperswarm/secret-stream';
import c from 'compact-encoding';
import Hypercore, { type ProtocolStream } from 'hypercore';
import type Protomux from 'protomux';
import type { ProtomuxMessage } from 'protomux';
import {
  CairnError,
  Emitter,
  ErrorCodes,
  errorMessage,
  toDisposable,
  type Disposable,
  type DuplexStream,
  type ReplicateOptions,
  type SyncCounts,
  type SyncPeer,
  type SyncProgress,
  type SyncSession,
  type SyncSummary,
} from '@cairn/sdk';
import type { ProjectKeys } from './keys.js';
import type { IndexedCore, LogStretch } from './project-index.js';
import type { DeviceCores } from './project-store.js';
import type { DeviceRecord } from './project-files.js';
import { countReceived, holdsAll, progressOf, type StartMark } from './sync-counts.js';
import type Corestore from 'corestore';
import { advertsOf, startMarksOf, takeAdverts } from './core-exchange.js';
import {
  advertsIn,
  checkHandshake,
  errorFromPeer,
  handshakeOf,
  SYNC_CHANNEL,
  type CoreAdvert,
  type NoiseBinding,
  type SyncCoresMessage,
  type SyncErrorMessage,
  type SyncHandshake,
  type SyncStatus,
} from './sync-protocol.js';

/**
 * What a session needs of the side it runs for: a device's project store, or a relay (a sync
 * file's store, which holds other devices' cores and writes none of its own).
 */
export interface ReplicaStore {
  readonly keys: ProjectKeys;
  readonly cores: Corestore;
  /** The id this side gives in the handshake. */
  readonly deviceId: string;
  /** Every device whose cores this side holds, its own first. */
  allDevices(): DeviceCores[];
  device(deviceId: string): DeviceCores | undefined;
  addDevice(record: DeviceRecord): Promise<DeviceCores>;
  /** Fetches all of a device's cores from whoever has them. */
  downloadAll(device: DeviceCores): void;
  /** What this side knows of a device's document log: blocks processed, and the versions in them. */
  counts(deviceId: string): IndexedCore;
  /** How many distinct observations have versions in these stretches of processed blocks. */
  observationsIn(stretches: readonly LogStretch[]): Promise<number>;
  /** Whether a device's document log is here, and processed, up to `length` blocks. */
  holds(deviceId: string, length: number): boolean;
  /** The peer advertised these cores and this side now holds them (a relay records the counts). */
  received?(adverts: readonly CoreAdvert[]): void;
}

/** Everything a session needs from the side it runs for. */
export interface ReplicationContext {
  store: ReplicaStore;
  deviceName: string;
  deviceType: string;
}

export interface ReplicationOptions extends ReplicateOptions {
  /** How often the watchdog and progress run. Default 250 ms. */
  tickMs?: number;
}

const zeroCounts = (): SyncCounts => ({ observations: 0, attachments: 0, bytes: 0 });

/**
 * How long a finished side waits for the peer's `done` (or for the connection to close) before
 * it resolves anyway: by then both sides hold everything, and only the peer's word is missing.
 */
const DONE_WAIT_MS = 5_000;

/**
 * One sync with one peer over one duplex stream: Noise handshake (by secret-stream), then on
 * Cairn's Protomux channel a version check and a proof of the project key bound to the
 * handshake, and only then the list of every device's cores, which both sides fetch in full.
 * `done` resolves once each side holds everything the other advertised.
 */
export class ReplicationSession implements SyncSession {
  readonly done: Promise<SyncSummary>;
  private resolveDone!: (summary: SyncSummary) => void;
  private rejectDone!: (error: CairnError) => void;
  private finished = false;
  private readonly progressEmitter = new Emitter<SyncProgress>();
  private readonly noise: NoiseSecretStream;
  private outer: ProtocolStream | null = null;
  private messages: { cores: ProtomuxMessage; status: ProtomuxMessage; error: ProtomuxMessage } | null = null;
  private remote: SyncHandshake | null = null;
  private wanted: CoreAdvert[] | null = null;
  private startMarks = new Map<string, StartMark>();
  private localSynced = false;
  /** This side holds everything the peer advertised, and is counting what came. */
  private counting = false;
  /** What came from the peer, counted once this side held it all. */
  private receivedCounts: Pick<SyncCounts, 'observations' | 'attachments'> | null = null;
  /** The exchange of cores has begun (right after the proof, or once either side starts it). */
  private begun = false;
  /** The peer proved it is a member of the project. */
  private verified = false;
  private startRequested: boolean;
  private resolvePeer!: (peer: SyncPeer) => void;
  private resolveStarted!: () => void;
  readonly peer: Promise<SyncPeer>;
  readonly started: Promise<void>;
  private remoteStatus: SyncStatus | null = null;
  /** The peer said it is finished. */
  private remoteDone = false;
  /** This side is finished and said so; `done` resolves with this once the peer is finished too. */
  private summary: SyncSummary | null = null;
  private doneWait: NodeJS.Timeout | null = null;
  private timer: NodeJS.Timeout | null = null;
  private lastActivity = Date.now();
  private lastBytesRead = 0;
  private lastProgress = '';
  private idleTicks = 0;
  private readonly timeoutMs: number;

  constructor(
    private readonly context: ReplicationContext,
    stream: DuplexStream,
    private readonly options: ReplicationOptions,
  ) {
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.done = new Promise<SyncSummary>((resolve, reject) => {
      this.resolveDone = resolve;
      this.rejectDone = reject;
    });
    // A caller that only awaits `done` later must not see an unhandled rejection in between.
    this.done.catch(() => undefined);
    this.startRequested = options.awaitStart !== true;
    this.peer = new Promise<SyncPeer>((resolve, reject) => {
      this.resolvePeer = resolve;
      this.done.catch(reject);
    });
    this.started = new Promise<void>((resolve, reject) => {
      this.resolveStarted = resolve;
      this.done.catch(reject);
    });
    this.peer.catch(() => undefined);
    this.started.catch(() => undefined);
    const given = stream as unknown as { noiseStream?: NoiseSecretStream };
    this.noise = given.noiseStream ?? new NoiseSecretStream(options.initiator, stream);
    void this.run().catch((error: unknown) => this.fail(asCairnError(error)));
  }

  on(event: 'progress', listener: (progress: SyncProgress) => void): Disposable {
    if (event !== 'progress') return toDisposable(() => undefined);
    return this.progressEmitter.event(listener);
  }

  start(): void {
    this.startRequested = true;
    if (this.remote !== null && this.verified && !this.begun && !this.finished) this.begin();
  }

  cancel(): void {
    this.fail(new CairnError(ErrorCodes.CANCELLED, 'The sync was cancelled.'));
  }

  private async run(): Promise<void> {
    const { noise } = this;
    noise.on('close', () => {
      // Finished here, and the peer closed (having heard this side's `done`): nothing is missing.
      if (this.summary !== null) return this.settle();
      this.fail(
        new CairnError(
          ErrorCodes.DISCONNECTED,
          `The connection to ${this.peerName()} closed before the sync finished. Retry: only what is missing will be sent.`,
        ),
      );
    });
    noise.on('error', () => undefined); // reported by 'close'
    this.outer = Hypercore.createProtocolStream(noise);
    this.timer = setInterval(() => this.tick(), this.options.tickMs ?? 250);
    const mux = noise.userData as Protomux;
    // The peer's channel may open before ours (a fast pipe, say); holding the pairing until ours
    // is open keeps Protomux from turning it away.
    let channelReady!: () => void;
    const ready = new Promise<void>((resolve) => (channelReady = resolve));
    mux.pair({ protocol: SYNC_CHANNEL }, () => ready);
    try {
      if (!(await noise.opened) || this.finished) return;
      this.openChannel(mux);
    } finally {
      channelReady();
      mux.unpair({ protocol: SYNC_CHANNEL });
    }
  }

  private openChannel(mux: Protomux): void {
    const { noise } = this;
    const channel = mux.createChannel({
      protocol: SYNC_CHANNEL,
      handshake: c.json,
      onopen: (handshake: SyncHandshake) => this.onOpen(handshake),
      onclose: () => {
        if (this.summary !== null) this.settle();
        else if (!this.finished) {
          this.fail(new CairnError(ErrorCodes.DISCONNECTED, `${this.peerName()} closed the sync before it finished. Retry to continue.`));
        }
      },
    });
    if (channel === null && (noise.destroying || noise.destroyed)) {
      throw new CairnError(ErrorCodes.DISCONNECTED, `The connection to ${this.peerName()} closed before the sync started. Retry.`);
    }
    if (channel === null) throw new CairnError(ErrorCodes.INTERNAL, 'A sync is already running on this connection.');
    this.messages = {
      cores: channel.addMessage({ encoding: c.json, onmessage: (message: SyncCoresMessage) => void this.onCores(message).catch((error: unknown) => this.fail(asCairnError(error))) }),
      status: channel.addMessage({ encoding: c.json, onmessage: (message: SyncStatus) => this.onStatus(message) }),
      error: channel.addMessage({ encoding: c.json, onmessage: (message: SyncErrorMessage) => this.onRemoteError(message) }),
    };
    const { store, deviceName, deviceType } = this.context;
    channel.open(handshakeOf({ keys: store.keys, deviceId: store.deviceId, deviceName, deviceType }, this.binding()));
  }

  private onOpen(remote: SyncHandshake): void {
    if (this.finished) return;
    this.remote = remote;
    this.touch();
    const problem = checkHandshake(remote, this.context.store.keys, this.binding(), this.peerName());
    if (problem !== null) {
      this.messages!.error.send(problem.toPeer);
      this.fail(problem.here);
      return;
    }
    this.verified = true;
    this.resolvePeer(this.identity()!);
    if (this.startRequested) this.begin();
  }

  /** Starts the exchange: the cores join the connection and this side says what it holds. */
  private begin(): void {
    this.begun = true;
    this.resolveStarted();
    const { store } = this.context;
    // Only now, with the peer proven a member, do the project's cores join the connection.
    store.cores.replicate(this.outer);
    this.startMarks = startMarksOf(store);
    this.messages!.cores.send({ devices: advertsOf(store) } satisfies SyncCoresMessage);
  }

  private async onCores(message: SyncCoresMessage): Promise<void> {
    if (this.finished || this.remote === null || !this.verified) return;
    this.touch();
    // The peer started the exchange: this side follows (both are members, and all data flows both ways).
    if (!this.begun) this.begin();
    const adverts = advertsIn(message);
    await takeAdverts(this.context.store, adverts, this.startMarks);
    this.wanted = adverts;
    this.tick();
  }

  private onStatus(status: SyncStatus): void {
    this.touch();
    if (status?.synced === true) this.remoteStatus = status;
    if (status?.synced === true && status.done === true) this.remoteDone = true;
    if (this.summary !== null && this.remoteDone) this.settle();
    else this.tick();
  }

  private onRemoteError(message: SyncErrorMessage): void {
    this.fail(errorFromPeer(message, this.peerName()));
  }

  /** Runs often: the watchdog, progress, and the check that this side holds everything. */
  private tick(): void {
    if (this.finished || this.summary !== null) return;
    if (this.noise.rawBytesRead !== this.lastBytesRead) {
      this.lastBytesRead = this.noise.rawBytesRead;
      this.touch();
    }
    if (Date.now() - this.lastActivity > this.timeoutMs) {
      this.fail(
        new CairnError(
          ErrorCodes.TIMEOUT,
          `${this.peerName()} stopped responding for ${Math.round(this.timeoutMs / 1000)} s. Retry: only what is missing will be sent.`,
        ),
      );
      return;
    }
    if (this.messages === null) return;
    if (this.wanted === null) {
      // Identified and waiting to start: a heartbeat now and then keeps the peer's watchdog quiet.
      const every = Math.max(1, Math.floor(Math.min(2000, this.timeoutMs / 3) / (this.options.tickMs ?? 250)));
      if (this.verified && (this.idleTicks += 1) % every === 0) this.messages.status.send({ synced: false, received: zeroCounts() } satisfies SyncStatus);
      return;
    }
    const progress = this.progress();
    const serialized = JSON.stringify(progress);
    if (serialized !== this.lastProgress) {
      this.lastProgress = serialized;
      this.progressEmitter.fire(progress);
    }
    if (!this.localSynced && !this.counting && holdsAll(this.context.store, this.wanted)) this.countWhatCame(this.wanted);
    // The synced status follows the count at once; a status just before it would hold it up (a
    // second small write in a row waits for the first one's ACK on TCP, some 40 ms).
    if (this.counting) return;
    // Sent every tick while unfinished: it doubles as a heartbeat for the peer's watchdog.
    this.messages.status.send({ synced: this.localSynced, received: this.received() } satisfies SyncStatus);
    if (this.localSynced && this.remoteStatus !== null) this.finish();
  }

  /** This side holds everything the peer advertised: counts what came, then says it is synced. */
  private countWhatCame(adverts: readonly CoreAdvert[]): void {
    this.counting = true;
    this.context.store.received?.(adverts);
    void countReceived(this.context.store, adverts, this.startMarks).then(
      (counts) => {
        this.counting = false;
        if (this.finished) return;
        this.receivedCounts = counts;
        this.localSynced = true;
        this.tick();
      },
      (error: unknown) => this.fail(asCairnError(error)),
    );
  }

  private progress(): SyncProgress {
    return progressOf(this.context.store, this.wanted ?? [], { sent: this.noise.rawBytesWritten, received: this.noise.rawBytesRead });
  }

  /** What arrived from this peer in this session (zeros until it is all here and counted). */
  private received(): SyncCounts {
    return { ...zeroCounts(), ...this.receivedCounts, bytes: this.noise.rawBytesRead };
  }

  /** Both sides hold everything: say so, and resolve once the peer has said so too. */
  private finish(): void {
    if (this.finished || this.summary !== null) return;
    this.stopTimer();
    const received = this.received();
    const sent = { ...zeroCounts(), ...this.remoteStatus!.received, bytes: this.noise.rawBytesWritten };
    const summary: SyncSummary = { sent, received };
    const peer = this.identity();
    if (peer !== undefined) summary.peer = peer;
    this.summary = summary;
    this.progressEmitter.fire(this.progress());
    this.messages!.status.send({ synced: true, received, done: true } satisfies SyncStatus);
    if (this.remoteDone) this.settle();
    else this.doneWait = setTimeout(() => this.settle(), DONE_WAIT_MS);
  }

  /** Resolves `done` with the summary `finish` made. */
  private settle(): void {
    if (this.finished || this.summary === null) return;
    this.finished = true;
    if (this.doneWait !== null) clearTimeout(this.doneWait);
    this.progressEmitter.dispose();
    this.resolveDone(this.summary);
  }

  private fail(error: CairnError): void {
    // Finished here and waiting for the peer's word only: the sync itself is complete.
    if (this.summary !== null) return this.settle();
    if (this.finished) return;
    this.finished = true;
    this.stopTimer();
    this.progressEmitter.dispose();
    this.rejectDone(error);
    // Give a last message (an error for the peer) a moment to leave before the connection goes.
    this.noise.end();
    setTimeout(() => this.noise.destroy(), 500).unref();
  }

  private stopTimer(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  private touch(): void {
    this.lastActivity = Date.now();
  }

  private identity(): SyncPeer | undefined {
    const remote = this.remote;
    if (remote?.device === undefined) return undefined;
    const peer: SyncPeer = { deviceId: String(remote.device.deviceId), deviceName: String(remote.device.name), deviceType: String(remote.device.deviceType) };
    if (this.options.peer?.address !== undefined) peer.address = this.options.peer.address;
    return peer;
  }

  /** What the proof of membership is bound to: this connection's Noise handshake, and this side's role in it. */
  private binding(): NoiseBinding {
    return { handshakeHash: this.noise.handshakeHash!, isInitiator: this.noise.isInitiator };
  }

  private peerName(): string {
    const name = this.remote?.device?.name ?? this.options.peer?.deviceName ?? this.options.peer?.address;
    return name ? `the peer '${name}'` : 'the peer';
  }
}

function asCairnError(error: unknown): CairnError {
  if (error instanceof CairnError) return error;
  return new CairnError(ErrorCodes.INTERNAL, `Sync failed: ${errorMessage(error)}`, { cause: error });
}
