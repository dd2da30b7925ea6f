/**
 * JSON schemas of what users and plugins may write. Plain data, so the host validates with them
 * and the workbench can hand them to an editor (Monaco) for live validation.
 */

const tagScalar = { type: ['string', 'number', 'boolean', 'null'] } as const;

const tagValueSchema = {
  description: 'must be a string, a number, true/false, null, or a list of those',
  anyOf: [tagScalar, { type: 'array', items: tagScalar }],
} as const;

const tags = {
  type: 'object',
  propertyNames: { minLength: 1, maxLength: 200 },
  additionalProperties: tagValueSchema,
} as const;

const variantInput = {
  type: 'object',
  additionalProperties: false,
  properties: { path: { type: 'string', minLength: 1 }, open: {}, mimeType: { type: 'string', minLength: 1, maxLength: 255 } },
  anyOf: [{ required: ['path'] }, { required: ['open'] }],
  description: 'must have a path (the file of the variant)',
} as const;

const attachmentInput = {
  type: 'object',
  additionalProperties: false,
  properties: {
    variants: { type: 'object', additionalProperties: false, properties: { preview: variantInput, thumbnail: variantInput } },
    path: { type: 'string', minLength: 1 },
    // Bytes from elsewhere (an entry of a zip being imported): a function, which only a plugin
    // can give and the host checks; never JSON.
    open: {},
    name: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[^/\\\\]+$' },
    mimeType: { type: 'string', minLength: 1, maxLength: 255 },
  },
  anyOf: [{ required: ['path'] }, { required: ['open', 'name'] }],
  description: 'must have a path (the file to attach)',
} as const;

/** An ISO 8601 date, or date and time (`2024-05-01`, `2024-05-01T10:00:00Z`). */
export const ISO_TIME_PATTERN = '^\\d{4}-\\d{2}-\\d{2}([T ]\\d{2}:\\d{2}(:\\d{2}(\\.\\d+)?)?(Z|[+-]\\d{2}:?\\d{2})?)?$';
const isoTime = { type: 'string', pattern: ISO_TIME_PATTERN } as const;

/** Ids users or importers choose (a Mapeo preset id such as `animal`): no spaces or slashes. */
const userId = { type: 'string', minLength: 1, maxLength: 200, pattern: '^[^\\s/]+$' } as const;

const positionMetadata = {
  type: 'object',
  additionalProperties: false,
  properties: {
    manualLocation: { type: 'boolean' },
    timestamp: isoTime,
    accuracy: { type: 'number', minimum: 0 },
    altitude: { type: 'number' },
    heading: { type: 'number' },
    speed: { type: 'number' },
  },
} as const;

const observationFields = {
  lat: { type: 'number', minimum: -90, maximum: 90 },
  lon: { type: 'number', minimum: -180, maximum: 180 },
  category: { type: ['string', 'null'], maxLength: 200 },
  notes: { type: 'string', maxLength: 100_000 },
  tags,
  attachments: { type: 'array', maxItems: 1000, items: attachmentInput },
} as const;

export const observationInputSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['lat', 'lon'],
  properties: { id: userId, ...observationFields, createdAt: isoTime, updatedAt: isoTime, createdBy: userId, metadata: positionMetadata },
} as const;

export const observationPatchSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    ...observationFields,
    untag: { type: 'array', items: { type: 'string', minLength: 1 } },
    detach: { type: 'array', items: { type: 'string', minLength: 1 } },
    metadata: { anyOf: [positionMetadata, { type: 'null' }] },
  },
} as const;

const color = { type: ['string', 'null'], pattern: '^#[0-9a-fA-F]{6}$' } as const;
const scalarTags = { type: 'object', additionalProperties: tagScalar } as const;

const presetFields = {
  name: { type: 'string', minLength: 1, maxLength: 500 },
  geometry: {
    type: 'array',
    items: { enum: ['point', 'vertex', 'line', 'area', 'relation'] },
    uniqueItems: true,
  },
  tags: scalarTags,
  addTags: scalarTags,
  removeTags: scalarTags,
  fields: { type: 'array', items: userId },
  icon: { type: ['string', 'null'], maxLength: 500 },
  iconSvg: { type: ['string', 'null'], maxLength: 262_144 },
  color,
  terms: { type: 'array', items: { type: 'string' } },
  sort: { type: ['number', 'null'] },
} as const;

export const presetInputSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name'],
  properties: { id: userId, ...presetFields },
} as const;

export const presetPatchSchema = {
  type: 'object',
  additionalProperties: false,
  properties: presetFields,
} as const;

const fieldFields = {
  key: { type: 'string', minLength: 1, maxLength: 200 },
  type: { enum: ['text', 'number', 'select_one', 'select_multiple', 'date', 'datetime', 'boolean'] },
  label: { type: 'string', minLength: 1, maxLength: 500 },
  placeholder: { type: ['string', 'null'] },
  helperText: { type: ['string', 'null'] },
  options: {
    type: 'array',
    items: {
      type: 'object',
      additionalProperties: false,
      required: ['label', 'value'],
      properties: { label: { type: 'string' }, value: tagScalar },
    },
  },
  appearance: { enum: ['singleline', 'multiline', null] },
  universal: { type: 'boolean' },
} as const;

export const fieldInputSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['key', 'type', 'label'],
  properties: { id: userId, ...fieldFields },
} as const;

export const fieldPatchSchema = {
  type: 'object',
  additionalProperties: false,
  properties: fieldFields,
} as const;

export const projectSettingsPatchSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    name: { type: ['string', 'null'], maxLength: 500 },
    description: { type: ['string', 'null'] },
    color,
    defaultPresets: { type: 'array', items: userId },
    configMetadata: {
      anyOf: [
        { type: 'null' },
        {
          type: 'object',
          additionalProperties: false,
          required: ['name', 'version', 'importedAt'],
          properties: {
            name: { type: 'string' },
            version: { type: ['string', 'null'] },
            importedAt: { type: 'string' },
          },
        },
      ],
      description: 'must be null or { name, version, importedAt }',
    },
  },
} as const;

const trackPoint = {
  type: 'object',
  additionalProperties: false,
  required: ['lat', 'lon', 'timestamp'],
  properties: {
    lat: { type: 'number', minimum: -90, maximum: 90 },
    lon: { type: 'number', minimum: -180, maximum: 180 },
    timestamp: isoTime,
    altitude: { type: 'number' },
    accuracy: { type: 'number', minimum: 0 },
    heading: { type: 'number' },
    speed: { type: 'number' },
    mocked: { type: 'boolean' },
  },
} as const;

const trackFields = {
  locations: { type: 'array', minItems: 2, maxItems: 1_000_000, items: trackPoint },
  observations: { type: 'array', items: userId },
  category: { type: ['string', 'null'], maxLength: 200 },
  tags,
} as const;

export const trackInputSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['locations'],
  properties: { id: userId, ...trackFields, createdAt: isoTime, updatedAt: isoTime, createdBy: userId },
} as const;

export const trackPatchSchema = {
  type: 'object',
  additionalProperties: false,
  properties: trackFields,
} as const;
