/**
 * The observation model, shared by the host and the workbench. It maps to Mapeo's notions:
 * a point (lat/lon), a category (Mapeo's preset id), notes, free-form tags and attachments.
 */

export type TagValue = string | number | boolean | null | Array<string | number | boolean | null>;

export interface Attachment {
  /** File name, unique within the observation. */
  name: string;
  /** Content hash (hex); the same bytes are stored once. */
  hash: string;
  mimeType: string;
  /** Size in bytes. */
  size: number;
  /** Smaller copies of a photo, when it has them; each read with `readAttachment(id, name, variant)`. */
  variants?: Partial<Record<AttachmentVariant, AttachmentBytes>>;
}

/** The smaller copies a photo may carry beside its original: for lists, galleries, slow links. */
export type AttachmentVariant = 'preview' | 'thumbnail';

export interface AttachmentBytes {
  hash: string;
  mimeType: string;
  size: number;
}

/**
 * Where the device was and how it knew, as a phone's GPS reported it when the observation was
 * made (CoMapeo keeps it as the observation's metadata). Every part is optional.
 */
export interface PositionMetadata {
  /** The place was set by hand, not measured. */
  manualLocation?: boolean;
  /** When the position was measured (ISO 8601). */
  timestamp?: string;
  /** Metres, the radius of 68% confidence. */
  accuracy?: number;
  /** Metres above the WGS 84 ellipsoid. */
  altitude?: number;
  /** Degrees clockwise from true north. */
  heading?: number;
  /** Metres per second. */
  speed?: number;
}

export interface Observation {
  id: string;
  /** Id of this version; every edit makes a new one. */
  version: string;
  lat: number;
  lon: number;
  /** Id of the category (preset), or null. */
  category: string | null;
  notes: string;
  tags: Record<string, TagValue>;
  attachments: Attachment[];
  /** ISO 8601 times. */
  createdAt: string;
  updatedAt: string;
  /** Device id of the author of the first version. */
  createdBy: string;
  /** Versions that lost a concurrent edit; empty unless the document is forked. */
  forks: string[];
  /** How the place was measured; only on observations that came with it (from a phone). */
  metadata?: PositionMetadata;
}

/** A file to attach: a path on this device, or bytes from elsewhere (an entry of a zip). */
export type AttachmentInput = AttachmentFileInput | AttachmentStreamInput;

export interface AttachmentFileInput {
  /** Path of a file to attach; it is streamed, never read whole into memory. */
  path: string;
  /** Defaults to the file's base name. */
  name?: string;
  /** Defaults to a guess from the name's extension. */
  mimeType?: string;
  variants?: AttachmentVariantInputs;
}

/** A photo's smaller copies, made elsewhere (a phone made them): each a file, or bytes to open. */
export type AttachmentVariantInputs = Partial<Record<AttachmentVariant, { path: string; mimeType?: string } | { open: AttachmentStreamInput['open']; mimeType?: string }>>;

/** Bytes that are not a file here: an importer streams them from where they are, with no copy on disk. */
export interface AttachmentStreamInput {
  /**
   * Opens the bytes from their start. It is called twice: once to hash them, once more to store
   * them unless the same bytes are stored already; both times must give the same bytes.
   */
  open: () => AsyncIterable<Uint8Array> | Promise<AsyncIterable<Uint8Array>>;
  name: string;
  /** Defaults to a guess from the name's extension. */
  mimeType?: string;
  variants?: AttachmentVariantInputs;
}

export interface ObservationInput {
  /**
   * The document id, for observations that have one elsewhere (an import, a bridge): 1–200
   * characters, no spaces or slashes. Left out, a new random id. An id this device holds already
   * — deleted ones too — is `ERR_INVALID_INPUT`, or left out with `createMany`'s `skipExisting`.
   */
  id?: string;
  lat: number;
  lon: number;
  category?: string | null;
  notes?: string;
  tags?: Record<string, TagValue>;
  attachments?: AttachmentInput[];
  /**
   * When it was observed (ISO 8601), for observations brought in from elsewhere (an import keeps
   * Mapeo's `$created`). Defaults to now.
   */
  createdAt?: string;
  /**
   * When this version was written (ISO 8601), for a bridge that brings a document written
   * elsewhere with its own times. Defaults to now.
   */
  updatedAt?: string;
  /** The author's device id, for a bridge that brings another system's documents. Defaults to this device. */
  createdBy?: string;
  metadata?: PositionMetadata;
}

export interface CreateManyOptions {
  /**
   * Leave out, rather than refuse, each input whose `id` names an observation this device holds
   * or held (a deleted one stays deleted), and each input after the first with the same `id`:
   * for imports that must add a file's observations once however often it is imported. The
   * result lists only the observations created.
   */
  skipExisting?: boolean;
}

/** A partial edit: fields left out stay as they are. */
export interface ObservationPatch {
  lat?: number;
  lon?: number;
  category?: string | null;
  notes?: string;
  /** Tags to set (merged into the existing ones). */
  tags?: Record<string, TagValue>;
  /** Tag keys to remove. */
  untag?: string[];
  /** Attachments to add (one with the name of an attachment it has replaces it). */
  attachments?: AttachmentInput[];
  /** Names of attachments to remove. */
  detach?: string[];
  /** Null removes it. */
  metadata?: PositionMetadata | null;
}

export interface ObservationFilter {
  /** West, south, east, north in degrees. */
  bbox?: [number, number, number, number];
  category?: string;
  /** Full-text search in notes. */
  text?: string;
  /** ISO 8601 bounds on `createdAt` (inclusive). */
  from?: string;
  to?: string;
  limit?: number;
  offset?: number;
  /** The order of `query`; by default `createdAt`, newest first. */
  sort?: ObservationSortKey;
  /** Largest (newest, last in the alphabet) first. Default: true for `createdAt`/`updatedAt`, else false. */
  descending?: boolean;
}

/** Where the observations that match a filter are, column by column: what a map draws, no more. */
export interface ObservationPositions {
  ids: string[];
  lon: Float64Array;
  lat: Float64Array;
  /** The category id of each (null: none). */
  categories: Array<string | null>;
}

export type ObservationSortKey = 'createdAt' | 'updatedAt' | 'category' | 'notes' | 'lat' | 'lon' | 'createdBy' | 'attachments';

export interface UpdateOptions {
  /**
   * The version this edit builds on. Left out, the edit builds on the current version and a fork,
   * if any, stays. Given (the current version or one of `forks`), the edit applies the patch to
   * that version and replaces every head: the fork is resolved in its favour.
   */
  base?: string;
  /**
   * When the edit was made (ISO 8601), for a bridge that carries an edit made elsewhere.
   * Defaults to now.
   */
  updatedAt?: string;
}

/** Which documents changed, after a local write or when a sync brought new versions. */
export interface DocumentChange {
  kind: 'created' | 'updated' | 'deleted';
  type: DocumentType;
  id: string;
  /** Whether the change was made here or arrived by sync. */
  origin: 'local' | 'sync';
}

/** Kept for the stable surface: the changes `observations.onDidChange` reports. */
export type ObservationChange = DocumentChange;

export type DocumentType = 'observation' | 'preset' | 'field' | 'track' | 'projectSettings' | 'deviceInfo' | 'member' | 'epochKey';

export interface ProjectInfo {
  projectKey: string;
  /** Null on a device that joined and has not yet synced with one that knows the name. */
  projectName: string | null;
  deviceId: string;
  deviceName: string;
}

export interface ProjectSettings {
  name: string | null;
  description: string | null;
  /** `#rrggbb`, or null. */
  color: string | null;
  /** Category ids offered first, in order. */
  defaultPresets: string[];
  /** Where the categories came from (a Mapeo configuration's metadata). */
  configMetadata: { name: string; version: string | null; importedAt: string } | null;
}

export type DeviceType = 'desktop' | 'mobile' | 'tablet' | 'server';

/** A device that has written to the project. */
export interface DeviceInfo {
  deviceId: string;
  name: string;
  deviceType: DeviceType;
  /** This device. */
  self: boolean;
}
