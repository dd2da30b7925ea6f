import { CairnError, ErrorCodes, type ImportPosition, type ImportRecord, type ObservationInput, type TagValue } from '@cairn/sdk/common';
import { GEOJSON_METADATA, GEOJSON_RESERVED } from './geojson.js';

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

/** JSON text of a value for messages, cut short. */
function shown(value: unknown): string {
  const text = typeof value === 'string' ? JSON.stringify(value) : String(JSON.stringify(value) ?? value);
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

/**
 * A value as a tag can hold it: strings, numbers, booleans and null as they are, a list of those
 * as it is; an object (Mapeo's `meta`, an empty `group1: {}`) as its JSON text, and likewise an
 * object or list inside a list.
 */
export function toTagValue(value: unknown): TagValue {
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
 * One GeoJSON feature as an observation to create, or the reason it cannot be one.
 *
 * - The geometry must be a Point, `[longitude, latitude]` (an altitude after them is dropped).
 * - The category is `categoryId` (Mapeo Desktop, Cairn), else CoMapeo's `presetRef` (its `docId`,
 *   or the string itself).
 * - The notes are `notes` (anything but a string as its text); the creation time the first of
 *   `$created`, `createdAt` and `created_at` there is, and it must be a date.
 * - A `tags` object (CoMapeo's) is merged into the properties, its values winning, so the
 *   `notes` and `categoryId` in it are read too.
 * - {@link GEOJSON_METADATA} is dropped; every other property is a tag (see {@link toTagValue}),
 *   `tag:<key>` read as `<key>` where Cairn's writer prefixed a reserved name.
 */
export function featureToRecord(feature: unknown, position: ImportPosition): ImportRecord {
  const reject = (error: string): ImportRecord => ({ position, error });
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
  const { notes } = properties;
  if (notes !== undefined && notes !== null) input.notes = typeof notes === 'string' ? notes : typeof notes === 'object' ? JSON.stringify(notes) : String(notes);
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
    if (value === undefined || GEOJSON_METADATA.has(key) || key === createdKey || key === '' || !Object.hasOwn(properties, key)) continue;
    setTag(tags, key.startsWith(TAG_PREFIX) && PREFIXED.has(key.slice(TAG_PREFIX.length)) ? key.slice(TAG_PREFIX.length) : key, toTagValue(value));
  }
  // A GeoJSON file holds no photos, only Mapeo's names for them (`$photos`), so nothing can be
  // attached on import. The names stay as a `photos` tag so the files can be found (in the Mapeo
  // export's media folder, say) and attached by hand; dropping them would lose the only link.
  const photos = properties.$photos;
  if (Array.isArray(photos) && tags.photos === undefined) {
    const names = photos.filter((name): name is string => typeof name === 'string' && name !== '');
    if (names.length > 0) tags.photos = names;
  }
  input.tags = tags;
  return { position, input };
}

/** Where the splitter is in the document's structure (outside the values it skips over). */
const enum At {
  /** Before the document's first character. */
  Start,
  /** In the top-level object, where a member's key or its closing `}` comes. */
  Key,
  /** After a key, where its `:` comes. */
  Colon,
  /** After a key's `:`, where its value starts. */
  Value,
  /** After a member, where `,` or `}` comes. */
  MemberEnd,
  /** In the feature array, where the first feature or `]` comes. */
  FirstItem,
  /** After a `,` in the feature array, where a feature must come. */
  Item,
  /** After a feature, where `,` or `]` comes. */
  ItemEnd,
  /** After the document's end: only white space may follow. */
  End,
}

/** What the value being scanned is: one of the features, a member's key, or another member's value. */
const enum Role {
  None,
  Feature,
  Key,
  Member,
}

/** The shape of the value being scanned. */
const enum Kind {
  String,
  Container,
  Literal,
}

const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const QUOTE = 0x22;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACKET = 0x5b;
const BACKSLASH = 0x5c;
const CLOSE_BRACKET = 0x5d;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const BOM = 0xfeff;

function isSpace(code: number): boolean {
  return code === SPACE || code === LF || code === CR || code === TAB;
}

function notGeojson(message: string, cause?: unknown): CairnError {
  return new CairnError(ErrorCodes.INVALID_INPUT, `Not a GeoJSON file: ${message}`, cause === undefined ? undefined : { cause });
}

/** Whether the backslashes just before `index` (back to `from`) escape the character at `index`. */
function isEscaped(text: string, from: number, index: number): boolean {
  let run = 0;
  for (let k = index - 1; k >= from && text.charCodeAt(k) === BACKSLASH; k -= 1) run += 1;
  return run % 2 === 1;
}

/**
 * Cuts a GeoJSON document into its features as its text arrives, in chunks cut anywhere, holding
 * no more than the feature being read (and the document's text outside the feature array). It
 * reads a FeatureCollection (the features of its top-level `features` array), a bare array of
 * features, or a single Feature. Give it each chunk with {@link write}, then call {@link end};
 * each returns the features it completed, parsed, in order. A document that is not JSON, or not
 * one of those three, throws a `CairnError` with `ERR_INVALID_INPUT`; when the top-level `type`
 * comes before `features` (as every exporter writes it), before any feature is returned.
 *
 * It follows only the nesting depth and where strings start and end (a `"` after an odd run of
 * backslashes is escaped), jumping from quote to quote with `indexOf`. Each feature's text is
 * sliced out of the chunk (joined with the previous chunks' slices when it spans several) and
 * parsed by `JSON.parse`, which checks it; the text outside the feature array is parsed at the
 * end, which checks the rest of the document.
 */
export class GeojsonSplitter {
  private at = At.Start;
  /** Nesting depth at the current character: 1 inside the top-level object or array. */
  private depth = 0;
  /** Whether the document is a top-level array. */
  private array = false;
  /** Depth of the feature array's items: 1 for a bare array, 2 for a FeatureCollection's. */
  private itemDepth = -1;
  /** Whether the feature array was found, and whether the text being read is inside it. */
  private streamed = false;
  private inArray = false;

  /** The value being scanned: its role, its kind and the depth it sits at. */
  private role = Role.None;
  private kind = Kind.String;
  private valueDepth = 0;
  /** Inside a string; and whether the last chunk ended on a backslash that escapes the next character. */
  private inString = false;
  private escaped = false;
  /** Whether the value's text is kept (a feature, a key, the `type`), and its earlier chunks' slices. */
  private keeping = false;
  private parts: string[] = [];
  /** Where the kept value starts in the current chunk (0 when it began in an earlier one). */
  private start = -1;

  /** The last key read in the top-level object, and its `type` once read. */
  private key = '';
  private type: unknown = undefined;
  /** The document's text outside the feature array, and where its slice starts in the current chunk. */
  private rest: string[] = [];
  private restStart = -1;
  private features: unknown[] = [];
  private count = 0;

  /** Reads the next chunk of the document; returns the features it completed. */
  write(chunk: string): unknown[] {
    const text = chunk;
    const length = text.length;
    this.features = [];
    let i = 0;
    if (this.at === At.Start && length > 0 && text.charCodeAt(0) === BOM) i = 1;
    this.restStart = this.inArray ? -1 : i;
    this.start = this.keeping ? 0 : -1;
    while (i < length) {
      if (this.inString) {
        i = this.scanString(text, i);
        if (!this.inString && this.kind === Kind.String) this.endValue(text, i);
        continue;
      }
      if (this.role !== Role.None) {
        if (this.kind === Kind.Container) {
          i = this.scanContainer(text, i);
          if (this.depth === this.valueDepth) this.endValue(text, i);
        } else {
          // A number, true, false or null ends where a delimiter or white space starts.
          const code = text.charCodeAt(i);
          if (code === COMMA || code === CLOSE_BRACE || code === CLOSE_BRACKET || isSpace(code)) this.endValue(text, i);
          else i += 1;
        }
        continue;
      }
      const code = text.charCodeAt(i);
      if (isSpace(code)) {
        i += 1;
        continue;
      }
      i = this.structure(text, i, code);
    }
    if (this.keeping && this.start >= 0 && this.start < length) this.parts.push(text.slice(this.start));
    if (this.restStart >= 0 && this.restStart < length) this.rest.push(text.slice(this.restStart));
    return this.features;
  }

  /** Ends the document; returns the features that completes (a single-Feature document's one). */
  end(): unknown[] {
    this.features = [];
    if (this.at === At.Start) throw notGeojson('the file is empty.');
    if (this.at !== At.End) throw notGeojson('the JSON text ends too soon (is the file cut short?).');
    let document: unknown;
    try {
      document = JSON.parse(this.rest.join(''));
    } catch (error) {
      throw notGeojson(`it is not valid JSON (${(error as Error).message}).`, error);
    }
    this.rest = [];
    if (this.array) return this.features;
    const { type } = document as Record<string, unknown>;
    if (this.streamed) {
      if (type === undefined || type === 'FeatureCollection') return this.features;
      throw notGeojson(`its type is ${shown(type)}, not FeatureCollection.`);
    }
    if (type === 'Feature') {
      this.count += 1;
      return [document];
    }
    if (type === 'FeatureCollection') throw notGeojson('its FeatureCollection has no "features" array.');
    throw notGeojson(type === undefined ? 'it has no "type"; a FeatureCollection or a Feature was expected.' : `its type is ${shown(type)}, not FeatureCollection or Feature.`);
  }

  /** A structural character (not white space, not in a value): returns the next index. */
  private structure(text: string, i: number, code: number): number {
    switch (this.at) {
      case At.Start:
        this.depth = 1;
        if (code === OPEN_BRACE) {
          this.at = At.Key;
          return i + 1;
        }
        if (code === OPEN_BRACKET) {
          this.array = true;
          this.streamed = true;
          this.inArray = true;
          this.itemDepth = 1;
          this.at = At.FirstItem;
          this.rest.push('[');
          this.restStart = -1;
          return i + 1;
        }
        throw notGeojson(`it starts with ${shown(text.slice(i, i + 20))}, not with { or [.`);
      case At.Key:
        if (code === QUOTE) return this.openValue(Role.Key, true, code, i);
        if (code === CLOSE_BRACE) {
          this.depth = 0;
          this.at = At.End;
          return i + 1;
        }
        throw this.unexpected(text, i);
      case At.Colon:
        if (code !== COLON) throw this.unexpected(text, i);
        this.at = At.Value;
        return i + 1;
      case At.Value:
        if (this.key === 'features') {
          const type = this.type;
          if (type !== undefined && type !== 'FeatureCollection' && type !== 'Feature') throw notGeojson(`its type is ${shown(type)}, not FeatureCollection.`);
          if (code === OPEN_BRACKET && !this.streamed && type !== 'Feature') {
            // The feature array: its items are cut out; the rest of the document is kept.
            this.streamed = true;
            this.inArray = true;
            this.itemDepth = 2;
            this.depth = 2;
            this.at = At.FirstItem;
            this.rest.push(text.slice(this.restStart, i + 1));
            this.restStart = -1;
            return i + 1;
          }
        }
        return this.openValue(Role.Member, this.key === 'type', code, i);
      case At.MemberEnd:
        if (code === COMMA) {
          this.at = At.Key;
          return i + 1;
        }
        if (code === CLOSE_BRACE) {
          this.depth = 0;
          this.at = At.End;
          return i + 1;
        }
        throw this.unexpected(text, i);
      case At.FirstItem:
      case At.Item:
        if (code === CLOSE_BRACKET && this.at === At.FirstItem) return this.closeArray(i);
        if (code === CLOSE_BRACKET || code === CLOSE_BRACE || code === COMMA || code === COLON) throw this.unexpected(text, i);
        return this.openValue(Role.Feature, true, code, i);
      case At.ItemEnd:
        if (code === COMMA) {
          this.at = At.Item;
          return i + 1;
        }
        if (code === CLOSE_BRACKET) return this.closeArray(i);
        throw this.unexpected(text, i);
      case At.End:
        throw notGeojson(`there is more text after the end of the JSON document: ${shown(text.slice(i, i + 20))}.`);
    }
  }

  /** Starts the value whose first character, `code`, is at `i`; returns the next index. */
  private openValue(role: Role, keep: boolean, code: number, i: number): number {
    this.role = role;
    this.valueDepth = this.depth;
    this.keeping = keep;
    this.parts = [];
    this.start = keep ? i : -1;
    if (code === QUOTE) {
      this.kind = Kind.String;
      this.inString = true;
    } else if (code === OPEN_BRACE || code === OPEN_BRACKET) {
      this.kind = Kind.Container;
      this.depth += 1;
    } else this.kind = Kind.Literal;
    return i + 1;
  }

  /** The value ends just before `end`: hand it on by its role. */
  private endValue(text: string, end: number): void {
    const role = this.role;
    const kept = this.keeping;
    this.role = Role.None;
    let value = '';
    if (kept) {
      const last = this.start >= 0 ? text.slice(this.start, end) : '';
      value = this.parts.length === 0 ? last : this.parts.join('') + last;
      this.parts = [];
      this.keeping = false;
      this.start = -1;
    }
    if (role === Role.Feature) {
      try {
        this.features.push(JSON.parse(value));
      } catch (error) {
        throw notGeojson(`feature ${this.count} is not valid JSON (${(error as Error).message}).`, error);
      }
      this.count += 1;
      this.at = At.ItemEnd;
      return;
    }
    if (kept) {
      try {
        if (role === Role.Key) this.key = JSON.parse(value) as string;
        else this.type = JSON.parse(value);
      } catch (error) {
        throw notGeojson(`it is not valid JSON (${(error as Error).message}).`, error);
      }
    }
    this.at = role === Role.Key ? At.Colon : At.MemberEnd;
  }

  /** Moves past the string's closing quote, or to the chunk's end; returns the next index. */
  private scanString(text: string, from: number): number {
    let i = from;
    if (this.escaped) {
      this.escaped = false;
      i += 1;
    }
    for (;;) {
      const quote = text.indexOf('"', i);
      if (quote === -1) {
        this.escaped = text.length > i && isEscaped(text, i, text.length);
        return text.length;
      }
      const escaped = isEscaped(text, i, quote);
      i = quote + 1;
      if (!escaped) {
        this.inString = false;
        return i;
      }
    }
  }

  /**
   * Scans a container value (a feature) from `from`; returns the index after its closing bracket
   * (the depth is then back to the value's), or the chunk's end. The hot loop: locals only.
   */
  private scanContainer(text: string, from: number): number {
    const length = text.length;
    const target = this.valueDepth;
    let depth = this.depth;
    let i = from;
    while (i < length) {
      const code = text.charCodeAt(i);
      i += 1;
      if (code === QUOTE) {
        for (;;) {
          const quote = text.indexOf('"', i);
          if (quote === -1) {
            this.inString = true;
            this.escaped = length > i && isEscaped(text, i, length);
            this.depth = depth;
            return length;
          }
          const escaped = isEscaped(text, i, quote);
          i = quote + 1;
          if (!escaped) break;
        }
      } else if (code === OPEN_BRACE || code === OPEN_BRACKET) depth += 1;
      else if (code === CLOSE_BRACE || code === CLOSE_BRACKET) {
        depth -= 1;
        if (depth === target) break;
      }
    }
    this.depth = depth;
    return i;
  }

  /** The feature array's `]`. */
  private closeArray(i: number): number {
    this.depth = this.itemDepth - 1;
    this.inArray = false;
    this.restStart = i;
    this.at = this.array ? At.End : At.MemberEnd;
    return i + 1;
  }

  private unexpected(text: string, i: number): CairnError {
    const where = this.inArray && this.count > 0 ? ` after feature ${this.count - 1}` : '';
    return notGeojson(`it is not valid JSON (unexpected ${shown(text.slice(i, i + 20))}${where}).`);
  }
}

/** The features of a GeoJSON document whose text comes in chunks, one at a time (see {@link GeojsonSplitter}). */
export async function* geojsonFeatures(chunks: AsyncIterable<string> | Iterable<string>): AsyncGenerator<unknown> {
  const splitter = new GeojsonSplitter();
  for await (const chunk of chunks) yield* splitter.write(chunk);
  yield* splitter.end();
}
