import type { Observation, ObservationPatch, PositionMetadata, TagValue } from '@cairn/sdk';
import type { BlobRef, ComapeoDoc } from '../../common/protocol.js';
import type { CategoryMap } from './categories.js';
import { canonical, isoTime } from './reconcile.js';

// An observation in the terms of each side, and what the two must agree on to say the same.

/**
 * The tag by which a CoMapeo observation made from a Cairn one names it (one made from a CoMapeo
 * observation has its docId for id instead). It lives in the document itself, so no crash can
 * part a document from its twin. CoMapeo shows only the tags of a category's fields.
 */
export const CAIRN_ID_TAG = 'cairn:id';

/** Tags that are not tags on the other side: notes are a field of their own in Cairn. */
const notTags = new Set(['notes', CAIRN_ID_TAG]);

/** What CoMapeo can hold as an attachment: photos, audio and video. */
export const carried = (mimeType: string): boolean => /^(image|audio|video)\//.test(mimeType);

/** What both sides must agree on: a CoMapeo observation and its Cairn twin say the same when these are equal. */
interface Agreed {
  lat: number;
  lon: number;
  category: string | null;
  notes: string;
  tags: Record<string, TagValue>;
  /** Originals' SHA-256, sorted: the same on both sides. */
  attachments: string[];
  metadata: PositionMetadata | null;
}

export function agreedOfCairn(observation: Observation, categories: CategoryMap): Agreed {
  return {
    lat: observation.lat,
    lon: observation.lon,
    // A category with no twin in CoMapeo (in use, but not a known category) cannot be said there.
    category: observation.category !== null && categories.presetToComapeo.has(observation.category) ? observation.category : null,
    notes: observation.notes,
    tags: tagsOnly(observation.tags),
    attachments: observation.attachments.filter((attachment) => carried(attachment.mimeType)).map((attachment) => attachment.hash).sort(),
    metadata:
      observation.metadata === undefined || Object.keys(observation.metadata).length === 0
        ? null
        : { ...observation.metadata, ...(observation.metadata.timestamp === undefined ? {} : { timestamp: isoTime(observation.metadata.timestamp) }) },
  };
}

/** Null for an observation without a place, which Cairn cannot hold. */
export function agreedOfComapeo(doc: ComapeoDoc, categories: CategoryMap): Agreed | null {
  const value = doc.value as ComapeoObservation;
  if (typeof value.lat !== 'number' || typeof value.lon !== 'number') return null;
  const tags = value.tags ?? {};
  return {
    lat: value.lat,
    lon: value.lon,
    category: value.presetRef === undefined ? null : (categories.presetToCairn.get(value.presetRef.docId) ?? null),
    notes: typeof tags.notes === 'string' ? tags.notes : '',
    tags: tagsOnly(tags),
    attachments: (value.attachments ?? []).map((attachment) => attachment.hash).sort(),
    metadata: positionMetadataOf(value.metadata),
  };
}

export const sameAgreed = (a: Agreed, b: Agreed): boolean => canonical(a) === canonical(b);

/** The edit that makes a Cairn observation say what `agreed` says; attachments are added by the caller. */
export function cairnPatch(observation: Observation, agreed: Agreed): { patch: ObservationPatch; missing: string[]; detach: string[] } {
  const now = agreedOfCairnRaw(observation);
  const patch: ObservationPatch = {};
  if (now.lat !== agreed.lat) patch.lat = agreed.lat;
  if (now.lon !== agreed.lon) patch.lon = agreed.lon;
  if (now.category !== agreed.category) patch.category = agreed.category;
  if (now.notes !== agreed.notes) patch.notes = agreed.notes;
  if (canonical(now.tags) !== canonical(agreed.tags)) {
    patch.tags = agreed.tags;
    const untag = Object.keys(now.tags).filter((key) => !(key in agreed.tags));
    if (untag.length > 0) patch.untag = untag;
  }
  if (canonical(now.metadata) !== canonical(agreed.metadata)) patch.metadata = agreed.metadata;
  const held = new Set(now.attachments);
  const wanted = new Set(agreed.attachments);
  const detach = observation.attachments.filter((attachment) => carried(attachment.mimeType) && !wanted.has(attachment.hash)).map((attachment) => attachment.name);
  return { patch, missing: agreed.attachments.filter((hash) => !held.has(hash)), detach };
}

/** As `agreedOfCairn`, with the category as it is (a patch must not clear one CoMapeo cannot say). */
function agreedOfCairnRaw(observation: Observation): Agreed {
  return { ...agreedOfCairn(observation, { presetToComapeo: new Map(), presetToCairn: new Map() }), category: observation.category };
}

/**
 * The CoMapeo value of a Cairn observation, over its twin's when it has one: what Cairn does not
 * hold (the last saved position, the GPS provider's state, a photo's EXIF) stays as it was.
 */
export function comapeoValue(
  observation: Observation,
  base: ComapeoObservation | undefined,
  refs: ReadonlyMap<string, BlobRef>,
  categories: CategoryMap,
): Record<string, unknown> {
  const tags: Record<string, TagValue> = { ...observation.tags };
  delete tags.notes;
  if (observation.notes !== '') tags.notes = observation.notes;
  const marker = base === undefined ? observation.id : base.tags?.[CAIRN_ID_TAG];
  if (marker !== undefined) tags[CAIRN_ID_TAG] = marker;
  const baseAttachments = new Map((base?.attachments ?? []).map((attachment) => [attachment.hash, attachment]));
  const attachments = observation.attachments.flatMap((attachment) => {
    const ref = refs.get(attachment.hash);
    if (ref === undefined || !carried(attachment.mimeType)) return [];
    return [{ ...baseAttachments.get(attachment.hash), driveDiscoveryId: ref.driveDiscoveryId, name: ref.name, type: ref.type, hash: ref.hash, external: false }];
  });
  const preset = observation.category === null ? undefined : categories.presetToComapeo.get(observation.category);
  const value: Record<string, unknown> = {
    ...base,
    lat: observation.lat,
    lon: observation.lon,
    tags,
    attachments,
    presetRef: preset,
    metadata: comapeoMetadata(observation, base?.metadata),
  };
  for (const key of Object.keys(value)) if (value[key] === undefined) delete value[key];
  return value;
}

function tagsOnly(tags: Record<string, TagValue>): Record<string, TagValue> {
  return Object.fromEntries(Object.entries(tags).filter(([key]) => !notTags.has(key)));
}

interface ComapeoPosition {
  timestamp: string;
  mocked?: boolean;
  coords: { latitude: number; longitude: number; altitude?: number; heading?: number; speed?: number; accuracy?: number };
}

export interface ComapeoObservation {
  lat?: number;
  lon?: number;
  tags?: Record<string, TagValue>;
  attachments?: Array<BlobRef & { external?: boolean; [more: string]: unknown }>;
  presetRef?: { docId: string; versionId: string };
  metadata?: { manualLocation?: boolean; position?: ComapeoPosition; [more: string]: unknown };
}

function positionMetadataOf(metadata: ComapeoObservation['metadata']): PositionMetadata | null {
  if (metadata === undefined) return null;
  const { manualLocation, position } = metadata;
  const found: PositionMetadata = {
    manualLocation,
    timestamp: position?.timestamp,
    accuracy: position?.coords.accuracy,
    altitude: position?.coords.altitude,
    heading: position?.coords.heading,
    speed: position?.coords.speed,
  };
  for (const key of Object.keys(found) as Array<keyof PositionMetadata>) if (found[key] === undefined) delete found[key];
  return Object.keys(found).length === 0 ? null : found;
}

function comapeoMetadata(observation: Observation, base: ComapeoObservation['metadata']): ComapeoObservation['metadata'] {
  const { manualLocation: _manual, position: basePosition, ...rest } = base ?? {};
  const metadata = observation.metadata;
  const kept: NonNullable<ComapeoObservation['metadata']> = { ...rest };
  if (metadata?.manualLocation !== undefined) kept.manualLocation = metadata.manualLocation;
  if (metadata?.timestamp !== undefined) {
    const coords = {
      // Where the fix was, which may not be where the observation was put.
      latitude: basePosition?.coords.latitude ?? observation.lat,
      longitude: basePosition?.coords.longitude ?? observation.lon,
      accuracy: metadata.accuracy,
      altitude: metadata.altitude,
      heading: metadata.heading,
      speed: metadata.speed,
    };
    for (const key of Object.keys(coords) as Array<keyof typeof coords>) if (coords[key] === undefined) delete coords[key];
    kept.position = { timestamp: metadata.timestamp, mocked: basePosition?.mocked ?? false, coords };
  }
  return Object.keys(kept).length === 0 ? undefined : kept;
}
