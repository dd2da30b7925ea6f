import { h, uid, type Preset, type TagValue } from '@cairn/sdk/browser';
import type { EditableObservation } from '../common/edit-json.js';
import { categoryTags, controlValue, formControls, parseControl, type FormControl } from '../common/forms.js';
import type { Catalog } from './catalog.js';

/** What the form holds: the same part of an observation as "Edit as JSON" edits. */
export type FormValues = EditableObservation;

/**
 * The observation's form: category, position and notes, then the category's fields (from its
 * preset), then any other tags it has, read-only. Changing the category redraws the fields.
 */
export class ObservationForm {
  readonly element: HTMLFormElement;
  private readonly category: HTMLSelectElement;
  private readonly lat: HTMLInputElement;
  private readonly lon: HTMLInputElement;
  private readonly notes: HTMLTextAreaElement;
  private readonly fieldsBox: HTMLElement;
  private readonly errors: HTMLElement;
  private controls: Array<{ control: FormControl; element: HTMLElement; read(): string | string[] | boolean }> = [];
  private dirty = false;
  onDidChange: (() => void) | null = null;

  constructor(
    private readonly catalog: Catalog,
    private readonly initial: FormValues,
  ) {
    this.category = h('select', { id: uid('obs-category') });
    this.lat = h('input', { type: 'number', step: 'any', min: '-90', max: '90', required: true, id: uid('obs-lat') });
    this.lon = h('input', { type: 'number', step: 'any', min: '-180', max: '180', required: true, id: uid('obs-lon') });
    this.notes = h('textarea', { rows: 4, id: uid('obs-notes') });
    this.fieldsBox = h('div', { class: 'obs-fields' });
    this.errors = h('div', { class: 'view-error', role: 'alert', hidden: true });
    this.element = h(
      'form',
      { class: 'obs-form', novalidate: true },
      row('Category', this.category),
      h('div', { class: 'obs-form-pair' }, row('Latitude', this.lat), row('Longitude', this.lon)),
      row('Notes', this.notes),
      this.fieldsBox,
      this.errors,
    );
    this.category.replaceChildren(
      h('option', { value: '' }, 'No category'),
      ...catalog.presets.map((preset) => h('option', { value: preset.id }, preset.name)),
    );
    if (initial.category !== null && catalog.preset(initial.category) === null) this.category.append(h('option', { value: initial.category }, initial.category));
    this.category.value = initial.category ?? '';
    this.lat.value = String(initial.lat);
    this.lon.value = String(initial.lon);
    this.notes.value = initial.notes;
    this.renderFields(initial.tags);
    this.element.addEventListener('input', () => this.changed());
    this.element.addEventListener('change', () => this.changed());
    this.category.addEventListener('change', () => this.renderFields(this.currentTags()));
  }

  get isDirty(): boolean {
    return this.dirty;
  }

  private changed(): void {
    this.dirty = true;
    this.onDidChange?.();
  }

  private preset(): Preset | null {
    return this.catalog.preset(this.category.value || null);
  }

  /** The tags as the controls now say (unparseable values keep the old tag). */
  private currentTags(): Record<string, TagValue> {
    const tags = { ...this.initial.tags };
    for (const { control, read } of this.controls) {
      const parsed = parseControl(control, read());
      if ('value' in parsed) {
        if (parsed.value === undefined) delete tags[control.key];
        else tags[control.key] = parsed.value;
      }
    }
    return tags;
  }

  private renderFields(tags: Record<string, TagValue>): void {
    const controls = formControls(this.preset(), this.catalog.fields);
    this.controls = controls.map((control) => this.renderControl(control, tags[control.key]));
    const shown = new Set(controls.map((control) => control.key));
    const others = Object.entries(tags).filter(([key]) => !shown.has(key));
    this.fieldsBox.replaceChildren(...this.controls.map((entry) => entry.element));
    if (others.length > 0) {
      this.fieldsBox.append(
        h(
            'div',
            { class: 'obs-other-tags' },
            h('h3', {}, 'Other tags'),
            h('dl', {}, ...others.flatMap(([key, value]) => [h('dt', {}, key), h('dd', {}, Array.isArray(value) ? value.join(', ') : String(value))])),
        ),
      );
    }
  }

  private renderControl(control: FormControl, value: TagValue | undefined): { control: FormControl; element: HTMLElement; read(): string | string[] | boolean } {
    const shown = controlValue(control, value);
    const id = uid('obs-field');
    const help = control.helperText ? h('small', { class: 'obs-help' }, control.helperText) : null;
    switch (control.kind) {
      case 'checkbox': {
        const input = h('input', { type: 'checkbox', id, checked: shown === true });
        return { control, element: h('div', { class: 'field obs-check' }, input, h('label', { for: id }, control.label), help), read: () => input.checked };
      }
      case 'multiselect': {
        const chosen = new Set(shown as string[]);
        const boxes = control.options.map((option) => {
          const input = h('input', { type: 'checkbox', value: String(option.value), checked: chosen.has(String(option.value)) });
          return { input, element: h('label', { class: 'obs-option' }, input, option.label) };
        });
        const group = h('fieldset', { class: 'field obs-multi' }, h('legend', {}, control.label), ...boxes.map((box) => box.element), help);
        return { control, element: group, read: () => boxes.filter((box) => box.input.checked).map((box) => box.input.value) };
      }
      case 'select': {
        const select = h('select', { id }, h('option', { value: '' }, control.placeholder || '—'), ...control.options.map((option) => h('option', { value: String(option.value) }, option.label)));
        // A value the options do not list (an older configuration's) stays visible.
        if (shown !== '' && !control.options.some((option) => String(option.value) === shown)) select.append(h('option', { value: String(shown) }, String(shown)));
        select.value = String(shown);
        return { control, element: row(control.label, select, help), read: () => select.value };
      }
      case 'textarea': {
        const area = h('textarea', { id, rows: 3, placeholder: control.placeholder });
        area.value = String(shown);
        return { control, element: row(control.label, area, help), read: () => area.value };
      }
      default: {
        const type = { number: 'text', date: 'date', datetime: 'datetime-local', text: 'text' }[control.kind as 'number' | 'date' | 'datetime' | 'text'];
        // Numbers are typed as text, so '2,5' or a typo gets a message rather than a silent blank.
        const input = h('input', { id, type, placeholder: control.placeholder, ...(control.kind === 'number' && { inputmode: 'decimal' }) });
        input.value = String(shown);
        return { control, element: row(control.label, input, help), read: () => input.value };
      }
    }
  }

  /** The form's values, or what is wrong with them (each problem a sentence). */
  read(): { values: FormValues } | { errors: string[] } {
    const errors: string[] = [];
    const lat = Number(this.lat.value);
    const lon = Number(this.lon.value);
    if (this.lat.value.trim() === '' || !Number.isFinite(lat) || lat < -90 || lat > 90) errors.push('Latitude must be a number from -90 to 90.');
    if (this.lon.value.trim() === '' || !Number.isFinite(lon) || lon < -180 || lon > 180) errors.push('Longitude must be a number from -180 to 180.');
    const category = this.category.value || null;
    const tags = { ...this.initial.tags };
    const moved = categoryTags(this.catalog.preset(this.initial.category), this.catalog.preset(category));
    if (category !== this.initial.category) {
      for (const key of moved.remove) delete tags[key];
      Object.assign(tags, moved.set);
    }
    for (const { control, read } of this.controls) {
      const parsed = parseControl(control, read());
      if ('error' in parsed) errors.push(parsed.error);
      else if (parsed.value === undefined) delete tags[control.key];
      else tags[control.key] = parsed.value;
    }
    this.errors.replaceChildren(...errors.map((error) => h('div', {}, error)));
    this.errors.hidden = errors.length === 0;
    if (errors.length > 0) return { errors };
    return { values: { lat, lon, category, notes: this.notes.value, tags } };
  }

  focus(): void {
    this.category.focus();
  }
}

function row(label: string, control: HTMLElement, help: HTMLElement | null = null): HTMLElement {
  if (!control.id) control.id = uid('obs-control');
  return h('div', { class: 'field' }, h('label', { for: control.id }, label), control, help);
}
