import type { Readable } from 'node:stream';
import {
  CairnError,
  Emitter,
  ErrorCodes,
  errorMessage,
  isCairnError,
  type AttachmentVariant,
  type CreateManyOptions,
  type DeviceInfo,
  type DocumentChange,
  type ObservationPositions,
  type DocumentType,
  type DuplexStream,
  type Field,
  type FieldInput,
  type Logger,
  type Observation,
  type ObservationFilter,
  type ObservationInput,
  type ObservationPatch,
  type Preset,
  type PresetInput,
  type ProjectInfo,
  type ProjectSettings,
  type ReplicateOptions,
  type Track,
  type TrackInput,
  type TrackPatch,
  type UpdateOptions,
} from '@cairn/sdk';
import { coalesced } from '../../common/coalesced.js';
import { Attachments } from './attachments.js';
import { CategoryDocuments } from './category-documents.js';
import { DocumentWriter } from './document-writer.js';
import { Members } from './members.js';
import { ObservationDocuments } from './observation-documents.js';
import { newProjectFile, removeUnclaimedStore, type CreateProjectOptions } from './project-creation.js';
import { readProjectFile, writeProjectFile, type ProjectFile } from './project-files.js';
import { ProjectStore } from './project-store.js';
import { ReplicationSession, type ReplicationOptions } from './replication.js';
import { TrackDocuments } from './track-documents.js';
import { SettingsAndDevices } from './settings-and-devices.js';

export type { CreateProjectOptions };

/**
 * A project as the rest of the host sees it: documents with their versions, forks and winners,
 * attachments, devices, settings, and sync sessions. One per data dir.
 *
 * The facade its callers use: each kind of document has a class of its own (observations,
 * categories and fields, settings and devices), all written through one DocumentWriter; a new
 * project's checks are in project-creation.ts, and a sync session is replication.ts's.
 */
export class Project {
  readonly attachments: Attachments;
  private readonly writer: DocumentWriter;
  private readonly observations: ObservationDocuments;
  private readonly categories: CategoryDocuments;
  private readonly tracks: TrackDocuments;
  private readonly settingsAndDevices: SettingsAndDevices;
  readonly members: Members;
  private readonly onDidChangeEmitter = new Emitter<DocumentChange>();
  readonly onDidChange = this.onDidChangeEmitter.event;

  private constructor(
    readonly store: ProjectStore,
    private file: ProjectFile,
    private readonly dataDir: string,
    private readonly log: Logger,
  ) {
    this.attachments = new Attachments(store);
    this.writer = new DocumentWriter(store);
    this.observations = new ObservationDocuments(store, this.writer, this.attachments);
    this.categories = new CategoryDocuments(store, this.writer);
    this.tracks = new TrackDocuments(store, this.writer);
    this.settingsAndDevices = new SettingsAndDevices(store);
    this.members = new Members(store, this.settingsAndDevices, dataDir);
    store.onDidChange((change) => this.onDidChangeEmitter.fire(change));
    // The roster is no document of the index: a change of it is told as one of type `member`.
    store.onDidChangeRoster(() => this.onDidChangeEmitter.fire({ kind: 'updated', type: 'member', id: 'roster', origin: 'sync' }));
    // Keys follow the members: whenever who is a member, which keys are held or whose device keys
    // are known changes, what a member lacks is sealed to it.
    store.onDidChangeRoster(() => this.sealKeysToMembers());
    store.onDidAddDevice(() => this.sealKeysToMembers());
    store.onDidChange((change) => change.type === 'epochKey' && this.sealKeysToMembers());
  }

  /** One run at a time, and one more after it when asked meanwhile; a closed or removed store writes nothing. */
  private readonly sealing = coalesced(async () => {
    await this.members.sealKeysToMembers().catch((error: unknown) => {
      if (!this.store.isClosed && !isCairnError(error, ErrorCodes.REMOVED) && !isCairnError(error, ErrorCodes.NOT_PERMITTED)) {
        this.log.warn(`Sealing the project's keys to its members failed: ${errorMessage(error)}`);
      }
    });
  }, () => this.store.isClosed);

  private sealKeysToMembers(): void {
    void this.sealing.run();
  }

  /** Creates the project of a data dir (a new one, or joined by key). */
  static async create(dataDir: string, options: CreateProjectOptions, log: Logger): Promise<Project> {
    const { file, projectKey } = await newProjectFile(dataDir, options);
    // The store first, then the file that says there is a project: a crash in between leaves none,
    // and what such an interrupted init left behind held nothing anyone was told exists.
    await removeUnclaimedStore(dataDir);
    const store = await ProjectStore.open(dataDir, projectKey, log);
    const project = new Project(store, file, dataDir, log);
    try {
      await project.writeDeviceInfo();
      if (options.name !== undefined) {
        await project.updateSettings({ name: options.name.trim() });
        await project.members.recordCreator();
      }
      await writeProjectFile(dataDir, file);
    } catch (error) {
      await project.close();
      throw error;
    }
    return project;
  }

  /** Opens the project of a data dir; null when it holds none. */
  static async open(dataDir: string, log: Logger): Promise<Project | null> {
    const file = await readProjectFile(dataDir);
    if (file === null) return null;
    const store = await ProjectStore.open(dataDir, Buffer.from(file.projectKey, 'hex'), log);
    const project = new Project(store, file, dataDir, log);
    try {
      await project.writeDeviceInfo();
      await project.members.upgradeIfLegacy();
    } catch (error) {
      await project.close();
      throw error;
    }
    return project;
  }

  get deviceName(): string {
    return this.file.deviceName;
  }

  get deviceType(): string {
    return this.file.deviceType;
  }

  /** Renames this device: other devices see the new name in their lists after the next sync. */
  async renameDevice(name: string): Promise<ProjectInfo> {
    const trimmed = typeof name === 'string' ? name.trim() : '';
    if (trimmed === '' || trimmed.length > 64) {
      throw new CairnError(ErrorCodes.INVALID_INPUT, 'deviceName: give a device name of 1 to 64 characters.');
    }
    const file = { ...this.file, deviceName: trimmed };
    await writeProjectFile(this.dataDir, file);
    this.file = file;
    await this.writeDeviceInfo();
    return this.info();
  }

  info(): ProjectInfo {
    return {
      projectKey: this.file.projectKey,
      projectName: this.settings().name,
      deviceId: this.store.deviceId,
      deviceName: this.file.deviceName,
    };
  }

  // Observations -------------------------------------------------------------------------

  /** Creates observations in one write; ids held already are refused, or skipped with `skipExisting`. */
  createObservations(inputs: readonly ObservationInput[], options: CreateManyOptions = {}): Promise<Observation[]> {
    return this.observations.create(inputs, options);
  }

  validateObservations(inputs: readonly ObservationInput[]): Array<{ index: number; message: string }> {
    return this.observations.validate(inputs);
  }

  updateObservation(id: string, patch: ObservationPatch, options: UpdateOptions = {}): Promise<Observation> {
    return this.observations.update(id, patch, options);
  }

  getObservation(id: string): Observation {
    return this.observations.get(id);
  }

  getObservationVersion(versionId: string): Promise<Observation> {
    return this.observations.getVersion(versionId);
  }

  observationHistory(id: string): Promise<Observation[]> {
    return this.observations.history(id);
  }

  queryObservations(filter: ObservationFilter = {}): Observation[] {
    return this.observations.query(filter);
  }

  countObservationsByCategory(filter: ObservationFilter = {}): Array<{ category: string | null; count: number }> {
    return this.observations.countByCategory(filter);
  }

  observationPositions(filter: ObservationFilter = {}): ObservationPositions {
    return this.observations.positions(filter);
  }

  countObservations(filter: ObservationFilter = {}): number {
    return this.observations.count(filter);
  }

  readAttachment(id: string, name: string, variant?: AttachmentVariant): Promise<Readable> {
    return this.observations.readAttachment(id, name, variant);
  }

  observationTombstones(): Array<{ id: string; version: string; updatedAt: string }> {
    return this.observations.tombstones();
  }

  // Categories and fields -----------------------------------------------------------------

  createPreset(input: PresetInput): Promise<Preset> {
    return this.categories.createPreset(input);
  }

  updatePreset(id: string, patch: Partial<PresetInput>, options: UpdateOptions = {}): Promise<Preset> {
    return this.categories.updatePreset(id, patch, options);
  }

  createField(input: FieldInput): Promise<Field> {
    return this.categories.createField(input);
  }

  updateField(id: string, patch: Partial<FieldInput>, options: UpdateOptions = {}): Promise<Field> {
    return this.categories.updateField(id, patch, options);
  }

  getPreset(id: string): Preset {
    return this.categories.getPreset(id);
  }

  getField(id: string): Field {
    return this.categories.getField(id);
  }

  listPresets(): Preset[] {
    return this.categories.listPresets();
  }

  listFields(): Field[] {
    return this.categories.listFields();
  }

  // Tracks ----------------------------------------------------------------------------------

  createTrack(input: TrackInput): Promise<Track> {
    return this.tracks.create(input);
  }

  updateTrack(id: string, patch: TrackPatch, options: UpdateOptions = {}): Promise<Track> {
    return this.tracks.update(id, patch, options);
  }

  getTrack(id: string): Track {
    return this.tracks.get(id);
  }

  listTracks(): Track[] {
    return this.tracks.list();
  }

  trackTombstones(): Array<{ id: string; version: string; updatedAt: string }> {
    return this.tracks.tombstones();
  }

  /** Deletes any document: a tombstone replacing every head. */
  deleteDocument(type: DocumentType, id: string): Promise<void> {
    return this.writer.delete(type, id);
  }

  // Settings and devices --------------------------------------------------------------------

  settings(): ProjectSettings {
    return this.settingsAndDevices.settings();
  }

  updateSettings(patch: Partial<ProjectSettings>): Promise<ProjectSettings> {
    return this.settingsAndDevices.updateSettings(patch);
  }

  devices(): DeviceInfo[] {
    return this.settingsAndDevices.devices();
  }

  // Sync --------------------------------------------------------------------------------------

  /** `localRelays`: the ids of the relays (sync files) this process opened, which sync with it without being members. */
  replicate(stream: DuplexStream, options: ReplicateOptions | ReplicationOptions, localRelays: ReadonlySet<string> = new Set()): ReplicationSession {
    const admission = () => ({
      roster: this.store.roster,
      selfId: this.store.deviceId,
      isLocalRelay: (deviceId: string) => localRelays.has(deviceId),
      onAsking: (device: { deviceId: string; name: string; deviceType: string }, signer: string) =>
        void this.members.recordAsking({ deviceId: device.deviceId, deviceName: String(device.name), deviceType: String(device.deviceType), signer }).catch(() => undefined),
    });
    return new ReplicationSession({ store: this.store, deviceName: this.file.deviceName, deviceType: this.file.deviceType, admission }, stream, options);
  }

  async close(): Promise<void> {
    await this.sealing.settled();
    await this.store.close();
    this.onDidChangeEmitter.dispose();
  }

  /** Records this device's name and type in the project, so other devices can show them. */
  private writeDeviceInfo(): Promise<void> {
    return this.settingsAndDevices.recordThisDevice({ name: this.file.deviceName, deviceType: this.file.deviceType });
  }
}
