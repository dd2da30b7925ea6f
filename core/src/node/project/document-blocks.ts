import type { StoredBlock, StoredVersion } from '../../common/documents.js';
import { isSealedBlock, openBlock, sealBlock, sealedBlockKey } from './epoch-keys.js';

// How versions are laid out in the blocks of a document log: batches of versions as JSON, and,
// once the project has had a removal, each batch sealed with the key epoch's key (epoch-keys.ts).

/** At most this many versions, or about this many bytes, go in one block of a document log. */
const MAX_ENTRIES_PER_BLOCK = 256;
const MAX_BLOCK_BYTES = 256 * 1024;

const documentTypes = new Set(['observation', 'preset', 'field', 'track', 'projectSettings', 'deviceInfo', 'member', 'epochKey']);

/** A sealed block whose key this device does not hold (yet): indexing its log waits here. */
export const LOCKED = 'locked';

/** The epoch keys a reader holds, by the id of their `epochKey` document. */
export type KeyLookup = (keyId: string) => Buffer | undefined;

/** The bytes of one block: plain, or sealed with `key` when given. */
export function encodeBlock(entries: StoredVersion[], key: { id: string; key: Buffer } | null): Buffer {
  const plain = Buffer.from(JSON.stringify({ v: 1, entries } satisfies StoredBlock));
  return key === null ? plain : sealBlock(key.id, key.key, plain);
}

/** Splits versions into blocks of at most MAX_ENTRIES_PER_BLOCK entries and about MAX_BLOCK_BYTES. */
export function packBlocks(versions: StoredVersion[]): StoredVersion[][] {
  const blocks: StoredVersion[][] = [];
  let current: StoredVersion[] = [];
  let bytes = 0;
  for (const version of versions) {
    const size = JSON.stringify(version).length;
    if (current.length > 0 && (current.length >= MAX_ENTRIES_PER_BLOCK || bytes + size > MAX_BLOCK_BYTES)) {
      blocks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(version);
    bytes += size;
  }
  if (current.length > 0) blocks.push(current);
  return blocks;
}

/**
 * Parses a block of a document log. Entries that are not well-formed versions (a newer format, or
 * damage) become nulls, which index as nothing while keeping the positions, and with them the
 * version ids, of the others. A sealed block is opened with the reader's keys; `LOCKED` when the
 * reader holds none for it.
 */
export function decodeBlock(buffer: Buffer | null, keyOf: KeyLookup = () => undefined): Array<StoredVersion | null> | typeof LOCKED | null {
  if (buffer === null) return null;
  let plain = buffer;
  if (isSealedBlock(buffer)) {
    const keyId = sealedBlockKey(buffer);
    if (keyId === null) return null;
    const key = keyOf(keyId);
    if (key === undefined) return LOCKED;
    const opened = openBlock(buffer, key);
    if (opened === null) return null;
    plain = opened;
  }
  const parsed = parseJson(plain);
  const entries = (parsed as Partial<StoredBlock> | null)?.entries;
  if (!Array.isArray(entries)) return null;
  return entries.map((entry: unknown) => (isStoredVersion(entry) ? entry : null));
}

function parseJson(buffer: Buffer): unknown {
  try {
    return JSON.parse(buffer.toString('utf8'));
  } catch {
    return null;
  }
}

function isStoredVersion(entry: unknown): entry is StoredVersion {
  const version = entry as Partial<StoredVersion>;
  return (
    typeof version === 'object' && version !== null &&
    typeof version.type === 'string' && documentTypes.has(version.type) &&
    typeof version.docId === 'string' && Array.isArray(version.links) &&
    version.links.every((link) => typeof link === 'string') &&
    typeof version.createdAt === 'string' && typeof version.updatedAt === 'string' &&
    typeof version.createdBy === 'string' && typeof version.deleted === 'boolean' &&
    (version.deleted || (typeof version.value === 'object' && version.value !== null))
  );
}

