import type { Field, FieldInput, FieldType, Preset, PresetInput } from '@cairn/sdk';
import type { ComapeoDoc, ComapeoDocs } from '../../common/protocol.js';
import type { BridgeIo } from './bridge-io.js';
import { bridgeDocuments, type Twins } from './documents.js';
import { canonical } from './reconcile.js';

// Categories (presets) and their fields, both ways. A category and a field are the same thing on
// both sides when they identify the same tags (a Mapeo configuration loaded on both); a Cairn id
// is its CoMapeo twin's docId when it came from CoMapeo.

const fieldTypes: Partial<Record<FieldType, string>> = { text: 'text', number: 'number', select_one: 'selectOne', select_multiple: 'selectMultiple' };
const cairnFieldTypes: Record<string, FieldType> = { text: 'text', number: 'number', selectOne: 'select_one', selectMultiple: 'select_multiple' };

/** Cairn ids of categories and fields and their CoMapeo twins, both ways, once bridged. */
export interface CategoryMap {
  presetToComapeo: Map<string, { docId: string; versionId: string }>;
  presetToCairn: Map<string, string>;
}

export async function bridgeCategories(io: BridgeIo, docs: ComapeoDocs): Promise<CategoryMap> {
  const fieldIds = await bridgeFields(io, docs.fields);
  return bridgePresets(io, docs.presets, fieldIds);
}


// Fields ---------------------------------------------------------------------------------------

function fieldValue(field: Field): Record<string, unknown> {
  return {
    tagKey: field.key,
    type: fieldTypes[field.type] ?? 'text', // CoMapeo has no date or yes/no fields: text stands in
    label: field.label,
    options: field.options.length === 0 ? undefined : field.options.map(({ label, value }) => ({ label, value })),
    appearance: field.appearance ?? undefined,
    universal: field.universal,
    placeholder: field.placeholder ?? undefined,
    helperText: field.helperText ?? undefined,
  };
}

function comparableField(value: Record<string, unknown>): string {
  const { tagKey, type, label, options, appearance, universal, placeholder, helperText } = value;
  return canonical({ tagKey, type, label, options: options ?? [], appearance: appearance ?? null, universal: universal ?? false, placeholder: placeholder ?? null, helperText: helperText ?? null });
}

function fieldInput(value: Record<string, unknown>): Omit<FieldInput, 'id'> {
  return {
    key: String(value.tagKey),
    type: cairnFieldTypes[String(value.type)] ?? 'text',
    label: String(value.label ?? value.tagKey),
    options: ((value.options as FieldInput['options']) ?? []).map(({ label, value: option }) => ({ label, value: option })),
    appearance: (value.appearance as Field['appearance']) ?? null,
    universal: value.universal === true,
    placeholder: (value.placeholder as string | undefined) ?? null,
    helperText: (value.helperText as string | undefined) ?? null,
  };
}

/** Bridges the fields; resolves with each Cairn field's twin and each CoMapeo field's Cairn id. */
async function bridgeFields(io: BridgeIo, comapeoFields: ComapeoDoc[]): Promise<Twins> {
  const fields = io.ctx.project.fields;
  return bridgeDocuments(io, 'field', fields, comapeoFields, {
    sameness: { cairn: (field) => field.key, comapeo: (doc) => String(doc.value.tagKey) },
    value: fieldValue,
    comparable: comparableField,
    input: ({ value }, cairn) => {
      const input: Partial<FieldInput> = fieldInput(value);
      // A Cairn type CoMapeo lacks (a date) stays as it is while the text stands in for it there.
      if (cairn !== null && (fieldTypes[cairn.type] ?? 'text') === value.type) delete input.type;
      return input as FieldInput;
    },
  });
}

// Categories -----------------------------------------------------------------------------------

type FieldIds = Twins;

function presetValue(preset: Preset, fieldIds: FieldIds, twin: ComapeoDoc | null): Record<string, unknown> {
  // A phone's icon Cairn could not take (a PNG) stays the phone's while Cairn has none.
  const keepsPhoneIcon = preset.iconSvg === null && twin?.value.iconRef !== undefined && twin.value.iconSvg === undefined;
  return {
    name: preset.name,
    geometry: preset.geometry.length === 0 ? ['point'] : preset.geometry,
    tags: preset.tags,
    addTags: preset.addTags,
    removeTags: preset.removeTags,
    fieldRefs: preset.fields.flatMap((id) => {
      const twin = fieldIds.toComapeo.get(id);
      return twin === undefined ? [] : [{ docId: twin.docId, versionId: twin.versionId }];
    }),
    terms: preset.terms,
    color: preset.color ?? undefined,
    // Made into a CoMapeo icon by the CoMapeo process (see project-data.ts); undefined takes it away.
    ...(keepsPhoneIcon ? {} : { iconSvg: preset.iconSvg ?? undefined }),
  };
}

function comparablePreset(value: Record<string, unknown>): string {
  const { name, geometry, tags, addTags, removeTags, fieldRefs, terms, color, iconSvg } = value;
  const fields = ((fieldRefs as Array<{ docId: string }> | undefined) ?? []).map((ref) => ref.docId);
  return canonical({ name, geometry, tags, addTags: addTags ?? {}, removeTags: removeTags ?? {}, fields, terms: terms ?? [], color: color ?? null, iconSvg: iconSvg ?? null });
}

function presetInput(value: Record<string, unknown>, fieldIds: FieldIds): Omit<PresetInput, 'id'> {
  const refs = (value.fieldRefs as Array<{ docId: string }> | undefined) ?? [];
  return {
    name: String(value.name),
    geometry: (value.geometry as Preset['geometry']) ?? ['point'],
    tags: (value.tags as Preset['tags']) ?? {},
    addTags: (value.addTags as Preset['tags']) ?? {},
    removeTags: (value.removeTags as Preset['tags']) ?? {},
    fields: refs.flatMap((ref) => {
      const id = fieldIds.toCairn.get(ref.docId);
      return id === undefined ? [] : [id];
    }),
    terms: (value.terms as string[]) ?? [],
    color: (value.color as string | undefined) ?? null,
    iconSvg: (value.iconSvg as string | undefined) ?? null,
  };
}

/** Identifying tags name a category; one without any is known by its name. */
const presetSameness = (tags: unknown, name: unknown): string =>
  tags !== null && typeof tags === 'object' && Object.keys(tags).length > 0 ? `tags:${canonical(tags)}` : `name:${String(name)}`;

async function bridgePresets(io: BridgeIo, comapeoPresets: ComapeoDoc[], fieldIds: FieldIds): Promise<CategoryMap> {
  const twins = await bridgeDocuments(io, 'preset', io.ctx.project.presets, comapeoPresets, {
    sameness: { cairn: (preset) => presetSameness(preset.tags, preset.name), comapeo: (doc) => presetSameness(doc.value.tags, doc.value.name) },
    value: (preset, twin) => presetValue(preset, fieldIds, twin),
    comparable: comparablePreset,
    input: ({ value }) => presetInput(value, fieldIds),
  });
  const map: CategoryMap = { presetToComapeo: new Map(), presetToCairn: twins.toCairn };
  for (const [id, twin] of twins.toComapeo) map.presetToComapeo.set(id, { docId: twin.docId, versionId: twin.versionId });
  return map;
}

