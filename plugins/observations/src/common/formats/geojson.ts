import type { Observation } from '@cairn/sdk/common';

/**
 * GeoJSON as RFC 7946 has it (WGS 84 longitude/latitude, no `crs`), with properties shaped like
 * a Mapeo Desktop export so the tools that read those read these: the tags as properties, then
 * `categoryId`, `notes`, `$created`, `$modified`, `$version`, `$photos` (attachment names) and
 * `$createdBy`. A tag named like one of those keeps its value under `tag:<key>`.
 */
export const GEOJSON_RESERVED = ['categoryId', 'notes', '$created', '$modified', '$version', '$photos', '$createdBy'] as const;

export const GEOJSON_HEAD = '{"type":"FeatureCollection","features":[\n';
export const GEOJSON_TAIL = '\n]}\n';

export function geojsonFeature(observation: Observation): Record<string, unknown> {
  const reserved = new Set<string>(GEOJSON_RESERVED);
  const properties: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(observation.tags)) properties[reserved.has(key) ? `tag:${key}` : key] = value;
  Object.assign(properties, {
    categoryId: observation.category,
    notes: observation.notes,
    $created: observation.createdAt,
    $modified: observation.updatedAt,
    $version: observation.version,
    $photos: observation.attachments.map((attachment) => attachment.name),
    $createdBy: observation.createdBy,
  });
  return {
    type: 'Feature',
    id: observation.id,
    geometry: { type: 'Point', coordinates: [observation.lon, observation.lat] },
    properties,
  };
}

/** One feature as it goes between `GEOJSON_HEAD` and `GEOJSON_TAIL` (`first`: no comma before it). */
export function geojsonFeatureText(observation: Observation, first: boolean): string {
  return `${first ? '' : ',\n'}${JSON.stringify(geojsonFeature(observation))}`;
}
