import type { ImportPosition, ImportRecord, ObservationInput, TagValue } from '@cairn/sdk/common';
import { GEOJSON_METADATA, GEOJSON_RESERVED } from './geojson.js';
import { shown } from './geojson-splitter.js';

// The splitter was defined here first; readers and tests import it from this module.
export { GeojsonSplitter, geojsonFeatures } from './geojson-splitter.js';

/**
 * Reading GeoJSON back into observations: Cairn's own export, a Mapeo Desktop export (tags as
 * properties, then `categoryId`, `notes`, `$created`…), and a CoMapeo observation's shape (`tags`,
 * `presetRef`, `createdAt`, `docId`…). {@link GeojsonSplitter} cuts a document into its features
 * as the text arrives; {@link featureToRecord} maps one feature.
 */

/** Properties that name the creation time, most specific first. */
const CREATED_KEYS = ['$created', 'createdAt', 'created_at'] as const;

/** Cairn's writers put a tag named like a reserved property under `tag:<key>`. */
const TAG_PREFIX = 'tag:';
const PREFIXED = new Set<string>([...GEOJSON_RESERVED, ...GEOJSON_METADATA]);

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A value as a tag can hold it: strings, numbers, booleans and null as they are, a list of those
 * as it is; an object (Mapeo's `meta`, an empty `group1: {}`) as its JSON text, and likewise an
 * object or list inside a list.
 */
function toTagValue(value: unknown): TagValue {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (Array.isArray(value)) {
    return value.map((item: unknown) =>
      item === null || typeof item === 'string' || typeof item === 'boolean' || (typeof item === 'number' && Number.isFinite(item))
        ? (item as string | number | boolean | null)
        : JSON.stringify(item) ?? String(item),
    );
  }
  if (value === undefined) return null;
  return JSON.stringify(value) ?? String(value);
}

/** An ISO 8601 date, or date and time, with or without a zone (the forms the store accepts). */
const ISO_TIME = /^\d{4}-\d{2}-\d{2}(?:[Tt ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:[Zz]|[+-]\d{2}:?\d{2})?)?$/;

/** A time as `toISOString` writes it (Cairn's and Mapeo's exports), kept as it is. */
const CANONICAL_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/**
 * A creation time as `toISOString` writes it, or the reason it is not one. Only ISO 8601 is read
 * (`2024-05-01`, `2024-05-01 10:00`, `2024-05-01T10:00:00+02:00`…): `Date.parse` alone takes
 * `12` for December 2001 and `01/05/2024` for January, and turns 30 February into 1 March. A time
 * without a zone is local time, as `Date` reads it.
 */
export function toCreatedAt(value: unknown, name: string): { createdAt: string } | { error: string } {
  const text = typeof value === 'string' ? value.trim() : '';
  if (ISO_TIME.test(text) && validParts(text)) {
    if (CANONICAL_TIME.test(text)) return { createdAt: text };
    const time = Date.parse(text.replace(' ', 'T'));
    if (!Number.isNaN(time)) return { createdAt: new Date(time).toISOString() };
  }
  return { error: `Its ${name} ${shown(value)} is not a date and time like 2024-05-01T10:00:00Z.` };
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** The number written by the `count` digits at `at`. */
function digits(text: string, at: number, count: number): number {
  let value = 0;
  for (let k = at; k < at + count; k += 1) value = value * 10 + text.charCodeAt(k) - 0x30;
  return value;
}

/**
 * Whether the date and time `ISO_TIME` matched exist (no 30 February, no 24:00). Its fields have
 * fixed places: `yyyy-mm-dd` then `Thh:mm` and `:ss`.
 */
function validParts(text: string): boolean {
  const year = digits(text, 0, 4);
  const month = digits(text, 5, 2);
  const day = digits(text, 8, 2);
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (day > (month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1]!)) return false;
  if (text.length === 10) return true;
  return digits(text, 11, 2) <= 23 && digits(text, 14, 2) <= 59 && (text.charCodeAt(16) !== 0x3a || digits(text, 17, 2) <= 59);
}

function category(properties: Record<string, unknown>): string | null {
  const id = properties.categoryId;
  if (typeof id === 'string' && id.trim() !== '') return id.trim();
  if (typeof id === 'number') return String(id);
  const ref = properties.presetRef;
  if (typeof ref === 'string' && ref.trim() !== '') return ref.trim();
  if (isObject(ref) && typeof ref.docId === 'string' && ref.docId !== '') return ref.docId;
  return null;
}

/** Sets a tag, also one named `__proto__` (which plain assignment would take for the prototype). */
export function setTag(tags: Record<string, TagValue>, key: string, value: TagValue): void {
  if (key === '__proto__') Object.defineProperty(tags, key, { value, enumerable: true, writable: true, configurable: true });
  else tags[key] = value;
}

/**
 * A record as this plugin's readers read it, with the names of the photos it refers to (Mapeo's
 * and Cairn's `$photos`, the `attachments` column of Cairn's CSV): a zip that holds them attaches
 * them; a GeoJSON alone keeps them as a `photos` tag.
 */
export interface SourceRecord {
  record: ImportRecord;
  photos: string[];
}

/** The record's own id: the feature's `id` (GeoJSON, Mapeo, Cairn), else CoMapeo's `docId`. */
function sourceIdOf(feature: Record<string, unknown>, properties: Record<string, unknown>): string | undefined {
  for (const id of [feature.id, properties.docId]) {
    if (typeof id === 'string' && id.trim() !== '') return id.trim();
    if (typeof id === 'number' && Number.isFinite(id)) return String(id);
  }
  return undefined;
}

/** Text of a `notes` (or `note`) value: anything but a string as its JSON. */
function notesText(value: unknown): string {
  return typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/**
 * One GeoJSON feature as an observation to create, or the reason it cannot be one; photo names
 * as a `photos` tag (see {@link readFeature}).
 */
export function featureToRecord(feature: unknown, position: ImportPosition): ImportRecord {
  const { record, photos } = readFeature(feature, position);
  // A GeoJSON file holds no photos, only Mapeo's names for them (`$photos`), so nothing can be
  // attached on import. The names stay as a `photos` tag so the files can be found (in the Mapeo
  // export's media folder, say) and attached by hand; dropping them would lose the only link.
  if (record.input !== undefined && photos.length > 0) withPhotosTag(record.input, photos);
  return record;
}

/** Names of photos that are not attached, kept as the `photos` tag (unless there is a tag of that name). */
export function withPhotosTag(input: ObservationInput, names: readonly string[]): void {
  const tags = (input.tags ??= {});
  if (names.length > 0 && tags.photos === undefined) tags.photos = [...names];
}

/**
 * One GeoJSON feature as an observation to create, or the reason it cannot be one, and the
 * names of its photos.
 *
 * - The geometry must be a Point, `[longitude, latitude]` (an altitude after them is dropped).
 * - The category is `categoryId` (Mapeo Desktop, Cairn), else CoMapeo's `presetRef` (its `docId`,
 *   or the string itself).
 * - The notes are `notes` (anything but a string as its text), else `note` (the key of Mapeo's
 *   universal "Note" field); the creation time the first of `$created`, `createdAt` and
 *   `created_at` there is, and it must be a date.
 * - The feature's `id` (CoMapeo: `docId`) is the record's `sourceId`; `$photos` its photos.
 * - A `tags` object (CoMapeo's) is merged into the properties, its values winning, so the
 *   `notes` and `categoryId` in it are read too.
 * - {@link GEOJSON_METADATA} is dropped; every other property is a tag (see {@link toTagValue}),
 *   `tag:<key>` read as `<key>` where Cairn's writer prefixed a reserved name.
 */
export function readFeature(feature: unknown, position: ImportPosition): SourceRecord {
  const reject = (error: string): SourceRecord => ({ record: { position, error }, photos: [] });
  if (!isObject(feature)) return reject(`The feature is not a JSON object (it is ${shown(feature)}).`);
  if (feature.type !== undefined && feature.type !== 'Feature') return reject(`It is not a GeoJSON Feature (its type is ${shown(feature.type)}).`);
  const { geometry } = feature;
  if (geometry === undefined || geometry === null) return reject('The feature has no geometry, so no location.');
  if (!isObject(geometry)) return reject(`Its geometry is not an object (it is ${shown(geometry)}).`);
  if (geometry.type !== 'Point') {
    return reject(geometry.type === undefined ? 'Its geometry has no type; only Points can be imported.' : `Its geometry is a ${shown(geometry.type)}, not a Point; only Points can be imported.`);
  }
  const { coordinates } = geometry;
  if (!Array.isArray(coordinates) || coordinates.length < 2) return reject(`Its Point has no [longitude, latitude] coordinates (it has ${shown(coordinates)}).`);
  const [lon, lat] = coordinates as unknown[];
  if (typeof lon !== 'number' || typeof lat !== 'number' || !Number.isFinite(lon) || !Number.isFinite(lat)) {
    return reject(`Its coordinates are not numbers: ${shown([lon, lat])}.`);
  }
  const swapped = Math.abs(lat) > 90 && Math.abs(lat) <= 180 && Math.abs(lon) <= 90 ? ' (are longitude and latitude swapped?)' : '';
  if (lat < -90 || lat > 90) return reject(`Its latitude ${lat} is out of range (-90 to 90)${swapped}.`);
  if (lon < -180 || lon > 180) return reject(`Its longitude ${lon} is out of range (-180 to 180).`);

  const raw = feature.properties ?? {};
  if (!isObject(raw)) return reject(`Its properties are not an object (they are ${shown(raw)}).`);
  // `tags: undefined` drops the merged object itself (unless it holds a tag named `tags`).
  const properties: Record<string, unknown> = isObject(raw.tags) ? { ...raw, tags: undefined, ...raw.tags } : raw;

  const input: ObservationInput = { lat, lon, category: category(properties) };
  // Mapeo's universal field is `note`; Cairn's own field is `notes`. A `note` stands in for
  // absent notes, and is then no tag; beside notes (even empty ones, as Cairn writes them) it is one.
  const notesKey = properties.notes !== undefined && properties.notes !== null ? 'notes' : properties.note !== undefined && properties.note !== null ? 'note' : undefined;
  if (notesKey !== undefined) input.notes = notesText(properties[notesKey]);
  let createdKey: string | undefined;
  for (const key of CREATED_KEYS) {
    const value = properties[key];
    if (value === undefined || value === null || value === '') continue;
    const created = toCreatedAt(value, key);
    if ('error' in created) return reject(created.error);
    input.createdAt = created.createdAt;
    createdKey = key;
    break;
  }

  const tags: Record<string, TagValue> = {};
  for (const key in properties) {
    const value = properties[key];
    if (value === undefined || GEOJSON_METADATA.has(key) || key === createdKey || key === notesKey || key === '' || !Object.hasOwn(properties, key)) continue;
    setTag(tags, key.startsWith(TAG_PREFIX) && PREFIXED.has(key.slice(TAG_PREFIX.length)) ? key.slice(TAG_PREFIX.length) : key, toTagValue(value));
  }
  input.tags = tags;
  const photos = Array.isArray(properties.$photos) ? properties.$photos.filter((name): name is string => typeof name === 'string' && name !== '') : [];
  const sourceId = sourceIdOf(feature, raw);
  return { record: sourceId === undefined ? { position, input } : { position, input, sourceId }, photos };
}
