import type Corestore from 'corestore';
import type Hypercore from 'hypercore';
import type Hyperdrive from 'hyperdrive';
import type { ProjectKeys } from './keys.js';
import type { DeviceRecord } from './project-files.js';
import type { IndexedCore, LogStretch } from './project-index.js';
import type { DeviceSigner } from './device-proof.js';
import type { CoreAdvert } from './sync-protocol.js';

// What a sync session and the stores it runs for (a device's project store, a relay) share: the
// session reads a store through `ReplicaStore`, and the stores implement it.

/** A device's cores, as opened here. */
export interface DeviceCores {
  record: DeviceRecord;
  docs: Hypercore;
  drive: Hyperdrive;
  own: boolean;
}

/**
 * What a session needs of the side it runs for: a device's project store, or a relay (a sync
 * file's store, which holds other devices' cores and writes none of its own).
 */
export interface ReplicaStore {
  readonly keys: ProjectKeys;
  readonly cores: Corestore;
  /** The id this side gives in the handshake. */
  readonly deviceId: string;
  /** The key `deviceId` derives from: on each connection, this side proves with it that it is who it says. */
  readonly signer: DeviceSigner;
  /** Every device whose cores this side holds, its own first. */
  allDevices(): DeviceCores[];
  device(deviceId: string): DeviceCores | undefined;
  addDevice(record: DeviceRecord): Promise<DeviceCores>;
  /** Fetches all of a device's cores from whoever has them. */
  downloadAll(device: DeviceCores): void;
  /** What this side knows of a device's document log: blocks processed, and the versions in them. */
  counts(deviceId: string): IndexedCore;
  /** How many distinct observations have versions in these stretches of processed blocks. */
  observationsIn(stretches: readonly LogStretch[]): Promise<number>;
  /** Whether a device's document log is here, and processed, up to `length` blocks. */
  holds(deviceId: string, length: number): boolean;
  /** The peer advertised these cores and this side now holds them (a relay records the counts). */
  received?(adverts: readonly CoreAdvert[]): void;
}
