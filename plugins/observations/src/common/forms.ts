import type { Field, FieldOption, Preset, TagValue } from '@cairn/sdk/common';

/**
 * The form of an observation, from its category: one control per field of the preset (in the
 * preset's order), then the universal fields it does not list. Pure data, so it is tested without
 * a browser and drawn by the workbench.
 */

export type ControlKind = 'text' | 'textarea' | 'number' | 'select' | 'multiselect' | 'date' | 'datetime' | 'checkbox';

export interface FormControl {
  /** The tag it edits. */
  key: string;
  kind: ControlKind;
  label: string;
  placeholder: string;
  helperText: string;
  options: FieldOption[];
}

const kinds: Record<Field['type'], ControlKind> = {
  text: 'text',
  number: 'number',
  select_one: 'select',
  select_multiple: 'multiselect',
  date: 'date',
  datetime: 'datetime',
  boolean: 'checkbox',
};

/**
 * Tags that hold notes: Mapeo's universal "Note" field writes `note`. The form's Notes box is the
 * observation's notes, so a field of these keys is that box, not a second one.
 */
/** The order categories are offered in: their `sort`, those without one last, then by name. */
export function inFormOrder(a: Preset, b: Preset): number {
  return (a.sort ?? Number.MAX_SAFE_INTEGER) - (b.sort ?? Number.MAX_SAFE_INTEGER) || a.name.localeCompare(b.name);
}

export const NOTE_KEYS = ['note', 'notes'] as const;

const isNoteKey = (key: string) => (NOTE_KEYS as readonly string[]).includes(key);

/** The Notes box's hint: the configuration's own (its "Note" field's placeholder), else ours. */
export function notesPlaceholder(fields: readonly Field[]): string {
  return fields.find((field) => isNoteKey(field.key) && field.placeholder)?.placeholder ?? 'What was seen, and anything worth knowing about this place';
}

export function formControls(preset: Preset | null, fields: readonly Field[]): FormControl[] {
  const byId = new Map(fields.map((field) => [field.id, field]));
  const chosen: Field[] = [];
  const keys = new Set<string>();
  const add = (field: Field | undefined) => {
    if (field === undefined || keys.has(field.key) || isNoteKey(field.key)) return;
    keys.add(field.key);
    chosen.push(field);
  };
  for (const id of preset?.fields ?? []) add(byId.get(id));
  for (const field of fields) if (field.universal) add(field);
  return chosen.map((field) => ({
    key: field.key,
    kind: field.type === 'text' && field.appearance === 'multiline' ? 'textarea' : kinds[field.type],
    label: field.label,
    placeholder: field.placeholder ?? '',
    helperText: field.helperText ?? '',
    options: field.options,
  }));
}

/** A tag's value as the control shows it: text for inputs, a list of option values for a multiselect. */
export function controlValue(control: FormControl, value: TagValue | undefined): string | string[] | boolean {
  if (control.kind === 'checkbox') return value === true || value === 'yes' || value === 'true';
  if (control.kind === 'multiselect') {
    if (value === undefined || value === null) return [];
    return (Array.isArray(value) ? value : [value]).map((item) => String(item));
  }
  if (value === undefined || value === null) return '';
  if (Array.isArray(value)) return value.map((item) => String(item)).join(', ');
  if (control.kind === 'datetime' && typeof value === 'string') return value.slice(0, 16);
  return String(value);
}

export type ParsedControl = { value: TagValue | undefined } | { error: string };

/**
 * What the user entered, as the tag's value: `undefined` removes the tag (an empty control), an
 * error names what is wrong. Options keep their declared type (a select of numbers stores numbers).
 */
export function parseControl(control: FormControl, raw: string | string[] | boolean): ParsedControl {
  const option = (text: string) => control.options.find((candidate) => String(candidate.value) === text);
  switch (control.kind) {
    case 'checkbox':
      return { value: raw === true ? true : undefined };
    case 'multiselect': {
      const values = (Array.isArray(raw) ? raw : [String(raw)]).filter((text) => text !== '');
      if (values.length === 0) return { value: undefined };
      const unknown = values.find((text) => option(text) === undefined);
      if (unknown !== undefined) return { error: `${control.label}: '${unknown}' is not one of the options.` };
      return { value: values.map((text) => option(text)!.value) };
    }
    default: {
      const text = String(raw).trim();
      if (text === '') return { value: undefined };
      if (control.kind === 'number') {
        const number = Number(text.replace(',', '.'));
        return Number.isFinite(number) ? { value: number } : { error: `${control.label}: '${text}' is not a number.` };
      }
      if (control.kind === 'select') {
        const chosen = option(text);
        return chosen === undefined ? { error: `${control.label}: '${text}' is not one of the options.` } : { value: chosen.value };
      }
      if (control.kind === 'date') {
        return /^\d{4}-\d{2}-\d{2}$/.test(text) && !Number.isNaN(Date.parse(text)) ? { value: text } : { error: `${control.label}: '${text}' is not a date (YYYY-MM-DD).` };
      }
      if (control.kind === 'datetime') {
        const time = Date.parse(text);
        return Number.isNaN(time) ? { error: `${control.label}: '${text}' is not a date and time.` } : { value: text };
      }
      return { value: control.kind === 'textarea' ? String(raw) : text };
    }
  }
}

/** The tags a new category brings (`addTags`) and takes away (the old one's `removeTags`). */
export function categoryTags(previous: Preset | null, next: Preset | null): { set: Record<string, TagValue>; remove: string[] } {
  const set: Record<string, TagValue> = { ...(next?.addTags ?? {}) };
  const remove = Object.keys(previous?.removeTags ?? {}).filter((key) => !(key in set));
  return { set, remove };
}

/** A tag the form shows read-only, named as its field names it. */
export interface DisplayedTag {
  key: string;
  label: string;
  value: string;
}

/**
 * The tags an observation has beyond the controls of its category's form, as the form shows them:
 * named by their field's label where the project has a field for them (a field of another
 * category), with option labels for option values; the category's own identifying tags (Mapeo's
 * `type: animal`) and notes are left out, and Mapeo's photo names kept as a named field.
 */
export function displayedTags(tags: Record<string, TagValue>, controls: readonly FormControl[], preset: Preset | null, fields: readonly Field[]): DisplayedTag[] {
  const shown = new Set(controls.map((control) => control.key));
  const byKey = new Map(fields.map((field) => [field.key, field]));
  const identifying = { ...(preset?.tags ?? {}), ...(preset?.addTags ?? {}) };
  const result: DisplayedTag[] = [];
  for (const [key, value] of Object.entries(tags)) {
    if (shown.has(key) || isNoteKey(key) || value === null || value === '') continue;
    if (key in identifying && identifying[key] === value) continue;
    const field = byKey.get(key);
    const label = field?.label ?? (key === 'photos' ? 'Photos (not imported)' : key);
    const text = (Array.isArray(value) ? value : [value]).map((item) => field?.options.find((option) => option.value === item)?.label ?? String(item)).join(', ');
    result.push({ key, label, value: text });
  }
  return result;
}
