import type { DocumentsApi, Field, FieldInput, FieldType, Preset, PresetInput } from '@cairn/sdk';
import type { ComapeoDoc, ComapeoDocs, DocWrite } from '../../common/protocol.js';
import { writeComapeo, type BridgeIo } from './bridge-io.js';
import { pairUp, type Pair } from './pairs.js';
import { canonical, decide, type Head } from './reconcile.js';

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

const head = (doc: { version: string; updatedAt: string }): Head => ({ version: doc.version, updatedAt: doc.updatedAt, deleted: false });
const comapeoHead = (doc: ComapeoDoc): Head => ({ version: doc.versionId, updatedAt: doc.updatedAt, deleted: doc.deleted });

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
  return bridgeKind(io, 'field', fields, comapeoFields, {
    sameness: { cairn: (field) => field.key, comapeo: (doc) => String(doc.value.tagKey) },
    value: fieldValue,
    comparable: comparableField,
    input: (value, cairn) => {
      const input: Partial<FieldInput> = fieldInput(value);
      // A Cairn type CoMapeo lacks (a date) stays as it is while the text stands in for it there.
      if (cairn !== null && (fieldTypes[cairn.type] ?? 'text') === value.type) delete input.type;
      return input as FieldInput;
    },
  });
}

// Categories -----------------------------------------------------------------------------------

type FieldIds = Twins;

function presetValue(preset: Preset, fieldIds: FieldIds): Record<string, unknown> {
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
  };
}

function comparablePreset(value: Record<string, unknown>): string {
  const { name, geometry, tags, addTags, removeTags, fieldRefs, terms, color } = value;
  const fields = ((fieldRefs as Array<{ docId: string }> | undefined) ?? []).map((ref) => ref.docId);
  return canonical({ name, geometry, tags, addTags: addTags ?? {}, removeTags: removeTags ?? {}, fields, terms: terms ?? [], color: color ?? null });
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
  };
}

/** Identifying tags name a category; one without any is known by its name. */
const presetSameness = (tags: unknown, name: unknown): string =>
  tags !== null && typeof tags === 'object' && Object.keys(tags).length > 0 ? `tags:${canonical(tags)}` : `name:${String(name)}`;

async function bridgePresets(io: BridgeIo, comapeoPresets: ComapeoDoc[], fieldIds: FieldIds): Promise<CategoryMap> {
  const twins = await bridgeKind(io, 'preset', io.ctx.project.presets, comapeoPresets, {
    sameness: { cairn: (preset) => presetSameness(preset.tags, preset.name), comapeo: (doc) => presetSameness(doc.value.tags, doc.value.name) },
    value: (preset) => presetValue(preset, fieldIds),
    comparable: comparablePreset,
    input: (value) => presetInput(value, fieldIds),
  });
  const map: CategoryMap = { presetToComapeo: new Map(), presetToCairn: twins.toCairn };
  for (const [id, twin] of twins.toComapeo) map.presetToComapeo.set(id, { docId: twin.docId, versionId: twin.versionId });
  return map;
}

// Both kinds -----------------------------------------------------------------------------------

/** Each Cairn id's CoMapeo twin, and each twin's Cairn id. */
interface Twins {
  toComapeo: Map<string, ComapeoDoc>;
  toCairn: Map<string, string>;
}

interface KindSpec<C, I> {
  sameness: { cairn: (doc: C) => string | null; comapeo: (doc: ComapeoDoc) => string | null };
  /** The CoMapeo value of a Cairn document. */
  value: (doc: C) => Record<string, unknown>;
  /** Text equal for a Cairn document's value and its twin's when they say the same. */
  comparable: (value: Record<string, unknown>) => string;
  /** What to write in Cairn for a CoMapeo value, over the Cairn document when there is one. */
  input: (value: Record<string, unknown>, cairn: C | null) => Omit<I, 'id'>;
}

/** One kind of category document, both ways: decided pair by pair, CoMapeo's writes in batches. */
async function bridgeKind<C extends { id: string; version: string; updatedAt: string }, I extends { id?: string }>(
  io: BridgeIo,
  kind: 'preset' | 'field',
  documents: DocumentsApi<C, I>,
  comapeoDocs: ComapeoDoc[],
  spec: KindSpec<C, I>,
): Promise<Twins> {
  const pairs = pairUp(kind, io.state, await documents.list(), comapeoDocs, () => null, spec.sameness);
  const writes: Array<{ pair: Pair<C>; write: DocWrite }> = [];
  const done = new Map<string, { cairn: C; comapeo: ComapeoDoc }>();
  for (const pair of pairs) {
    const { cairn, comapeo } = pair;
    const same = cairn !== null && comapeo !== null && spec.comparable(spec.value(cairn)) === spec.comparable(comapeo.value);
    const action = decide(cairn && head(cairn), comapeo && comapeoHead(comapeo), same, io.state.get(kind, pair.id));
    if (action === 'toCairn') {
      const input = spec.input(comapeo!.value, cairn);
      const written = cairn === null ? await documents.create({ id: pair.id, ...input } as I) : await documents.update(cairn.id, input as Partial<I>);
      io.counts.received.categories += 1;
      done.set(pair.id, { cairn: written, comapeo: comapeo! });
    } else if (action === 'toComapeo') {
      const value = { ...(comapeo?.value ?? {}), ...spec.value(cairn!) };
      writes.push({ pair, write: comapeo === null ? { kind, op: 'create', value } : { kind, op: 'update', heads: [comapeo.versionId, ...comapeo.forks], value } });
    } else if (action === 'deleteInCairn') {
      await documents.delete(cairn!.id);
      io.state.set(kind, pair.id, null);
    } else if (action === 'deleteInComapeo') {
      writes.push({ pair, write: { kind, op: 'delete', docId: comapeo!.docId } });
    } else if (cairn !== null && comapeo !== null) {
      done.set(pair.id, { cairn, comapeo });
    }
  }
  const written = await writeComapeo(io, writes.map(({ write }) => write));
  writes.forEach(({ pair, write }, index) => {
    if (write.op === 'delete') return io.state.set(kind, pair.id, null);
    io.counts.sent.categories += 1;
    done.set(pair.id, { cairn: pair.cairn!, comapeo: written[index]! });
  });
  const twins: Twins = { toComapeo: new Map(), toCairn: new Map() };
  for (const [id, { cairn, comapeo }] of done) {
    io.state.set(kind, id, { cairn: cairn.version, comapeo: comapeo.versionId, twin: comapeo.docId });
    twins.toComapeo.set(id, comapeo);
    twins.toCairn.set(comapeo.docId, id);
  }
  return twins;
}
