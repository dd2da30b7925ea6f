// Syncing the CoMapeo project with the members in reach, and knowing when it is done: CoMapeo's
// `waitForSync` resolves at once with no peers and before data a peer has not yet announced, so
// the state is watched instead, peer by peer.
import { setTimeout as sleep } from 'node:timers/promises';
import type { MapeoManager } from '@comapeo/core';
import type { ComapeoPeer } from '../../common/protocol.js';

type Project = Awaited<ReturnType<MapeoManager['getProject']>>;

const POLL_MS = 150;
/** Polls in a row that must find the peers done: a lull between two announcements is not the end. */
const STEADY_POLLS = 3;

interface NamespaceState {
  isSyncEnabled: boolean;
  want: number;
  wanted: number;
}

/**
 * Starts syncing data (CoMapeo syncs only the project's membership and categories until then) and
 * waits until `waitPeers` members in reach (or the one device asked for) have nothing left to
 * send or to fetch.
 */
export async function syncWith(
  manager: MapeoManager,
  project: Project,
  { waitPeers, timeoutMs, deviceId }: { waitPeers: number; timeoutMs: number; deviceId: string | null },
): Promise<{ peers: ComapeoPeer[]; timedOut: boolean }> {
  project.$sync.start();
  const deadline = Date.now() + timeoutMs;
  let steady = 0;
  for (;;) {
    const peers = await syncedPeers(manager, project);
    // One device asked for: done once it is (the others sync all the same: CoMapeo syncs with every member in reach).
    const done = deviceId === null ? peers.length >= waitPeers : peers.some((peer) => peer.deviceId === deviceId);
    steady = done ? steady + 1 : 0;
    if (steady >= STEADY_POLLS) return { peers, timedOut: false };
    if (Date.now() >= deadline) return { peers, timedOut: true };
    await sleep(POLL_MS);
  }
}

/** The connected members that hold all this device holds, and whose data this device holds. */
async function syncedPeers(manager: MapeoManager, project: Project): Promise<ComapeoPeer[]> {
  const connected = new Map((await manager.listLocalPeers()).filter((peer) => peer.status === 'connected').map((peer) => [peer.deviceId, peer]));
  const { remoteDeviceSyncState } = project.$sync.getState() as unknown as { remoteDeviceSyncState: Record<string, { initial: NamespaceState; data: NamespaceState }> };
  const done = (state: NamespaceState) => state.isSyncEnabled && state.want === 0 && state.wanted === 0;
  const peers: ComapeoPeer[] = [];
  for (const [deviceId, state] of Object.entries(remoteDeviceSyncState)) {
    const peer = connected.get(deviceId) as { name?: string; deviceType?: string } | undefined;
    if (peer === undefined || !done(state.initial) || !done(state.data)) continue;
    peers.push({ deviceId, deviceName: peer.name ?? null, deviceType: peer.deviceType ?? null });
  }
  return peers;
}
