import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type Hyperdrive from 'hyperdrive';
import type { HyperdriveEntry } from 'hyperdrive';
import sodium from 'sodium-universal';
import { CairnError, ErrorCodes, errorMessage, isCairnError, type AttachmentInput, type AttachmentStreamInput, type AttachmentVariant } from '@cairn/sdk';
import { openingStream, sealingStream } from './epoch-keys.js';
import type { StoredAttachment } from '../../common/documents.js';
import type { ProjectStore } from './project-store.js';

const mimeTypes: Record<string, string> = {
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.png': 'image/png',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.heic': 'image/heic',
  '.tif': 'image/tiff',
  '.tiff': 'image/tiff',
  '.mp3': 'audio/mpeg',
  '.m4a': 'audio/mp4',
  '.wav': 'audio/wav',
  '.ogg': 'audio/ogg',
  '.mp4': 'video/mp4',
  '.mov': 'video/quicktime',
  '.pdf': 'application/pdf',
  '.txt': 'text/plain',
  '.json': 'application/json',
  '.geojson': 'application/geo+json',
};

/** `/blobs/<sha256 hex>`: attachments are stored by content, so the same photo is stored once. */
const blobPath = (hash: string) => `/blobs/${hash}`;

/** An epoch key, and the id of the document that holds it. */
type Seal = { id: string; key: Buffer };

/**
 * Where bytes sealed with an epoch key are stored: named by a keyed hash of their SHA-256, so
 * that the name tells a device without the key nothing of the content.
 */
function sealedPath(seal: Seal, hash: string): string {
  const name = Buffer.alloc(32);
  sodium.crypto_generichash(name, Buffer.from(hash, 'hex'), seal.key);
  return `/sealed/${seal.id}/${name.toString('hex')}`;
}

/** The drive path of bytes, sealed or not. */
function storedPath(seal: Seal | null, hash: string): string {
  return seal === null ? blobPath(hash) : sealedPath(seal, hash);
}

/**
 * Attachments live in the writing device's Hyperdrive, addressed by the SHA-256 of their bytes.
 * Files are streamed in and out, never held whole in memory.
 */
export class Attachments {
  constructor(private readonly store: ProjectStore) {}

  /**
   * Stores a file and its variants (unless the same bytes are already stored) and describes them
   * for a document. A variant's bytes live in the same drive as the original's.
   */
  async add(input: AttachmentInput, field: string): Promise<StoredAttachment> {
    // After a removal, the bytes are sealed with the key epoch's key, as the documents are.
    const seal = this.store.keyring.current;
    const stored = await this.addOne(input, field, seal);
    if (seal !== null) stored.sealedWith = seal.id;
    if (input.variants === undefined) return stored;
    const variants: NonNullable<StoredAttachment['variants']> = {};
    for (const variant of ['preview', 'thumbnail'] as const) {
      const source = input.variants[variant];
      if (source === undefined) continue;
      const name = `${stored.name}.${variant}`;
      const { hash, size, mimeType } = await this.addOne(
        'path' in source ? { path: source.path, name, mimeType: source.mimeType ?? stored.mimeType } : { open: source.open, name, mimeType: source.mimeType ?? stored.mimeType },
        `${field}.variants.${variant}`,
        seal,
      );
      variants[variant] = { hash, size, mimeType };
    }
    return { ...stored, variants };
  }

  private async addOne(input: AttachmentInput, field: string, seal: Seal | null): Promise<StoredAttachment> {
    if (!('path' in input)) return this.addStream(input, field, seal);
    let size: number;
    try {
      const info = await stat(input.path);
      if (!info.isFile()) throw new Error('not a file');
      size = info.size;
    } catch {
      throw new CairnError(ErrorCodes.INVALID_INPUT, `Invalid ${field}: there is no file at ${input.path}.`);
    }
    const name = input.name ?? basename(input.path);
    const mimeType = input.mimeType ?? mimeTypes[extname(name).toLowerCase()] ?? 'application/octet-stream';
    const hash = await sha256(input.path);
    const drive = this.store.own.drive;
    const path = storedPath(seal, hash);
    if ((await drive.entry(path)) === null) {
      await copyInto(createReadStream(input.path), seal, drive.createWriteStream(path, { metadata: { mimeType } }));
    }
    return { name, hash, mimeType, size, drive: drive.key.toString('hex') };
  }

  /**
   * Stores bytes that are not a file here (an entry of a zip): read once for their hash, then,
   * unless the same bytes are stored already, once more into the drive, hashed again on the way
   * so that bytes that changed between the two reads are refused rather than stored under a
   * hash that is not theirs.
   */
  private async addStream(input: AttachmentStreamInput, field: string, seal: Seal | null): Promise<StoredAttachment> {
    const { name } = input;
    const mimeType = input.mimeType ?? mimeTypes[extname(name).toLowerCase()] ?? 'application/octet-stream';
    const { hash, size } = await digest(await opened(input, field), field, name);
    const drive = this.store.own.drive;
    const path = storedPath(seal, hash);
    if ((await drive.entry(path)) === null) {
      const check = createHash('sha256');
      const source = await opened(input, field);
      async function* checked(): AsyncGenerator<Uint8Array> {
        for await (const chunk of source) {
          check.update(chunk);
          yield chunk;
        }
        if (check.digest('hex') !== hash) {
          throw new CairnError(ErrorCodes.IO, `Invalid ${field}: the bytes of '${name}' changed between two reads; import it again.`);
        }
      }
      await copyInto(checked(), seal, drive.createWriteStream(path, { metadata: { mimeType } })).catch((error: unknown) => {
        throw readError(error, field, name);
      });
    }
    return { name, hash, mimeType, size, drive: drive.key.toString('hex') };
  }

  /**
   * Streams an attachment's bytes, or one variant's; `ERR_NOT_FOUND` if they have not reached
   * this device or there is no such variant.
   */
  async read(attachment: StoredAttachment, variant?: AttachmentVariant): Promise<Readable> {
    const hash = variant === undefined ? attachment.hash : attachment.variants?.[variant]?.hash;
    if (hash === undefined) {
      const held = Object.keys(attachment.variants ?? {});
      throw new CairnError(
        ErrorCodes.NOT_FOUND,
        `Attachment '${attachment.name}' has no ${variant} variant${held.length ? `; it has: original, ${held.join(', ')}` : '; it has only its original'}.`,
      );
    }
    let seal: Seal | null = null;
    if (attachment.sealedWith !== undefined) {
      const key = this.store.keyring.key(attachment.sealedWith);
      if (key === undefined) {
        throw new CairnError(ErrorCodes.NOT_FOUND, `Attachment '${attachment.name}' is sealed with a key this device does not hold yet; sync with a coordinator.`);
      }
      seal = { id: attachment.sealedWith, key };
    }
    const path = storedPath(seal, hash);
    const device = this.store.allDevices().find((candidate) => candidate.record.driveKey === attachment.drive);
    const drive = device?.drive;
    const entry = drive ? await drive.entry(path, { wait: false }).catch(() => null) : null;
    if (drive === undefined || entry === null || !(await this.isComplete(drive, entry))) {
      throw new CairnError(
        ErrorCodes.NOT_FOUND,
        `The bytes of attachment '${attachment.name}' have not reached this device yet; sync with the device that added it.`,
      );
    }
    const bytes = drive.createReadStream(path, { wait: false });
    if (seal === null) return bytes;
    const opening = openingStream(seal.key, attachment.name);
    bytes.on('error', (error: Error) => opening.destroy(error));
    return bytes.pipe(opening);
  }

  /** Whether every block of the blob is here (a drive replicates its index before its blobs). */
  private async isComplete(drive: Hyperdrive, entry: HyperdriveEntry): Promise<boolean> {
    const blob = entry.value.blob as { blockOffset: number; blockLength: number } | null;
    if (blob === null || blob.blockLength === 0) return true;
    const blobs = await drive.getBlobs();
    return blobs !== null && (await blobs.core.has(blob.blockOffset, blob.blockOffset + blob.blockLength));
  }
}

/** Copies bytes into the drive, sealing them on the way when there is a seal. */
function copyInto(source: AsyncIterable<Uint8Array>, seal: Seal | null, target: NodeJS.WritableStream): Promise<void> {
  return seal === null ? pipeline(source, target) : pipeline(source, sealingStream(seal.key), target);
}

async function opened(input: AttachmentStreamInput, field: string): Promise<AsyncIterable<Uint8Array>> {
  try {
    return await input.open();
  } catch (error) {
    throw readError(error, field, input.name);
  }
}

/** SHA-256 and length of streamed bytes. */
async function digest(source: AsyncIterable<Uint8Array>, field: string, name: string): Promise<{ hash: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  try {
    for await (const chunk of source) {
      hash.update(chunk);
      size += chunk.length;
    }
  } catch (error) {
    throw readError(error, field, name);
  }
  return { hash: hash.digest('hex'), size };
}

/** A source's own coded error as it is (a damaged zip entry says so); any other as `ERR_IO`. */
function readError(error: unknown, field: string, name: string): CairnError {
  if (isCairnError(error)) return error;
  return new CairnError(ErrorCodes.IO, `Invalid ${field}: could not read '${name}': ${errorMessage(error)}`, { cause: error });
}

async function sha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
