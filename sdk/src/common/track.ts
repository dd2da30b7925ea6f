import type { TagValue } from './observation.js';

/**
 * A track: the way someone walked, paddled or drove, recorded by a phone as timed GPS fixes
 * (CoMapeo records them). Its own kind of document, drawn on the map as a line and exported as a
 * LineString; it may name the observations made along it.
 */
export interface Track {
  id: string;
  version: string;
  /** In the order they were recorded; at least two. */
  locations: TrackPoint[];
  /** Ids of observations made along the track. */
  observations: string[];
  /** Id of the category (preset), or null. */
  category: string | null;
  tags: Record<string, TagValue>;
  createdAt: string;
  updatedAt: string;
  /** Device id of its author. */
  createdBy: string;
  /** Versions that lost a concurrent edit; empty unless the document is forked. */
  forks: string[];
}

/** One GPS fix of a track. */
export interface TrackPoint {
  lat: number;
  lon: number;
  /** When it was measured (ISO 8601). */
  timestamp: string;
  /** Metres above the WGS 84 ellipsoid. */
  altitude?: number;
  /** Metres. */
  accuracy?: number;
  /** Degrees clockwise from true north. */
  heading?: number;
  /** Metres per second. */
  speed?: number;
  /** The fix came from a mock location provider, not the GPS. */
  mocked?: boolean;
}

export interface TrackInput {
  /** The document id, for tracks that have one elsewhere (a bridge); left out, a new random id. */
  id?: string;
  locations: TrackPoint[];
  observations?: string[];
  category?: string | null;
  tags?: Record<string, TagValue>;
  /** For a bridge that brings a track written elsewhere with its own times and author. */
  createdAt?: string;
  updatedAt?: string;
  createdBy?: string;
}

/** A partial edit: fields left out stay as they are. */
export type TrackPatch = Partial<Pick<TrackInput, 'locations' | 'observations' | 'category' | 'tags'>>;

/**
 * A track as a GeoJSON (RFC 7946) LineString feature: the fixes' longitude, latitude and, where
 * every fix has one, altitude; the fixes' times in `times` (as GPX and GeoJSON tools read them),
 * the tags as properties, and the record's own under `$` names (like an observation's export).
 */
export function trackFeature(track: Track): { type: 'Feature'; id: string; geometry: { type: 'LineString'; coordinates: number[][] }; properties: Record<string, unknown> } {
  const withAltitude = track.locations.every((point) => point.altitude !== undefined);
  const properties: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(track.tags)) properties[key.startsWith('$') || key === 'categoryId' || key === 'times' ? `tag:${key}` : key] = value;
  Object.assign(properties, {
    categoryId: track.category,
    times: track.locations.map((point) => point.timestamp),
    $type: 'track',
    $observations: track.observations,
    $created: track.createdAt,
    $modified: track.updatedAt,
    $version: track.version,
    $createdBy: track.createdBy,
  });
  return {
    type: 'Feature',
    id: track.id,
    geometry: { type: 'LineString', coordinates: track.locations.map((point) => (withAltitude ? [point.lon, point.lat, point.altitude!] : [point.lon, point.lat])) },
    properties,
  };
}
