import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import Corestore from 'corestore';
import Hyperdrive from 'hyperdrive';
import crypto from 'hypercore-crypto';
import { CairnError, Emitter, ErrorCodes, errorMessage, type DocumentChange, type Logger } from '@cairn/sdk';
import type { LocatedVersion, StoredVersion } from '../../common/documents.js';
import { parseVersionId, versionIdOf } from '../../common/documents.js';
import { coalesced, type Coalesced } from '../../common/coalesced.js';
import { mayWrite, Roster } from '../../common/roster.js';
import { decodeBlock, encodeBlock, LOCKED, packBlocks } from './document-blocks.js';
import { sealedBlockKey } from './epoch-keys.js';
import { projectKeys, type ProjectKeys } from './keys.js';
import { Keyring } from './keyring.js';
import { readDevicesFile, writeDevicesFile, type DeviceRecord } from './project-files.js';
import { ProjectIndex, type Admission, type IndexedCore, type LogStretch } from './project-index.js';
import type { DeviceCores, ReplicaStore } from './replica-store.js';
import type { DeviceSigner } from './device-proof.js';

/** Blocks indexed per SQLite transaction. */
const INDEX_BATCH = 64;

/**
 * The storage of one project on one device: one Corestore; this device's document log and
 * Hyperdrive, which only it writes; the other devices' cores as learned through sync, all
 * encrypted with the key derived from the project key; and the index kept up to date from
 * every document log's new blocks.
 */
export class ProjectStore implements ReplicaStore {
  readonly keys: ProjectKeys;
  readonly index: ProjectIndex;
  private readonly devices = new Map<string, DeviceCores>();
  /** Devices being added: each is opened once, whoever asks meanwhile. */
  private readonly adding = new Map<string, Promise<DeviceCores>>();
  /** Writes of devices.json, one after another: each writes every device known when it runs. */
  private devicesFileWrite: Promise<void> = Promise.resolve();
  private ownDevice: DeviceCores | null = null;
  private writing: Promise<unknown> = Promise.resolve();
  private readonly catchUps = new Map<string, Coalesced>();
  private readonly onDidChangeEmitter = new Emitter<DocumentChange>();
  /** Fires for every document that changed, after it is indexed. */
  readonly onDidChange = this.onDidChangeEmitter.event;
  private readonly onDidAddDeviceEmitter = new Emitter<DeviceCores>();
  readonly onDidAddDevice = this.onDidAddDeviceEmitter.event;
  private readonly onDidChangeRosterEmitter = new Emitter<Roster>();
  /** The roster changed: a record arrived or was written that counts. */
  readonly onDidChangeRoster = this.onDidChangeRosterEmitter.event;
  /** Who may write what, from the membership records indexed so far. */
  private currentRoster: Roster = Roster.build([], null);
  private rosterSeen = -1;
  private rosterRefresh: Promise<void> = Promise.resolve();
  /** Records were read that the roster does not reflect yet, or the index is being rebuilt for them. */
  private rosterRefreshing = false;
  /** Rebuilds queued because a key arrived for blocks passed over. */
  private keysOpening = 0;
  /** The epoch keys this device holds: created with the own cores. */
  private keys_: Keyring | null = null;
  private closed = false;

  private constructor(
    private readonly dataDir: string,
    private readonly corestore: Corestore,
    projectKey: Buffer,
    private readonly log: Logger,
  ) {
    this.keys = projectKeys(projectKey);
    this.index = new ProjectIndex(join(dataDir, 'index.db'));
  }

  /** Opens (creating when new) the store of the project `projectKey` in `dataDir`. */
  static async open(dataDir: string, projectKey: Buffer, log: Logger): Promise<ProjectStore> {
    await mkdir(dataDir, { recursive: true });
    const corestore = new Corestore(join(dataDir, 'corestore'));
    try {
      await corestore.ready();
    } catch (error) {
      throw storeOpenError(dataDir, error);
    }
    let store: ProjectStore | null = null;
    try {
      store = new ProjectStore(dataDir, corestore, projectKey, log);
      await store.openOwnCores();
      for (const record of await readDevicesFile(dataDir)) {
        if (record.deviceId !== store.deviceId) await store.openDevice(record, false);
      }
      await store.refreshRoster();
      await store.refreshKeys();
      // Blocks written or received before a crash may not be indexed yet.
      await Promise.all([...store.devices.keys()].map((deviceId) => store!.catchUp(deviceId)));
      return store;
    } catch (error) {
      if (store !== null) await store.close();
      else await corestore.close();
      throw error;
    }
  }

  get deviceId(): string {
    return this.own.record.deviceId;
  }

  get own(): DeviceCores {
    if (this.ownDevice === null) throw new Error('the store is not open');
    return this.ownDevice;
  }

  /** Every device whose cores are open here, this one first. */
  allDevices(): DeviceCores[] {
    return [...this.devices.values()].sort((a, b) => Number(b.own) - Number(a.own));
  }

  device(deviceId: string): DeviceCores | undefined {
    return this.devices.get(deviceId);
  }

  get signer(): DeviceSigner {
    const { publicKey, secretKey } = this.own.docs.keyPair;
    if (secretKey === null) throw new Error("this device's document log has no secret key");
    return { publicKey, sign: (message) => crypto.sign(message, secretKey) };
  }

  /** The epoch keys this device holds (epoch-keys.ts). */
  get keyring(): Keyring {
    if (this.keys_ === null) throw new Error('the store is not open');
    return this.keys_;
  }

  /** Who is a member, with what role, and what of each device's log counts (roster.ts). */
  get roster(): Roster {
    return this.currentRoster;
  }

  /** The Corestore, for replication. */
  get cores(): Corestore {
    return this.corestore;
  }

  counts(deviceId: string): IndexedCore {
    return this.index.indexed(deviceId);
  }

  observationsIn(stretches: readonly LogStretch[]): Promise<number> {
    return Promise.resolve(this.index.observationsIn(stretches));
  }

  /** Held and indexed (the index catches up when it lags behind what arrived). */
  holds(deviceId: string, length: number): boolean {
    const device = this.devices.get(deviceId);
    if (device === undefined) return false;
    if (device.own) return true;
    void this.catchUpLogged(deviceId);
    // What arrived counts once the roster it brought is applied (a removal may drop some of it).
    if (this.rosterChanging) return false;
    return device.docs.contiguousLength >= length && this.index.indexed(deviceId).blocks >= length;
  }

  /**
   * Appends the versions `build` returns to this device's document log and indexes them before
   * resolving. Writes run one at a time, so `build` sees the heads as they are.
   */
  write(build: () => StoredVersion[] | Promise<StoredVersion[]>): Promise<LocatedVersion[]> {
    const run = this.writing.then(async () => {
      if (this.closed) throw new CairnError(ErrorCodes.INTERNAL, 'The project store is closed.');
      const versions = await build();
      if (versions.length === 0) return [];
      const docs = this.own.docs;
      this.checkMayWrite(versions, docs.length);
      const blocks = packBlocks(versions);
      const first = docs.length;
      // Membership records and epoch keys stay outside the epochs' seal: every member reads them
      // to know who it may sync with, and which keys it holds.
      const seal = versions.some((version) => version.type === 'member' || version.type === 'epochKey') ? null : this.keyring.current;
      await docs.append(blocks.map((entries) => encodeBlock(entries, seal)));
      await this.catchUp(this.deviceId);
      const located: LocatedVersion[] = [];
      blocks.forEach((entries, offset) =>
        entries.forEach((version, entry) => located.push({ ...version, versionId: versionIdOf(this.deviceId, first + offset, entry) })),
      );
      return located;
    });
    this.writing = run.catch(() => undefined);
    return run;
  }

  /** Refuses what the roster would not accept from this device: it would be ignored everywhere. */
  private checkMayWrite(versions: readonly StoredVersion[], block: number): void {
    const role = this.roster.roleAt(this.deviceId, block);
    if (role === null) {
      const status = this.roster.status(this.deviceId);
      throw status === 'asking'
        ? new CairnError(ErrorCodes.NOT_PERMITTED, 'This device is not a member of the project yet: a coordinator must admit it (`cairn members admit DEVICE_ID` on their device; `cairn project` shows this device\'s id).')
        : new CairnError(ErrorCodes.REMOVED, `This device ${status === 'left' ? 'has left' : 'was removed from'} the project: it can no longer write to it.`);
    }
    const refused = versions.find((version) => !mayWrite(role, version.type, this.deviceId, version.docId) && !this.maySelfRecord(version));
    if (refused !== undefined) {
      throw new CairnError(
        ErrorCodes.NOT_PERMITTED,
        `Only coordinators can change the project's categories, fields, settings and members; this device is a participant. Ask a coordinator (\`cairn members\` lists them).`,
      );
    }
  }

  /** A device may always write that it leaves (roster.ts judges the rest of a membership record). */
  private maySelfRecord(version: StoredVersion): boolean {
    return version.type === 'member' && version.docId === this.deviceId && (version.value as { status?: string } | null)?.status === 'left';
  }

  /** Reads one version straight from the log that holds it. */
  async readVersion(versionId: string): Promise<LocatedVersion | null> {
    const location = parseVersionId(versionId);
    if (location === null) return null;
    const device = this.devices.get(location.coreKey);
    if (device === undefined || location.block >= device.docs.contiguousLength) return null;
    const block = decodeBlock(await device.docs.get(location.block, { wait: false }), this.keyOf);
    const version = block === LOCKED ? undefined : block?.[location.entry];
    return version ? { ...version, versionId } : null;
  }

  /**
   * Opens another device's cores (learned through sync) and remembers it, so that it is synced
   * onwards to other devices: that is what makes sync transitive.
   */
  addDevice(record: DeviceRecord): Promise<DeviceCores> {
    const existing = this.devices.get(record.deviceId);
    if (existing !== undefined) return Promise.resolve(existing);
    return addOnce(this.adding, record.deviceId, async () => {
      const device = await this.openDevice(record, true);
      // Devices learned at once (two sessions, each bringing one) must not overwrite each other:
      // a list taken before another device opened, renamed into place after, would lose it.
      const written = this.devicesFileWrite.then(() =>
        writeDevicesFile(this.dataDir, this.allDevices().filter((candidate) => !candidate.own).map((candidate) => candidate.record)),
      );
      this.devicesFileWrite = written.catch(() => undefined);
      await written;
      this.onDidAddDeviceEmitter.fire(device);
      return device;
    });
  }

  /** Indexes the blocks of a device's log that are not indexed yet. Runs once at a time per log. */
  catchUp(deviceId: string): Promise<void> {
    let catchingUp = this.catchUps.get(deviceId);
    if (catchingUp === undefined) {
      catchingUp = coalesced(() => this.indexNewBlocks(deviceId), () => this.closed);
      this.catchUps.set(deviceId, catchingUp);
    }
    return catchingUp.run();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.writing;
    await Promise.all([...this.catchUps.values()].map((catchingUp) => catchingUp.settled()));
    await this.rosterRefresh;
    for (const device of this.devices.values()) await device.drive.close().catch(() => undefined);
    await this.corestore.close();
    this.index.close();
    this.onDidChangeEmitter.dispose();
    this.onDidAddDeviceEmitter.dispose();
    this.onDidChangeRosterEmitter.dispose();
  }

  private async openOwnCores(): Promise<void> {
    const encryption = { key: this.keys.encryptionKey };
    const docs = this.corestore.get({ name: 'cairn/documents', encryption });
    await docs.ready();
    const drive = new Hyperdrive(this.corestore.namespace('cairn/attachments'), null, { encryptionKey: this.keys.encryptionKey });
    await drive.ready();
    const record = { deviceId: docs.key.toString('hex'), driveKey: drive.key.toString('hex') };
    this.ownDevice = { record, docs, drive, own: true };
    this.keys_ = new Keyring(record.deviceId, () => {
      const { publicKey, secretKey } = docs.keyPair;
      return { publicKey, secretKey: secretKey! };
    });
    this.devices.set(record.deviceId, this.ownDevice);
    this.watch(this.ownDevice);
  }

  private async openDevice(record: DeviceRecord, download: boolean): Promise<DeviceCores> {
    const device = await openDeviceCores(this.corestore, record, this.keys, this.log);
    this.devices.set(record.deviceId, device);
    this.watch(device);
    if (download) this.downloadAll(device);
    return device;
  }

  /** Every device's data is wanted in full: sync moves ALL data of the project. */
  downloadAll(device: DeviceCores): void {
    if (!device.own) downloadDevice(device);
  }

  private watch(device: DeviceCores): void {
    // Deferred: a core may emit 'download' before its contiguous length counts the block.
    const again = () => setImmediate(() => void this.catchUpLogged(device.record.deviceId));
    device.docs.on('append', again);
    device.docs.on('download', again);
  }

  /** Catches up unless it is done already; errors are logged, never thrown. */
  async catchUpLogged(deviceId: string): Promise<void> {
    const device = this.devices.get(deviceId);
    if (device === undefined || this.closed || this.index.indexed(deviceId).blocks >= device.docs.contiguousLength) return;
    await this.catchUp(deviceId).catch((error: unknown) => {
      if (!this.closed) this.log.error(`Indexing device ${deviceId.slice(0, 8)} failed: ${errorMessage(error)}`);
    });
  }

  private async indexNewBlocks(deviceId: string): Promise<void> {
    const device = this.devices.get(deviceId);
    if (device === undefined) return;
    const origin = device.own ? 'local' : 'sync';
    for (;;) {
      if (this.closed) return;
      const from = this.index.indexed(deviceId).blocks;
      const to = Math.min(device.docs.contiguousLength, from + INDEX_BATCH);
      if (from >= to) return;
      const blocks: Array<Array<StoredVersion | null>> = [];
      for (let block = from; block < to; block += 1) {
        const buffer = await device.docs.get(block, { wait: false });
        // Counted as held but not readable yet: stop here, and come back on the next event.
        if (buffer === null) break;
        blocks.push(this.readBlock(deviceId, block, buffer));
      }
      if (this.closed || blocks.length === 0) return;
      const changes = this.index.applyBlocks(deviceId, from, blocks, this.admission(deviceId));
      for (const change of changes) this.onDidChangeEmitter.fire({ ...change, origin });
      if (this.index.rosterGeneration !== this.rosterSeen) await this.refreshRoster();
      if (changes.some((change) => change.type === 'epochKey')) await this.refreshKeys();
    }
  }

  private readonly keyOf = (keyId: string): Buffer | undefined => this.keys_?.key(keyId);

  /** A sealed block this device will not read: nothing in it counts, or this device is no longer a member. */
  private neverOpens(deviceId: string, block: number): boolean {
    const self = this.currentRoster.status(this.deviceId);
    return self === 'removed' || self === 'left' || this.currentRoster.roleAt(deviceId, block) === null;
  }
  /**
   * The versions of a block, as far as this device can read them. A block sealed with a key it
   * does not hold is passed over, not waited for (the key may be further on in this very log, for
   * a device admitted after the data was written, or never come): it is noted, and the index is
   * built again once the key arrives. Nothing is noted when nothing in it could count.
   */
  private readBlock(deviceId: string, block: number, buffer: Buffer): Array<StoredVersion | null> {
    const decoded = decodeBlock(buffer, this.keyOf);
    if (decoded === LOCKED) {
      if (!this.neverOpens(deviceId, block)) this.index.noteSealed(deviceId, block, sealedBlockKey(buffer)!);
      return [];
    }
    if (decoded === null) this.log.warn(`Block ${block} of device ${deviceId.slice(0, 8)} is not a document block; skipped.`);
    return decoded ?? [];
  }

  /** Opens the epoch keys sealed to this device; blocks passed over for want of one are read again. */
  refreshKeys(): Promise<void> {
    this.keyring.update(this.index.list('epochKey'));
    const opened = this.index.sealedKeys().some((keyId) => this.keyring.key(keyId) !== undefined);
    if (!opened) return Promise.resolve();
    // Said at once, before the rebuild is queued: a sync must not count what it brought as held meanwhile.
    this.keysOpening += 1;
    return this.serially(() => this.reindex()).finally(() => (this.keysOpening -= 1));
  }

  /** What of a device's log the index takes, by the roster as it stands. */
  private admission(deviceId: string): Admission {
    return (block, version) => mayWrite(this.currentRoster.roleAt(deviceId, block), version.type, deviceId, version.docId);
  }

  private get rosterChanging(): boolean {
    return this.rosterRefreshing || this.keysOpening > 0 || this.rosterSeen !== this.index.rosterGeneration;
  }

  /**
   * Builds the roster again from the records indexed so far. When it judges blocks that are
   * indexed already differently (a removal reached this device after what the removed device
   * wrote later; a role change after the writes it governs), the index is rebuilt from the cores.
   */
  refreshRoster(): Promise<void> {
    return this.serially(() => this.applyRosterChanges());
  }

  /** Roster changes and the index rebuilds they bring run one at a time; a sync waits meanwhile (`holds`). */
  private serially(work: () => Promise<void>): Promise<void> {
    const run = this.rosterRefresh.then(async () => {
      this.rosterRefreshing = true;
      try {
        await work();
      } finally {
        this.rosterRefreshing = false;
      }
    });
    this.rosterRefresh = run.catch(() => undefined);
    return run;
  }

  private async applyRosterChanges(): Promise<void> {
    while (!this.closed && this.rosterSeen !== this.index.rosterGeneration) {
      this.rosterSeen = this.index.rosterGeneration;
      const previous = this.currentRoster;
      const next = Roster.build(this.index.memberRecords(), this.index.creator());
      this.currentRoster = next;
      if (!next.sameAs(previous)) this.onDidChangeRosterEmitter.fire(next);
      // A device that counted itself out passed sealed blocks over (neverOpens): if that changed, they are read again.
      const gone = (roster: Roster) => ['removed', 'left'].includes(roster.status(this.deviceId));
      const stale =
        gone(previous) !== gone(next) ||
        [...this.devices.keys()].some((deviceId) => next.firstDifference(previous, deviceId, this.index.indexed(deviceId).blocks) !== null);
      if (stale) await this.reindex();
    }
  }

  /** Indexes every log again from the start, under the roster as it now stands. */
  private async reindex(): Promise<void> {
    const logs = [];
    for (const device of this.devices.values()) {
      const deviceId = device.record.deviceId;
      const blocks: Buffer[] = [];
      for (let block = 0; block < device.docs.contiguousLength; block += 1) {
        const buffer = await device.docs.get(block, { wait: false });
        if (buffer === null) break;
        blocks.push(buffer);
      }
      logs.push({ coreKey: deviceId, blocks: () => blocks.map((buffer, block) => this.readBlock(deviceId, block, buffer)), admits: this.admission(deviceId) });
    }
    if (this.closed) return;
    this.log.info('The project\'s members or keys changed what counts of data indexed already: the index was rebuilt.');
    // A rebuild may admit a key's document (its writer counted as coordinator only now), which
    // opens blocks passed over in the same rebuild: then once more, until no key is gained.
    for (;;) {
      for (const change of this.index.rebuild(logs)) this.onDidChangeEmitter.fire({ ...change, origin: 'sync' });
      this.keyring.update(this.index.list('epochKey'));
      if (!this.index.sealedKeys().some((keyId) => this.keyring.key(keyId) !== undefined)) break;
    }
    for (const deviceId of this.devices.keys()) void this.catchUpLogged(deviceId);
  }
}

/** Opens another device's document log and drive (both encrypted with the project's key). */
export async function openDeviceCores(corestore: Corestore, record: DeviceRecord, keys: ProjectKeys, log: Logger): Promise<DeviceCores> {
  const docs = corestore.get({ key: Buffer.from(record.deviceId, 'hex'), encryption: { key: keys.encryptionKey } });
  await docs.ready();
  const drive = new Hyperdrive(corestore, Buffer.from(record.driveKey, 'hex'), { encryptionKey: keys.encryptionKey });
  // What is on disk must be counted before this device is advertised to a peer: a drive whose
  // length still reads 0 would let the peer finish before its attachments came.
  await drive.core.ready();
  const opened = drive.ready().catch((error: unknown) => log.warn(`Attachments of device ${record.deviceId.slice(0, 8)}: ${errorMessage(error)}`));
  // The blobs core is named in the drive's header, which may not have arrived yet: wait for it
  // only when the header is here.
  if (drive.core.contiguousLength > 0) await opened;
  return { record, docs, drive, own: false };
}

/**
 * Runs `add` for a device unless it already runs, and gives every caller meanwhile the same
 * promise. Two sessions can learn of one new device at once (from the device itself and from a
 * third that synced with it); two openings of its drive would race each other.
 */
export function addOnce(adding: Map<string, Promise<DeviceCores>>, deviceId: string, add: () => Promise<DeviceCores>): Promise<DeviceCores> {
  let running = adding.get(deviceId);
  if (running === undefined) {
    running = add().finally(() => adding.delete(deviceId));
    adding.set(deviceId, running);
  }
  return running;
}

/** Fetches every block of a device's cores, as they grow. */
export function downloadDevice(device: DeviceCores): void {
  device.docs.download({ start: 0, end: -1 });
  device.drive.core.download({ start: 0, end: -1 });
  void device.drive
    .getBlobs()
    .then((blobs) => blobs?.core.download({ start: 0, end: -1 }))
    .catch(() => undefined);
}

function storeOpenError(dataDir: string, error: unknown): CairnError {
  const message = errorMessage(error);
  if (/lock/i.test(message)) {
    return new CairnError(
      ErrorCodes.BUSY,
      `The data dir ${dataDir} is in use by another Cairn process (another \`cairn\` command still running, say). Wait for it to end, or stop it, and run the command again.`,
      { cause: error },
    );
  }
  return new CairnError(ErrorCodes.IO, `Could not open the project store in ${dataDir}: ${message}`, { cause: error });
}
