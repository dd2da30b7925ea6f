import type { Track, TrackInput, TrackPatch, UpdateOptions } from '@cairn/sdk';
import { toTrack, type LocatedVersion } from '../../common/documents.js';
import type { DocumentWriter } from './document-writer.js';
import { checkTime, checkTrack, checkTrackPatch, notFound } from './project-checks.js';
import type { ProjectStore } from './project-store.js';

/**
 * A project's tracks: created (with the times and author of a phone that recorded them, when a
 * bridge brings one), edited as versions like any document, deleted, read from the index.
 */
export class TrackDocuments {
  constructor(
    private readonly store: ProjectStore,
    private readonly writer: DocumentWriter,
  ) {}

  async create(input: TrackInput): Promise<Track> {
    const checked = checkTrack(input);
    checkTime(checked.createdAt, 'track', 'createdAt');
    checkTime(checked.updatedAt, 'track', 'updatedAt');
    const [version] = await this.writer.create(
      'track',
      checked.id,
      { locations: checked.locations, observations: checked.observations ?? [], category: checked.category ?? null, tags: checked.tags ?? {} },
      { createdAt: checked.createdAt, updatedAt: checked.updatedAt, createdBy: checked.createdBy },
    );
    return toTrack(version as LocatedVersion<'track'>, []);
  }

  async update(id: string, patch: TrackPatch, options: UpdateOptions = {}): Promise<Track> {
    const checked = checkTrackPatch(patch);
    checkTime(options.updatedAt, 'track edit', 'updatedAt');
    await this.writer.edit('track', id, options, (value) => ({ ...value, ...checked }));
    return this.get(id);
  }

  get(id: string): Track {
    const current = this.store.index.current('track', id);
    if (current === null || current.deleted) throw notFound('track', id);
    return toTrack(current.version, current.forks);
  }

  list(): Track[] {
    return this.store.index.list('track').map(({ version, forks }) => toTrack(version, forks));
  }

  tombstones(): Array<{ id: string; version: string; updatedAt: string }> {
    return this.store.index.tombstones('track');
  }
}
