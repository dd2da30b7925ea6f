import crypto from 'hypercore-crypto';
import sodium from 'sodium-universal';
import { CairnError, ErrorCodes } from '@cairn/sdk';

/**
 * The keys of a project. Knowing the 32-byte project key is membership: every other secret is
 * derived from it with keyed BLAKE2b, each for one purpose.
 */
export interface ProjectKeys {
  projectKey: Buffer;
  /** Public: names the project on networks and in sync files without revealing the key. */
  discoveryKey: Buffer;
  /** Encrypts every block of every core of the project, at rest and in sync files. */
  encryptionKey: Buffer;
}

export function projectKeys(projectKey: Buffer): ProjectKeys {
  return {
    projectKey,
    discoveryKey: crypto.discoveryKey(projectKey),
    encryptionKey: keyedHash(projectKey, Buffer.from('cairn/encryption/v1')),
  };
}

export function newProjectKey(): Buffer {
  return crypto.randomBytes(32);
}

/** Parses a project key as users pass it around: 64 hexadecimal characters. */
export function parseProjectKey(text: string): Buffer {
  const trimmed = text.trim();
  if (!/^[0-9a-fA-F]{64}$/.test(trimmed)) {
    throw new CairnError(
      ErrorCodes.INVALID_INPUT,
      'PROJECT_KEY must be 64 hexadecimal characters: the project key a member of the project shares (`cairn project` shows it).',
    );
  }
  return Buffer.from(trimmed, 'hex');
}

/**
 * Proof that a side of a sync knows the project key, bound to this connection's Noise handshake
 * (so it cannot be replayed elsewhere) and to the side's role (so it cannot be reflected back).
 */
export function membershipProof(projectKey: Buffer, handshakeHash: Buffer, initiator: boolean): Buffer {
  return keyedHash(projectKey, Buffer.concat([Buffer.from('cairn/proof/v1'), handshakeHash, Buffer.from([initiator ? 1 : 2])]));
}

function keyedHash(key: Buffer, message: Buffer): Buffer {
  const output = Buffer.alloc(32);
  sodium.crypto_generichash(output, message, key);
  return output;
}
