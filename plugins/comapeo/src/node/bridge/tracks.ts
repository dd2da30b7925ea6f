import type { TagValue, Track, TrackInput, TrackPoint } from '@cairn/sdk';
import type { ComapeoDoc } from '../../common/protocol.js';
import type { BridgeIo } from './bridge-io.js';
import type { CategoryMap } from './categories.js';
import { bridgeDocuments } from './documents.js';
import { CAIRN_ID_TAG } from './observation-values.js';
import type { ObservationTwins } from './observations.js';
import { canonical, isoTime } from './reconcile.js';

// Tracks both ways: a phone's recorded route, its GPS fixes, the observations made along it, its
// category and tags. Run after the observations, whose twins say which CoMapeo observation each
// Cairn observation is.

interface ComapeoLocation {
  timestamp: string;
  mocked?: boolean;
  coords: { latitude: number; longitude: number; altitude?: number; accuracy?: number; heading?: number; speed?: number };
}

interface ComapeoTrack {
  locations?: ComapeoLocation[];
  observationRefs?: Array<{ docId: string; versionId: string }>;
  tags?: Record<string, TagValue>;
  presetRef?: { docId: string; versionId: string };
}

export async function bridgeTracks(io: BridgeIo, categories: CategoryMap, observations: ObservationTwins, comapeoTracks: readonly ComapeoDoc[]): Promise<void> {
  const { toComapeo: observationTwins, toCairn: observationIds } = observations;

  const value = (track: Track, twin: ComapeoDoc | null): Record<string, unknown> => {
    const tags: Record<string, TagValue> = { ...track.tags };
    const marker = twin === null ? track.id : (twin.value as ComapeoTrack).tags?.[CAIRN_ID_TAG];
    if (marker !== undefined) tags[CAIRN_ID_TAG] = marker;
    const preset = track.category === null ? undefined : categories.presetToComapeo.get(track.category);
    return {
      locations: track.locations.map(comapeoLocation),
      observationRefs: track.observations.flatMap((id) => observationTwins.get(id) ?? []),
      tags,
      ...(preset === undefined ? {} : { presetRef: preset }),
    };
  };

  await bridgeDocuments<Track, TrackInput>(io, 'track', io.ctx.project.tracks, comapeoTracks, {
    names: (doc) => {
      const id = (doc.value as ComapeoTrack).tags?.[CAIRN_ID_TAG];
      return typeof id === 'string' ? id : null;
    },
    value,
    comparable: (given) => {
      const track = given as ComapeoTrack;
      const { [CAIRN_ID_TAG]: _marker, ...tags } = track.tags ?? {};
      return canonical({
        locations: (track.locations ?? []).map((location) => ({ ...location, timestamp: isoTime(location.timestamp), mocked: location.mocked ?? false })),
        observations: (track.observationRefs ?? []).map((ref) => ref.docId),
        preset: track.presetRef?.docId ?? null,
        tags,
      });
    },
    input: (doc, cairn) => {
      const track = doc.value as ComapeoTrack;
      const { [CAIRN_ID_TAG]: _marker, ...tags } = track.tags ?? {};
      return {
        locations: (track.locations ?? []).map(cairnLocation),
        observations: (track.observationRefs ?? []).flatMap((ref) => observationIds.get(ref.docId) ?? []),
        category: track.presetRef === undefined ? null : (categories.presetToCairn.get(track.presetRef.docId) ?? null),
        tags,
        ...(cairn === null ? { createdAt: doc.createdAt, updatedAt: doc.updatedAt, createdBy: doc.createdBy } : {}),
      };
    },
  });
}

function comapeoLocation(point: TrackPoint): ComapeoLocation {
  const coords: ComapeoLocation['coords'] = { latitude: point.lat, longitude: point.lon };
  if (point.altitude !== undefined) coords.altitude = point.altitude;
  if (point.accuracy !== undefined) coords.accuracy = point.accuracy;
  if (point.heading !== undefined) coords.heading = point.heading;
  if (point.speed !== undefined) coords.speed = point.speed;
  return { timestamp: point.timestamp, mocked: point.mocked ?? false, coords };
}

function cairnLocation(location: ComapeoLocation): TrackPoint {
  const { latitude, longitude, altitude, accuracy, heading, speed } = location.coords;
  const point: TrackPoint = { lat: latitude, lon: longitude, timestamp: location.timestamp, mocked: location.mocked ?? false };
  if (altitude !== undefined) point.altitude = altitude;
  if (accuracy !== undefined) point.accuracy = accuracy;
  if (heading !== undefined) point.heading = heading;
  if (speed !== undefined) point.speed = speed;
  return point;
}
