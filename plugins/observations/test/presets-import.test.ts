import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { pack } from 'tar-stream';
import type { Field, Preset, ProjectSettings } from '@cairn/sdk';
import { startTestHost, type TestHost } from '@cairn/core/testing';
import type { PresetsImportResult } from '@cairn/plugin-observations/node/mapeo-config.js';

const pluginDir = fileURLToPath(new URL('..', import.meta.url));

/**
 * A small Mapeo configuration written for these tests ("River watch"): four presets, one in a
 * sub-folder and one whose file name starts with an underscore, six fields of different types
 * (one with an old list key and a type Cairn lacks), two icons, defaults and metadata.
 */
const presets: Record<string, unknown> = {
  animal: {
    name: 'Animal sighting',
    geometry: ['point', 'area'],
    tags: { type: 'animal' },
    fields: ['species', 'count', 'seen_on', 'ghost'],
    icon: 'paw',
    color: '#A0522D',
    terms: ['wildlife', 'tracks', ''],
    sort: 2,
  },
  'water/spring': {
    name: 'Spring',
    geometry: ['point', 'polygon'],
    tags: { type: 'water', water: 'spring' },
    fields: ['quality', 'notes', 'heading'],
    icon: 'drop',
  },
  camp: {
    name: 'Camp',
    geometry: ['point'],
    tags: { type: 'camp' },
    removeTags: { type: 'camp', fire: 'yes' },
    fields: ['notes'],
    sort: 1,
  },
  // In a source folder, presets/_trail.json: the builder strips the underscore (id `trail`).
  trail: {
    name: 'Trail',
    geometry: ['line', 'point'],
    tags: { type: 'trail' },
    addTags: { type: 'trail', surveyed: 'yes' },
    icon: 'boot',
  },
};

const fields: Record<string, unknown> = {
  species: { key: 'species', type: 'text', label: 'Species', appearance: 'singleline', placeholder: 'e.g. tapir' },
  count: { key: 'count', type: 'number', label: 'How many?' },
  seen_on: { key: 'seen_on', type: 'date', label: 'Seen on', helperText: 'The day of the sighting' },
  quality: { key: 'quality', type: 'select_one', label: 'Water quality', options: ['clear', { label: 'Muddy', value: 'muddy' }, { value: 3 }] },
  notes: { key: 'notes', type: 'textarea', label: 'Notes', universal: true },
  heading: { key: ['heading', 'bearing'], type: 'compass', label: '' },
};

const defaults = { point: ['camp', 'animal', 'water/spring', 'nowhere'], line: ['trail'] };
const metadata = { name: 'River watch', version: '1.2.0' };

const svgHead = '<?xml version="1.0" encoding="utf-8"?>\n<!-- drawn for this test -->\n';
const paw100 = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100"><circle cx="50" cy="60" r="25"/></svg>';
const paw24 = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"><circle cx="12" cy="14" r="6"/></svg>';
const drop24 = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"><path d="M12 2 18 14A6 6 0 0 1 6 14Z"/></svg>';
/** A sprite as the settings builder makes one: NAME-100px, NAME-24px, or (newer builders) NAME-12 for the small one. */
const sprite =
  '<?xml version="1.0" encoding="utf-8"?><svg xmlns="http://www.w3.org/2000/svg">' +
  '<symbol id="paw-24px" viewBox="0 0 24 24"><circle cx="12" cy="14" r="6"/></symbol>' +
  '<symbol id="paw-100px" viewBox="0 0 100 100"><circle cx="50" cy="60" r="25"/></symbol>' +
  '<symbol viewBox="0 0 24 24" id="drop-12"><path d="M12 2 18 14A6 6 0 0 1 6 14Z"/></symbol>' +
  '</svg>';

async function writeFiles(root: string, files: Record<string, string>): Promise<void> {
  for (const [name, content] of Object.entries(files)) {
    await mkdir(dirname(join(root, name)), { recursive: true });
    await writeFile(join(root, name), content);
  }
}

const json = (value: unknown) => JSON.stringify(value, null, 2);

/** The configuration as a source folder, with `change` applied to its files. */
async function writeFolder(root: string, change: (files: Record<string, string>) => void = () => {}): Promise<string> {
  const files: Record<string, string> = {
    'presets/animal.json': json(presets.animal),
    'presets/water/spring.json': json(presets['water/spring']),
    'presets/camp.json': json(presets.camp),
    'presets/_trail.json': json(presets.trail),
    'defaults.json': json(defaults),
    'metadata.json': json(metadata),
    'icons/paw-100px.svg': svgHead + paw100 + '\n',
    'icons/paw-24px.svg': paw24,
    'icons/drop-24px.svg': drop24,
  };
  for (const [id, field] of Object.entries(fields)) files[`fields/${id}.json`] = json(field);
  change(files);
  await writeFiles(root, files);
  return root;
}

async function writeTar(file: string, entries: Record<string, string>): Promise<string> {
  const archive = pack();
  for (const [name, content] of Object.entries(entries)) archive.entry({ name }, content);
  archive.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of archive) chunks.push(chunk);
  await writeFile(file, Buffer.concat(chunks));
  return file;
}

/** The configuration as a `.mapeosettings` bundle, as mapeo-settings-builder packs one. */
function writeBundle(file: string, presetsJson: string = json({ categories: {}, fields, presets, defaults })): Promise<string> {
  return writeTar(file, {
    'presets.json': presetsJson,
    'translations.json': json({ en: { presets: {} } }),
    'icons.svg': sprite,
    'style.css': '',
    'metadata.json': json(metadata),
  });
}

/**
 * A plugin written for the test: it reads the project's categories, fields and settings back,
 * edits a category as a user would, and runs the importer with its own context to see the
 * progress it reports.
 */
async function writeProbePlugin(root: string): Promise<string> {
  const importer = import.meta.resolve('@cairn/plugin-observations/node/mapeo-config.js');
  await writeFiles(root, {
    'package.json': json({
      name: 'cairn-test-probe',
      version: '1.0.0',
      private: true,
      type: 'module',
      cairn: {
        id: 'probe',
        displayName: 'Probe',
        engine: '^0.1.0',
        main: './index.js',
        contributes: {
          commands: [
            { id: 'probe.categories', title: 'Read the categories back' },
            { id: 'probe.import', title: 'Import with progress' },
            { id: 'probe.editPreset', title: 'Edit a category' },
          ],
        },
      },
    }),
    'index.js': `import { importMapeoConfig } from ${JSON.stringify(importer)};
export function activate(ctx) {
  ctx.subscriptions.push(ctx.commands.register('probe.categories', async () => ({
    presets: await ctx.project.presets.list(),
    fields: await ctx.project.fields.list(),
    settings: await ctx.project.settings.get(),
  })));
  ctx.subscriptions.push(ctx.commands.register('probe.editPreset', (id, patch) => ctx.project.presets.update(id, patch)));
  ctx.subscriptions.push(ctx.commands.register('probe.import', async (path) => {
    const progress = [];
    const result = await importMapeoConfig(ctx, path, (message, percent) => progress.push({ message, percent }));
    return { result, progress };
  }));
}
`,
  });
  return root;
}

interface Categories {
  presets: Preset[];
  fields: Field[];
  settings: ProjectSettings;
}

describe('cairn presets import (Mapeo configuration)', function () {
  this.timeout(60_000);
  let host: TestHost;
  let folder: string;

  const categories = () => host.execute<Categories>('probe.categories');
  const preset = async (id: string) => (await categories()).presets.find((candidate) => candidate.id === id);
  const importJson = async (path: string): Promise<PresetsImportResult> => {
    const result = await host.cli('presets', 'import', path, '--json');
    expect(result.exitCode, result.stderr).to.equal(0);
    return JSON.parse(result.stdout) as PresetsImportResult;
  };

  beforeEach(async () => {
    folder = await mkdtemp(join(tmpdir(), 'cairn-presets-'));
    const probe = await writeProbePlugin(join(folder, 'probe'));
    host = await startTestHost({ plugins: [pluginDir, probe], project: true });
  });
  afterEach(async () => {
    await host.dispose();
    await rm(folder, { recursive: true, force: true });
  });

  it('imports a source folder: categories with Mapeo ids, fields, icons, default order and name', async () => {
    const result = await importJson(await writeFolder(join(folder, 'river-watch')));
    expect(result).to.deep.include({ name: 'River watch', version: '1.2.0', presets: { created: 4, updated: 0 }, fields: { created: 6, updated: 0 }, icons: 2 });

    const { presets: imported, settings } = await categories();
    expect(imported.map((category) => category.id).sort()).to.deep.equal(['animal', 'camp', 'trail', 'water-spring']);
    const animal = imported.find((category) => category.id === 'animal')!;
    expect(animal).to.deep.include({
      name: 'Animal sighting',
      geometry: ['point', 'area'],
      tags: { type: 'animal' },
      addTags: { type: 'animal' },
      removeTags: { type: 'animal' },
      fields: ['species', 'count', 'seen_on'],
      icon: 'paw',
      color: '#A0522D',
      terms: ['wildlife', 'tracks'],
      sort: 2,
    });
    // The 100px icon, not the 24px one, as standalone markup (no XML declaration or comment).
    expect(animal.iconSvg).to.equal(paw100);
    // Only a 24px icon: that one.
    expect(imported.find((category) => category.id === 'water-spring')!).to.deep.include({ iconSvg: drop24, geometry: ['point'], fields: ['quality', 'notes', 'heading'] });
    expect(imported.find((category) => category.id === 'camp')!).to.deep.include({ addTags: { type: 'camp' }, removeTags: { type: 'camp', fire: 'yes' }, icon: null, iconSvg: null, color: null });
    expect(imported.find((category) => category.id === 'trail')!).to.deep.include({
      name: 'Trail',
      geometry: ['line', 'point'],
      addTags: { type: 'trail', surveyed: 'yes' },
      removeTags: { type: 'trail', surveyed: 'yes' },
      icon: 'boot',
      iconSvg: null,
    });

    expect(settings.defaultPresets).to.deep.equal(['camp', 'animal', 'water-spring']);
    expect(settings.configMetadata).to.deep.include({ name: 'River watch', version: '1.2.0' });
    expect(Date.parse(settings.configMetadata!.importedAt)).to.be.closeTo(Date.now(), 60_000);
  });

  it('lists the categories with `cairn presets list`, in the forms\' order, without the icons\' markup', async () => {
    const empty = await host.cli('presets', 'list', '--json');
    expect(empty.exitCode, empty.stderr).to.equal(0);
    expect(JSON.parse(empty.stdout)).to.deep.equal([]);

    await importJson(await writeFolder(join(folder, 'river-watch')));
    const result = await host.cli('presets', 'list', '--json');
    expect(result.exitCode, result.stderr).to.equal(0);
    const listed = JSON.parse(result.stdout) as Array<Record<string, unknown>>;
    // camp and animal by their sort (1, 2); Spring and Trail, which have none, after them by name.
    expect(listed.map((category) => category.id)).to.deep.equal(['camp', 'animal', 'water-spring', 'trail']);
    expect(listed[1]).to.deep.include({ id: 'animal', name: 'Animal sighting', color: '#A0522D', icon: 'paw', hasIconSvg: true, fields: ['species', 'count', 'seen_on'] });
    expect(listed[0]).to.deep.include({ id: 'camp', icon: null, color: null, hasIconSvg: false });
    expect(listed.every((category) => !('iconSvg' in category))).to.equal(true);
  });

  it('maps each field type and its options to Cairn’s', async () => {
    await importJson(await writeFolder(join(folder, 'river-watch')));
    const byId = new Map((await categories()).fields.map((field) => [field.id, field]));
    const pick = (id: string) => {
      const { key, type, label, placeholder, helperText, options, appearance, universal } = byId.get(id)!;
      return { key, type, label, placeholder, helperText, options, appearance, universal };
    };
    const plain = { placeholder: null, helperText: null, options: [], appearance: null, universal: false };
    expect(pick('species')).to.deep.equal({ ...plain, key: 'species', type: 'text', label: 'Species', placeholder: 'e.g. tapir', appearance: 'singleline' });
    expect(pick('count')).to.deep.equal({ ...plain, key: 'count', type: 'number', label: 'How many?' });
    expect(pick('seen_on')).to.deep.equal({ ...plain, key: 'seen_on', type: 'date', label: 'Seen on', helperText: 'The day of the sighting' });
    expect(pick('quality')).to.deep.equal({
      ...plain,
      key: 'quality',
      type: 'select_one',
      label: 'Water quality',
      options: [
        { label: 'clear', value: 'clear' },
        { label: 'Muddy', value: 'muddy' },
        { label: '3', value: 3 },
      ],
    });
    expect(pick('notes')).to.deep.equal({ ...plain, key: 'notes', type: 'text', label: 'Notes', appearance: 'multiline', universal: true });
    // An old list key: its first tag. A type Cairn lacks: text. No label: its key.
    expect(pick('heading')).to.deep.equal({ ...plain, key: 'heading', type: 'text', label: 'heading' });
  });

  it('warns about each thing it leaves out or changes, saying why', async () => {
    const { warnings } = await importJson(await writeFolder(join(folder, 'river-watch')));
    const expected = [
      /^category 'animal' \(presets\/animal\.json\): field "ghost" left out: the configuration has no such field\.$/,
      /^category 'water\/spring' \(presets\/water\/spring\.json\): geometry "polygon" left out: Cairn knows point, vertex, line, area, relation\.$/,
      /^category 'trail' \(presets\/_trail\.json\): its icon 'boot' is not in the configuration .*; imported without it\.$/,
      /^field 'heading' \(fields\/heading\.json\): its key is a list \(\["heading","bearing"\]\); Cairn edits one tag, so it edits 'heading'\.$/,
      /^field 'heading' \(fields\/heading\.json\): its type 'compass' is not one Cairn has; imported as text\.$/,
      /^defaults: 'nowhere' in "point" is not a category of the configuration; left out\.$/,
    ];
    for (const pattern of expected) expect(warnings.some((warning) => pattern.test(warning)), `${String(pattern)} in\n${warnings.join('\n')}`).to.equal(true);
    expect(warnings).to.have.length(expected.length);
  });

  it('imports the same configuration from a .mapeosettings bundle, its icons cut out of the sprite', async () => {
    const result = await importJson(await writeBundle(join(folder, 'river-watch-v1.2.0.mapeosettings')));
    expect(result).to.deep.include({ name: 'River watch', version: '1.2.0', presets: { created: 4, updated: 0 }, fields: { created: 6, updated: 0 }, icons: 2 });
    expect(result.warnings).to.have.length(6);
    const { presets: imported, fields: importedFields, settings } = await categories();
    expect(imported.map((category) => category.id).sort()).to.deep.equal(['animal', 'camp', 'trail', 'water-spring']);
    expect(importedFields.map((field) => field.id).sort()).to.deep.equal(['count', 'heading', 'notes', 'quality', 'seen_on', 'species']);
    // The 100px symbol, whatever its place in the sprite, as an <svg> keeping its viewBox.
    expect(imported.find((category) => category.id === 'animal')!.iconSvg).to.equal(paw100);
    // The builder's small symbol (NAME-12) when there is nothing larger.
    expect(imported.find((category) => category.id === 'water-spring')!.iconSvg).to.equal(
      '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"><path d="M12 2 18 14A6 6 0 0 1 6 14Z"/></svg>',
    );
    expect(settings.defaultPresets).to.deep.equal(['camp', 'animal', 'water-spring']);
    expect(settings.configMetadata).to.deep.include({ name: 'River watch', version: '1.2.0' });
  });

  it('updates on re-import: counts what changed, leaves alone what is the same, keeps the rest', async () => {
    const source = join(folder, 'river-watch');
    await importJson(await writeFolder(source));
    const first = await preset('animal');

    const again = await importJson(source);
    expect(again).to.deep.include({ presets: { created: 0, updated: 0 }, fields: { created: 0, updated: 0 }, icons: 2 });
    expect((await preset('animal'))!.version, 'an unchanged category is not written again').to.equal(first!.version);

    // A new version of the configuration: one category renamed, one field relabelled, one new
    // category; the same as a bundle this time.
    const changed = {
      categories: {},
      fields: { ...fields, count: { key: 'count', type: 'number', label: 'Number seen' } },
      presets: { ...presets, camp: { ...(presets.camp as object), name: 'Campsite' }, fish: { name: 'Fish', tags: { type: 'fish' }, geometry: ['point'], fields: ['count'] } },
      defaults: { point: ['fish', 'camp'] },
    };
    const updated = await importJson(await writeBundle(join(folder, 'river-watch-v1.3.0.mapeosettings'), json(changed)));
    expect(updated).to.deep.include({ presets: { created: 1, updated: 1 }, fields: { created: 0, updated: 1 } });
    expect(await preset('camp')).to.deep.include({ name: 'Campsite' });
    expect(await preset('fish')).to.deep.include({ name: 'Fish', fields: ['count'], addTags: { type: 'fish' } });
    expect((await categories()).fields.find((field) => field.id === 'count')).to.deep.include({ label: 'Number seen' });
    expect((await categories()).settings.defaultPresets).to.deep.equal(['fish', 'camp']);

    // Back to the first version, after a category was edited in Cairn: both are set back.
    await host.execute('probe.editPreset', 'animal', { name: 'Big animal', color: null });
    const back = await importJson(source);
    expect(back).to.deep.include({ presets: { created: 0, updated: 2 }, fields: { created: 0, updated: 1 } });
    expect(await preset('camp')).to.deep.include({ name: 'Camp' });
    expect(await preset('animal')).to.deep.include({ name: 'Animal sighting', color: '#A0522D' });
    // Categories the configuration lacks stay.
    expect(await preset('fish')).to.not.equal(undefined);
  });

  it('refuses what is not a Mapeo configuration, with a coded error, and writes nothing', async () => {
    const notTar = join(folder, 'notes.mapeosettings');
    await writeFile(notTar, 'these are field notes, not a tar file\n'.repeat(40));
    const noPresets = await writeTar(join(folder, 'no-presets.mapeosettings'), { 'metadata.json': json(metadata), 'icons.svg': sprite });
    const brokenBundle = await writeBundle(join(folder, 'broken.mapeosettings'), '{ "presets": { "animal": ');
    const emptyFolder = join(folder, 'empty');
    await mkdir(emptyFolder);
    // Every file but one is valid: the valid ones must not be written either.
    const brokenFolder = await writeFolder(join(folder, 'broken-folder'), (files) => {
      files['presets/water/spring.json'] = '{ "name": "Spring", }';
    });
    const brokenDefaults = await writeFolder(join(folder, 'broken-defaults'), (files) => {
      files['defaults.json'] = '{ "point": [ "camp" ';
    });

    const cases: Array<[string, RegExp]> = [
      [join(folder, 'missing.mapeosettings'), /^error \[ERR_NOT_FOUND\]: There is no .*missing\.mapeosettings\. Give a \.mapeosettings or \.comapeocat file, or a folder with presets\/ and fields\//],
      [notTar, /^error \[ERR_INVALID_INPUT\]: .*notes\.mapeosettings is not a Mapeo configuration: it is not a tar file/],
      [noPresets, /^error \[ERR_INVALID_INPUT\]: .*no-presets\.mapeosettings is not a Mapeo configuration: its tar holds no presets\.json/],
      [brokenBundle, /^error \[ERR_INVALID_INPUT\]: presets\.json inside .*broken\.mapeosettings is not valid JSON \(.*\); fix it and import again\./],
      [emptyFolder, /^error \[ERR_INVALID_INPUT\]: .*empty is not a Mapeo configuration: it has no presets\/ folder/],
      [brokenFolder, /^error \[ERR_INVALID_INPUT\]: presets\/water\/spring\.json in .*broken-folder is not valid JSON/],
      [brokenDefaults, /^error \[ERR_INVALID_INPUT\]: defaults\.json in .*broken-defaults is not valid JSON/],
    ];
    for (const [path, expected] of cases) {
      const result = await host.cli('presets', 'import', path);
      expect(result.exitCode, path).to.equal(1);
      expect(result.stderr).to.match(expected);
    }
    const after = await categories();
    expect(after.presets).to.deep.equal([]);
    expect(after.fields).to.deep.equal([]);
    expect(after.settings).to.deep.include({ defaultPresets: [], configMetadata: null });
  });

  it('reports its progress to the caller, up to 100%', async () => {
    const path = await writeBundle(join(folder, 'river-watch.mapeosettings'));
    const { result, progress } = await host.execute<{ result: PresetsImportResult; progress: Array<{ message: string; percent: number }> }>('probe.import', path);
    expect(result.presets).to.deep.equal({ created: 4, updated: 0 });
    expect(progress[0]).to.deep.equal({ message: 'Reading river-watch.mapeosettings', percent: 0 });
    expect(progress.at(-1)).to.deep.equal({ message: 'Imported 4 categories and 6 fields', percent: 100 });
    const percents = progress.map((step) => step.percent);
    expect(percents).to.deep.equal([...percents].sort((a, b) => a - b));
    expect(progress.map((step) => step.message)).to.include.members(['Field species', 'Category Animal sighting']);
  });

  it('imports a CoMapeo categories archive (.comapeocat): categories, their fields, icons, the order offered and its name', async () => {
    // Made here with the CoMapeo team's own writer of the format.
    const { Writer } = await import('comapeocat');
    const writer = new Writer();
    writer.addField('species', { tagKey: 'species', type: 'text', label: 'Species', helperText: 'Which animal?' });
    writer.addField('behaviour', { tagKey: 'behaviour', type: 'selectOne', label: 'Behaviour', options: [{ label: 'Feeding', value: 'feeding' }, { label: 'Resting', value: 'resting' }] });
    writer.addCategory('animal', { name: 'Animal', appliesTo: ['observation'], tags: { type: 'animal' }, fields: ['species', 'behaviour'], icon: 'paw', color: '#aa3300', terms: ['fauna'] });
    writer.addCategory('path', { name: 'Path', appliesTo: ['observation', 'track'], tags: { type: 'path' }, fields: [], color: '#555555' });
    await writer.addIcon('paw', '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"><circle cx="12" cy="12" r="10"/></svg>');
    writer.setCategorySelection({ observation: ['path', 'animal'], track: ['path'] });
    writer.setMetadata({ name: 'Forest patrol categories', version: '2.1.0' });
    const archive = join(folder, 'forest.comapeocat');
    const written = pipeline(writer.outputStream, createWriteStream(archive));
    writer.finish();
    await written;

    const result = await importJson(archive);
    expect(result).to.deep.include({ name: 'Forest patrol categories', version: '2.1.0', presets: { created: 2, updated: 0 }, fields: { created: 2, updated: 0 }, icons: 1 });
    const { presets: imported, fields: importedFields, settings } = await categories();
    expect(imported.find((category) => category.id === 'animal')).to.deep.include({ name: 'Animal', color: '#aa3300', geometry: ['point'], tags: { type: 'animal' }, fields: ['species', 'behaviour'], terms: ['fauna'] });
    expect(imported.find((category) => category.id === 'animal')!.iconSvg).to.contain('<circle');
    expect(imported.find((category) => category.id === 'path')!.geometry).to.deep.equal(['point', 'line']);
    expect(importedFields.find((field) => field.id === 'behaviour')).to.deep.include({ key: 'behaviour', type: 'select_one', label: 'Behaviour' });
    expect(importedFields.find((field) => field.id === 'species')).to.deep.include({ key: 'species', helperText: 'Which animal?' });
    expect(settings.defaultPresets).to.deep.equal(['path', 'animal']);

    // A file with the extension that is not one: said so, nothing written.
    await writeFile(join(folder, 'broken.comapeocat'), 'not a zip at all');
    const broken = await host.cli('presets', 'import', join(folder, 'broken.comapeocat'));
    expect(broken.exitCode).to.equal(1);
    expect(broken.stderr).to.contain('ERR_INVALID_INPUT').and.contain('is not a CoMapeo categories archive');
    expect((await categories()).presets).to.have.length(2);
  });
});
