import type { Readable } from 'node:stream';
import {
  CairnError,
  Emitter,
  ErrorCodes,
  type AttachmentInput,
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
  type UpdateOptions,
} from '@cairn/sdk';
import {
  toObservation,
  type LocatedVersion,
  type StoredAttachment,
  type StoredVersion,
} from '../../common/documents.js';
import { Attachments } from './attachments.js';
import { CategoryDocuments } from './category-documents.js';
import { DocumentWriter, newId } from './document-writer.js';
import { newProjectFile, removeUnclaimedStore, type CreateProjectOptions } from './project-creation.js';
import { readProjectFile, writeProjectFile, type ProjectFile } from './project-files.js';
import {
  checkObservationInput,
  checkObservationInputs,
  checkObservationPatch,
  notFound,
  withoutKnownIds,
} from './project-checks.js';
import { ProjectStore } from './project-store.js';
import { ReplicationSession, type ReplicationOptions } from './replication.js';
import { SettingsAndDevices } from './settings-and-devices.js';

export type { CreateProjectOptions };

/**
 * A project as the rest of the host sees it: documents with their versions, forks and winners,
 * attachments, devices, settings, and sync sessions. One per data dir.
 */
export class Project {
  readonly attachments: Attachments;
  private readonly writer: DocumentWriter;
  private readonly categories: CategoryDocuments;
  private readonly settingsAndDevices: SettingsAndDevices;
  private readonly onDidChangeEmitter = new Emitter<DocumentChange>();
  readonly onDidChange = this.onDidChangeEmitter.event;

  private constructor(
    readonly store: ProjectStore,
    private file: ProjectFile,
    private readonly dataDir: string,
  ) {
    this.attachments = new Attachments(store);
    this.writer = new DocumentWriter(store);
    this.categories = new CategoryDocuments(store, this.writer);
    this.settingsAndDevices = new SettingsAndDevices(store);
    store.onDidChange((change) => this.onDidChangeEmitter.fire(change));
  }

  /** Creates the project of a data dir (a new one, or joined by key). */
  static async create(dataDir: string, options: CreateProjectOptions, log: Logger): Promise<Project> {
    const { file, projectKey } = await newProjectFile(dataDir, options);
    // The store first, then the file that says there is a project: a crash in between leaves none,
    // and what such an interrupted init left behind held nothing anyone was told exists.
    await removeUnclaimedStore(dataDir);
    const store = await ProjectStore.open(dataDir, projectKey, log);
    const project = new Project(store, file, dataDir);
    try {
      await project.writeDeviceInfo();
      if (options.name !== undefined) await project.updateSettings({ name: options.name.trim() });
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
    const project = new Project(store, file, dataDir);
    try {
      await project.writeDeviceInfo();
    } catch (error) {
      await project.close();
      throw error;
    }
    return project;
  }

  get deviceName(): string {
    return this.file.deviceName;
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

  /**
   * Creates observations in one write. An input's `id` is taken as given; one this device holds
   * or held (deleted ones keep their id), or given twice, is refused — or, with `skipExisting`,
   * left out of the write and of the result.
   */
  async createObservations(inputs: readonly ObservationInput[], options: CreateManyOptions = {}): Promise<Observation[]> {
    const skip = options.skipExisting === true;
    const { index } = this.store;
    const known = (ids: string[]) => index.knownIds('observation', ids);
    // Known ids are left out first, so that their photos are not stored for nothing…
    const checkedAt = index.generation;
    const fresh = withoutKnownIds(checkObservationInputs(inputs), known, skip);
    const attachments = new Map<ObservationInput, StoredAttachment[]>();
    for (const input of fresh) attachments.set(input, await this.storeAttachments(input.attachments));
    const now = new Date().toISOString();
    const versions = await this.store.write(() =>
      // … and again where writes take turns, if anything was indexed since (a write, a sync).
      (index.generation === checkedAt ? fresh : withoutKnownIds(fresh, known, skip)).map((input): StoredVersion<'observation'> => ({
        type: 'observation',
        docId: input.id ?? newId(),
        links: [],
        createdAt: input.createdAt === undefined ? now : new Date(input.createdAt).toISOString(),
        createdBy: this.store.deviceId,
        updatedAt: now,
        deleted: false,
        value: {
          lat: input.lat,
          lon: input.lon,
          category: input.category ?? null,
          notes: input.notes ?? '',
          tags: input.tags ?? {},
          attachments: attachments.get(input)!,
        },
      })),
    );
    return versions.map((version) => toObservation(version as LocatedVersion<'observation'>, []));
  }

  validateObservations(inputs: readonly ObservationInput[]): Array<{ index: number; message: string }> {
    const problems: Array<{ index: number; message: string }> = [];
    inputs.forEach((input, index) => {
      try {
        checkObservationInput(input);
      } catch (error) {
        if (!(error instanceof CairnError)) throw error;
        problems.push({ index, message: error.message.replace(/^Invalid observation: /, '') });
      }
    });
    return problems;
  }

  async updateObservation(id: string, patch: ObservationPatch, options: UpdateOptions = {}): Promise<Observation> {
    const checked = checkObservationPatch(patch);
    const added = await this.storeAttachments(checked.attachments);
    await this.writer.edit('observation', id, options, (value) => {
      const tags = { ...value.tags, ...checked.tags };
      for (const key of checked.untag ?? []) delete tags[key];
      const byName = new Map(value.attachments.map((attachment) => [attachment.name, attachment]));
      for (const attachment of added) byName.set(attachment.name, attachment);
      return {
        lat: checked.lat ?? value.lat,
        lon: checked.lon ?? value.lon,
        category: checked.category === undefined ? value.category : checked.category,
        notes: checked.notes ?? value.notes,
        tags,
        attachments: [...byName.values()],
      };
    });
    return this.getObservation(id);
  }

  getObservation(id: string): Observation {
    const current = this.store.index.current('observation', id);
    if (current === null || current.deleted) throw notFound('observation', id);
    return toObservation(current.version, current.forks);
  }

  async getObservationVersion(versionId: string): Promise<Observation> {
    const version = await this.store.readVersion(versionId);
    if (version === null || version.type !== 'observation' || version.deleted) {
      throw new CairnError(ErrorCodes.NOT_FOUND, `There is no observation version '${versionId}' on this device.`);
    }
    return toObservation(version as LocatedVersion<'observation'>, []);
  }

  async observationHistory(id: string): Promise<Observation[]> {
    const current = this.store.index.current('observation', id);
    if (current === null || current.deleted) throw notFound('observation', id);
    const seen = new Set<string>();
    const versions: Observation[] = [];
    // Walk back from every head along the links; versions not (yet) on this device are skipped.
    const queue = [current.version.versionId, ...current.forks];
    while (queue.length > 0) {
      const versionId = queue.shift()!;
      if (seen.has(versionId)) continue;
      seen.add(versionId);
      const version = await this.store.readVersion(versionId);
      if (version === null || version.type !== 'observation') continue;
      queue.push(...version.links);
      if (!version.deleted) versions.push(toObservation(version as LocatedVersion<'observation'>, []));
    }
    return versions.sort((a, b) => b.updatedAt.localeCompare(a.updatedAt) || b.version.localeCompare(a.version));
  }

  queryObservations(filter: ObservationFilter = {}): Observation[] {
    return this.store.index.queryObservations(filter).map(({ version, forks }) => toObservation(version, forks));
  }

  countObservationsByCategory(filter: ObservationFilter = {}): Array<{ category: string | null; count: number }> {
    return this.store.index.countByCategory(filter);
  }

  observationPositions(filter: ObservationFilter = {}): ObservationPositions {
    return this.store.index.observationPositions(filter);
  }

  countObservations(filter: ObservationFilter = {}): number {
    return this.store.index.countObservations(filter);
  }

  async readAttachment(id: string, name: string): Promise<Readable> {
    const current = this.store.index.current('observation', id);
    if (current === null || current.deleted) throw notFound('observation', id);
    const attachment = current.version.value!.attachments.find((candidate) => candidate.name === name);
    if (attachment === undefined) {
      const names = current.version.value!.attachments.map((candidate) => candidate.name);
      throw new CairnError(
        ErrorCodes.NOT_FOUND,
        `Observation ${id} has no attachment '${name}'${names.length ? `; it has: ${names.join(', ')}` : ''}.`,
      );
    }
    return this.attachments.read(attachment);
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

  replicate(stream: DuplexStream, options: ReplicateOptions | ReplicationOptions): ReplicationSession {
    return new ReplicationSession(
      { store: this.store, deviceName: this.file.deviceName, deviceType: this.file.deviceType },
      stream,
      options,
    );
  }

  async close(): Promise<void> {
    await this.store.close();
    this.onDidChangeEmitter.dispose();
  }

  // ---------------------------------------------------------------------------------------------

  private async storeAttachments(inputs: readonly AttachmentInput[] | undefined): Promise<StoredAttachment[]> {
    const stored: StoredAttachment[] = [];
    for (const [index, input] of (inputs ?? []).entries()) {
      stored.push(await this.attachments.add(input, `attachments[${index}]`));
    }
    return stored;
  }

  /** Records this device's name and type in the project, so other devices can show them. */
  private writeDeviceInfo(): Promise<void> {
    return this.settingsAndDevices.recordThisDevice({ name: this.file.deviceName, deviceType: this.file.deviceType });
  }
}
