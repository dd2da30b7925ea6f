import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import Corestore from 'corestore';
import crypto from 'hypercore-crypto';
import { CairnError, ErrorCodes, errorMessage, type Logger } from '@cairn/sdk';
import { readJsonFile, writeFileAtomic } from '../fs-util.js';
import type { ProjectKeys } from './keys.js';
import type { DeviceRecord } from './project-files.js';
import type { IndexedCore, LogStretch } from './project-index.js';
import { decodeBlock, LOCKED } from './document-blocks.js';
import { addOnce, downloadDevice, openDeviceCores } from './project-store.js';
import type { DeviceCores, ReplicaStore } from './replica-store.js';
import { deviceIdOf, type DeviceSigner } from './device-proof.js';
import type { CoreAdvert } from './sync-protocol.js';

interface LedgerEntry extends DeviceRecord, IndexedCore {}

/** `relay.json`: the devices a relay holds, and how many versions their logs hold so far. */
interface Ledger {
  version: 1;
  devices: LedgerEntry[];
}


/** An index that may hold what a relay received: that of the device that runs the relay. */
export type ObservationCounter = Pick<ReplicaStore, 'counts' | 'observationsIn'>;

/**
 * A relay: a store that holds every device's cores without being a device — what a sync file
 * holds. It speaks the same replication protocol as a device (it proves the project key, which
 * the device running it knows), so a sync with a file is a sync with a peer. It keeps no index;
 * the counts of versions it passes on are those the devices it synced with advertised.
 */
export class RelayStore implements ReplicaStore {
  /**
   * A relay is no device and writes nothing of its own: it proves itself with a key pair made for
   * this opening, which the device running it knows (a peer cannot pass for its sync file).
   */
  private readonly keyPair = crypto.keyPair();
  readonly deviceId = deviceIdOf(this.keyPair.publicKey);
  readonly signer: DeviceSigner = { publicKey: this.keyPair.publicKey, sign: (message) => crypto.sign(message, this.keyPair.secretKey) };
  private readonly devices = new Map<string, DeviceCores>();
  private readonly adding = new Map<string, Promise<DeviceCores>>();
  private readonly ledger = new Map<string, LedgerEntry>();
  /** Lengths of every core when opened, to tell whether the relay gained anything. */
  private readonly openedWith = new Map<string, string>();
  private closed = false;

  private constructor(
    private readonly dir: string,
    readonly keys: ProjectKeys,
    private readonly corestore: Corestore,
    private readonly log: Logger,
    private readonly counter: () => Promise<ObservationCounter | null>,
  ) {}

  /**
   * `counter` gives the index of the device running the relay, if it is open: what the relay
   * received is counted there when that index holds it, as it does when the relay syncs with
   * that very device (a sync file's case), instead of reading every block again.
   */
  static async open(dir: string, keys: ProjectKeys, log: Logger, counter: () => Promise<ObservationCounter | null> = () => Promise.resolve(null)): Promise<RelayStore> {
    await mkdir(dir, { recursive: true });
    // A relay's folder is carried between machines (extracted from a sync file anywhere): the
    // device-file guard against copied stores does not apply to it.
    const corestore = new Corestore(join(dir, 'corestore'), { allowBackup: true });
    try {
      await corestore.ready();
    } catch (error) {
      await corestore.close().catch(() => undefined);
      throw new CairnError(ErrorCodes.CORRUPT_SYNC_FILE, `The sync file's store could not be opened: ${errorMessage(error)}`, { cause: error });
    }
    const relay = new RelayStore(dir, keys, corestore, log, counter);
    try {
      const stored = (await readJsonFile(join(dir, 'relay.json'))) as Partial<Ledger> | undefined;
      for (const entry of stored?.devices ?? []) {
        relay.ledger.set(entry.deviceId, entry);
        const device = await openDeviceCores(corestore, entry, keys, log);
        relay.devices.set(entry.deviceId, device);
        relay.openedWith.set(entry.deviceId, lengthsOf(device));
      }
    } catch (error) {
      await relay.close();
      throw error instanceof CairnError
        ? error
        : new CairnError(ErrorCodes.CORRUPT_SYNC_FILE, `The sync file's list of devices is damaged: ${errorMessage(error)}`, { cause: error });
    }
    return relay;
  }

  get cores(): Corestore {
    return this.corestore;
  }


  allDevices(): DeviceCores[] {
    return [...this.devices.values()];
  }

  device(deviceId: string): DeviceCores | undefined {
    return this.devices.get(deviceId);
  }

  addDevice(record: DeviceRecord): Promise<DeviceCores> {
    const existing = this.devices.get(record.deviceId);
    if (existing !== undefined) return Promise.resolve(existing);
    return addOnce(this.adding, record.deviceId, async () => {
      const device = await openDeviceCores(this.corestore, record, this.keys, this.log);
      this.devices.set(record.deviceId, device);
      downloadDevice(device);
      return device;
    });
  }

  downloadAll(device: DeviceCores): void {
    downloadDevice(device);
  }

  counts(deviceId: string): IndexedCore {
    const entry = this.ledger.get(deviceId);
    return entry ? { blocks: entry.blocks, entries: entry.entries, observations: entry.observations } : { blocks: 0, entries: 0, observations: 0 };
  }

  async observationsIn(stretches: readonly LogStretch[]): Promise<number> {
    const counter = await this.counter();
    if (counter !== null && stretches.every((stretch) => counter.counts(stretch.deviceId).blocks >= stretch.to)) {
      return counter.observationsIn(stretches);
    }
    // Keeping no index, the relay reads the blocks.
    const observations = new Set<string>();
    for (const { deviceId, from, to } of stretches) {
      const docs = this.devices.get(deviceId)?.docs;
      for (let block = from; docs !== undefined && block < to; block += 1) {
        const versions = decodeBlock(await docs.get(block, { wait: false }));
        // A relay holds no epoch keys: what is sealed with one it passes on without counting.
        for (const version of versions === LOCKED ? [] : (versions ?? [])) {
          if (version?.type === 'observation') observations.add(version.docId);
        }
      }
    }
    return observations.size;
  }

  holds(deviceId: string, length: number): boolean {
    const device = this.devices.get(deviceId);
    return device !== undefined && device.docs.contiguousLength >= length;
  }

  /** Records the counts the peer advertised for what this relay now holds. */
  received(adverts: readonly CoreAdvert[]): void {
    for (const advert of adverts) {
      const known = this.ledger.get(advert.deviceId);
      if (known !== undefined && known.blocks >= advert.docsLength) continue;
      this.ledger.set(advert.deviceId, {
        deviceId: advert.deviceId,
        driveKey: advert.driveKey,
        blocks: advert.docsLength,
        entries: advert.entries,
        observations: advert.observations,
      });
    }
  }

  /** Saves the ledger and closes the store; its folder then holds everything to carry. */
  async close(): Promise<{ changed: boolean }> {
    if (this.closed) return { changed: false };
    this.closed = true;
    let changed = false;
    for (const device of this.devices.values()) {
      if (lengthsOf(device) !== this.openedWith.get(device.record.deviceId)) changed = true;
    }
    // Flushed to immutable table files, the next sync can carry only the new ones (RocksDB would
    // otherwise keep recent data in its write-ahead log, which is rewritten every time). Before
    // the drives close: closing one closes the store it was opened on.
    await (this.corestore as unknown as { storage?: { db?: { flush?(): Promise<void> } } }).storage?.db?.flush?.();
    for (const device of this.devices.values()) await device.drive.close().catch(() => undefined);
    await this.corestore.close();
    const devices = [...this.devices.values()].map(({ record }) => ({
      ...record,
      ...this.counts(record.deviceId),
    }));
    await writeFileAtomic(join(this.dir, 'relay.json'), `${JSON.stringify({ version: 1, devices } satisfies Ledger, null, 2)}\n`);
    return { changed };
  }
}

/**
 * A device's core lengths, as one comparable string. Never waits: a device whose drive is still
 * empty has no blobs core to wait for.
 */
function lengthsOf(device: DeviceCores): string {
  return `${device.docs.contiguousLength}/${device.drive.core.contiguousLength}/${device.drive.blobs?.core.contiguousLength ?? 0}`;
}
