import { h, uid, type Preset, type TagValue } from '@cairn/sdk/browser';
import type { EditableObservation } from '../common/edit-json.js';
import { categoryTags, controlValue, displayedTags, formControls, NOTE_KEYS, notesPlaceholder, parseControl, type FormControl } from '../common/forms.js';
import type { Catalog } from './catalog.js';

/** What the form holds: the same part of an observation as "Edit as JSON" edits. */
export type FormValues = EditableObservation;

/** What a form starts from: a new observation may have no place yet. */
export type FormStart = Omit<FormValues, 'lat' | 'lon'> & { lat: number | null; lon: number | null };

export type FormReading = { values: FormValues } | { errors: string[]; missingPlace: boolean };

/**
 * The observation's form: category, position and notes, then the category's fields (from its
 * preset), then the other fields it has, read-only and named as their fields name them. Changing
 * the category redraws the fields; categories imported while it is open are offered at once.
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
  /** A legacy `note` tag shown in Notes (Mapeo's "Note" field): moved into the notes when saved. */
  private readonly noteTag: string | null;
  private dirty = false;
  onDidChange: (() => void) | null = null;

  constructor(
    private readonly catalog: Catalog,
    private readonly initial: FormStart,
  ) {
    this.category = h('select', { id: uid('obs-category') });
    this.lat = h('input', { type: 'number', step: 'any', min: '-90', max: '90', required: true, id: uid('obs-lat'), placeholder: 'e.g. -3.4653' });
    this.lon = h('input', { type: 'number', step: 'any', min: '-180', max: '180', required: true, id: uid('obs-lon'), placeholder: 'e.g. -62.2159' });
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
    this.fillCategories();
    this.lat.value = initial.lat === null ? '' : String(initial.lat);
    this.lon.value = initial.lon === null ? '' : String(initial.lon);
    const legacy = NOTE_KEYS.map((key) => initial.tags[key]).find((value): value is string => typeof value === 'string' && value.trim() !== '');
    this.noteTag = initial.notes.trim() === '' && legacy !== undefined ? legacy : null;
    this.notes.value = this.noteTag ?? initial.notes;
    this.notes.placeholder = notesPlaceholder(catalog.fields);
    this.renderFields(initial.tags);
    this.element.addEventListener('input', () => this.changed());
    this.element.addEventListener('change', () => this.changed());
    this.category.addEventListener('change', () => this.renderFields(this.currentTags()));
  }

  get isDirty(): boolean {
    return this.dirty;
  }

  /** The categories or fields changed on the host (an import, a sync): offer them, keeping what was typed. */
  refreshCategories(): void {
    const chosen = this.category.value;
    this.fillCategories(chosen);
    this.notes.placeholder = notesPlaceholder(this.catalog.fields);
    this.renderFields(this.currentTags());
  }

  private fillCategories(chosen: string = this.initial.category ?? ''): void {
    this.category.replaceChildren(
      h('option', { value: '' }, 'No category'),
      ...this.catalog.presets.map((preset) => h('option', { value: preset.id }, preset.name)),
    );
    if (chosen !== '' && this.catalog.preset(chosen) === null) this.category.append(h('option', { value: chosen }, chosen));
    this.category.value = chosen;
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
    const preset = this.preset();
    const controls = formControls(preset, this.catalog.fields);
    this.controls = controls.map((control) => this.renderControl(control, tags[control.key]));
    const others = displayedTags(tags, controls, preset, this.catalog.fields);
    this.fieldsBox.replaceChildren(...this.controls.map((entry) => entry.element));
    if (others.length > 0) {
      this.fieldsBox.append(
        h(
          'div',
          { class: 'obs-other-tags' },
          h('h3', {}, 'Other fields'),
          h('dl', {}, ...others.flatMap(({ label, value }) => [h('dt', {}, label), h('dd', {}, value)])),
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

  /** The form's values, or what is wrong with them (each problem a sentence); `missingPlace` when only the place is missing. */
  read(): FormReading {
    const errors: string[] = [];
    const noPlace = this.lat.value.trim() === '' && this.lon.value.trim() === '';
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
    // Notes are one: a legacy `note` tag shown in Notes becomes the notes.
    if (this.noteTag !== null) for (const key of NOTE_KEYS) if (tags[key] === this.noteTag) delete tags[key];
    const missingPlace = noPlace && errors.length === 2;
    this.errors.replaceChildren(...(missingPlace ? [] : errors.map((error) => h('div', {}, error))));
    this.errors.hidden = missingPlace || errors.length === 0;
    if (errors.length > 0) return { errors, missingPlace };
    return { values: { lat, lon, category, notes: this.notes.value, tags } };
  }

  /** The values with the place given here (a new observation saved where the user said). */
  setPlace(lat: number, lon: number): void {
    this.lat.value = String(lat);
    this.lon.value = String(lon);
    this.changed();
  }

  focus(): void {
    this.category.focus();
  }

  focusPlace(): void {
    this.lat.focus();
  }
}

function row(label: string, control: HTMLElement, help: HTMLElement | null = null): HTMLElement {
  if (!control.id) control.id = uid('obs-control');
  return h('div', { class: 'field' }, h('label', { for: control.id }, label), control, help);
}
