import type Hyperdrive from 'hyperdrive';
import type { SyncCounts, SyncProgress } from '@cairn/sdk';
import type { LogStretch } from './project-index.js';
import type { ReplicaStore } from './replica-store.js';
import type { CoreAdvert } from './sync-protocol.js';

// What a sync session holds, still wants and brought, of what the peer advertised.

/** Where a device's cores stood on this side when a session began: what comes after, the session brought. */
export interface StartMark {
  /** Blocks of its document log taken in (on a device: indexed). */
  blocks: number;
  /** Blocks of its drive. */
  driveLength: number;
}

/** Blocks `from` (inclusive) to `to` (exclusive) of a drive. */
interface DriveStretch {
  drive: Hyperdrive;
  from: number;
  to: number;
}

/** Whether this side holds everything of these adverts: document logs processed, drives and their blobs. */
export function holdsAll(store: ReplicaStore, adverts: readonly CoreAdvert[]): boolean {
  return adverts.every((advert) => {
    const device = store.device(advert.deviceId);
    if (device === undefined) return false;
    if (device.own) return true;
    const blobs = device.drive.blobs;
    return (
      store.holds(advert.deviceId, advert.docsLength) &&
      device.drive.core.contiguousLength >= advert.driveLength &&
      (advert.blobsLength === 0 || (blobs !== null && blobs.core.contiguousLength >= advert.blobsLength))
    );
  });
}

/** How far a session is: versions and drive entries held and still wanted, of what the peer advertised. */
export function progressOf(store: ReplicaStore, adverts: readonly CoreAdvert[], bytes: SyncProgress['bytes']): SyncProgress {
  let documentsHave = 0;
  let documentsWant = 0;
  let attachmentsHave = 0;
  let attachmentsWant = 0;
  for (const advert of adverts) {
    const device = store.device(advert.deviceId);
    const indexed = store.counts(advert.deviceId).entries;
    const files = Math.max(0, (device?.drive.core.contiguousLength ?? 0) - 1);
    documentsHave += indexed;
    documentsWant += Math.max(0, advert.entries - indexed);
    attachmentsHave += files;
    attachmentsWant += Math.max(0, advert.driveLength - 1 - files);
  }
  return {
    documents: { have: documentsHave, want: documentsWant },
    attachments: { have: attachmentsHave, want: attachmentsWant },
    bytes,
  };
}

/**
 * What a session brought of the devices the peer advertised: how many distinct observations it
 * brought versions of (a deletion is a version; an observation edited three times counts once),
 * and how many distinct attachment files. A file is told by its content hash: the same photo
 * attached to several observations is stored, sent and counted once — and so is the same photo
 * added on two devices, which is one file to the user, stored in two drives.
 */
export async function countReceived(
  store: ReplicaStore,
  adverts: readonly CoreAdvert[],
  starts: ReadonlyMap<string, StartMark>,
): Promise<Pick<SyncCounts, 'observations' | 'attachments'>> {
  const logs: LogStretch[] = [];
  const drives: DriveStretch[] = [];
  for (const advert of adverts) {
    const device = store.device(advert.deviceId);
    const start = starts.get(advert.deviceId);
    if (device === undefined || device.own || start === undefined) continue;
    logs.push({ deviceId: advert.deviceId, from: start.blocks, to: store.counts(advert.deviceId).blocks });
    drives.push({ drive: device.drive, from: start.driveLength, to: device.drive.core.contiguousLength });
  }
  const [observations, attachments] = await Promise.all([store.observationsIn(logs), filesIn(drives)]);
  return { observations, attachments };
}

/**
 * Distinct files that entries in these stretches of drives added. Each block after a drive's
 * header is one entry; an attachment's path is `/blobs/<sha256>`, so distinct paths are distinct
 * contents. Deletions add nothing. Only blocks already here are read.
 */
async function filesIn(stretches: readonly DriveStretch[]): Promise<number> {
  const paths = new Set<string>();
  for (const { drive, from, to } of stretches) {
    for (let seq = Math.max(1, from); seq < to; seq += 1) {
      const entry = await drive.db.getBySeq(seq, { wait: false });
      if (entry !== null && entry.value !== null) paths.add(entry.key);
    }
  }
  return paths.size;
}
