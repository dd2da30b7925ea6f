import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type Hyperdrive from 'hyperdrive';
import type { HyperdriveEntry } from 'hyperdrive';
import { CairnError, ErrorCodes, type AttachmentInput } from '@cairn/sdk';
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

/**
 * Attachments live in the writing device's Hyperdrive, addressed by the SHA-256 of their bytes.
 * Files are streamed in and out, never held whole in memory.
 */
export class Attachments {
  constructor(private readonly store: ProjectStore) {}

  /** Stores a file (unless the same bytes are already stored) and describes it for a document. */
  async add(input: AttachmentInput, field: string): Promise<StoredAttachment> {
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
    if ((await drive.entry(blobPath(hash))) === null) {
      await pipeline(createReadStream(input.path), drive.createWriteStream(blobPath(hash), { metadata: { mimeType } }));
    }
    return { name, hash, mimeType, size, drive: drive.key.toString('hex') };
  }

  /** Streams an attachment's bytes; `ERR_NOT_FOUND` if they have not reached this device. */
  async read(attachment: StoredAttachment): Promise<Readable> {
    const device = this.store.allDevices().find((candidate) => candidate.record.driveKey === attachment.drive);
    const drive = device?.drive;
    const entry = drive ? await drive.entry(blobPath(attachment.hash), { wait: false }).catch(() => null) : null;
    if (drive === undefined || entry === null || !(await this.isComplete(drive, entry))) {
      throw new CairnError(
        ErrorCodes.NOT_FOUND,
        `The bytes of attachment '${attachment.name}' have not reached this device yet; sync with the device that added it.`,
      );
    }
    return drive.createReadStream(blobPath(attachment.hash), { wait: false });
  }

  /** Whether every block of the blob is here (a drive replicates its index before its blobs). */
  private async isComplete(drive: Hyperdrive, entry: HyperdriveEntry): Promise<boolean> {
    const blob = entry.value.blob as { blockOffset: number; blockLength: number } | null;
    if (blob === null || blob.blockLength === 0) return true;
    const blobs = await drive.getBlobs();
    return blobs !== null && (await blobs.core.has(blob.blockOffset, blob.blockOffset + blob.blockLength));
  }
}

async function sha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
