import type { Observation } from '@cairn/sdk/common';

/**
 * GeoJSON as RFC 7946 has it (WGS 84 longitude/latitude, no `crs`), with properties shaped like
 * a Mapeo Desktop export so the tools that read those read these: the tags as properties, then
 * `categoryId`, `notes`, `$created`, `$modified`, `$version`, `$photos` (attachment names) and
 * `$createdBy`. A tag named like one of those, or like metadata readers drop (`GEOJSON_METADATA`),
 * keeps its value under `tag:<key>`.
 */
export const GEOJSON_RESERVED = ['categoryId', 'notes', '$created', '$modified', '$version', '$photos', '$createdBy'] as const;

/**
 * Properties that describe the record rather than what was observed: the ones read into the
 * observation's own fields, Mapeo Desktop's `$` metadata, and CoMapeo's document metadata. They
 * never become tags.
 */
export const GEOJSON_METADATA: ReadonlySet<string> = new Set([
  'categoryId',
  'notes',
  '$created',
  '$modified',
  '$version',
  '$photos',
  '$createdBy',
  'createdAt',
  'docId',
  'versionId',
  'originalVersionId',
  'updatedAt',
  'links',
  'deleted',
  'schemaName',
  'attachments',
  'presetRef',
  'metadata',
]);

export const GEOJSON_HEAD = '{"type":"FeatureCollection","features":[\n';
export const GEOJSON_TAIL = '\n]}\n';

export function geojsonFeature(observation: Observation): Record<string, unknown> {
  // A tag named like something a reader takes as metadata keeps its value under `tag:<key>`.
  const reserved = new Set<string>([...GEOJSON_RESERVED, ...GEOJSON_METADATA]);
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
