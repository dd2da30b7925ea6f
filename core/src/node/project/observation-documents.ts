import type { Readable } from 'node:stream';
import {
  CairnError,
  ErrorCodes,
  type AttachmentInput,
  type AttachmentVariant,
  type CreateManyOptions,
  type Observation,
  type ObservationFilter,
  type ObservationInput,
  type ObservationPatch,
  type ObservationPositions,
  type UpdateOptions,
} from '@cairn/sdk';
import { toObservation, type LocatedVersion, type StoredAttachment, type StoredVersion } from '../../common/documents.js';
import type { Attachments } from './attachments.js';
import { newId, type DocumentWriter } from './document-writer.js';
import { checkObservationInput, checkObservationInputs, checkObservationPatch, checkTime, notFound, withoutKnownIds } from './project-checks.js';
import type { ProjectStore } from './project-store.js';
import { InvalidInput } from './validation.js';

/**
 * A project's observations: created many in one write (ids given or made, those already held
 * refused or skipped), edited as versions with their photos, read with their forks and history,
 * queried and counted through the index, and their attachments read back.
 */
export class ObservationDocuments {
  constructor(
    private readonly store: ProjectStore,
    private readonly writer: DocumentWriter,
    private readonly attachments: Attachments,
  ) {}

  /**
   * Creates observations in one write. An input's `id` is taken as given; one this device holds
   * or held (deleted ones keep their id), or given twice, is refused — or, with `skipExisting`,
   * left out of the write and of the result.
   */
  async create(inputs: readonly ObservationInput[], options: CreateManyOptions = {}): Promise<Observation[]> {
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
        createdBy: input.createdBy ?? this.store.deviceId,
        updatedAt: input.updatedAt === undefined ? now : new Date(input.updatedAt).toISOString(),
        deleted: false,
        value: {
          lat: input.lat,
          lon: input.lon,
          category: input.category ?? null,
          notes: input.notes ?? '',
          tags: input.tags ?? {},
          attachments: attachments.get(input)!,
          ...(input.metadata === undefined ? {} : { metadata: input.metadata }),
        },
      })),
    );
    return versions.map((version) => toObservation(version as LocatedVersion<'observation'>, []));
  }

  validate(inputs: readonly ObservationInput[]): Array<{ index: number; message: string }> {
    const problems: Array<{ index: number; message: string }> = [];
    inputs.forEach((input, index) => {
      try {
        checkObservationInput(input);
      } catch (error) {
        if (!(error instanceof InvalidInput)) throw error;
        problems.push({ index, message: error.problem });
      }
    });
    return problems;
  }

  async update(id: string, patch: ObservationPatch, options: UpdateOptions = {}): Promise<Observation> {
    const checked = checkObservationPatch(patch);
    checkTime(options.updatedAt, 'observation edit', 'updatedAt');
    const added = await this.storeAttachments(checked.attachments);
    await this.writer.edit('observation', id, options, (value) => {
      const tags = { ...value.tags, ...checked.tags };
      for (const key of checked.untag ?? []) delete tags[key];
      const byName = new Map(value.attachments.map((attachment) => [attachment.name, attachment]));
      for (const name of checked.detach ?? []) byName.delete(name);
      for (const attachment of added) byName.set(attachment.name, attachment);
      const metadata = checked.metadata === undefined ? value.metadata : (checked.metadata ?? undefined);
      return {
        lat: checked.lat ?? value.lat,
        lon: checked.lon ?? value.lon,
        category: checked.category === undefined ? value.category : checked.category,
        notes: checked.notes ?? value.notes,
        tags,
        attachments: [...byName.values()],
        ...(metadata === undefined ? {} : { metadata }),
      };
    });
    return this.get(id);
  }

  get(id: string): Observation {
    const current = this.store.index.current('observation', id);
    if (current === null || current.deleted) throw notFound('observation', id);
    return toObservation(current.version, current.forks);
  }

  async getVersion(versionId: string): Promise<Observation> {
    const version = await this.store.readVersion(versionId);
    if (version === null || version.type !== 'observation' || version.deleted) {
      throw new CairnError(ErrorCodes.NOT_FOUND, `There is no observation version '${versionId}' on this device.`);
    }
    return toObservation(version as LocatedVersion<'observation'>, []);
  }

  async history(id: string): Promise<Observation[]> {
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

  query(filter: ObservationFilter = {}): Observation[] {
    return this.store.index.queryObservations(filter).map(({ version, forks }) => toObservation(version, forks));
  }

  countByCategory(filter: ObservationFilter = {}): Array<{ category: string | null; count: number }> {
    return this.store.index.countByCategory(filter);
  }

  positions(filter: ObservationFilter = {}): ObservationPositions {
    return this.store.index.observationPositions(filter);
  }

  count(filter: ObservationFilter = {}): number {
    return this.store.index.countObservations(filter);
  }

  /** The deleted observations: each tombstone's version and time. */
  tombstones(): Array<{ id: string; version: string; updatedAt: string }> {
    return this.store.index.tombstones('observation');
  }

  async readAttachment(id: string, name: string, variant?: AttachmentVariant): Promise<Readable> {
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
    return this.attachments.read(attachment, variant);
  }

  private async storeAttachments(inputs: readonly AttachmentInput[] | undefined): Promise<StoredAttachment[]> {
    const stored: StoredAttachment[] = [];
    for (const [index, input] of (inputs ?? []).entries()) {
      stored.push(await this.attachments.add(input, `attachments[${index}]`));
    }
    return stored;
  }
}
