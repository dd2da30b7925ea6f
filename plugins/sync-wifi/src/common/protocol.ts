import type { InviteResult, InvocationContext, PeerSyncLine, ProjectInfo, SyncCounts, SyncProgress } from '@cairn/sdk/common';

/** A device of the project seen on the local network. */
export interface WifiDevice {
  /** The device's id once it has proven it is a member; until then its network key. */
  id: string;
  deviceName: string;
  /** `desktop`, `mobile`… as the device says. */
  deviceType: string;
  address: string;
  status: 'connected' | 'syncing' | 'disconnected' | 'incompatible';
  /** ISO time of the last completed sync with it (remembered across runs). */
  lastSynced: string | null;
  progress: SyncProgress | null;
  /** What the last completed sync moved. */
  result: { sent: SyncCounts; received: SyncCounts } | null;
  /** Why the last sync failed, or why the device cannot sync (who must upgrade). */
  error: { code: string; message: string } | null;
}

export interface WifiState {
  /** Discovery runs (the user is syncing). */
  discovering: boolean;
  deviceName: string | null;
  /** Where this device can be reached (`HOST:PORT`), while discovering. */
  address: string | null;
  /** Where this device answers invite codes (`HOST:PORT`): a coordinator's, while discovering. */
  codeDesk: string | null;
  devices: WifiDevice[];
}

/** A completed (or failed) sync with one device, as `cairn sync wifi` prints it. */
export type WifiPeerResult = PeerSyncLine;

/** The plugin's host service, as its workbench side calls it. */
export interface SyncWifiService {
  state(): WifiState;
  /** Starts (true) or stops (false) discovery. */
  setDiscovering(on: boolean): Promise<WifiState>;
  /** Reaches the device at `HOST:PORT` (starting discovery when it is off). */
  connect(address: string): Promise<WifiState>;
  /** Syncs with one device (by id), or with every connected one; resolves when they are done. */
  sync(deviceId: string | null, invocation: InvocationContext): Promise<WifiPeerResult[]>;
  renameDevice(name: string): Promise<ProjectInfo>;
  /**
   * Invites a device waiting to join (`cairn invite`): the one of that name found on the network,
   * or the one at `connect`, or the first found.
   */
  invite(request: InviteRequest): Promise<InviteResult>;
}

export interface InviteRequest {
  device?: string;
  connect?: string;
  role: string;
}

export const SYNC_WIFI_SERVICE = 'sync-wifi';
/** The service's event carrying a new {@link WifiState}. */
export const STATE_EVENT = 'state';
