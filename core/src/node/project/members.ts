import { join } from 'node:path';
import { CairnError, ErrorCodes, memberRoles, type DeviceInfo, type Member, type MemberRole } from '@cairn/sdk';
import type { StoredVersion } from '../../common/documents.js';
import type { MemberValue } from '../../common/roster.js';
import { readJsonFile, writeFileAtomic } from '../fs-util.js';
import { newId } from './document-writer.js';
import { newEpochKey, sealTo } from './epoch-keys.js';
import { deviceIdOf } from './device-proof.js';
import type { ProjectStore } from './project-store.js';
import type { SettingsAndDevices } from './settings-and-devices.js';

/** A device that tried to sync with this one without being a member: listed to coordinators as asking. */
export interface AskingDevice {
  deviceId: string;
  deviceName: string;
  deviceType: string;
  /** Hex: the key its id derives from (proven in the handshake), to seal the project's epoch keys to it once admitted. */
  signer: string;
  askedAt: string;
}

/** `<dataDir>/asking.json`: the devices this one turned away as not admitted (yet). */
interface AskingFile {
  version: 1;
  devices: AskingDevice[];
}

/**
 * The project's members as users manage them: the list, and the records coordinators write to
 * admit a device, change a role or remove one, and any member to leave. What the records mean,
 * and which of them count, is the roster's (roster.ts); this class checks what a user asks before
 * anything is written, so that a refused action changes nothing.
 */
export class Members {
  private asking: AskingDevice[] | null = null;
  private infos: { generation: number; byId: Map<string, DeviceInfo> } | null = null;
  private records: { generation: number; bySubject: Map<string, string[]> } | null = null;

  constructor(
    private readonly store: ProjectStore,
    private readonly devices: SettingsAndDevices,
    private readonly dataDir: string,
  ) {}

  /** Every device the project knows of, with its role and status (this device first). */
  async list(): Promise<Member[]> {
    const roster = this.store.roster;
    const self = this.store.deviceId;
    const infos = this.deviceInfos();
    const asking = new Map((await this.askingDevices()).map((device) => [device.deviceId, device]));
    const ids = new Set<string>([self, ...infos.keys(), ...roster.entries().map((entry) => entry.deviceId)]);
    for (const deviceId of asking.keys()) if (roster.status(deviceId) === 'asking') ids.add(deviceId);
    return [...ids].map((deviceId): Member => {
      const entry = roster.entry(deviceId);
      const info = infos.get(deviceId);
      const asker = asking.get(deviceId);
      return {
        deviceId,
        deviceName: info?.name !== undefined && info.name !== 'Unknown device' ? info.name : (entry?.deviceName ?? asker?.deviceName ?? 'Unknown device'),
        deviceType: info?.deviceType ?? entry?.deviceType ?? asker?.deviceType ?? 'desktop',
        role: roster.role(deviceId),
        status: roster.status(deviceId),
        addedBy: entry?.addedBy ?? null,
        addedAt: entry?.addedAt ?? null,
        self: deviceId === self,
      };
    }).sort((a, b) => Number(b.self) - Number(a.self));
  }

  /** A new project's creator records itself as its first coordinator. */
  recordCreator(): Promise<void> {
    return this.write([this.version(this.store.deviceId, { role: 'coordinator', status: 'active', from: 0, ...this.nameOf(this.store.deviceId) })]);
  }

  /**
   * A project from before roles, opened by the device that made it: it records itself as
   * coordinator and every device it has seen as a participant whose past writes all stand.
   */
  async upgradeIfLegacy(): Promise<void> {
    const roster = this.store.roster;
    if (!roster.legacy || roster.genesis !== this.store.deviceId) return;
    const versions = this.store.allDevices().map((device) => {
      const deviceId = device.record.deviceId;
      if (device.own) return this.version(deviceId, { role: 'coordinator', status: 'active', from: 0, ...this.nameOf(deviceId) });
      const length = this.store.index.indexed(deviceId).blocks;
      return this.version(deviceId, { role: 'participant', status: 'active', from: length, legacyUntil: length, ...this.nameOf(deviceId) });
    });
    await this.write(versions);
  }

  async admit(deviceId: string): Promise<Member> {
    const subject = await this.known(deviceId);
    this.mustCoordinate('admit devices');
    const status = this.store.roster.status(subject);
    if (status === 'removed' || status === 'left') throw this.gone(subject, status);
    if (status === 'asking') {
      const signer = await this.signerOf(subject);
      await this.write([this.version(subject, { role: 'participant', status: 'active', from: 0, ...this.nameOf(subject) }), ...(signer === null ? [] : this.resealFor(subject, signer))]);
    }
    return this.member(subject);
  }

  async setRole(deviceId: string, role: string): Promise<Member> {
    if (!memberRoles.includes(role as MemberRole)) {
      throw new CairnError(ErrorCodes.INVALID_INPUT, `ROLE: give one of ${memberRoles.join(', ')} (got '${role}').`);
    }
    const subject = await this.known(deviceId);
    this.mustCoordinate('change roles');
    const roster = this.store.roster;
    const status = roster.status(subject);
    if (status === 'removed' || status === 'left') throw this.gone(subject, status);
    if (status === 'asking') throw new CairnError(ErrorCodes.INVALID_INPUT, `Device ${short(subject)} is asking to join: admit it first (\`cairn members admit ${subject}\`).`);
    if (role !== 'coordinator') this.keepACoordinator(subject, 'demoted');
    if (roster.entry(subject) === null || roster.role(subject) !== role) {
      await this.write([this.version(subject, { role: role as MemberRole, status: 'active', from: this.lengthOf(subject), ...this.nameOf(subject) })]);
    }
    return this.member(subject);
  }

  /**
   * Removes a device for good: its log is pinned at the length this device holds, and every
   * device seen so far that has no record of its own gets one, so that it stays a member once
   * the project key alone no longer lets a device in.
   */
  async remove(deviceId: string): Promise<Member> {
    const subject = await this.known(deviceId);
    if (subject === this.store.deviceId) return this.leave();
    this.mustCoordinate('remove devices');
    const roster = this.store.roster;
    const status = roster.status(subject);
    if (status === 'removed' || status === 'left') throw this.gone(subject, status);
    this.keepACoordinator(subject, 'removed');
    const versions: StoredVersion[] = [];
    for (const device of this.store.allDevices()) {
      const id = device.record.deviceId;
      if (id === subject || roster.entry(id) !== null || roster.status(id) !== 'active') continue;
      versions.push(this.version(id, { role: 'participant', status: 'active', from: 0, ...this.nameOf(id) }));
    }
    versions.push(this.version(subject, { role: roster.role(subject), status: 'removed', from: this.lengthOf(subject), ...this.nameOf(subject) }));
    versions.push(await this.newEpoch(subject));
    await this.write(versions);
    return this.member(subject);
  }

  /** This device leaves the project for good; the last coordinator cannot. */
  async leave(): Promise<Member> {
    const self = this.store.deviceId;
    const status = this.store.roster.status(self);
    if (status === 'removed' || status === 'left') throw this.gone(self, status);
    this.keepACoordinator(self, 'leave');
    await this.write([this.version(self, { role: this.store.roster.role(self), status: 'left', from: this.store.own.docs.length + 1, ...this.nameOf(self) })]);
    return this.member(self);
  }

  /**
   * A new key epoch, for a removal: a random key, sealed to every member but the removed one
   * whose device key this device knows. Nothing written before is sealed again.
   */
  private async newEpoch(removed: string): Promise<StoredVersion<'epochKey'>> {
    const key = newEpochKey();
    const sealed: Record<string, string> = {};
    for (const member of await this.list()) {
      if (member.deviceId === removed || member.status !== 'active') continue;
      const signer = await this.signerOf(member.deviceId);
      if (signer !== null) sealed[member.deviceId] = sealTo(signer, key);
    }
    const now = new Date().toISOString();
    return { type: 'epochKey', docId: newId(), links: [], createdAt: now, createdBy: this.store.deviceId, updatedAt: now, deleted: false, value: { sealed } };
  }

  /** Every epoch key this device holds, sealed to a newly admitted member too: a new version of each key's document. */
  private resealFor(subject: string, signer: Buffer): StoredVersion<'epochKey'>[] {
    return this.store.keyring.all().flatMap(({ id, key }) => this.resealed(id, key, new Map([[subject, signer]])) ?? []);
  }

  /** A new version of an epoch key's document that seals the key to these devices too (null when it has no document). */
  private resealed(id: string, key: Buffer, to: ReadonlyMap<string, Buffer>): StoredVersion<'epochKey'> | null {
    const current = this.store.index.current('epochKey', id);
    if (current === null || current.deleted) return null;
    const sealed = { ...current.version.value!.sealed };
    for (const [deviceId, signer] of to) sealed[deviceId] = sealTo(signer, key);
    const { createdAt, createdBy } = current.version;
    return { type: 'epochKey', docId: id, links: this.store.index.heads('epochKey', id), createdAt, createdBy, updatedAt: new Date().toISOString(), deleted: false, value: { sealed } };
  }

  /**
   * Seals every epoch key this device holds to each active member that lacks it and whose device
   * key is known here — one admitted before its key was known, or one a removal meant to leave
   * out that did not stand (its writer had been demoted meanwhile): what members wrote under a key
   * stays readable by every member. Any member may do it (a key only lets members read what
   * members wrote); true when something was written.
   */
  async sealKeysToMembers(): Promise<boolean> {
    const self = this.store.deviceId;
    const keys = this.store.keyring.all();
    if (this.store.roster.roleAt(self, this.store.own.docs.length) === null || keys.length === 0) return false;
    const members = (await this.list()).filter((member) => member.status === 'active' && !member.self);
    const signers = new Map<string, Buffer | null>();
    const versions: StoredVersion[] = [];
    for (const { id, key } of keys) {
      const sealed = this.store.index.current('epochKey', id)?.version.value?.sealed ?? {};
      const lacking = new Map<string, Buffer>();
      for (const { deviceId } of members) {
        if (sealed[deviceId] !== undefined) continue;
        if (!signers.has(deviceId)) signers.set(deviceId, await this.signerOf(deviceId));
        const signer = signers.get(deviceId);
        if (signer) lacking.set(deviceId, signer);
      }
      const version = lacking.size === 0 ? null : this.resealed(id, key, lacking);
      if (version !== null) versions.push(version);
    }
    await this.write(versions);
    return versions.length > 0;
  }

  /** The public key a device's id derives from: its log's signer, once known here, or what it proved when it asked to join. */
  private async signerOf(deviceId: string): Promise<Buffer | null> {
    const device = this.store.device(deviceId);
    const candidates = [
      device?.own ? this.store.signer.publicKey : undefined,
      device?.docs.manifest?.signers[0]?.publicKey,
      ...(await this.askingDevices()).filter((asker) => asker.deviceId === deviceId && typeof asker.signer === 'string').map((asker) => Buffer.from(asker.signer, 'hex')),
    ];
    return candidates.find((key): key is Buffer => key !== undefined && key.length === 32 && deviceIdOf(key) === deviceId) ?? null;
  }

  /** Remembers a device this one turned away as not admitted, for coordinators to see. */
  async recordAsking(device: Omit<AskingDevice, 'askedAt'>): Promise<void> {
    const devices = (await this.askingDevices()).filter((known) => known.deviceId !== device.deviceId);
    devices.push({ ...device, askedAt: new Date().toISOString() });
    this.asking = devices;
    await writeFileAtomic(join(this.dataDir, 'asking.json'), `${JSON.stringify({ version: 1, devices } satisfies AskingFile, null, 2)}\n`);
  }

  private async askingDevices(): Promise<AskingDevice[]> {
    if (this.asking !== null) return this.asking;
    const parsed = (await readJsonFile(join(this.dataDir, 'asking.json')).catch(() => undefined)) as Partial<AskingFile> | undefined;
    const devices = Array.isArray(parsed?.devices) ? parsed.devices.filter((device) => typeof device?.deviceId === 'string' && /^[0-9a-f]{64}$/.test(device.deviceId)) : [];
    this.asking = devices;
    return devices;
  }

  private async member(deviceId: string): Promise<Member> {
    return (await this.list()).find((member) => member.deviceId === deviceId)!;
  }

  /** The full id of a device the project knows of; a unique prefix of 8 or more characters is enough. */
  private async known(deviceId: string): Promise<string> {
    const text = typeof deviceId === 'string' ? deviceId.trim().toLowerCase() : '';
    if (!/^[0-9a-f]{8,64}$/.test(text)) {
      throw new CairnError(ErrorCodes.INVALID_INPUT, 'DEVICE_ID: give a device id as `cairn members` lists it (64 hexadecimal characters, or its first 8 or more).');
    }
    const matches = (await this.list()).filter((member) => member.deviceId.startsWith(text));
    if (matches.length === 1) return matches[0]!.deviceId;
    if (matches.length > 1) throw new CairnError(ErrorCodes.INVALID_INPUT, `DEVICE_ID: '${text}' is the start of more than one device's id; give more of it.`);
    throw new CairnError(ErrorCodes.NOT_FOUND, `There is no device '${text}' in this project (\`cairn members\` lists them).`);
  }

  /** Records a device that accepted an invite, with its role, and seals the epoch keys to it. */
  async admitInvited(deviceId: string, signer: Buffer, deviceName: string, role: MemberRole): Promise<void> {
    this.mustCoordinate('invite devices');
    const status = this.store.roster.status(deviceId);
    if (status === 'removed' || status === 'left') throw this.gone(deviceId, status);
    await this.write([this.version(deviceId, { role, status: 'active', from: 0, deviceName, deviceType: 'desktop' }), ...this.resealFor(deviceId, signer)]);
  }

  /** This device is an active coordinator now. */
  coordinates(): boolean {
    return this.store.roster.isCoordinator(this.store.deviceId);
  }

  mustCoordinate(what: string): void {
    if (this.coordinates()) return;
    const status = this.store.roster.status(this.store.deviceId);
    if (status === 'removed' || status === 'left') throw this.gone(this.store.deviceId, status);
    const coordinators = this.store.roster.activeCoordinators().map(short).join(', ') || 'none known yet';
    throw new CairnError(ErrorCodes.NOT_PERMITTED, `Only coordinators can ${what}; this device is a participant. Ask a coordinator (${coordinators}).`);
  }

  private keepACoordinator(subject: string, change: 'demoted' | 'removed' | 'leave'): void {
    const roster = this.store.roster;
    if (!roster.isCoordinator(subject) || roster.activeCoordinators().some((deviceId) => deviceId !== subject)) return;
    const who = subject === this.store.deviceId ? 'This device' : `Device ${short(subject)}`;
    const done = change === 'leave' ? 'cannot leave' : `cannot be ${change}`;
    throw new CairnError(
      ErrorCodes.LAST_COORDINATOR,
      `${who} is the project's last coordinator and ${done}: make another member coordinator first (\`cairn members role DEVICE_ID coordinator\`).`,
    );
  }

  private gone(deviceId: string, status: 'removed' | 'left'): CairnError {
    const who = deviceId === this.store.deviceId ? 'This device' : `Device ${short(deviceId)}`;
    return new CairnError(ErrorCodes.REMOVED, `${who} ${status === 'left' ? 'has left' : 'was removed from'} the project; that is for good.`);
  }

  /** How much of a device's log this device holds: where a role or a removal applies from. */
  private lengthOf(deviceId: string): number {
    const device = this.store.device(deviceId);
    if (device?.own) return device.docs.length;
    return this.store.index.indexed(deviceId).blocks;
  }

  private nameOf(deviceId: string): Pick<MemberValue, 'deviceName' | 'deviceType'> {
    const info = this.deviceInfos().get(deviceId);
    return info === undefined || info.name === 'Unknown device' ? {} : { deviceName: info.name, deviceType: info.deviceType };
  }

  private version(subject: string, value: MemberValue): StoredVersion<'member'> {
    const now = new Date().toISOString();
    // The records of the subject read so far: this one replaces them.
    const links = this.recordsOf(subject);
    return { type: 'member', docId: subject, links, createdAt: now, createdBy: this.store.deviceId, updatedAt: now, deleted: false, value };
  }

  /**
   * The devices' names and types, read once for as long as the index has not changed: an action
   * on the members names every device it writes a record for.
   */
  private deviceInfos(): Map<string, DeviceInfo> {
    const generation = this.store.index.generation;
    if (this.infos?.generation !== generation) this.infos = { generation, byId: new Map(this.devices.devices().map((device) => [device.deviceId, device])) };
    return this.infos.byId;
  }

  /** The versions of the records of a subject read so far (those a new one replaces), read once per roster change. */
  private recordsOf(subject: string): string[] {
    const generation = this.store.index.rosterGeneration;
    if (this.records?.generation !== generation) {
      const bySubject = new Map<string, string[]>();
      for (const record of this.store.index.memberRecords()) bySubject.set(record.subject, [...(bySubject.get(record.subject) ?? []), record.versionId]);
      this.records = { generation, bySubject };
    }
    return this.records.bySubject.get(subject) ?? [];
  }

  private async write(versions: StoredVersion[]): Promise<void> {
    if (versions.length > 0) await this.store.write(() => versions);
  }
}

function short(deviceId: string): string {
  return deviceId.slice(0, 8);
}
