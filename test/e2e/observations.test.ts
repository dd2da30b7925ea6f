import { execFile } from 'node:child_process';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import type { CairnHost } from '@cairn/core';
import { duplexPair } from '@cairn/sdk';
import { pluginSet, repoRoot } from '../helpers.js';
import { showView, useWorkbenches } from './browser.js';

const run = promisify(execFile);
const readdirNames = (folder: string) => readdir(folder);

/** A tiny PNG (1×1, red), to see a photo become a thumbnail. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==', 'base64');

/** A WAV file of a tone: PCM, 16 bits, mono. */
function wav(sampleRate: number, seconds: number): Buffer {
  const samples = Math.round(sampleRate * seconds);
  const data = Buffer.alloc(samples * 2);
  for (let index = 0; index < samples; index += 1) data.writeInt16LE(Math.round(8000 * Math.sin((2 * Math.PI * 440 * index) / sampleRate)), index * 2);
  const header = Buffer.alloc(44);
  header.write('RIFF', 0);
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVEfmt ', 8);
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(sampleRate, 24);
  header.writeUInt32LE(sampleRate * 2, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36);
  header.writeUInt32LE(data.length, 40);
  return Buffer.concat([header, data]);
}

describe('observations in the workbench (headless Chromium)', function () {
  this.timeout(120_000);
  const workbenches = useWorkbenches();
  const temp = workbenches.temp;
  const device = (name: string, joinKey?: string) => workbenches.device(name, joinKey);
  const openWorkbench = (host: CairnHost) => workbenches.open(host, { width: 1400, height: 900 });

  async function openList(page: Page) {
    await showView(page, 'Observations');
    const grid = page.getByRole('grid', { name: 'Observations' });
    await grid.waitFor();
    return grid;
  }

  async function runCommand(page: Page, title: string) {
    await page.keyboard.press('F1');
    const palette = page.getByRole('dialog', { name: 'Command Palette' });
    await palette.getByRole('combobox').fill(title);
    await palette.getByRole('option', { name: new RegExp(title) }).first().click();
  }

  async function categories(host: CairnHost) {
    const project = await host.projects.open();
    await project.createField({ id: 'species', key: 'species', type: 'select_one', label: 'Species', options: [{ label: 'Tapir', value: 'tapir' }, { label: 'Jaguar', value: 'jaguar' }] });
    await project.createField({ id: 'count', key: 'count', type: 'number', label: 'How many', placeholder: 'e.g. 3' });
    await project.createPreset({ id: 'animal', name: 'Animal', fields: ['species', 'count'], tags: { type: 'animal' }, iconSvg: '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><circle cx="5" cy="5" r="4" fill="red"/></svg>' });
    await project.createPreset({ id: 'river', name: 'River', tags: { type: 'river' } });
  }

  it('lists observations in a grid that filters by text, category and date, sorts, and counts matches', async () => {
    const host = await device('laptop');
    await categories(host);
    const project = await host.projects.open();
    const inputs = Array.from({ length: 250 }, (_, index) => ({
      lat: -3 - index / 1000,
      lon: -62,
      category: index % 5 === 4 ? 'animal' : 'river',
      notes: index % 10 === 9 ? `Tapir tracks ${index}` : `River bank ${index}`,
      createdAt: new Date(Date.UTC(2024, 0, 1 + (index % 30))).toISOString(),
    }));
    await project.createObservations(inputs);
    const page = await openWorkbench(host);
    const grid = await openList(page);
    await page.waitForFunction(() => document.querySelector('[role="grid"][aria-label="Observations"]')?.getAttribute('aria-rowcount') === '250');
    // Only the rows in view are drawn.
    expect(await grid.getByRole('row').count()).to.be.below(80);
    await grid.getByRole('row').filter({ hasText: 'Tapir tracks' }).first().waitFor();
    await grid.getByRole('gridcell', { name: 'Animal' }).first().waitFor();
    await page.getByRole('status', { name: 'Status Bar' }).getByText('250 matches').waitFor();

    await page.getByRole('searchbox', { name: 'Search notes' }).fill('tapir');
    await page.waitForFunction(() => document.querySelector('[role="grid"]')?.getAttribute('aria-rowcount') === '25');
    await page.getByRole('status', { name: 'Status Bar' }).getByText('25 matches').waitFor();
    await page.getByRole('searchbox', { name: 'Search notes' }).fill('');
    await page.getByRole('combobox', { name: 'Category' }).selectOption('animal');
    await page.waitForFunction(() => document.querySelector('[role="grid"]')?.getAttribute('aria-rowcount') === '50');
    await page.getByLabel('From date').fill('2024-01-30');
    await page.waitForFunction(() => document.querySelector('[role="grid"]')?.getAttribute('aria-rowcount') === '8');
    await page.getByLabel('From date').fill('2024-01-31');
    await page.waitForFunction(() => document.querySelector('[role="grid"]')?.getAttribute('aria-rowcount') === '0');
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await page.waitForFunction(() => document.querySelector('[role="grid"]')?.getAttribute('aria-rowcount') === '250');

    // A category in use without a preset (data from elsewhere) can be filtered on too, and is counted.
    await project.createObservations([0, 1, 2].map((index) => ({ lat: 0, lon: index, category: 'heron-nest', notes: `nest ${index}` })));
    await page.waitForFunction(() => document.querySelector('[role="grid"]')?.getAttribute('aria-rowcount') === '253');
    await page.getByRole('list', { name: 'Categories' }).getByRole('button', { name: /heron-nest\s*3/ }).waitFor();
    await page.getByRole('combobox', { name: 'Category' }).selectOption('heron-nest');
    await page.waitForFunction(() => document.querySelector('[role="grid"]')?.getAttribute('aria-rowcount') === '3');
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await page.waitForFunction(() => document.querySelector('[role="grid"]')?.getAttribute('aria-rowcount') === '253');

    // Sort by latitude, ascending: the southernmost (index 249) comes first.
    await grid.getByRole('columnheader', { name: /Latitude/ }).getByRole('button').click();
    await grid.getByRole('columnheader', { name: /Latitude/ }).and(page.locator('[aria-sort="ascending"]')).waitFor();
    await page.waitForFunction(() => document.querySelector('[role="row"][aria-rowindex="1"]')?.textContent?.includes('Tapir tracks 249'));

    // Keyboard: the grid takes focus, arrows move, Enter opens the observation.
    await grid.focus();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await page.getByRole('region', { name: 'Observation' }).getByRole('heading', { name: 'River' }).waitFor();
    expect(await page.getByRole('region', { name: 'Observation' }).getByLabel('Notes').inputValue()).to.equal('River bank 248');
  });

  it('creates an observation from the palette, edits it with its category form, adds a photo and deletes it', async () => {
    const host = await device('laptop');
    await categories(host);
    const page = await openWorkbench(host);
    await runCommand(page, 'New observation');
    const form = page.getByRole('region', { name: 'New observation' });
    await form.getByLabel('Latitude').fill('-3.4653');
    await form.getByLabel('Longitude').fill('-62.2159');
    await form.getByLabel('Category').selectOption('animal');
    // The category's fields, from its preset.
    await form.getByLabel('Species').selectOption('tapir');
    await form.getByLabel('How many').fill('two');
    await form.getByLabel('Notes').fill('Fresh tracks by the river');
    await form.getByRole('button', { name: 'Create' }).click();
    await form.getByRole('alert').getByText("How many: 'two' is not a number.").waitFor();
    const project = await host.projects.open();
    expect(project.countObservations()).to.equal(0);
    await form.getByLabel('How many').fill('2');
    await form.getByRole('button', { name: 'Create' }).click();

    const detail = page.getByRole('region', { name: 'Observation' });
    await detail.getByRole('heading', { name: 'Animal' }).waitFor();
    const [created] = project.queryObservations();
    expect(created).to.deep.include({ lat: -3.4653, lon: -62.2159, category: 'animal', notes: 'Fresh tracks by the river' });
    expect(created!.tags).to.deep.equal({ type: 'animal', species: 'tapir', count: 2 });

    // Edit by form: a new version.
    await detail.getByLabel('Species').selectOption('jaguar');
    await detail.getByLabel('Notes').fill('Jaguar, not tapir');
    await detail.getByRole('button', { name: 'Save' }).click();
    await page.getByText(/Saved a new version: notes: .* → "Jaguar, not tapir"; tags.species: "tapir" → "jaguar"/).waitFor();
    const edited = project.getObservation(created!.id);
    expect(edited.version).not.to.equal(created!.version);
    expect(edited.tags.species).to.equal('jaguar');
    await detail.getByText(/· edited/).waitFor();

    // Edits being typed survive a change made elsewhere: the tab says so instead of redrawing.
    await detail.getByLabel('Notes').fill('typing, not saved yet');
    await project.updateObservation(created!.id, { tags: { seen: 'twice' } });
    await detail.getByRole('status').getByText(/changed elsewhere/).waitFor();
    expect(await detail.getByLabel('Notes').inputValue()).to.equal('typing, not saved yet');
    await detail.getByLabel('Notes').fill('Jaguar, not tapir');

    await detail.getByText('History').click();
    await detail.getByRole('list', { name: 'Versions' }).getByRole('listitem').nth(1).waitFor();
    expect(await detail.getByRole('list', { name: 'Versions' }).getByRole('listitem').count()).to.equal(3);

    // A photo, chosen on the host, becomes a thumbnail.
    const folder = await temp.make('cairn-photos-');
    await writeFile(join(folder, 'tracks.png'), PNG);
    await detail.getByRole('button', { name: 'Add photo…' }).click();
    const chooser = page.getByRole('dialog', { name: 'Add a photo' });
    await chooser.getByRole('textbox', { name: 'Folder', exact: true }).fill(folder);
    await chooser.getByRole('textbox', { name: 'Folder', exact: true }).press('Enter');
    await chooser.getByRole('listbox', { name: 'Files and folders' }).getByText('tracks.png').click();
    await chooser.getByRole('button', { name: 'Open' }).click();
    await detail.getByRole('img', { name: 'tracks.png' }).waitFor();
    expect(project.getObservation(created!.id).attachments.map((attachment) => attachment.name)).to.deep.equal(['tracks.png']);

    // Delete, after a confirmation.
    await detail.getByRole('button', { name: 'Delete…' }).click();
    await page.getByRole('alertdialog', { name: 'Delete this observation?' }).getByRole('button', { name: 'Cancel' }).click();
    expect(project.countObservations()).to.equal(1);
    await detail.getByRole('button', { name: 'Delete…' }).click();
    await page.getByRole('alertdialog', { name: 'Delete this observation?' }).getByRole('button', { name: 'Delete' }).click();
    await page.getByText('Observation deleted.').waitFor();
    expect(project.countObservations()).to.equal(0);
  });

  it('edits as JSON in Monaco: schema errors are marked and never saved, a valid edit shows what changed', async () => {
    const host = await device('laptop');
    const project = await host.projects.open();
    const [observation] = await project.createObservations([{ lat: 1, lon: 2, notes: 'before', tags: { count: 1 } }]);
    const page = await openWorkbench(host);
    const grid = await openList(page);
    await grid.getByRole('row').filter({ hasText: 'before' }).click();
    const detail = page.getByRole('region', { name: 'Observation' });
    await detail.getByRole('button', { name: 'Edit as JSON' }).click();
    const editor = page.locator('.monaco-editor').first();
    await editor.waitFor();
    await editor.click();
    const replace = async (text: string) => {
      await editor.click();
      await page.keyboard.press('ControlOrMeta+A');
      await page.keyboard.press('Delete');
      await page.keyboard.insertText(text);
    };
    await replace('{ "lat": 200, "lon": 2, "category": null, "notes": "after", "tags": { "count": 2 } }');
    // The JSON worker validates against the schema: a marker appears in the editor.
    await page.locator('.monaco-editor .squiggly-error').first().waitFor({ timeout: 30_000 });
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByRole('alert').getByText(/Not saved/).waitFor();
    // The problem names its field.
    await page.getByRole('alert').getByText(/lat: Value is above the maximum of 90/).waitFor();
    // The tab says it holds unsaved work.
    await page.getByRole('tab', { name: /\(unsaved\)$/ }).waitFor();
    expect(project.getObservation(observation!.id).notes).to.equal('before');

    await replace('{ "lat": 1, "lon": 2, "category": null, "notes": "after" "tags": {} }');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByRole('alert').getByText(/Not saved/).waitFor();
    expect(project.getObservation(observation!.id).notes).to.equal('before');

    // Saved at once after typing, while the editor still marks the error it had a moment ago: what
    // was typed is what counts.
    await replace('{ "lat": 1, "lon": 2, "category": null, "notes": "after", "tags": { "count": 2, "river": "Jutaí" } }');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    const changes = page.getByRole('list', { name: 'Changes' });
    await changes.getByText('notes: "before" → "after"').waitFor();
    await changes.getByText('tags.count: 1 → 2').waitFor();
    await changes.getByText('tags.river: added "Jutaí"').waitFor();
    await page.getByRole('button', { name: 'Save these changes' }).click();
    await page.getByText(/Saved a new version/).first().waitFor();
    expect(project.getObservation(observation!.id)).to.deep.include({ notes: 'after', tags: { count: 2, river: 'Jutaí' } });
  });

  it('shows a fork banner when two devices edited an observation at once, and "Keep this version" resolves it', async () => {
    const laptop = await device('laptop');
    const here = await laptop.projects.open();
    const tablet = await device('tablet', here.info().projectKey);
    const there = await tablet.projects.open();
    const sync = async () => {
      const [left, right] = duplexPair();
      await Promise.all([here.replicate(left, { initiator: true }).done, there.replicate(right, { initiator: false }).done]);
      left.destroy();
      right.destroy();
    };
    const [observation] = await here.createObservations([{ lat: 1, lon: 2, notes: 'original' }]);
    await sync();
    await there.updateObservation(observation!.id, { notes: 'tablet edit' });
    await here.updateObservation(observation!.id, { notes: 'laptop edit' });
    await sync();
    const forked = here.getObservation(observation!.id);
    expect(forked.forks).to.have.length(1);

    const page = await openWorkbench(laptop);
    const grid = await openList(page);
    await grid.getByRole('row').filter({ hasText: forked.notes }).click();
    const banner = page.getByRole('region', { name: 'Observation' }).getByRole('alert').filter({ hasText: 'edited on two devices at the same time' });
    await banner.waitFor();
    const other = forked.notes === 'laptop edit' ? 'tablet edit' : 'laptop edit';
    const versions = banner.getByRole('list', { name: 'Versions' }).getByRole('listitem');
    expect(await versions.count()).to.equal(2);
    await versions.filter({ hasText: `"${other}"` }).getByRole('button', { name: /Keep the version/ }).click();
    await page.getByText(/Kept one version/).waitFor();
    await banner.waitFor({ state: 'detached' });
    expect(here.getObservation(observation!.id)).to.deep.include({ notes: other, forks: [] });
  });

  it("shows a phone's GPS metadata, its photo's preview (the original when opened) and plays its audio", async () => {
    const laptop = await device('laptop');
    const project = await laptop.projects.open();
    const folder = await temp.make('cairn-media-');
    // A second tiny PNG (1×1, blue) stands for the photo's preview: the view shows it, not the original.
    const preview = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGNgYPgPAAEDAQAIicLsAAAAAElFTkSuQmCC', 'base64');
    await writeFile(join(folder, 'photo.png'), PNG);
    await writeFile(join(folder, 'preview.png'), preview);
    await writeFile(join(folder, 'call.wav'), wav(8000, 0.5));
    const [observation] = await project.createObservations([
      {
        lat: -3.1,
        lon: -60,
        notes: 'recorded by the river',
        createdBy: 'a-phone',
        metadata: { manualLocation: false, accuracy: 4.25, altitude: 41.5, heading: 180, speed: 0.3, timestamp: '2026-11-30T09:59:58.000Z' },
        attachments: [{ path: join(folder, 'photo.png'), variants: { preview: { path: join(folder, 'preview.png') } } }, { path: join(folder, 'call.wav') }],
      },
    ]);

    const page = await openWorkbench(laptop);
    const grid = await openList(page);
    await grid.getByRole('row').filter({ hasText: observation!.notes }).click();
    const detail = page.getByRole('region', { name: 'Observation' });
    const gps = await detail.getByLabel('GPS').textContent();
    expect(gps).to.match(/^GPS: accuracy ±4\.3 m · altitude 41\.5 m · heading 180° · speed 0\.3 m\/s · GPS fix /);

    const photo = detail.getByRole('list', { name: 'Photos' }).getByRole('img', { name: 'photo.png' });
    await photo.waitFor();
    // Which of the two it shows, by its colour: the original is red, the preview blue.
    const shown = (image: typeof photo) =>
      image.evaluate(async (element: HTMLImageElement) => {
        await element.decode();
        const canvas = document.createElement('canvas');
        canvas.width = canvas.height = 1;
        const context = canvas.getContext('2d')!;
        context.drawImage(element, 0, 0, 1, 1);
        return [...context.getImageData(0, 0, 1, 1).data.slice(0, 3)];
      });
    expect(await shown(photo), 'the preview in the view').to.deep.equal([0, 0, 255]);
    await photo.click();
    const full = page.getByRole('dialog', { name: 'photo.png' }).getByRole('img', { name: 'photo.png' });
    await full.waitFor();
    expect(await shown(full), 'the original when opened').to.deep.equal([255, 0, 0]);
    await page.getByRole('button', { name: 'Close photo' }).click();

    const audio = detail.getByRole('list', { name: 'Recordings' }).getByLabel('Play call.wav');
    await audio.waitFor();
    // Chromium decodes it: its length is known, and it plays to its end.
    const played = await audio.evaluate(async (element: HTMLAudioElement) => {
      element.muted = true;
      await element.play();
      await new Promise((resolve) => element.addEventListener('ended', resolve, { once: true }));
      return element.duration;
    });
    expect(played).to.be.closeTo(0.5, 0.05);
  });

  it('imports categories from a .mapeosettings file in the UI; observations imported with a Mapeo categoryId show their icon and name', async () => {
    const host = await device('laptop');
    const config = await temp.make('cairn-config-');
    await writeFile(
      join(config, 'presets.json'),
      JSON.stringify({
        presets: { 'animal-tracks': { name: 'Animal tracks', geometry: ['point'], tags: { type: 'tracks' }, fields: ['species'], icon: 'paw' } },
        fields: { species: { key: 'species', type: 'select_one', label: 'Species', options: ['tapir', 'jaguar'] } },
      }),
    );
    await writeFile(join(config, 'icons.svg'), '<svg xmlns="http://www.w3.org/2000/svg"><symbol id="paw-100px" viewBox="0 0 10 10"><circle cx="5" cy="5" r="4"/></symbol></svg>');
    await writeFile(join(config, 'metadata.json'), JSON.stringify({ name: 'Tracks', version: '1.0.0' }));
    const folder = await temp.make('cairn-settings-');
    await run('tar', ['-cf', join(folder, 'tracks.mapeosettings'), '-C', config, 'presets.json', 'icons.svg', 'metadata.json']);
    const survey = join(folder, 'survey.geojson');
    await writeFile(
      survey,
      JSON.stringify({
        type: 'FeatureCollection',
        features: [{ type: 'Feature', geometry: { type: 'Point', coordinates: [-62, -3] }, properties: { categoryId: 'animal-tracks', species: 'tapir', notes: 'From Mapeo', $created: '2021-10-11T18:33:21.059Z' } }],
      }),
    );

    const page = await openWorkbench(host);
    await showView(page, 'Observations');
    await page.getByRole('button', { name: 'Import categories…' }).click();
    const chooser = page.getByRole('dialog', { name: /Import categories/ });
    await chooser.getByRole('textbox', { name: 'Folder', exact: true }).fill(folder);
    await chooser.getByRole('textbox', { name: 'Folder', exact: true }).press('Enter');
    await chooser.getByRole('listbox', { name: 'Files and folders' }).getByText('tracks.mapeosettings').click();
    await chooser.getByRole('button', { name: 'Open' }).click();
    await page.getByText('Imported Tracks: 1 new category, 0 updated.').waitFor();
    const category = page.getByRole('list', { name: 'Categories' }).getByRole('button', { name: /Animal tracks/ });
    await category.waitFor();
    expect(await category.locator('img').getAttribute('src')).to.match(/^data:image\/svg\+xml;base64,/);

    await page.getByRole('toolbar', { name: 'Filter observations' }).getByRole('button', { name: 'Import…' }).click();
    const importer = page.getByRole('dialog', { name: 'Import observations' });
    await importer.getByRole('textbox', { name: 'Folder', exact: true }).fill(folder);
    await importer.getByRole('textbox', { name: 'Folder', exact: true }).press('Enter');
    await importer.getByRole('listbox', { name: 'Files and folders' }).getByText('survey.geojson').click();
    await importer.getByRole('button', { name: 'Open' }).click();
    await page.getByText(/Imported 1 observation from .*survey\.geojson/).waitFor();
    const row = page.getByRole('grid', { name: 'Observations' }).getByRole('row').filter({ hasText: 'From Mapeo' });
    await row.getByRole('gridcell', { name: 'Animal tracks' }).locator('img').waitFor();
    await row.click();
    const detail = page.getByRole('region', { name: 'Observation' });
    expect(await detail.getByLabel('Species').inputValue()).to.equal('tapir');
  });

  it('takes a map’s view as a filter and a map click as the place of a new observation', async () => {
    const host = await workbenches.device('laptop', undefined, 'laptop', [join(pluginSet('workbench'), 'map-stand-in')]);
    const project = await host.projects.open();
    await project.createObservations([
      { lat: -3, lon: -60, notes: 'inside the view' },
      { lat: 10, lon: 10, notes: 'far away' },
    ]);
    const page = await openWorkbench(host);
    await openList(page);
    await page.waitForFunction(() => document.querySelector('[role="grid"]')?.getAttribute('aria-rowcount') === '2');
    await runCommand(page, 'Map stand-in: filter to the view');
    await page.waitForFunction(() => document.querySelector('[role="grid"]')?.getAttribute('aria-rowcount') === '1');
    await page.getByRole('grid', { name: 'Observations' }).getByRole('row').filter({ hasText: 'inside the view' }).waitFor();
    await page.getByRole('button', { name: 'In the map view ×' }).click();
    await page.waitForFunction(() => document.querySelector('[role="grid"]')?.getAttribute('aria-rowcount') === '2');

    await runCommand(page, 'Map stand-in: click on the map');
    const form = page.getByRole('region', { name: 'New observation' });
    expect(await form.getByLabel('Latitude').inputValue()).to.equal('-3.25');
    expect(await form.getByLabel('Longitude').inputValue()).to.equal('-60.5');
    await form.getByLabel('Notes').fill('placed on the map');
    await form.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('region', { name: 'Observation' }).getByText(/Created/).waitFor();
    expect(project.queryObservations({ text: 'placed' })).to.have.length(1);
    expect(project.queryObservations({ text: 'placed' })[0]).to.deep.include({ lat: -3.25, lon: -60.5 });
  });

  it('exports what the list shows in the format chosen, to exactly the name shown, and asks before replacing a file', async () => {
    const host = await device('laptop');
    const project = await host.projects.open();
    await project.createObservations([
      { lat: 1, lon: 2, notes: 'tapir by the river' },
      { lat: 3, lon: 4, notes: 'a quiet day' },
      { lat: 5, lon: 6, notes: 'tapir again' },
    ]);
    const folder = await temp.make('cairn-export-');
    const page = await openWorkbench(host);
    await openList(page);
    await page.getByRole('searchbox', { name: 'Search notes' }).fill('tapir');
    await page.waitForFunction(() => document.querySelector('[role="grid"]')?.getAttribute('aria-rowcount') === '2');
    const openDialog = async () => {
      await page.getByRole('toolbar', { name: 'Filter observations' }).getByRole('button', { name: 'Export…' }).click();
      const dialog = page.getByRole('dialog', { name: 'Export observations' });
      await dialog.waitFor();
      return dialog;
    };

    // GeoJSON first; the name follows the format; Browse… picks the folder.
    let dialog = await openDialog();
    const format = dialog.getByRole('combobox', { name: 'Format' });
    const titles = await format.getByRole('option').allTextContents();
    expect(titles[0]).to.equal('GeoJSON');
    expect(titles).to.include.members(['CSV', 'Zip (GeoJSON, CSV and photos)']);
    const name = dialog.getByRole('textbox', { name: 'File name' });
    expect(await name.inputValue()).to.equal('observations.geojson');
    await dialog.getByText('The 2 observations the list shows.').waitFor();
    await dialog.getByRole('button', { name: 'Browse…' }).click();
    const chooser = page.getByRole('dialog', { name: 'Export to' });
    await chooser.getByRole('textbox', { name: 'Folder', exact: true }).fill(folder);
    await chooser.getByRole('textbox', { name: 'Folder', exact: true }).press('Enter');
    await chooser.getByRole('textbox', { name: 'File name' }).fill('tapirs');
    await chooser.getByRole('button', { name: 'Choose' }).click();
    expect(await name.inputValue()).to.equal('tapirs.geojson');
    await dialog.getByText(`Writes ${join(folder, 'tapirs.geojson')}`).waitFor();
    await page.screenshot({ path: join(repoRoot, 'test', 'artifacts', 'export-dialog.png') });
    await dialog.getByRole('button', { name: 'Export', exact: true }).click();
    await page.getByRole('status').filter({ hasText: /Exported 2 observations to .*tapirs\.geojson/ }).waitFor();
    const geojson = JSON.parse(await readFile(join(folder, 'tapirs.geojson'), 'utf8')) as { type: string; features: unknown[] };
    expect(geojson.type).to.equal('FeatureCollection');
    expect(geojson.features).to.have.length(2);

    // Another format: the extension follows it, and the folder is remembered.
    dialog = await openDialog();
    await dialog.getByRole('combobox', { name: 'Format' }).selectOption({ label: 'CSV' });
    expect(await dialog.getByRole('textbox', { name: 'File name' }).inputValue()).to.equal('observations.csv');
    await dialog.getByRole('textbox', { name: 'File name' }).fill('tapirs.csv');
    await dialog.getByRole('button', { name: 'Export', exact: true }).click();
    await page.getByRole('status').filter({ hasText: /Exported 2 observations to .*tapirs\.csv/ }).waitFor();
    const csv = await readFile(join(folder, 'tapirs.csv'), 'utf8');
    expect(csv.startsWith('\uFEFFid,')).to.equal(true);
    expect(csv).to.contain('tapir by the river').and.to.contain('tapir again').and.not.to.contain('a quiet day');

    // The same name again: it asks, and "Cancel" leaves the file as it was.
    await project.createObservations([{ lat: 7, lon: 8, notes: 'a third tapir' }]);
    dialog = await openDialog();
    await dialog.getByRole('combobox', { name: 'Format' }).selectOption({ label: 'CSV' });
    await dialog.getByRole('textbox', { name: 'File name' }).fill('tapirs.csv');
    await dialog.getByRole('button', { name: 'Export', exact: true }).click();
    const ask = page.getByRole('alertdialog', { name: 'Replace the file?' });
    await ask.getByRole('button', { name: 'Cancel' }).click();
    expect(await readFile(join(folder, 'tapirs.csv'), 'utf8')).to.equal(csv);
    await dialog.getByRole('button', { name: 'Export', exact: true }).click();
    await ask.getByRole('button', { name: 'Replace' }).click();
    await page.getByRole('status').filter({ hasText: /Exported 3 observations to .*tapirs\.csv/ }).waitFor();
    expect(await readFile(join(folder, 'tapirs.csv'), 'utf8')).to.contain('a third tapir');

    // A full path typed as the name is taken as it is.
    const elsewhere = await temp.make('cairn-export-full-');
    dialog = await openDialog();
    await dialog.getByRole('combobox', { name: 'Format' }).selectOption({ label: 'Zip (GeoJSON, CSV and photos)' });
    await dialog.getByRole('textbox', { name: 'File name' }).fill(join(elsewhere, 'all tapirs.zip'));
    await dialog.getByRole('button', { name: 'Export', exact: true }).click();
    await page.getByRole('status').filter({ hasText: /Exported 3 observations to .*all tapirs\.zip/ }).waitFor();
    // A zip (its entries' names are plain text in its directory).
    const zip = await readFile(join(elsewhere, 'all tapirs.zip'));
    expect(zip.subarray(0, 4).toString('latin1')).to.equal('PK\x03\x04');
    expect(zip.includes('observations.geojson')).to.equal(true);
    expect((await readdirNames(folder)).sort()).to.deep.equal(['tapirs.csv', 'tapirs.geojson']);
  });

  if (process.env.CAIRN_README_SCREENSHOT) {
    it('makes the README screenshot', async () => {
      const host = await device('Río Jutaí survey');
      // The sample data a newcomer loads: its categories, colours, icons and six months of field work.
      await host.projects.loadSampleData(2000);
      const page = await openWorkbench(host);
      const grid = await openList(page);
      await grid.getByRole('row', { name: /Animal|Plant|Water/ }).first().waitFor();
      await page.screenshot({ path: join(repoRoot, 'docs', 'workbench.png') });
    });
  }
});
