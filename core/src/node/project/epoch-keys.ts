import { Transform, type TransformCallback } from 'node:stream';
import sodium from 'sodium-universal';
import { CairnError, ErrorCodes } from '@cairn/sdk';

/**
 * The keys of a project's key epochs. Every core is encrypted with the key derived from the
 * project key (keys.ts), which every device that ever joined holds. A removal starts a new
 * epoch: a random key, sealed to each remaining member's device key in a document of type
 * `epochKey`, encrypts what is written from then on — blocks of the document logs and
 * attachments — a second time, inside. So a removed device, which keeps the project key, reads
 * nothing written after its removal, whatever copy of the cores (a sync file) it gets hold of;
 * and nothing already written is encrypted again.
 */

export const KEY_BYTES = 32;

export type { EpochKeyValue } from '../../common/documents.js';

/**
 * A block of a document log sealed with an epoch's key, in bytes: a marker (a plain block is JSON
 * and starts with `{`), the 16-byte id of the `epochKey` document whose key seals it, the nonce,
 * then the sealed `{ v: 1, entries }`. Binary, not JSON: a sync moves it as it is stored.
 */
const SEALED_MARKER = 0x02;
const KEY_ID_BYTES = 16;

export function isSealedBlock(buffer: Buffer): boolean {
  return buffer.length > 0 && buffer[0] === SEALED_MARKER;
}

/** The id of the key that sealed a block (hex); null when it is too short to be one. */
export function sealedBlockKey(buffer: Buffer): string | null {
  return buffer.length < 1 + KEY_ID_BYTES + sodium.crypto_secretbox_NONCEBYTES + sodium.crypto_secretbox_MACBYTES
    ? null
    : buffer.subarray(1, 1 + KEY_ID_BYTES).toString('hex');
}

export function newEpochKey(): Buffer {
  const key = Buffer.alloc(KEY_BYTES);
  sodium.randombytes_buf(key);
  return key;
}

/** Seals an epoch key to a device, given the public half of its signing key (its Ed25519 key). */
export function sealTo(signerPublicKey: Buffer, key: Buffer): string {
  const curve = Buffer.alloc(32);
  sodium.crypto_sign_ed25519_pk_to_curve25519(curve, signerPublicKey);
  const sealed = Buffer.alloc(key.length + sodium.crypto_box_SEALBYTES);
  sodium.crypto_box_seal(sealed, key, curve);
  return sealed.toString('hex');
}

/** Opens an epoch key sealed to this device; null when it is not for this device's key, or damaged. */
export function openSealed(signer: { publicKey: Buffer; secretKey: Buffer }, sealedHex: string): Buffer | null {
  const sealed = Buffer.from(sealedHex, 'hex');
  if (sealed.length !== KEY_BYTES + sodium.crypto_box_SEALBYTES) return null;
  const publicCurve = Buffer.alloc(32);
  const secretCurve = Buffer.alloc(32);
  sodium.crypto_sign_ed25519_pk_to_curve25519(publicCurve, signer.publicKey);
  sodium.crypto_sign_ed25519_sk_to_curve25519(secretCurve, signer.secretKey);
  const key = Buffer.alloc(KEY_BYTES);
  return sodium.crypto_box_seal_open(key, sealed, publicCurve, secretCurve) ? key : null;
}

export function sealBlock(keyId: string, key: Buffer, plain: Buffer): Buffer {
  const nonceBytes = sodium.crypto_secretbox_NONCEBYTES;
  const sealed = Buffer.alloc(1 + KEY_ID_BYTES + nonceBytes + plain.length + sodium.crypto_secretbox_MACBYTES);
  sealed[0] = SEALED_MARKER;
  Buffer.from(keyId, 'hex').copy(sealed, 1);
  const nonce = sealed.subarray(1 + KEY_ID_BYTES, 1 + KEY_ID_BYTES + nonceBytes);
  sodium.randombytes_buf(nonce);
  sodium.crypto_secretbox_easy(sealed.subarray(1 + KEY_ID_BYTES + nonceBytes), plain, nonce, key);
  return sealed;
}

/** The plain bytes of a sealed block; null when the key does not open it (damage, or another key). */
export function openBlock(sealed: Buffer, key: Buffer): Buffer | null {
  const nonceBytes = sodium.crypto_secretbox_NONCEBYTES;
  const start = 1 + KEY_ID_BYTES + nonceBytes;
  if (sealedBlockKey(sealed) === null) return null;
  const plain = Buffer.alloc(sealed.length - start - sodium.crypto_secretbox_MACBYTES);
  return sodium.crypto_secretbox_open_easy(plain, sealed.subarray(start), sealed.subarray(1 + KEY_ID_BYTES, start), key) ? plain : null;
}

const CHUNK = 64 * 1024;
const HEADER = sodium.crypto_secretstream_xchacha20poly1305_HEADERBYTES;
const ABYTES = sodium.crypto_secretstream_xchacha20poly1305_ABYTES;
const TAG_MESSAGE = 0;
const TAG_FINAL = sodium.crypto_secretstream_xchacha20poly1305_TAG_FINAL;

/**
 * Encrypts a stream of attachment bytes with an epoch key: a header, then chunks of 64 KiB, each
 * authenticated, the last one marked final so that a file cut short is told apart from a whole one.
 */
export function sealingStream(key: Buffer): Transform {
  const state = Buffer.alloc(sodium.crypto_secretstream_xchacha20poly1305_STATEBYTES);
  const header = Buffer.alloc(HEADER);
  sodium.crypto_secretstream_xchacha20poly1305_init_push(state, header, key);
  let pending: Buffer = Buffer.alloc(0);
  let started = false;
  const push = (stream: Transform, chunk: Buffer, tag: number) => {
    const out = Buffer.alloc(chunk.length + ABYTES);
    sodium.crypto_secretstream_xchacha20poly1305_push(state, out, chunk, null, tag);
    stream.push(out);
  };
  return new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback) {
      if (!started) {
        this.push(header);
        started = true;
      }
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      // Keep at least one byte back: the last chunk must go out marked final.
      while (pending.length > CHUNK) {
        push(this, pending.subarray(0, CHUNK), TAG_MESSAGE);
        pending = pending.subarray(CHUNK);
      }
      done();
    },
    flush(done: TransformCallback) {
      if (!started) this.push(header);
      push(this, pending, TAG_FINAL);
      done();
    },
  });
}

/** Decrypts what `sealingStream` wrote; fails with `ERR_IO` on bytes that are damaged, cut short or sealed with another key. */
export function openingStream(key: Buffer, name: string): Transform {
  const state = Buffer.alloc(sodium.crypto_secretstream_xchacha20poly1305_STATEBYTES);
  let pending: Buffer = Buffer.alloc(0);
  let opened = false;
  let finished = false;
  const damaged = () => new CairnError(ErrorCodes.IO, `The bytes of attachment '${name}' are damaged or were sealed with another key.`);
  const pull = (stream: Transform, chunk: Buffer): boolean => {
    const out = Buffer.alloc(chunk.length - ABYTES);
    const tag = Buffer.alloc(1);
    try {
      sodium.crypto_secretstream_xchacha20poly1305_pull(state, out, tag, chunk, null);
    } catch {
      return false;
    }
    if (tag[0] === TAG_FINAL) finished = true;
    stream.push(out);
    return true;
  };
  return new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback) {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      if (!opened) {
        if (pending.length < HEADER) return done();
        sodium.crypto_secretstream_xchacha20poly1305_init_pull(state, pending.subarray(0, HEADER), key);
        pending = pending.subarray(HEADER);
        opened = true;
      }
      while (pending.length > CHUNK + ABYTES) {
        if (finished || !pull(this, pending.subarray(0, CHUNK + ABYTES))) return done(damaged());
        pending = pending.subarray(CHUNK + ABYTES);
      }
      done();
    },
    flush(done: TransformCallback) {
      if (!opened || finished || pending.length < ABYTES || !pull(this, pending) || !finished) return done(damaged());
      done();
    },
  });
}
