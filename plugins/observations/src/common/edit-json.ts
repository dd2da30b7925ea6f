import type { Observation, ObservationPatch, Preset, TagValue } from '@cairn/sdk/common';

/** The part of an observation "Edit as JSON" lets the user change; the rest (id, versions, photos) is not theirs to type. */
export interface EditableObservation {
  lat: number;
  lon: number;
  category: string | null;
  notes: string;
  tags: Record<string, TagValue>;
}

export function editableOf(observation: Observation): EditableObservation {
  const { lat, lon, category, notes, tags } = observation;
  return { lat, lon, category, notes, tags };
}

const tagScalar = { type: ['string', 'number', 'boolean', 'null'] };

/**
 * The JSON schema the editor validates against as the user types: the same rules the host applies
 * when it saves, plus the project's categories offered as completions.
 */
export function editSchema(presets: readonly Preset[]): object {
  return {
    type: 'object',
    additionalProperties: false,
    required: ['lat', 'lon', 'category', 'notes', 'tags'],
    properties: {
      lat: { type: 'number', minimum: -90, maximum: 90, description: 'Latitude in degrees (WGS 84)' },
      lon: { type: 'number', minimum: -180, maximum: 180, description: 'Longitude in degrees (WGS 84)' },
      category: {
        description: 'The id of a category, or null',
        anyOf: [{ type: 'null' }, { type: 'string', maxLength: 200, ...(presets.length > 0 && { examples: presets.map((preset) => preset.id) }) }],
      },
      notes: { type: 'string', maxLength: 100_000 },
      tags: {
        type: 'object',
        description: 'Tags: a string, number, true/false, null, or a list of those',
        propertyNames: { minLength: 1, maxLength: 200 },
        additionalProperties: { anyOf: [tagScalar, { type: 'array', items: tagScalar }] },
      },
    },
  };
}

/** Parses the editor's text: the object, or the reason it cannot be saved (the JSON, or its shape). */
export function parseEditable(text: string): { value: EditableObservation } | { error: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { error: `The JSON is not valid: ${(error as Error).message}` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { error: 'The JSON must be an object with lat, lon, category, notes and tags.' };
  const record = value as Record<string, unknown>;
  const unknown = Object.keys(record).filter((key) => !['lat', 'lon', 'category', 'notes', 'tags'].includes(key));
  if (unknown.length > 0) return { error: `Not fields of an observation: ${unknown.join(', ')}.` };
  const missing = ['lat', 'lon', 'category', 'notes', 'tags'].filter((key) => !(key in record));
  if (missing.length > 0) return { error: `Missing: ${missing.join(', ')}.` };
  // The rest (ranges, types) is the host's to check when it saves, as for every edit.
  return { value: record as unknown as EditableObservation };
}

/** The edit that turns `before` into `after`: changed fields, tags set, tags removed. */
export function patchBetween(before: EditableObservation, after: EditableObservation): ObservationPatch {
  const patch: ObservationPatch = {};
  if (after.lat !== before.lat) patch.lat = after.lat;
  if (after.lon !== before.lon) patch.lon = after.lon;
  if (after.category !== before.category) patch.category = after.category;
  if (after.notes !== before.notes) patch.notes = after.notes;
  const tags: Record<string, TagValue> = {};
  for (const [key, value] of Object.entries(after.tags)) if (JSON.stringify(before.tags[key]) !== JSON.stringify(value)) tags[key] = value;
  if (Object.keys(tags).length > 0) patch.tags = tags;
  const untag = Object.keys(before.tags).filter((key) => !(key in after.tags));
  if (untag.length > 0) patch.untag = untag;
  return patch;
}

/** Changes between two JSON values as readable lines (`tags.count: 2 → 3`), for "what changed". */
export function describeChanges(before: unknown, after: unknown, path = ''): string[] {
  if (JSON.stringify(before) === JSON.stringify(after)) return [];
  const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
  if (isObject(before) && isObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((key) => {
      const at = path ? `${path}.${key}` : key;
      if (!(key in after)) return [`${at}: removed (was ${short(before[key])})`];
      if (!(key in before)) return [`${at}: added ${short(after[key])}`];
      return describeChanges(before[key], after[key], at);
    });
  }
  return [`${path || 'value'}: ${short(before)} → ${short(after)}`];
}

function short(value: unknown): string {
  const text = JSON.stringify(value) ?? 'undefined';
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}
