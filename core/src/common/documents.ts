import type {
  Attachment,
  DeviceInfo,
  DocumentType,
  Field,
  Observation,
  PositionMetadata,
  Preset,
  ProjectSettings,
  TagValue,
  Track,
  TrackPoint,
} from '@cairn/sdk/common';
import type { MemberValue } from './roster.js';

/**
 * How documents are kept. Every edit of a document appends a version that lists the versions it
 * replaces (`links`); deleting appends a tombstone. The versions nobody links are the document's
 * heads; more than one head is a fork, and every device picks the same winner (see `pickWinner`).
 */

/** An attachment as stored: which device's drive holds its bytes is kept, but not shown. */
export interface StoredAttachment extends Attachment {
  /** Key (hex) of the Hyperdrive holding the bytes, under `/blobs/<hash>`. */
  drive: string;
  /** The `epochKey` document whose key sealed the bytes (and the variants'), stored under `/sealed/…` instead. */
  sealedWith?: string;
}

export interface ObservationValue {
  lat: number;
  lon: number;
  category: string | null;
  notes: string;
  tags: Record<string, TagValue>;
  attachments: StoredAttachment[];
  /** Only on observations that came with it; absent, not null, so older versions read the same. */
  metadata?: PositionMetadata;
}

export interface TrackValue {
  locations: TrackPoint[];
  observations: string[];
  category: string | null;
  tags: Record<string, TagValue>;
}

export type PresetValue = Omit<Preset, 'id' | 'version' | 'createdAt' | 'updatedAt'>;
export type FieldValue = Omit<Field, 'id' | 'version' | 'createdAt' | 'updatedAt'>;
export type ProjectSettingsValue = ProjectSettings;
export type DeviceInfoValue = Pick<DeviceInfo, 'name' | 'deviceType'>;

export interface DocumentValues {
  observation: ObservationValue;
  preset: PresetValue;
  field: FieldValue;
  track: TrackValue;
  projectSettings: ProjectSettingsValue;
  deviceInfo: DeviceInfoValue;
  member: MemberValue;
  epochKey: EpochKeyValue;
}

/** A key epoch's key, sealed to each member that may read what it seals (device id → hex); see epoch-keys.ts. */
export interface EpochKeyValue {
  sealed: Record<string, string>;
}

/** One version of one document, as written into a device's document log. */
export interface StoredVersion<T extends DocumentType = DocumentType> {
  type: T;
  docId: string;
  /** Versions this one replaces: the heads it was made from. */
  links: string[];
  /** Of the document's first version; carried by every version. */
  createdAt: string;
  createdBy: string;
  /** When this version was made. */
  updatedAt: string;
  /** A tombstone. */
  deleted: boolean;
  value: DocumentValues[T] | null;
}

/** A version together with where it lives. */
export interface LocatedVersion<T extends DocumentType = DocumentType> extends StoredVersion<T> {
  versionId: string;
}

/**
 * A block of a document log holds a batch of versions (one block per version would cap sync at
 * a few thousand documents a second).
 */
export interface StoredBlock {
  v: 1;
  entries: StoredVersion[];
}

/** `<core key hex>/<block>.<entry>`: unique, stable, and says where to read the version. */
export function versionIdOf(coreKey: string, block: number, entry: number): string {
  return `${coreKey}/${block}.${entry}`;
}

export function parseVersionId(versionId: string): { coreKey: string; block: number; entry: number } | null {
  const match = /^([0-9a-f]{64})\/(\d+)\.(\d+)$/.exec(versionId);
  if (match === null) return null;
  return { coreKey: match[1]!, block: Number(match[2]), entry: Number(match[3]) };
}

export interface HeadSummary {
  versionId: string;
  updatedAt: string;
  deleted: boolean;
}

/**
 * The winner among a document's heads, the same on every device: a tombstone first (so a device
 * that missed a deletion cannot bring the document back by editing its stale copy), then the
 * latest `updatedAt`, then the greater version id.
 */
export function pickWinner<T extends HeadSummary>(heads: readonly T[]): T {
  if (heads.length === 0) throw new Error('a document without heads has no winner');
  return heads.reduce((best, head) => (compareHeads(head, best) > 0 ? head : best));
}

function compareHeads(a: HeadSummary, b: HeadSummary): number {
  if (a.deleted !== b.deleted) return a.deleted ? 1 : -1;
  if (a.updatedAt !== b.updatedAt) return a.updatedAt > b.updatedAt ? 1 : -1;
  if (a.versionId === b.versionId) return 0;
  return a.versionId > b.versionId ? 1 : -1;
}

/**
 * Whether two versions of a document say the same: both tombstones, or the same value, its
 * attachments compared by name, hash, type and size wherever their bytes are stored. Two such
 * heads are one document written twice — the same file imported on two devices, the same
 * configuration loaded on each — not two edits in conflict.
 */
export function sameContent(a: StoredVersion, b: StoredVersion): boolean {
  if (a.type !== b.type || a.deleted !== b.deleted) return false;
  return a.deleted || canonicalJson(comparable(a)) === canonicalJson(comparable(b));
}

function comparable(version: StoredVersion): unknown {
  if (version.type !== 'observation' || version.value === null) return version.value;
  const value = version.value as ObservationValue;
  return { ...value, attachments: value.attachments.map(shownAttachment) };
}

/** An attachment without where its bytes are stored. */
function shownAttachment({ name, hash, mimeType, size, variants }: StoredAttachment): Attachment {
  return variants === undefined ? { name, hash, mimeType, size } : { name, hash, mimeType, size, variants };
}

/** JSON text with every object's keys in order, so that equal values give equal text. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const keys = Object.keys(value).filter((key) => (value as Record<string, unknown>)[key] !== undefined).sort();
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** An observation as printed and returned to plugins (DESIGN §7's shape). */
export function toObservation(version: LocatedVersion<'observation'>, forks: string[]): Observation {
  const value = version.value!;
  return {
    id: version.docId,
    version: version.versionId,
    lat: value.lat,
    lon: value.lon,
    category: value.category,
    notes: value.notes,
    tags: value.tags,
    attachments: value.attachments.map(shownAttachment),
    createdAt: version.createdAt,
    updatedAt: version.updatedAt,
    createdBy: version.createdBy,
    forks,
    ...(value.metadata === undefined ? {} : { metadata: value.metadata }),
  };
}

export function toPreset(version: LocatedVersion<'preset'>): Preset {
  // Categories written before icons travelled with them have no `iconSvg`.
  return { id: version.docId, version: version.versionId, ...version.value!, iconSvg: version.value!.iconSvg ?? null, createdAt: version.createdAt, updatedAt: version.updatedAt };
}

export function toField(version: LocatedVersion<'field'>): Field {
  return { id: version.docId, version: version.versionId, ...version.value!, createdAt: version.createdAt, updatedAt: version.updatedAt };
}

export function toTrack(version: LocatedVersion<'track'>, forks: string[]): Track {
  const value = version.value!;
  return {
    id: version.docId,
    version: version.versionId,
    locations: value.locations,
    observations: value.observations,
    category: value.category,
    tags: value.tags,
    createdAt: version.createdAt,
    updatedAt: version.updatedAt,
    createdBy: version.createdBy,
    forks,
  };
}
