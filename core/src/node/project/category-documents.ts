import type { Field, FieldInput, Preset, PresetInput, UpdateOptions } from '@cairn/sdk';
import { toField, toPreset, type FieldValue, type LocatedVersion, type PresetValue } from '../../common/documents.js';
import type { DocumentWriter } from './document-writer.js';
import { checkField, checkFieldPatch, checkPreset, checkPresetPatch, notFound } from './project-checks.js';
import type { ProjectStore } from './project-store.js';

/**
 * A project's categories (presets) and the fields their forms are made of: created with every
 * default filled in, edited as versions like any document, read from the index.
 */
export class CategoryDocuments {
  constructor(
    private readonly store: ProjectStore,
    private readonly writer: DocumentWriter,
  ) {}

  async createPreset(input: PresetInput): Promise<Preset> {
    const checked = checkPreset(input);
    const tags = checked.tags ?? {};
    const addTags = checked.addTags ?? tags;
    const value: PresetValue = {
      name: checked.name,
      geometry: checked.geometry ?? ['point'],
      tags,
      addTags,
      removeTags: checked.removeTags ?? addTags,
      fields: checked.fields ?? [],
      icon: checked.icon ?? null,
      iconSvg: checked.iconSvg ?? null,
      color: checked.color ?? null,
      terms: checked.terms ?? [],
      sort: checked.sort ?? null,
    };
    const [version] = await this.writer.create('preset', checked.id, value);
    return toPreset(version as LocatedVersion<'preset'>);
  }

  async updatePreset(id: string, patch: Partial<PresetInput>, options: UpdateOptions = {}): Promise<Preset> {
    const checked = checkPresetPatch(patch);
    const version = await this.writer.edit('preset', id, options, (value) => ({ ...value, ...checked }));
    return toPreset(version);
  }

  async createField(input: FieldInput): Promise<Field> {
    const checked = checkField(input);
    const value: FieldValue = {
      key: checked.key,
      type: checked.type,
      label: checked.label,
      placeholder: checked.placeholder ?? null,
      helperText: checked.helperText ?? null,
      options: checked.options ?? [],
      appearance: checked.appearance ?? null,
      universal: checked.universal ?? false,
    };
    const [version] = await this.writer.create('field', checked.id, value);
    return toField(version as LocatedVersion<'field'>);
  }

  async updateField(id: string, patch: Partial<FieldInput>, options: UpdateOptions = {}): Promise<Field> {
    const checked = checkFieldPatch(patch);
    const version = await this.writer.edit('field', id, options, (value) => ({ ...value, ...checked }));
    return toField(version);
  }

  getPreset(id: string): Preset {
    const current = this.store.index.current('preset', id);
    if (current === null || current.deleted) throw notFound('category', id);
    return toPreset(current.version);
  }

  getField(id: string): Field {
    const current = this.store.index.current('field', id);
    if (current === null || current.deleted) throw notFound('field', id);
    return toField(current.version);
  }

  listPresets(): Preset[] {
    return this.store.index.list('preset').map(({ version }) => toPreset(version));
  }

  listFields(): Field[] {
    return this.store.index.list('field').map(({ version }) => toField(version));
  }
}
