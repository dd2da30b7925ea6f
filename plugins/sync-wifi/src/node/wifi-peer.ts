import type { SwarmConnection } from 'hyperswarm';
import { CairnError, ErrorCodes, type SyncPeer, type SyncProgress, type SyncSession, type SyncSummary } from '@cairn/sdk';
import type { WifiDevice, WifiPeerResult } from '../common/protocol.js';

/** How long a device asked to sync may take to come back on the network before that sync fails. */
export const RECONNECT_LIMIT_MS = 30_000;

/**
 * How long a device stays "connected" after a sync while its connection ends and the swarm dials
 * it again for the next one (a third of the limit above).
 */
const REDIAL_GRACE_MS = RECONNECT_LIMIT_MS / 3;

/**
 * Where one device stands in this run. A device changes phase only through `WifiPeer.enter`,
 * checked against `PEER_TRANSITIONS`; its status in the device list follows from its phase and
 * whether its connection is still open (see `statusOf`).
 */
export type PeerPhase =
  /** Not in reach: remembered from an earlier run, gone, or its last session failed. */
  | { readonly name: 'away' }
  /** Proven a member on a connection; its session waits for either side to start. */
  | { readonly name: 'waiting'; readonly session: SyncSession }
  /** Its session's exchange runs. */
  | { readonly name: 'syncing'; readonly session: SyncSession }
  /**
   * Synced. One session is one sync: its connection ends, the swarm dials the device again, and
   * it is shown as connected meanwhile, for a while (`grace`) or as long as that connection lasts.
   */
  | { readonly name: 'redialling'; readonly session: SyncSession; readonly grace: NodeJS.Timeout | null }
  /** Speaks a sync protocol this one does not: listed by its network key, with who must update. */
  | { readonly name: 'incompatible' };

export type PeerPhaseName = PeerPhase['name'];

/**
 * Every change of phase a device can make. A device is listed as a member (`waiting`) only once
 * its session proved it; it syncs only from `waiting`; a new proven connection replaces whatever
 * the last one was doing; and every member phase can end in `away` (a failure, a connection gone,
 * discovery turned off). A listing by network key stays incompatible until it is removed.
 */
export const PEER_TRANSITIONS: { readonly [From in PeerPhaseName]: readonly PeerPhaseName[] } = {
  away: ['waiting'],
  waiting: ['waiting', 'syncing', 'away'],
  syncing: ['waiting', 'redialling', 'away'],
  redialling: ['waiting', 'redialling', 'away'],
  incompatible: ['incompatible'],
};

/**
 * Checks a change of phase against the table. One the table does not allow is a bug in Cairn, not
 * something the network can cause: it throws rather than leave the device in a state nobody designed.
 */
export function checkTransition(from: PeerPhaseName, to: PeerPhaseName): void {
  if (!PEER_TRANSITIONS[from].includes(to)) {
    throw new CairnError(ErrorCodes.INTERNAL, `Wi-Fi sync: a device cannot go from ${from} to ${to} (a bug in Cairn).`);
  }
}

/** What the device list shows for a phase, the device's connection being open or not. */
export function statusOf(phase: PeerPhaseName, connected: boolean): WifiDevice['status'] {
  switch (phase) {
    case 'away':
      return 'disconnected';
    case 'waiting':
      return connected ? 'connected' : 'disconnected';
    case 'syncing':
      return connected ? 'syncing' : 'disconnected';
    case 'redialling':
      return 'connected';
    case 'incompatible':
      return 'incompatible';
  }
}

type WifiError = NonNullable<WifiDevice['error']>;

/**
 * One device of the project as this run knows it: what the device list shows of it (name, type,
 * address, status, last sync, progress, last result, error), its connection and session, and the
 * syncs waiting on it. WifiSync hands it the events of its connections and sessions; it changes
 * its phase, and says what WifiSync is to do with the network.
 */
export class WifiPeer {
  deviceType = 'desktop';
  address = '';
  /** ISO time of the last completed sync with it (remembered across runs). */
  lastSynced: string | null = null;
  progress: SyncProgress | null = null;
  result: WifiDevice['result'] = null;
  error: WifiError | null = null;
  /** The connection it was last proven on, until that closes. */
  connection: SwarmConnection | null = null;
  /** The swarm key of its last connection, to reach it again. */
  publicKey: Buffer | null = null;
  /** A sync was asked for: it starts as soon as the device is proven on a connection. */
  startOwed = false;
  private readonly waiters: Array<(result: WifiPeerResult) => void> = [];
  private current: PeerPhase;

  private constructor(
    readonly id: string,
    public deviceName: string,
    phase: PeerPhase,
    /** Something shown of it changed on its own (the grace after a sync ran out). */
    private readonly changed: () => void,
  ) {
    this.current = phase;
  }

  /** A device of the project (by its device id), not in reach yet. */
  static member(deviceId: string, deviceName: string, changed: () => void): WifiPeer {
    return new WifiPeer(deviceId, deviceName, { name: 'away' }, changed);
  }

  /** A device that cannot sync with this one, known only by its connection's network key. */
  static incompatible(networkKey: string, address: string, error: WifiError, changed: () => void): WifiPeer {
    const peer = new WifiPeer(networkKey, `Device at ${address}`, { name: 'incompatible' }, changed);
    Object.assign(peer, { address, error });
    return peer;
  }

  get phase(): PeerPhase {
    return this.current;
  }

  get status(): WifiDevice['status'] {
    return statusOf(this.current.name, this.connection !== null);
  }

  /** What the device list shows of it. */
  view(): WifiDevice {
    const { id, deviceName, deviceType, address, status, lastSynced, progress, result, error } = this;
    return { id, deviceName, deviceType, address, status, lastSynced, progress, result, error };
  }

  /** Whether `session` is the one this device's phase is about (a replaced one's events change nothing). */
  isCurrent(session: SyncSession): boolean {
    return 'session' in this.current && this.current.session === session;
  }

  /**
   * A session proved the device a member, on `connection`: it waits there for a start. A
   * connection it had before is closed. Says whether the device is back from a redial (rather
   * than newly found).
   */
  proven(connection: SwarmConnection, session: SyncSession, identity: SyncPeer, address: string): { returning: boolean } {
    const returning = this.current.name === 'redialling' && this.current.grace !== null;
    const previous = this.connection;
    this.connection = connection;
    this.publicKey = connection.remotePublicKey;
    Object.assign(this, { deviceName: identity.deviceName, deviceType: identity.deviceType ?? 'desktop', address, progress: null });
    this.enter({ name: 'waiting', session });
    if (previous !== null && previous !== connection) previous.destroy();
    return { returning };
  }

  /** The same device again, still speaking a protocol this one does not. */
  stillIncompatible(address: string, error: WifiError): void {
    this.enter({ name: 'incompatible' });
    Object.assign(this, { address, error });
  }

  /** Starts its session, if one waits on an open connection; says whether it did. */
  startWaitingSession(): boolean {
    if (this.current.name !== 'waiting' || this.connection === null) return false;
    this.current.session.start();
    return true;
  }

  /** Its session began the exchange (either side started it). False for a replaced session. */
  started(session: SyncSession): boolean {
    if (!this.isCurrent(session)) return false;
    this.enter({ name: 'syncing', session });
    Object.assign(this, { startOwed: false, error: null, progress: null });
    return true;
  }

  /** Progress of its session. False for a replaced session. */
  progressed(session: SyncSession, progress: SyncProgress): boolean {
    if (!this.isCurrent(session)) return false;
    this.progress = progress;
    return true;
  }

  /**
   * A session with it completed (the result is kept even from a replaced one). Its connection, if
   * still open, is to be ended: the connection is returned, and the device stays connected while
   * the swarm dials again.
   */
  synced(session: SyncSession, summary: SyncSummary): { endConnection: SwarmConnection | null } {
    Object.assign(this, { lastSynced: new Date().toISOString(), result: { sent: summary.sent, received: summary.received }, error: null, progress: null });
    if (!this.isCurrent(session)) return { endConnection: null };
    const connection = this.connection;
    if (connection === null) {
      this.enter({ name: 'away' });
      return { endConnection: null };
    }
    const grace = setTimeout(() => this.graceOver(), REDIAL_GRACE_MS);
    grace.unref();
    this.enter({ name: 'redialling', session, grace });
    return { endConnection: connection };
  }

  /**
   * Its session failed. False for a replaced session. True when the failure ends a sync (one
   * that ran, or that was waited on): the error is kept and the waits end with it.
   */
  failed(session: SyncSession, error: CairnError): boolean {
    if (!this.isCurrent(session)) return false;
    const wasSyncing = this.current.name === 'syncing';
    this.enter({ name: 'away' });
    this.progress = null;
    if (!wasSyncing && this.waiters.length === 0) return false;
    this.error = { code: String(error.code ?? ErrorCodes.INTERNAL), message: String(error.message) };
    this.failWaits();
    return true;
  }

  /** A connection closed; false when it was not this device's. */
  connectionClosed(connection: SwarmConnection): boolean {
    if (this.connection !== connection) return false;
    this.connection = null;
    this.progress = null;
    if (this.current.name === 'redialling' && this.current.grace === null) this.enter({ name: 'away' });
    return true;
  }

  /**
   * Discovery is stopping: the grace after a sync ends now (a connection that closes from here on
   * leaves the device disconnected), and the session its phase is about is cancelled.
   */
  stopping(): void {
    const phase = this.current;
    if (phase.name === 'redialling' && phase.grace !== null) this.enter({ ...phase, grace: null });
    if ('session' in phase) phase.session.cancel();
  }

  /**
   * Discovery stopped: nothing of this run's network is left. Not for an incompatible listing,
   * which is known only by its connection and goes with discovery.
   */
  leave(): void {
    if (this.current.name !== 'away') this.enter({ name: 'away' });
    this.connection = null;
    this.publicKey = null;
  }

  /** A sync is waited on: `resolve` gets its result. */
  awaitSync(resolve: (result: WifiPeerResult) => void): void {
    this.waiters.push(resolve);
  }

  isAwaitedBy(resolve: (result: WifiPeerResult) => void): boolean {
    return this.waiters.includes(resolve);
  }

  /** Every wait ends with the sync that completed. */
  endWaits(): void {
    for (const waiter of this.waiters.splice(0)) waiter(okResult(this));
  }

  /**
   * Every wait ends with an error: the one given (and then no sync is owed any more), else the
   * device's last, else that it left.
   */
  failWaits(message?: string, code: string = ErrorCodes.TIMEOUT): void {
    if (message !== undefined && this.waiters.length > 0) this.error = { code, message };
    if (message !== undefined) {
      this.startOwed = false;
      this.progress = null;
    }
    const error = this.error ?? { code: ErrorCodes.DISCONNECTED, message: `${this.deviceName} left before the sync finished.` };
    for (const waiter of this.waiters.splice(0)) {
      waiter({ deviceId: this.id, deviceName: this.deviceName, result: 'error', sent: null, received: null, error });
    }
  }

  private graceOver(): void {
    const phase = this.current;
    if (phase.name !== 'redialling') return;
    if (this.connection === null) this.enter({ name: 'away' });
    else this.enter({ ...phase, grace: null });
    this.changed();
  }

  /**
   * The one way a device changes phase: checked against the table (a change it does not allow is
   * a bug, and throws), and a grace timer of the phase left is cleared.
   */
  private enter(next: PeerPhase): void {
    const previous = this.current;
    checkTransition(previous.name, next.name);
    if (previous.name === 'redialling' && previous.grace !== null && (next.name !== 'redialling' || next.grace !== previous.grace)) {
      clearTimeout(previous.grace);
    }
    this.current = next;
  }
}

/** A completed sync with a device, as `cairn sync wifi` prints it. */
export function okResult(peer: WifiPeer): WifiPeerResult {
  const { result } = peer;
  return { deviceId: peer.id, deviceName: peer.deviceName, result: 'ok', sent: result?.sent ?? null, received: result?.received ?? null };
}
