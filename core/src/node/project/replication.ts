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
import type { ReplicaStore } from './replica-store.js';
import { admissionProblem, type Admission } from './sync-admission.js';
import { countReceived, holdsAll, progressOf, type StartMark } from './sync-counts.js';
import { advertsOf, startMarksOf, takeAdverts } from './core-exchange.js';
import { checkTransition, heard, type PeerWord, type ReceivedCounts, type SessionPhase, type SessionPhaseName } from './session-phase.js';
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

/** Everything a session needs from the side it runs for. */
export interface ReplicationContext {
  store: ReplicaStore;
  deviceName: string;
  deviceType: string;
  /** Who this side syncs with (a device's project); a relay has none and syncs with the device that runs it. */
  admission?: () => Admission;
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

/** The messages of Cairn's channel, once it is open. */
interface SessionChannel {
  cores: ProtomuxMessage;
  status: ProtomuxMessage;
  error: ProtomuxMessage;
}

/**
 * One sync with one peer over one duplex stream: Noise handshake (by secret-stream), then on
 * Cairn's Protomux channel a version check and a proof of the project key bound to the
 * handshake, and only then the list of every device's cores, which both sides fetch in full.
 * `done` resolves once each side holds everything the other advertised. Where the session stands
 * is its phase (session-phase.ts), which changes only in `enter`.
 */
export class ReplicationSession implements SyncSession {
  readonly done: Promise<SyncSummary>;
  readonly peer: Promise<SyncPeer>;
  readonly started: Promise<void>;
  private resolveDone!: (summary: SyncSummary) => void;
  private rejectDone!: (error: CairnError) => void;
  private resolvePeer!: (peer: SyncPeer) => void;
  private resolveStarted!: () => void;
  private phase: SessionPhase = { name: 'connecting' };
  /** What the peer said of its own side; it may speak in any phase. */
  private peerWord: PeerWord = { said: 'nothing' };
  private readonly phaseEmitter = new Emitter<SessionPhaseName>();
  /** Fires with each phase the session enters (the last is `done` or `failed`). */
  readonly onDidChangePhase = this.phaseEmitter.event;
  /** The exchange begins as soon as the peer is proven: `start()` was called, or `awaitStart` was not asked for. */
  private startWhenProven: boolean;
  private readonly progressEmitter = new Emitter<SyncProgress>();
  private readonly noise: NoiseSecretStream;
  private outer: ProtocolStream | null = null;
  /** From `handshaking` on. */
  private channel: SessionChannel | null = null;
  /** The peer's handshake as it came, proven or not: messages about the peer give its name. */
  private remote: SyncHandshake | null = null;
  /** Where each device stood here when the exchange began. */
  private startMarks = new Map<string, StartMark>();
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
    this.startWhenProven = options.awaitStart !== true;
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
    this.guarded(() => {
      this.startWhenProven = true;
      if (this.phase.name === 'proven') this.begin();
    });
  }

  cancel(): void {
    this.fail(new CairnError(ErrorCodes.CANCELLED, 'The sync was cancelled.'));
  }

  private async run(): Promise<void> {
    const { noise } = this;
    noise.on('close', () => this.guarded(() => this.onConnectionClosed()));
    noise.on('error', () => undefined); // reported by 'close'
    this.outer = Hypercore.createProtocolStream(noise);
    this.timer = setInterval(() => this.guarded(() => this.tick()), this.options.tickMs ?? 250);
    const mux = noise.userData as Protomux;
    // The peer's channel may open before ours (a fast pipe, say); holding the pairing until ours
    // is open keeps Protomux from turning it away.
    let channelReady!: () => void;
    const ready = new Promise<void>((resolve) => (channelReady = resolve));
    mux.pair({ protocol: SYNC_CHANNEL }, () => ready);
    try {
      if (!(await noise.opened) || this.phase.name !== 'connecting') return;
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
      onopen: (handshake: SyncHandshake) => this.guarded(() => this.onOpen(handshake)),
      onclose: () => this.guarded(() => this.onChannelClosed()),
    });
    if (channel === null && (noise.destroying || noise.destroyed)) {
      throw new CairnError(ErrorCodes.DISCONNECTED, `The connection to ${this.peerName()} closed before the sync started. Retry.`);
    }
    if (channel === null) throw new CairnError(ErrorCodes.INTERNAL, 'A sync is already running on this connection.');
    this.channel = {
      cores: channel.addMessage({ encoding: c.json, onmessage: (message: SyncCoresMessage) => void this.onCores(message).catch((error: unknown) => this.fail(asCairnError(error))) }),
      status: channel.addMessage({ encoding: c.json, onmessage: (message: SyncStatus) => this.guarded(() => this.onStatus(message)) }),
      error: channel.addMessage({ encoding: c.json, onmessage: (message: SyncErrorMessage) => this.guarded(() => this.onRemoteError(message)) }),
    };
    // Entered before the handshake goes: the peer's may be here already, and be read at once.
    this.enter({ name: 'handshaking' });
    const { store, deviceName, deviceType } = this.context;
    channel.open(handshakeOf({ keys: store.keys, deviceId: store.deviceId, deviceName, deviceType, signer: store.signer }, this.binding()));
  }

  private onConnectionClosed(): void {
    // Finished here, and the peer closed (having heard this side's `done`): nothing is missing.
    if (this.phase.name === 'finishing') return this.settle();
    this.fail(
      new CairnError(
        ErrorCodes.DISCONNECTED,
        `The connection to ${this.peerName()} closed before the sync finished. Retry: only what is missing will be sent.`,
      ),
    );
  }

  private onChannelClosed(): void {
    if (this.phase.name === 'finishing') return this.settle();
    this.fail(new CairnError(ErrorCodes.DISCONNECTED, `${this.peerName()} closed the sync before it finished. Retry to continue.`));
  }

  private onOpen(remote: SyncHandshake): void {
    if (this.phase.name !== 'handshaking') return;
    this.remote = remote;
    this.touch();
    const admission = this.context.admission?.();
    const problem =
      checkHandshake(remote, this.context.store.keys, this.binding(), this.peerName()) ??
      (admission === undefined ? null : admissionProblem(admission, remote, this.peerName()));
    if (problem !== null) {
      this.channel!.error.send(problem.toPeer);
      this.fail(problem.here);
      return;
    }
    this.enter({ name: 'proven' });
    if (this.startWhenProven) this.begin();
  }

  /** Starts the exchange: the cores join the connection and this side says what it holds. */
  private begin(): void {
    this.enter({ name: 'exchanging' });
    const { store } = this.context;
    // Only now, with the peer proven a member, do the project's cores join the connection.
    store.cores.replicate(this.outer);
    this.startMarks = startMarksOf(store);
    this.channel!.cores.send({ devices: advertsOf(store) } satisfies SyncCoresMessage);
  }

  private async onCores(message: SyncCoresMessage): Promise<void> {
    const { name } = this.phase;
    // Nothing is taken before the peer is proven, and nothing more once this side is finished.
    if (name === 'connecting' || name === 'handshaking' || name === 'finishing' || name === 'done' || name === 'failed') return;
    this.touch();
    // The peer started the exchange: this side follows (both are members, and all data flows both ways).
    if (name === 'proven') this.begin();
    const adverts = advertsIn(message);
    await takeAdverts(this.context.store, adverts, this.startMarks);
    const phase = this.phase;
    if (phase.name === 'exchanging') this.enter({ name: 'fetching', wanted: adverts });
    else if (phase.name === 'fetching' || phase.name === 'counting' || phase.name === 'synced') this.enter({ ...phase, wanted: adverts });
    else return; // the session ended while the devices were being opened
    this.tick();
  }

  private onStatus(status: SyncStatus): void {
    this.touch();
    this.peerWord = heard(this.peerWord, status);
    if (this.phase.name === 'finishing' && this.peerWord.said === 'done') this.settle();
    else this.tick();
  }

  private onRemoteError(message: SyncErrorMessage): void {
    this.fail(errorFromPeer(message, this.peerName()));
  }

  /** Runs often: the watchdog, progress, and the check that this side holds everything. */
  private tick(): void {
    const phase = this.phase;
    if (phase.name === 'finishing' || phase.name === 'done' || phase.name === 'failed') return;
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
    switch (phase.name) {
      case 'connecting':
      case 'handshaking':
        return;
      case 'proven':
      case 'exchanging':
        return this.heartbeat();
      case 'fetching':
        this.reportProgress(phase.wanted);
        // The synced status follows the count at once; a status just before it would hold it up
        // (a second small write in a row waits for the first one's ACK on TCP, some 40 ms).
        if (holdsAll(this.context.store, phase.wanted)) return this.countWhatCame(phase.wanted);
        // Sent every tick while unfinished: it doubles as a heartbeat for the peer's watchdog.
        this.channel!.status.send({ synced: false, received: this.received(null) } satisfies SyncStatus);
        return;
      case 'counting':
        return this.reportProgress(phase.wanted);
      case 'synced':
        this.reportProgress(phase.wanted);
        this.channel!.status.send({ synced: true, received: this.received(phase.received) } satisfies SyncStatus);
        if (this.peerWord.said !== 'nothing') this.finish(phase, this.peerWord.status);
        return;
    }
  }

  /** Proven, and the exchange not under way: a word now and then keeps the peer's watchdog quiet. */
  private heartbeat(): void {
    const every = Math.max(1, Math.floor(Math.min(2000, this.timeoutMs / 3) / (this.options.tickMs ?? 250)));
    if ((this.idleTicks += 1) % every === 0) this.channel!.status.send({ synced: false, received: zeroCounts() } satisfies SyncStatus);
  }

  private reportProgress(wanted: readonly CoreAdvert[]): void {
    const progress = this.progress(wanted);
    const serialized = JSON.stringify(progress);
    if (serialized !== this.lastProgress) {
      this.lastProgress = serialized;
      this.progressEmitter.fire(progress);
    }
  }

  /** This side holds everything the peer advertised: counts what came, then says it is synced. */
  private countWhatCame(wanted: readonly CoreAdvert[]): void {
    this.enter({ name: 'counting', wanted });
    this.context.store.received?.(wanted);
    void countReceived(this.context.store, wanted, this.startMarks).then(
      (received) =>
        this.guarded(() => {
          const phase = this.phase;
          if (phase.name !== 'counting') return; // the session ended while counting
          this.enter({ name: 'synced', wanted: phase.wanted, received });
          this.tick();
        }),
      (error: unknown) => this.fail(asCairnError(error)),
    );
  }

  private progress(wanted: readonly CoreAdvert[]): SyncProgress {
    return progressOf(this.context.store, wanted, { sent: this.noise.rawBytesWritten, received: this.noise.rawBytesRead });
  }

  /** What arrived from this peer in this session (zeros until it is all here and counted). */
  private received(counts: ReceivedCounts | null): SyncCounts {
    return { ...zeroCounts(), ...counts, bytes: this.noise.rawBytesRead };
  }

  /** Both sides hold everything: say so, and resolve once the peer has said so too. */
  private finish(synced: Extract<SessionPhase, { name: 'synced' }>, peerStatus: SyncStatus): void {
    const received = this.received(synced.received);
    const sent = { ...zeroCounts(), ...peerStatus.received, bytes: this.noise.rawBytesWritten };
    const summary: SyncSummary = { sent, received };
    const peer = this.identity();
    if (peer !== undefined) summary.peer = peer;
    const progress = this.progress(synced.wanted);
    this.enter({ name: 'finishing', summary, doneWait: setTimeout(() => this.guarded(() => this.settle()), DONE_WAIT_MS) });
    this.progressEmitter.fire(progress);
    this.channel!.status.send({ synced: true, received, done: true } satisfies SyncStatus);
    if (this.peerWord.said === 'done') this.settle();
  }

  /** Resolves `done` with the summary `finish` made. */
  private settle(): void {
    if (this.phase.name === 'finishing') this.enter({ name: 'done', summary: this.phase.summary });
  }

  private fail(error: CairnError): void {
    const { name } = this.phase;
    // Finished here and waiting for the peer's word only: the sync itself is complete.
    if (name === 'finishing') return this.settle();
    if (name === 'done' || name === 'failed') return;
    this.enter({ name: 'failed', error });
    // Give a last message (an error for the peer) a moment to leave before the connection goes.
    this.noise.end();
    setTimeout(() => this.noise.destroy(), 500).unref();
  }

  /**
   * The one way the session changes phase: the change is checked against the table (a change
   * it does not allow throws), then what leaving and entering a phase does is done here.
   */
  private enter(next: SessionPhase): void {
    const previous = this.phase;
    checkTransition(previous.name, next.name);
    this.phase = next;
    if (previous.name === 'finishing') clearTimeout(previous.doneWait);
    switch (next.name) {
      case 'proven':
        this.resolvePeer(this.identity()!);
        break;
      case 'exchanging':
        this.resolveStarted();
        break;
      case 'finishing':
        this.stopTimer();
        break;
      case 'done':
        this.progressEmitter.dispose();
        this.resolveDone(next.summary);
        break;
      case 'failed':
        this.stopTimer();
        this.progressEmitter.dispose();
        this.rejectDone(next.error);
        break;
    }
    this.phaseEmitter.fire(next.name);
    if (next.name === 'done' || next.name === 'failed') this.phaseEmitter.dispose();
  }

  /**
   * Runs a handler of an event of the stream, the channel or a timer. What it throws (a bug, such
   * as a change of phase the table does not allow) ends the session with that error, instead of
   * escaping into the stream or the event loop.
   */
  private guarded(handle: () => void): void {
    try {
      handle();
    } catch (error) {
      this.fail(asCairnError(error));
    }
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
