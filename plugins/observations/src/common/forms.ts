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

export function formControls(preset: Preset | null, fields: readonly Field[]): FormControl[] {
  const byId = new Map(fields.map((field) => [field.id, field]));
  const chosen: Field[] = [];
  const keys = new Set<string>();
  const add = (field: Field | undefined) => {
    if (field === undefined || keys.has(field.key)) return;
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
