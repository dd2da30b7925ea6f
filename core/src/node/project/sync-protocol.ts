import { CairnError, ErrorCodes, type ErrorCode, type SyncCounts } from '@cairn/sdk';
import { proveDevice, verifyDevice, type DeviceSigner, type NoiseBinding } from './device-proof.js';
import { membershipProof, type ProjectKeys } from './keys.js';

export type { DeviceSigner, NoiseBinding };

// What the two sides of a sync say to each other on Cairn's Protomux channel, and how a side
// reads what the other said. The session (replication.ts) decides when each is said.

/** The version of Cairn's sync protocol this build speaks, and the oldest it still accepts. */
export const SYNC_PROTOCOL_VERSION = 2;
/** 2: a side proves it holds its device's key (roles are enforced per device, so a device id must be proven). */
const MIN_SYNC_PROTOCOL_VERSION = 2;
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
  /** Hex; the device's signature of this connection's handshake: proves the device id is the sender's own. */
  deviceProof: string;
  /** Hex; the key that signed `deviceProof`: the device id is its document log's key, derived from it. */
  deviceSigner: string;
}

/** One device's cores as the sender holds them: what the receiver must fetch to have it all. */
export interface CoreAdvert {
  deviceId: string;
  driveKey: string;
  docsLength: number;
  entries: number;
  observations: number;
  driveLength: number;
  blobsLength: number;
}

/** The sender's list of every device's cores it holds; sent once, when the exchange begins. */
export interface SyncCoresMessage {
  devices: CoreAdvert[];
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
  /** For `ERR_REMOVED`: who was removed (or left), from the sender's point of view. */
  removed?: 'sender' | 'receiver';
}

/** Who this side is, as it introduces itself. */
export interface SyncIdentity {
  keys: ProjectKeys;
  deviceId: string;
  deviceName: string;
  deviceType: string;
  /** The device's own key (its document log's): the device id derives from its public half. */
  signer: DeviceSigner;
}


/** A handshake the peer cannot be let in with: the error for this side, and what the peer is told. */
export interface HandshakeProblem {
  here: CairnError;
  toPeer: SyncErrorMessage;
}

/** This side's handshake: its versions, the project's public name, its proof of the key for this connection, and itself. */
export function handshakeOf(identity: SyncIdentity, noise: NoiseBinding): SyncHandshake {
  const { keys, deviceId, deviceName, deviceType } = identity;
  return {
    protocol: 'cairn-sync',
    version: SYNC_PROTOCOL_VERSION,
    minVersion: MIN_SYNC_PROTOCOL_VERSION,
    discoveryKey: keys.discoveryKey.toString('hex'),
    proof: membershipProof(keys.projectKey, noise.handshakeHash, noise.isInitiator).toString('hex'),
    device: { deviceId, name: deviceName, deviceType },
    ...proveDevice(identity.signer, noise),
  };
}

/**
 * Checks the peer's handshake, in the order that gives nothing away: a protocol both sides
 * speak, then the project's public name, then the proof of the key bound to this connection
 * (the peer's proof is made for the other role). `peer` names the peer in messages. Null when
 * the peer is a proven member.
 */
export function checkHandshake(remote: SyncHandshake, keys: ProjectKeys, noise: NoiseBinding, peer: string): HandshakeProblem | null {
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
  const mismatch = (message: string): HandshakeProblem => ({
    here: new CairnError(ErrorCodes.PROJECT_MISMATCH, message),
    toPeer: { code: ErrorCodes.PROJECT_MISMATCH, message: 'project mismatch' },
  });
  if (remote.discoveryKey !== keys.discoveryKey.toString('hex')) {
    return mismatch(`${peer} belongs to another project; nothing was exchanged.`);
  }
  const expected = membershipProof(keys.projectKey, noise.handshakeHash, !noise.isInitiator);
  if (typeof remote.proof !== 'string' || remote.proof !== expected.toString('hex')) {
    return mismatch(`${peer} could not prove it knows the project key; nothing was exchanged.`);
  }
  if (verifyDevice(noise, remote.device?.deviceId, remote.deviceSigner, remote.deviceProof) === null) {
    const message = `${peer} could not prove it is the device it says it is; nothing was exchanged.`;
    return { here: new CairnError(ErrorCodes.NOT_PERMITTED, message), toPeer: { code: ErrorCodes.NOT_PERMITTED, message: 'device not proven' } };
  }
  return null;
}

/** The error the peer ended the sync with, as this side reports it (`peer` names the peer). */
export function errorFromPeer(message: SyncErrorMessage, peer: string): CairnError {
  if (message?.code === ErrorCodes.PROTOCOL_VERSION) {
    const text =
      message.mustUpgrade === 'receiver'
        ? `${peer} does not accept this device's sync protocol ${SYNC_PROTOCOL_VERSION}: update Cairn on this device.`
        : `${peer} runs a sync protocol this device does not accept: update Cairn on ${peer}.`;
    return new CairnError(ErrorCodes.PROTOCOL_VERSION, text);
  }
  if (message?.code === ErrorCodes.REMOVED) {
    return new CairnError(
      ErrorCodes.REMOVED,
      message.removed === 'receiver'
        ? `${peer} refused to sync: this device is no longer a member of the project (it was removed, or it left). Nothing was exchanged.`
        : `${peer} is no longer a member of the project (it was removed, or it left); nothing was exchanged.`,
    );
  }
  if (message?.code === ErrorCodes.NOT_PERMITTED) {
    return new CairnError(ErrorCodes.NOT_PERMITTED, `${peer} refused to sync: ${String(message.message ?? 'not permitted')}.`);
  }
  if (message?.code === ErrorCodes.PROJECT_MISMATCH) {
    return new CairnError(ErrorCodes.PROJECT_MISMATCH, `${peer} is not a member of this project (or this device is not of its); nothing was exchanged.`);
  }
  return new CairnError(ErrorCodes.DISCONNECTED, `${peer} ended the sync: ${String(message?.message ?? 'no reason given')}`);
}

/** The well-formed adverts of a peer's list of cores (a message off the network: shapes are checked). */
export function advertsIn(message: SyncCoresMessage): CoreAdvert[] {
  return (Array.isArray(message?.devices) ? message.devices : []).filter(isAdvert);
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
