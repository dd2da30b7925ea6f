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
  type ErrorCode,
  type ReplicateOptions,
  type SyncCounts,
  type SyncPeer,
  type SyncProgress,
  type SyncSession,
  type SyncSummary,
} from '@cairn/sdk';
import { membershipProof } from './keys.js';
import type { CoreAdvert, DeviceCores, ReplicaStore } from './replica-store.js';
import { countReceived, holdsAll, progressOf, type StartMark } from './sync-counts.js';

/** The version of Cairn's sync protocol this build speaks, and the oldest it still accepts. */
export const SYNC_PROTOCOL_VERSION = 1;
export const MIN_SYNC_PROTOCOL_VERSION = 1;
/** The Protomux protocol of Cairn's channel; constant across versions, so versions can meet and talk. */
export const SYNC_CHANNEL = 'cairn/sync';

/** The first thing each side says, once the Noise handshake is done. */
export interface SyncHandshake {
  protocol: 'cairn-sync';
  version: number;
  minVersion: number;
  /** Hex; public. Another project's peer is told apart before anything else. */
  discoveryKey: string;
  /** Hex; proves knowledge of the project key for this very connection (see `membershipProof`). */
  proof: string;
  device: { deviceId: string; name: string; deviceType: string };
}

export interface SyncStatus {
  /** The sender holds everything the receiver advertised. */
  synced: boolean;
  /**
   * What the sender received in this session (so: what the receiver sent), counted once the
   * sender is synced (zeros before): distinct observations and distinct attachment files. A peer
   * of an older Cairn, speaking the same protocol version, sends the same fields with their old
   * meaning — observation versions and drive blocks — and its figures are shown as it gives them.
   */
  received: SyncCounts;
  /**
   * The sender is finished: it holds everything, and it knows the receiver does. The connection
   * may close once both sides said so; closing earlier could cut this message off, and the
   * receiver would be left not knowing its sync had completed.
   */
  done?: boolean;
}

export interface SyncErrorMessage {
  code: ErrorCode;
  message: string;
  /** For protocol mismatches: whose Cairn is too old, from the sender's point of view. */
  mustUpgrade?: 'sender' | 'receiver';
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
      cores: channel.addMessage({ encoding: c.json, onmessage: (message: { devices: CoreAdvert[] }) => void this.onCores(message).catch((error: unknown) => this.fail(asCairnError(error))) }),
      status: channel.addMessage({ encoding: c.json, onmessage: (message: SyncStatus) => this.onStatus(message) }),
      error: channel.addMessage({ encoding: c.json, onmessage: (message: SyncErrorMessage) => this.onRemoteError(message) }),
    };
    const { store, deviceName, deviceType } = this.context;
    const handshake: SyncHandshake = {
      protocol: 'cairn-sync',
      version: SYNC_PROTOCOL_VERSION,
      minVersion: MIN_SYNC_PROTOCOL_VERSION,
      discoveryKey: store.keys.discoveryKey.toString('hex'),
      proof: membershipProof(store.keys.projectKey, noise.handshakeHash!, noise.isInitiator).toString('hex'),
      device: { deviceId: store.deviceId, name: deviceName, deviceType },
    };
    channel.open(handshake);
  }

  private onOpen(remote: SyncHandshake): void {
    if (this.finished) return;
    this.remote = remote;
    this.touch();
    const problem = this.checkHandshake(remote);
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
    for (const device of store.allDevices()) {
      this.startMarks.set(device.record.deviceId, {
        blocks: store.counts(device.record.deviceId).blocks,
        driveLength: device.drive.core.contiguousLength,
      });
    }
    this.messages!.cores.send({ devices: store.allDevices().map((device) => this.advert(device)) });
  }

  private checkHandshake(remote: SyncHandshake): { here: CairnError; toPeer: SyncErrorMessage } | null {
    const { store } = this.context;
    const peer = this.peerName();
    if (typeof remote?.version !== 'number' || typeof remote.minVersion !== 'number') {
      const message = `${peer} does not speak Cairn's sync protocol.`;
      return { here: new CairnError(ErrorCodes.PROTOCOL_VERSION, message), toPeer: { code: ErrorCodes.PROTOCOL_VERSION, message } };
    }
    if (remote.version < MIN_SYNC_PROTOCOL_VERSION) {
      return {
        here: new CairnError(
          ErrorCodes.PROTOCOL_VERSION,
          `${peer} runs sync protocol ${remote.version}, older than this device accepts (${MIN_SYNC_PROTOCOL_VERSION} or later): update Cairn on ${peer}.`,
        ),
        toPeer: { code: ErrorCodes.PROTOCOL_VERSION, message: 'protocol too old', mustUpgrade: 'receiver' },
      };
    }
    if (remote.minVersion > SYNC_PROTOCOL_VERSION) {
      return {
        here: new CairnError(
          ErrorCodes.PROTOCOL_VERSION,
          `${peer} needs sync protocol ${remote.minVersion} or later; this device runs ${SYNC_PROTOCOL_VERSION}: update Cairn on this device.`,
        ),
        toPeer: { code: ErrorCodes.PROTOCOL_VERSION, message: 'protocol too new', mustUpgrade: 'sender' },
      };
    }
    const mismatch = (message: string) => ({
      here: new CairnError(ErrorCodes.PROJECT_MISMATCH, message),
      toPeer: { code: ErrorCodes.PROJECT_MISMATCH, message: 'project mismatch' } satisfies SyncErrorMessage,
    });
    if (remote.discoveryKey !== store.keys.discoveryKey.toString('hex')) {
      return mismatch(`${peer} belongs to another project; nothing was exchanged.`);
    }
    const expected = membershipProof(store.keys.projectKey, this.noise.handshakeHash!, !this.noise.isInitiator);
    if (typeof remote.proof !== 'string' || remote.proof !== expected.toString('hex')) {
      return mismatch(`${peer} could not prove it knows the project key; nothing was exchanged.`);
    }
    return null;
  }

  private async onCores(message: { devices: CoreAdvert[] }): Promise<void> {
    if (this.finished || this.remote === null || !this.verified) return;
    this.touch();
    // The peer started the exchange: this side follows (both are members, and all data flows both ways).
    if (!this.begun) this.begin();
    const { store } = this.context;
    const adverts = (Array.isArray(message?.devices) ? message.devices : []).filter(isAdvert);
    for (const advert of adverts) {
      const known = store.device(advert.deviceId);
      // A device new to this one had nothing here; its blocks may arrive while it is being opened.
      if (known === undefined) this.startMarks.set(advert.deviceId, { blocks: 0, driveLength: 0 });
      const device = known ?? (await store.addDevice({ deviceId: advert.deviceId, driveKey: advert.driveKey }));
      if (known !== undefined) store.downloadAll(device);
    }
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
    const peer = this.peerName();
    if (message?.code === ErrorCodes.PROTOCOL_VERSION) {
      const text =
        message.mustUpgrade === 'receiver'
          ? `${peer} does not accept this device's sync protocol ${SYNC_PROTOCOL_VERSION}: update Cairn on this device.`
          : `${peer} runs a sync protocol this device does not accept: update Cairn on ${peer}.`;
      this.fail(new CairnError(ErrorCodes.PROTOCOL_VERSION, text));
    } else if (message?.code === ErrorCodes.PROJECT_MISMATCH) {
      this.fail(new CairnError(ErrorCodes.PROJECT_MISMATCH, `${peer} is not a member of this project (or this device is not of its); nothing was exchanged.`));
    } else {
      this.fail(new CairnError(ErrorCodes.DISCONNECTED, `${peer} ended the sync: ${String(message?.message ?? 'no reason given')}`));
    }
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

  private advert(device: DeviceCores): CoreAdvert {
    const indexed = this.context.store.counts(device.record.deviceId);
    // Only what is held without gaps is advertised: that is what the peer can be sure to get.
    const docsLength = Math.min(device.docs.contiguousLength, indexed.blocks);
    return {
      deviceId: device.record.deviceId,
      driveKey: device.record.driveKey,
      docsLength,
      entries: docsLength === indexed.blocks ? indexed.entries : 0,
      observations: indexed.observations,
      driveLength: device.drive.core.contiguousLength,
      blobsLength: device.drive.blobs?.core.contiguousLength ?? 0,
    };
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

  private peerName(): string {
    const name = this.remote?.device?.name ?? this.options.peer?.deviceName ?? this.options.peer?.address;
    return name ? `the peer '${name}'` : 'the peer';
  }
}

function isAdvert(value: unknown): value is CoreAdvert {
  const advert = value as Partial<CoreAdvert>;
  const hex = (text: unknown) => typeof text === 'string' && /^[0-9a-f]{64}$/.test(text);
  const count = (n: unknown) => typeof n === 'number' && Number.isInteger(n) && n >= 0;
  return (
    typeof advert === 'object' && advert !== null && hex(advert.deviceId) && hex(advert.driveKey) &&
    count(advert.docsLength) && count(advert.entries) && count(advert.observations) &&
    count(advert.driveLength) && count(advert.blobsLength)
  );
}

function asCairnError(error: unknown): CairnError {
  if (error instanceof CairnError) return error;
  return new CairnError(ErrorCodes.INTERNAL, `Sync failed: ${errorMessage(error)}`, { cause: error });
}
