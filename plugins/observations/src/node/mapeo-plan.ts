import type { Field, FieldInput, FieldOption, Geometry, PresetInput } from '@cairn/sdk';
import { cairnIdOf } from '../common/category-id.js';
import { isObject, type RawConfig } from './mapeo-read.js';

/**
 * A configuration as read, mapped to what Cairn writes: Mapeo's fields and presets as Cairn's
 * fields and categories (with their icons' SVG), the default categories, the name and version.
 * What Cairn cannot hold is left out, or changed, with a warning that says so and why.
 */

export type FieldValue = Required<Omit<FieldInput, 'id'>>;
export type PresetValue = Required<Omit<PresetInput, 'id'>>;

/** What an import writes, every part of it checked, and what it had to leave out. */
export interface Plan {
  fields: Array<{ id: string; value: FieldValue }>;
  presets: Array<{ id: string; value: PresetValue }>;
  defaultPresets: string[];
  name: string | null;
  version: string | null;
  /** For the project's settings, which need a name: metadata.json's, else its dataset id, else the file's. */
  settingsName: string;
  icons: number;
  warnings: string[];
}

const GEOMETRIES: readonly Geometry[] = ['point', 'vertex', 'line', 'area', 'relation'];
/** The bounds of Cairn's category and field schemas, so that no write fails half-way. */
const MAX_ID = 200;
const MAX_NAME = 500;
const MAX_ICON_SVG = 262_144;
const ICONS_WHY = 'icons are picked by name from the icons/ folder or icons.svg';

type Scalar = string | number | boolean | null;

function isScalar(value: unknown): value is Scalar {
  return value === null || typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value));
}

function nonEmptyString(value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : null;
}

/** Checks and maps every field and preset; nothing here writes. */
export async function prepare(raw: RawConfig, fileName: string): Promise<Plan> {
  const warnings: string[] = [];

  // Mapeo ids to Cairn ids, skipping those Cairn cannot hold and those that would collide.
  const idsOf = <T extends { id: string; file: string }>(entries: T[], kind: string) => {
    const seen = new Map<string, string>();
    const kept: Array<T & { cairnId: string }> = [];
    for (const entry of entries) {
      const cairnId = cairnIdOf(entry.id);
      const other = seen.get(cairnId);
      if (cairnId === '' || cairnId.length > MAX_ID) {
        warnings.push(`${kind} '${entry.id}' (${entry.file}): left out, its id is empty or longer than ${MAX_ID} characters.`);
      } else if (other !== undefined) {
        warnings.push(`${kind} '${entry.id}' (${entry.file}): left out, its Cairn id '${cairnId}' is already that of ${kind} '${other}' (slashes and spaces become '-').`);
      } else {
        seen.set(cairnId, entry.id);
        kept.push({ ...entry, cairnId });
      }
    }
    return kept;
  };

  const fields: Plan['fields'] = [];
  for (const { id, cairnId, file, value } of idsOf(raw.fields, 'field')) {
    const mapped = mapField(value, (message) => warnings.push(`field '${id}' (${file}): ${message}`));
    if (mapped !== null) fields.push({ id: cairnId, value: mapped });
  }
  const fieldIds = new Set(fields.map((field) => field.id));

  const presets: Plan['presets'] = [];
  let icons = 0;
  for (const { id, cairnId, file, value } of idsOf(raw.presets, 'category')) {
    const warn = (message: string) => warnings.push(`category '${id}' (${file}): ${message}`);
    const mapped = mapPreset(value, cairnId, fieldIds, warn);
    if (mapped === null) continue;
    if (mapped.icon !== null) {
      const svg = await raw.icon(mapped.icon);
      if (svg === null) warn(`its icon '${mapped.icon}' is not in the configuration (${ICONS_WHY}); imported without it.`);
      else if (svg.length > MAX_ICON_SVG) warn(`its icon '${mapped.icon}' is larger than ${MAX_ICON_SVG / 1024} KiB of SVG; imported without it.`);
      else {
        mapped.iconSvg = svg;
        icons++;
      }
    }
    presets.push({ id: cairnId, value: mapped });
  }
  const presetIds = new Set(presets.map((preset) => preset.id));

  // The categories offered first: defaults.json's `point` list (Cairn's observations are points).
  const defaultPresets: string[] = [];
  if (raw.defaults !== undefined) {
    const list = isObject(raw.defaults) ? raw.defaults.point : undefined;
    if (!isObject(raw.defaults) || (list !== undefined && !Array.isArray(list))) {
      warnings.push('defaults: not an object of lists of category ids ({ "point": [...] }); no default categories set.');
    } else {
      for (const entry of list ?? []) {
        const cairnId = typeof entry === 'string' ? cairnIdOf(entry) : '';
        if (!presetIds.has(cairnId)) warnings.push(`defaults: '${String(entry)}' in "point" is not a category of the configuration; left out.`);
        else if (!defaultPresets.includes(cairnId)) defaultPresets.push(cairnId);
      }
    }
  }

  let name: string | null = null;
  let version: string | null = null;
  let datasetId: string | null = null;
  if (raw.metadata !== undefined) {
    if (!isObject(raw.metadata)) {
      warnings.push(`metadata: not an object (${raw.where('metadata.json')}); its name and version are unknown.`);
    } else {
      name = nonEmptyString(raw.metadata.name);
      const rawVersion = raw.metadata.version;
      version = typeof rawVersion === 'number' ? String(rawVersion) : nonEmptyString(rawVersion);
      datasetId = nonEmptyString(raw.metadata.dataset_id);
    }
  }
  return { fields, presets, defaultPresets, name, version, settingsName: name ?? datasetId ?? fileName, icons, warnings };
}

/** Mapeo's field types (and iD's check variants) as Cairn's. */
const FIELD_TYPES: Record<string, Field['type']> = {
  text: 'text',
  textarea: 'text',
  localized: 'text',
  number: 'number',
  select_one: 'select_one',
  selectOne: 'select_one',
  select_multiple: 'select_multiple',
  selectMultiple: 'select_multiple',
  date: 'date',
  datetime: 'datetime',
  check: 'boolean',
  defaultCheck: 'boolean',
  onewayCheck: 'boolean',
  boolean: 'boolean',
};

function mapField(raw: unknown, warn: (message: string) => void): FieldValue | null {
  if (!isObject(raw)) {
    warn('left out, it is not a JSON object.');
    return null;
  }
  let key = raw.key;
  if (Array.isArray(key)) {
    const first = key[0];
    if (typeof first === 'string') warn(`its key is a list (${JSON.stringify(key)}); Cairn edits one tag, so it edits '${first}'.`);
    key = first;
  }
  if (typeof key !== 'string' || key.trim() === '') {
    warn('left out, it has no key (the tag it edits).');
    return null;
  }
  if (key.length > MAX_ID) {
    warn(`left out, its key is longer than ${MAX_ID} characters.`);
    return null;
  }
  const mapeoType = typeof raw.type === 'string' ? raw.type : '';
  let type = Object.hasOwn(FIELD_TYPES, mapeoType) ? FIELD_TYPES[mapeoType]! : null;
  if (type === null) {
    warn(mapeoType === '' ? 'it has no type; imported as text.' : `its type '${mapeoType}' is not one Cairn has; imported as text.`);
    type = 'text';
  } else if (mapeoType === 'localized') {
    warn("its type 'localized' is imported as text: Cairn keeps one value, not one per language.");
  }
  let options: FieldOption[] = [];
  if (type === 'select_one' || type === 'select_multiple') {
    options = mapOptions(raw, warn);
    if (options.length === 0) {
      warn(`its type '${mapeoType}' has no options to choose from; imported as text.`);
      type = 'text';
    }
  }
  const appearance =
    type !== 'text' ? null : mapeoType === 'textarea' ? 'multiline' : raw.appearance === 'singleline' || raw.appearance === 'multiline' ? raw.appearance : null;
  const label = nonEmptyString(raw.label) ?? key;
  return {
    key,
    type,
    label: label.slice(0, MAX_NAME),
    placeholder: typeof raw.placeholder === 'string' && raw.placeholder !== '' ? raw.placeholder : null,
    helperText: typeof raw.helperText === 'string' && raw.helperText !== '' ? raw.helperText : null,
    options,
    appearance,
    universal: raw.universal === true,
  };
}

/** `options`: strings, or `{ label, value }`; iD's `strings.options` (`{ value: label }`) too. */
function mapOptions(raw: Record<string, unknown>, warn: (message: string) => void): FieldOption[] {
  const labels = isObject(raw.strings) && isObject(raw.strings.options) ? raw.strings.options : {};
  const list: unknown[] = Array.isArray(raw.options) ? raw.options : Object.keys(labels);
  const options: FieldOption[] = [];
  const skipped: string[] = [];
  for (const option of list) {
    if (isObject(option)) {
      if (isScalar(option.value)) {
        options.push({ label: nonEmptyString(option.label) ?? String(option.value), value: option.value });
      } else {
        skipped.push(JSON.stringify(option));
      }
    } else if (isScalar(option) && option !== null) {
      const label = typeof option === 'string' ? nonEmptyString(labels[option]) : null;
      options.push({ label: label ?? String(option), value: option });
    } else {
      skipped.push(JSON.stringify(option));
    }
  }
  if (skipped.length > 0) warn(`options ${skipped.join(', ')} left out: an option is a string, a number, true/false or { label, value }.`);
  return options;
}

/** Tags whose values are strings, numbers, true/false or null (Cairn's), the others left out. */
function mapTags(raw: unknown, what: string, warn: (message: string) => void): Record<string, Scalar> | null {
  if (raw === undefined || raw === null) return null;
  if (!isObject(raw)) {
    warn(`its ${what} are not an object; left out.`);
    return null;
  }
  const tags: Record<string, Scalar> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (isScalar(value)) tags[key] = value;
    else warn(`${what} '${key}' left out: a tag value is a string, a number, true/false or null.`);
  }
  return tags;
}

function mapPreset(raw: unknown, id: string, fieldIds: ReadonlySet<string>, warn: (message: string) => void): PresetValue | null {
  if (!isObject(raw)) {
    warn('left out, it is not a JSON object.');
    return null;
  }
  let name = nonEmptyString(raw.name);
  if (name === null) {
    warn(`it has no name; named '${id}' after its id.`);
    name = id;
  }

  let geometry: Geometry[] = ['point'];
  if (Array.isArray(raw.geometry)) {
    const known = raw.geometry.filter((entry): entry is Geometry => GEOMETRIES.includes(entry as Geometry));
    const unknown = raw.geometry.filter((entry) => !GEOMETRIES.includes(entry as Geometry));
    if (unknown.length > 0) warn(`geometry ${unknown.map((entry) => JSON.stringify(entry)).join(', ')} left out: Cairn knows ${GEOMETRIES.join(', ')}.`);
    if (known.length > 0) geometry = [...new Set(known)];
    else if (raw.geometry.length > 0) warn("no geometry left; it is a 'point' category.");
  }

  // Mapeo's defaults: addTags are the tags, removeTags the addTags. The builder writes `{}` for
  // both when a preset leaves them out, so an empty object means "not given" too.
  const tags = mapTags(raw.tags, 'tags', warn) ?? {};
  const given = (tagsOf: Record<string, Scalar> | null) => (tagsOf !== null && Object.keys(tagsOf).length > 0 ? tagsOf : null);
  const addTags = given(mapTags(raw.addTags, 'addTags', warn)) ?? tags;
  const removeTags = given(mapTags(raw.removeTags, 'removeTags', warn)) ?? addTags;

  const fields: string[] = [];
  if (Array.isArray(raw.fields)) {
    for (const entry of raw.fields) {
      const fieldId = typeof entry === 'string' ? cairnIdOf(entry) : '';
      if (!fieldIds.has(fieldId)) warn(`field ${JSON.stringify(entry)} left out: the configuration has no such field.`);
      else if (!fields.includes(fieldId)) fields.push(fieldId);
    }
  }

  let icon = nonEmptyString(raw.icon);
  if (icon !== null && icon.length > MAX_NAME) {
    warn(`its icon name is longer than ${MAX_NAME} characters; imported without an icon.`);
    icon = null;
  }

  let color: string | null = null;
  if (typeof raw.color === 'string' && /^#[0-9a-f]{6}$/i.test(raw.color)) color = raw.color;
  else if (typeof raw.color === 'string' && /^#[0-9a-f]{3}$/i.test(raw.color)) color = `#${[...raw.color.slice(1)].map((digit) => digit + digit).join('')}`;
  else if (raw.color !== undefined && raw.color !== null) warn(`its color ${JSON.stringify(raw.color)} left out: Cairn takes #rrggbb.`);

  const terms = Array.isArray(raw.terms) ? [...new Set(raw.terms.map(nonEmptyString).filter((term): term is string => term !== null))] : [];
  const sort = typeof raw.sort === 'number' && Number.isFinite(raw.sort) ? raw.sort : null;
  return { name: name.slice(0, MAX_NAME), geometry, tags, addTags, removeTags, fields, icon, iconSvg: null, color, terms, sort };
}
