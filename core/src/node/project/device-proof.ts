import Hypercore from 'hypercore';
import crypto from 'hypercore-crypto';

// How a device proves, on one connection, that it is the device it says: it signs the
// connection's Noise handshake hash with the key of its own document log, whose core key is its
// id. Sync sessions (sync-protocol.ts) and invites (invites.ts) both ask for it.

/** A device's signing key: its document log's (a relay's is made for one opening). */
export interface DeviceSigner {
  publicKey: Buffer;
  sign(message: Buffer): Buffer;
}

/** What the Noise handshake of a connection settled: proofs are bound to it, and to the side's role. */
export interface NoiseBinding {
  handshakeHash: Buffer;
  isInitiator: boolean;
}

/** The id of the device whose document log is signed by `publicKey` (a core's key derives from its signer). */
export function deviceIdOf(publicKey: Buffer): string {
  return Hypercore.key(publicKey).toString('hex');
}

function proofMessage(handshakeHash: Buffer, initiator: boolean): Buffer {
  return Buffer.concat([Buffer.from('cairn/device/v1'), handshakeHash, Buffer.from([initiator ? 1 : 2])]);
}

/** This side's proof, as sent: the signer's public key and its signature of this connection, both hex. */
export function proveDevice(signer: DeviceSigner, noise: NoiseBinding): { deviceSigner: string; deviceProof: string } {
  return { deviceSigner: signer.publicKey.toString('hex'), deviceProof: signer.sign(proofMessage(noise.handshakeHash, noise.isInitiator)).toString('hex') };
}

/**
 * Checks the other side's proof (made for the other role) that it is `deviceId`; its signer's
 * public key when it holds, else null. Values off the network: shapes are checked first.
 */
export function verifyDevice(noise: NoiseBinding, deviceId: unknown, deviceSigner: unknown, deviceProof: unknown): Buffer | null {
  const hex = (text: unknown, length: number): text is string => typeof text === 'string' && text.length === length && /^[0-9a-f]+$/.test(text);
  if (!hex(deviceId, 64) || !hex(deviceProof, 128) || !hex(deviceSigner, 64)) return null;
  try {
    const signer = Buffer.from(deviceSigner, 'hex');
    const holds = deviceIdOf(signer) === deviceId && crypto.verify(proofMessage(noise.handshakeHash, !noise.isInitiator), Buffer.from(deviceProof, 'hex'), signer);
    return holds ? signer : null;
  } catch {
    return null;
  }
}
