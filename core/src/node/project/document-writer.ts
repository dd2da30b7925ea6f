import { randomBytes } from 'node:crypto';
import { CairnError, ErrorCodes, type DocumentType, type UpdateOptions } from '@cairn/sdk';
import type { DocumentValues, LocatedVersion } from '../../common/documents.js';
import { describe, notFound } from './project-checks.js';
import type { ProjectStore } from './project-store.js';

/** A new document's id: 16 random bytes in hex. */
export function newId(): string {
  return randomBytes(16).toString('hex');
}

/**
 * The versioned writes documents of every type share, each on the store's one queue of writes:
 * a new document (or one made again over its tombstone), an edit that builds on the winner or
 * on a chosen head, and the tombstone that deletes.
 */
export class DocumentWriter {
  constructor(private readonly store: ProjectStore) {}

  /**
   * A new category, field or track; an id that is live already is refused. `given` keeps the
   * times and author of a document written elsewhere (a bridge's).
   */
  create<T extends 'preset' | 'field' | 'track'>(
    type: T,
    id: string | undefined,
    value: DocumentValues[T],
    given: { createdAt?: string; updatedAt?: string; createdBy?: string } = {},
  ): Promise<LocatedVersion[]> {
    return this.store.write(() => {
      const docId = id ?? newId();
      const existing = this.store.index.current(type, docId);
      if (existing !== null && !existing.deleted) {
        throw new CairnError(ErrorCodes.INVALID_INPUT, `A ${describe(type)} with id '${docId}' exists already; edit it instead.`);
      }
      const now = new Date().toISOString();
      const iso = (time: string | undefined) => (time === undefined ? now : new Date(time).toISOString());
      return [
        {
          type,
          docId,
          // Re-creating a deleted id replaces its tombstone.
          links: existing === null ? [] : this.store.index.heads(type, docId),
          createdAt: iso(given.createdAt),
          createdBy: given.createdBy ?? this.store.deviceId,
          updatedAt: iso(given.updatedAt),
          deleted: false,
          value,
        },
      ];
    });
  }

  /**
   * Appends an edit of a live document. Without `base` it builds on the winner and replaces
   * only the winner (a fork stays, for the user to see); with `base` it builds on that head and
   * replaces every head, which resolves the fork.
   */
  async edit<T extends DocumentType>(
    type: T,
    id: string,
    options: UpdateOptions,
    change: (value: DocumentValues[T]) => DocumentValues[T],
  ): Promise<LocatedVersion<T>> {
    const [version] = await this.store.write(async () => {
      const current = this.store.index.current(type, id);
      if (current === null || current.deleted) throw notFound(describe(type), id);
      let base: LocatedVersion<T> = current.version;
      // The winner and the heads that say the same (the document written twice), not the forks.
      let links = this.store.index.heads(type, id).filter((head) => !current.forks.includes(head));
      if (options.base !== undefined) {
        links = this.store.index.heads(type, id);
        if (!links.includes(options.base)) {
          throw new CairnError(
            ErrorCodes.INVALID_INPUT,
            `'${options.base}' is not a current version of ${describe(type)} ${id}; its current versions are: ${links.join(', ')}.`,
          );
        }
        const chosen = await this.store.readVersion(options.base);
        if (chosen === null || chosen.deleted) throw notFound(describe(type), id);
        base = chosen as LocatedVersion<T>;
      }
      return [
        {
          type,
          docId: id,
          links,
          createdAt: base.createdAt,
          createdBy: base.createdBy,
          updatedAt: options.updatedAt === undefined ? new Date().toISOString() : new Date(options.updatedAt).toISOString(),
          deleted: false,
          value: change(base.value!),
        },
      ];
    });
    return version as LocatedVersion<T>;
  }

  /** Deletes any document: a tombstone replacing every head. */
  async delete(type: DocumentType, id: string): Promise<void> {
    await this.store.write(() => {
      const current = this.store.index.current(type, id);
      if (current === null || current.deleted) throw notFound(describe(type), id);
      return [
        {
          type,
          docId: id,
          links: this.store.index.heads(type, id),
          createdAt: current.version.createdAt,
          createdBy: current.version.createdBy,
          updatedAt: new Date().toISOString(),
          deleted: true,
          value: null,
        },
      ];
    });
  }
}
