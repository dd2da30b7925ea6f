import type { ReplicaStore } from './replica-store.js';
import type { StartMark } from './sync-counts.js';
import type { CoreAdvert } from './sync-protocol.js';

// The exchange of cores at the start of a session: what this side tells the peer it holds, where
// each device stood here when the exchange began, and what this side does with the peer's list.

/**
 * Every device's cores as this side holds them, for the peer to fetch. Only what is held without
 * gaps is advertised: that is what the peer can be sure to get.
 */
export function advertsOf(store: ReplicaStore): CoreAdvert[] {
  return store.allDevices().map((device) => {
    const indexed = store.counts(device.record.deviceId);
    const docsLength = Math.min(device.docs.contiguousLength, indexed.blocks);
    return {
      deviceId: device.record.deviceId,
      driveKey: device.record.driveKey,
      docsLength,
      entries: docsLength === indexed.blocks ? indexed.entries : 0,
      observations: indexed.observations,
      driveLength: device.drive.core.contiguousLength,
      blobsLength: device.drive.blobs?.core.contiguousLength ?? 0,
    };
  });
}

/** Where each device's cores stand here as the exchange begins: what comes after, the session brought. */
export function startMarksOf(store: ReplicaStore): Map<string, StartMark> {
  const marks = new Map<string, StartMark>();
  for (const device of store.allDevices()) {
    marks.set(device.record.deviceId, {
      blocks: store.counts(device.record.deviceId).blocks,
      driveLength: device.drive.core.contiguousLength,
    });
  }
  return marks;
}

/**
 * Takes the peer's list: a device this side knows is fetched in full; one new to it is opened
 * (which fetches it) and marked as having had nothing here, before it is opened, since its blocks
 * may arrive while it is.
 */
export async function takeAdverts(store: ReplicaStore, adverts: readonly CoreAdvert[], startMarks: Map<string, StartMark>): Promise<void> {
  for (const advert of adverts) {
    const known = store.device(advert.deviceId);
    if (known === undefined) startMarks.set(advert.deviceId, { blocks: 0, driveLength: 0 });
    const device = known ?? (await store.addDevice({ deviceId: advert.deviceId, driveKey: advert.driveKey }));
    if (known !== undefined) store.downloadAll(device);
  }
}
