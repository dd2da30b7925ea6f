import { expect } from 'chai';
import type { Field, Observation, Preset } from '@cairn/sdk';
import { describeChanges, editableOf, editSchema, parseEditable, patchBetween } from '@cairn/plugin-observations/common/edit-json.js';
import { categoryTags, controlValue, formControls, parseControl, type FormControl } from '@cairn/plugin-observations/common/forms.js';

const time = '2024-05-01T10:00:00.000Z';

function field(id: string, type: Field['type'], extra: Partial<Field> = {}): Field {
  return { id, version: `${id}@1`, key: id, type, label: id[0]!.toUpperCase() + id.slice(1), placeholder: null, helperText: null, options: [], appearance: null, universal: false, createdAt: time, updatedAt: time, ...extra };
}

function preset(id: string, fields: string[], extra: Partial<Preset> = {}): Preset {
  return { id, version: `${id}@1`, name: id, geometry: ['point'], tags: {}, addTags: {}, removeTags: {}, fields, icon: null, iconSvg: null, color: null, terms: [], sort: null, createdAt: time, updatedAt: time, ...extra };
}

const fields = [
  field('species', 'select_one', { options: [{ label: 'Tapir', value: 'tapir' }, { label: 'Jaguar', value: 'jaguar' }], placeholder: 'Which one?' }),
  field('count', 'number', { helperText: 'How many you saw' }),
  field('signs', 'select_multiple', { options: [{ label: 'Tracks', value: 'tracks' }, { label: 'Dung', value: 'dung' }, { label: 'Two', value: 2 }] }),
  field('seen', 'date'),
  field('at', 'datetime'),
  field('story', 'text', { appearance: 'multiline' }),
  field('name', 'text'),
  field('protected', 'boolean'),
  field('observer', 'text', { universal: true }),
];

describe('forms from presets', () => {
  it('has a control per field of the category, in its order, then the universal fields, each key once', () => {
    const controls = formControls(preset('animal', ['count', 'species', 'observer', 'missing']), fields);
    expect(controls.map((control) => [control.key, control.kind])).to.deep.equal([
      ['count', 'number'],
      ['species', 'select'],
      ['observer', 'text'],
    ]);
    expect(controls[0]).to.deep.include({ label: 'Count', helperText: 'How many you saw', placeholder: '' });
    expect(controls[1]).to.deep.include({ placeholder: 'Which one?', options: [{ label: 'Tapir', value: 'tapir' }, { label: 'Jaguar', value: 'jaguar' }] });
    // No category: the universal fields only.
    expect(formControls(null, fields).map((control) => control.key)).to.deep.equal(['observer']);
  });

  it('maps every field type to a control', () => {
    const controls = formControls(preset('all', fields.map((candidate) => candidate.id)), fields);
    expect(controls.map((control) => control.kind)).to.deep.equal(['select', 'number', 'multiselect', 'date', 'datetime', 'textarea', 'text', 'checkbox', 'text']);
  });

  it('shows tag values in controls and reads them back with their types, or says what is wrong', () => {
    const [species, count, signs, seen, at, story, name, isProtected] = formControls(preset('all', fields.map((candidate) => candidate.id)), fields) as FormControl[];
    expect(controlValue(species!, 'tapir')).to.equal('tapir');
    expect(controlValue(signs!, ['tracks', 2])).to.deep.equal(['tracks', '2']);
    expect(controlValue(signs!, 'dung')).to.deep.equal(['dung']);
    expect(controlValue(count!, undefined)).to.equal('');
    expect(controlValue(isProtected!, 'yes')).to.equal(true);
    expect(controlValue(at!, '2024-05-01T10:30:00.000Z')).to.equal('2024-05-01T10:30');

    expect(parseControl(count!, ' 3,5 ')).to.deep.equal({ value: 3.5 });
    expect(parseControl(count!, 'two')).to.deep.equal({ error: "Count: 'two' is not a number." });
    expect(parseControl(count!, '')).to.deep.equal({ value: undefined });
    expect(parseControl(species!, 'jaguar')).to.deep.equal({ value: 'jaguar' });
    expect(parseControl(species!, 'puma')).to.deep.equal({ error: "Species: 'puma' is not one of the options." });
    // Options keep their declared type.
    expect(parseControl(signs!, ['tracks', '2'])).to.deep.equal({ value: ['tracks', 2] });
    expect(parseControl(signs!, [])).to.deep.equal({ value: undefined });
    expect(parseControl(seen!, '2024-02-30x')).to.deep.equal({ error: "Seen: '2024-02-30x' is not a date (YYYY-MM-DD)." });
    expect(parseControl(seen!, '2024-02-03')).to.deep.equal({ value: '2024-02-03' });
    expect(parseControl(story!, 'line one\nline two\n')).to.deep.equal({ value: 'line one\nline two\n' });
    expect(parseControl(name!, '  Ana  ')).to.deep.equal({ value: 'Ana' });
    expect(parseControl(isProtected!, false)).to.deep.equal({ value: undefined });
    expect(parseControl(isProtected!, true)).to.deep.equal({ value: true });
  });

  it('adds the new category’s tags and removes the old one’s', () => {
    const animal = preset('animal', [], { addTags: { type: 'animal' }, removeTags: { type: 'animal', wild: 'yes' } });
    const river = preset('river', [], { addTags: { type: 'river' } });
    expect(categoryTags(animal, river)).to.deep.equal({ set: { type: 'river' }, remove: ['wild'] });
    expect(categoryTags(null, animal)).to.deep.equal({ set: { type: 'animal' }, remove: [] });
  });
});

describe('Edit as JSON', () => {
  const observation: Observation = {
    id: 'a1', version: 'v1', lat: 1, lon: 2, category: 'animal', notes: 'before', tags: { count: 1, gone: 'x' },
    attachments: [], createdAt: time, updatedAt: time, createdBy: 'd1', forks: [],
  };

  it('edits only the fields a user may type', () => {
    expect(editableOf(observation)).to.deep.equal({ lat: 1, lon: 2, category: 'animal', notes: 'before', tags: { count: 1, gone: 'x' } });
  });

  it('refuses invalid JSON, other shapes and fields that are not the observation’s', () => {
    expect(parseEditable('{ "lat": 1, ')).to.have.property('error').that.matches(/^The JSON is not valid/);
    expect(parseEditable('[1, 2]')).to.deep.equal({ error: 'The JSON must be an object with lat, lon, category, notes and tags.' });
    expect(parseEditable('{ "lat": 1, "lon": 2, "category": null, "notes": "", "tags": {}, "id": "x" }')).to.deep.equal({ error: 'Not fields of an observation: id.' });
    expect(parseEditable('{ "lat": 1, "lon": 2 }')).to.deep.equal({ error: 'Missing: category, notes, tags.' });
  });

  it('turns the edit into a patch and says what changed', () => {
    const after = { lat: 1, lon: 2.5, category: null, notes: 'after', tags: { count: 2, river: 'Jutaí' } };
    expect(patchBetween(editableOf(observation), after)).to.deep.equal({ lon: 2.5, category: null, notes: 'after', tags: { count: 2, river: 'Jutaí' }, untag: ['gone'] });
    expect(patchBetween(editableOf(observation), editableOf(observation))).to.deep.equal({});
    expect(describeChanges(editableOf(observation), after)).to.deep.equal([
      'category: "animal" → null',
      'lon: 2 → 2.5',
      'notes: "before" → "after"',
      'tags.count: 1 → 2',
      'tags.gone: removed (was "x")',
      'tags.river: added "Jutaí"',
    ]);
  });

  it('gives the editor a schema with the host’s limits and the categories as suggestions', () => {
    const schema = editSchema([preset('animal', []), preset('river', [])]) as { properties: Record<string, Record<string, unknown>>; required: string[]; additionalProperties: boolean };
    expect(schema.required).to.deep.equal(['lat', 'lon', 'category', 'notes', 'tags']);
    expect(schema.additionalProperties).to.equal(false);
    expect(schema.properties.lat).to.deep.include({ minimum: -90, maximum: 90 });
    expect(schema.properties.lon).to.deep.include({ minimum: -180, maximum: 180 });
    expect(JSON.stringify(schema.properties.category)).to.contain('"examples":["animal","river"]');
  });
});
