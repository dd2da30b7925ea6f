/**
 * Categories (Mapeo's "presets") and the fields of their forms. The shapes follow Mapeo's preset
 * and field schemas, so a Mapeo configuration imports without losing anything.
 */

export type Geometry = 'point' | 'vertex' | 'line' | 'area' | 'relation';

export interface Preset {
  /** The category id that observations refer to (`category`); Mapeo's preset id. */
  id: string;
  version: string;
  name: string;
  geometry: Geometry[];
  /** Tags that identify the category (e.g. `{ "type": "animal" }`). */
  tags: Record<string, string | number | boolean | null>;
  /** Tags added to an observation when this category is chosen (default: `tags`). */
  addTags: Record<string, string | number | boolean | null>;
  /** Tags removed when another category is chosen (default: `addTags`). */
  removeTags: Record<string, string | number | boolean | null>;
  /** Ids of the fields of its form, in order. */
  fields: string[];
  /** Icon name or id, or null. */
  icon: string | null;
  /**
   * The icon itself, as SVG markup (a Mapeo configuration's icon), or null. It travels with the
   * category, so every device that syncs shows it.
   */
  iconSvg: string | null;
  /** `#rrggbb`, or null. */
  color: string | null;
  /** Synonyms used by search. */
  terms: string[];
  sort: number | null;
  createdAt: string;
  updatedAt: string;
}

export type PresetInput = Omit<Preset, 'id' | 'version' | 'createdAt' | 'updatedAt' | 'addTags' | 'removeTags' | 'icon' | 'iconSvg' | 'color' | 'terms' | 'sort' | 'fields' | 'geometry' | 'tags'> &
  Partial<Pick<Preset, 'addTags' | 'removeTags' | 'icon' | 'iconSvg' | 'color' | 'terms' | 'sort' | 'fields' | 'geometry' | 'tags'>> & {
    /** Keep a given id (e.g. the Mapeo preset id) instead of a generated one. */
    id?: string;
  };

export type FieldType = 'text' | 'number' | 'select_one' | 'select_multiple' | 'date' | 'datetime' | 'boolean';

export interface FieldOption {
  label: string;
  value: string | number | boolean | null;
}

export interface Field {
  id: string;
  version: string;
  /** The tag of the observation this field edits. */
  key: string;
  type: FieldType;
  label: string;
  placeholder: string | null;
  helperText: string | null;
  /** For select fields. */
  options: FieldOption[];
  /** For text fields: one line or several. */
  appearance: 'singleline' | 'multiline' | null;
  /** Offered for every category. */
  universal: boolean;
  createdAt: string;
  updatedAt: string;
}

export type FieldInput = Pick<Field, 'key' | 'type' | 'label'> &
  Partial<Pick<Field, 'placeholder' | 'helperText' | 'options' | 'appearance' | 'universal'>> & {
    id?: string;
  };
