import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { CairnHost } from '@cairn/core';
import { repoRoot } from '../helpers.js';
import { showView, useWorkbenches } from './browser.js';

const artifacts = join(repoRoot, 'test', 'artifacts');

/**
 * The workbench as a first-time user meets it: the traps found by trying Cairn end to end, each
 * shown closed here (two workbenches in one browser, unsaved work, a new observation's place,
 * views that went stale, the palette, the Mapeo configuration folder, the small things).
 */
describe('the workbench as a first-time user meets it (headless Chromium)', function () {
  this.timeout(120_000);
  const workbenches = useWorkbenches();
  const open = (host: CairnHost) => workbenches.open(host, { width: 1400, height: 900 });

  before(() => mkdir(artifacts, { recursive: true }));

  async function runCommand(page: Page, title: string) {
    await page.keyboard.press('F1');
    const palette = page.getByRole('dialog', { name: 'Command Palette' });
    await palette.getByRole('combobox').fill(title);
    await palette.getByRole('option', { name: new RegExp(title) }).first().click();
  }

  const editorTabs = (page: Page) => page.getByRole('tablist', { name: 'Editor Tabs' }).getByRole('tab');

  it('keeps two workbenches of one browser apart, and says in one line when a window lost its access', async () => {
    const first = await workbenches.device('laptop');
    const second = await workbenches.device('tablet');
    await (await first.projects.open()).createObservations([{ lat: -3, lon: -60, notes: 'on the laptop' }]);
    await (await second.projects.open()).createObservations([{ lat: 10, lon: 20, notes: 'on the tablet' }]);
    const context = await workbenches.context();
    const left = await workbenches.open(first, { width: 1280, height: 800 }, context);
    const right = await workbenches.open(second, { width: 1280, height: 800 }, context);
    expect((await context.cookies()).map((cookie) => cookie.name).sort()).to.deep.equal(
      [`cairn_token_${new URL(left.url()).port}`, `cairn_token_${new URL(right.url()).port}`].sort(),
    );
    // The first window, opened before the second, still reaches its host's resources (the map's points).
    for (const page of [left, right]) {
      await showView(page, 'Map');
      await page.waitForFunction(() => document.querySelector('[role="application"][aria-label="Map"]')?.getAttribute('data-points') === '1');
    }
    await (await first.projects.open()).createObservations([{ lat: -4, lon: -61, notes: 'later, on the laptop' }]);
    await left.waitForFunction(() => document.querySelector('[role="application"][aria-label="Map"]')?.getAttribute('data-points') === '2');
    expect(await left.getByText('could not be loaded').count()).to.equal(0);

    // The cookies gone (cleared, say): the window says so once, in one line, instead of failing module by module.
    await context.clearCookies();
    await first.plugins.disable('sync-file');
    await first.plugins.enable('sync-file');
    await left.evaluate(() => document.dispatchEvent(new Event('visibilitychange')));
    const lost = left.getByRole('alert').filter({ hasText: 'lost its access to the Cairn host' });
    await lost.waitFor();
    await left.waitForTimeout(500);
    expect(await lost.count()).to.equal(1);
    expect(await left.getByRole('alert').filter({ hasText: /workbench part of plugin .* failed/ }).count()).to.equal(0);
    await context.close();
  });

  it('asks before closing a tab with unsaved work, marks it, and saves what was typed at once', async () => {
    const host = await workbenches.device('laptop');
    const [observation] = await (await host.projects.open()).createObservations([{ lat: 1, lon: 2, notes: 'before' }]);
    const page = await open(host);
    await runCommand(page, 'New observation');
    const form = page.getByRole('region', { name: 'New observation' });
    await form.getByLabel('Notes').fill('half typed');
    const draft = editorTabs(page).filter({ hasText: 'New observation' });
    expect(await draft.getAttribute('aria-label')).to.equal('New observation (unsaved)');
    await page.getByRole('button', { name: 'Close New observation' }).click();
    const ask = page.getByRole('alertdialog', { name: 'Close New observation?' });
    await ask.getByRole('button', { name: 'Keep editing' }).click();
    expect(await form.getByLabel('Notes').inputValue()).to.equal('half typed');
    await page.getByRole('button', { name: 'Close New observation' }).click();
    await ask.getByRole('button', { name: 'Discard changes' }).click();
    await draft.waitFor({ state: 'detached' });

    // An observation's tab is named by its category and date; a Save right after typing saves what was typed.
    await runCommand(page, 'Show the observation list');
    await page.getByRole('grid', { name: 'Observations' }).getByRole('row').filter({ hasText: 'before' }).click();
    const detail = page.getByRole('region', { name: 'Observation' });
    await editorTabs(page).filter({ hasText: /^Observation · / }).waitFor();
    await detail.getByLabel('Notes').fill('typed and saved at once');
    await detail.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'Saved a new version' }).waitFor();
    expect((await host.projects.open()).getObservation(observation!.id).notes).to.equal('typed and saved at once');
    expect(await editorTabs(page).filter({ hasText: /^Observation · / }).getAttribute('aria-label')).not.to.contain('unsaved');
  });

  it('starts a new observation where the map looks or at the last place used, never silently at 0, 0', async () => {
    const host = await workbenches.device('laptop');
    await (await host.projects.open()).createObservations([{ lat: -3, lon: -60, notes: 'the only one' }]);
    const page = await open(host);
    await runCommand(page, 'New observation');
    const form = page.getByRole('region', { name: 'New observation' });
    expect(await form.getByLabel('Latitude').inputValue()).to.equal('');
    expect(await form.getByLabel('Longitude').inputValue()).to.equal('');
    await form.getByLabel('Notes').fill('no place yet');
    await form.getByRole('button', { name: 'Create' }).click();
    const ask = page.getByRole('alertdialog', { name: 'No place given' });
    await ask.getByRole('button', { name: 'Give it a place' }).click();
    expect(await page.evaluate(() => document.activeElement?.closest('.field')?.querySelector('label')?.textContent)).to.equal('Latitude');
    const project = await host.projects.open();
    expect(project.queryObservations({ text: 'no place yet' })).to.have.length(0);
    await form.getByLabel('Latitude').fill('-2.5');
    await form.getByLabel('Longitude').fill('-61.25');
    await form.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('status').filter({ hasText: 'Observation created.' }).waitFor();
    expect(project.queryObservations({ text: 'no place yet' }).map(({ lat, lon }) => [lat, lon])).to.deep.equal([[-2.5, -61.25]]);

    // The next one starts at the last place used.
    await runCommand(page, 'New observation');
    let next = page.getByRole('region', { name: 'New observation' });
    expect([await next.getByLabel('Latitude').inputValue(), await next.getByLabel('Longitude').inputValue()]).to.deep.equal(['-2.5', '-61.25']);
    await page.getByRole('button', { name: 'Close New observation' }).click();

    // With the map open, at the centre of what it shows.
    await showView(page, 'Map');
    const surface = page.getByRole('application', { name: 'Map' });
    await surface.waitFor();
    await page.waitForFunction(() => document.querySelector('[role="application"][aria-label="Map"]')?.getAttribute('data-points') === '2');
    const view = JSON.parse((await surface.getAttribute('data-view'))!) as { longitude: number; latitude: number };
    await runCommand(page, 'New observation');
    next = page.getByRole('region', { name: 'New observation' });
    expect(Number(await next.getByLabel('Longitude').inputValue())).to.be.closeTo(view.longitude, 0.01);
    expect(Number(await next.getByLabel('Latitude').inputValue())).to.be.closeTo(view.latitude, 0.5);
  });

  it('keeps views up to date: this device after a project is created, a form while categories come in, the tabs after a reload', async () => {
    const dataDir = await workbenches.temp.make();
    const host = new CairnHost({ dataDir, builtinPluginsDir: join(repoRoot, 'plugins') });
    await host.start();
    try {
      const page = await open(host);
      await showView(page, 'Sync');
      const wifi = page.getByRole('region', { name: 'Sync over Wi-Fi' });
      const deviceName = wifi.getByRole('textbox', { name: "This device's name" });
      await deviceName.waitFor();
      expect(await deviceName.inputValue()).to.equal('');
      const create = page.getByRole('form', { name: 'Create a project' });
      await create.getByLabel('Project name').fill('River survey');
      await create.getByLabel('Device name').fill('field laptop');
      await create.getByRole('button', { name: 'Create project' }).click();
      await page.getByRole('heading', { name: 'River survey' }).waitFor();
      await page.waitForFunction(() => (document.querySelector('input[aria-label="This device\'s name"]') as HTMLInputElement | null)?.value === 'field laptop');

      // A form open while a configuration's categories arrive offers them at once, keeping what was typed.
      await runCommand(page, 'New observation');
      const form = page.getByRole('region', { name: 'New observation' });
      await form.getByLabel('Notes').fill('typed before the import');
      const project = await host.projects.open();
      await project.createPreset({ id: 'spring', name: 'Spring', color: '#1f77b4', tags: { type: 'spring' } });
      await form.getByRole('combobox', { name: 'Category' }).getByRole('option', { name: 'Spring' }).waitFor({ state: 'attached' });
      expect(await form.getByLabel('Notes').inputValue()).to.equal('typed before the import');
      await page.getByRole('button', { name: 'Close New observation' }).click();
      await page.getByRole('alertdialog').getByRole('button', { name: 'Discard changes' }).click();

      // The tabs open when the window goes are open again when it comes back, the same one in front.
      const [observation] = await project.createObservations([{ lat: 1, lon: 2, category: 'spring', notes: 'by the spring' }]);
      await runCommand(page, 'Show the observation list');
      await page.getByRole('grid', { name: 'Observations' }).getByRole('row').filter({ hasText: 'by the spring' }).click();
      await editorTabs(page).filter({ hasText: /^Spring · / }).waitFor();
      await showView(page, 'Map');
      await page.getByRole('application', { name: 'Map' }).waitFor();
      await editorTabs(page).filter({ hasText: /^Spring · / }).click();
      const titles = async () => (await editorTabs(page).allTextContents()).map((text) => text.replace(/[×●]$/, ''));
      const before = await titles();
      expect(before).to.have.length(3);
      await page.waitForTimeout(600); // the layout is saved after a short pause
      await page.reload();
      await page.waitForSelector('body[data-ready="true"]');
      await editorTabs(page).nth(2).waitFor();
      expect((await titles()).sort()).to.deep.equal([...before].sort());
      expect(await editorTabs(page).filter({ hasText: /^Spring · / }).getAttribute('aria-selected')).to.equal('true');
      await page.waitForFunction(() => (document.querySelector('[aria-label="Observation"] textarea') as HTMLTextAreaElement | null)?.value === 'by the spring');
      expect(await page.getByRole('region', { name: 'Observation' }).getByLabel('Notes').inputValue()).to.equal('by the spring');
      expect(observation).not.to.equal(undefined);
    } finally {
      await host.dispose();
    }
  });

  it('imports a Mapeo configuration folder from the chooser, as the command line does', async () => {
    const host = await workbenches.device('laptop');
    const parent = await workbenches.temp.make('cairn-configs-');
    const config = join(parent, 'river-watch');
    await mkdir(join(config, 'presets'), { recursive: true });
    await mkdir(join(config, 'fields'), { recursive: true });
    await writeFile(join(config, 'presets', 'spring.json'), JSON.stringify({ name: 'Spring', geometry: ['point'], tags: { type: 'spring' }, fields: ['flow'] }));
    await writeFile(join(config, 'fields', 'flow.json'), JSON.stringify({ key: 'flow', type: 'text', label: 'Flow' }));
    await writeFile(join(config, 'metadata.json'), JSON.stringify({ name: 'River watch', version: '1.0.0' }));
    const page = await open(host);
    await showView(page, 'Observations');
    await page.getByRole('button', { name: 'Import categories…' }).click();
    const chooser = page.getByRole('dialog', { name: /Import categories/ });
    await chooser.getByRole('textbox', { name: 'Folder', exact: true }).fill(parent);
    await chooser.getByRole('textbox', { name: 'Folder', exact: true }).press('Enter');
    await chooser.getByRole('option', { name: 'river-watch/' }).click();
    await chooser.getByRole('option', { name: 'presets/' }).waitFor();
    await chooser.getByRole('button', { name: 'Choose this folder' }).click();
    await page.getByRole('status').filter({ hasText: 'Imported River watch: 1 new category' }).waitFor();
    expect((await (await host.projects.open()).listPresets()).map((preset) => preset.name)).to.deep.equal(['Spring']);
  });

  it('has the small things right: the palette, empty results, dates that cannot match, the dark theme, a toolbar on one line', async () => {
    const host = await workbenches.device('laptop');
    const project = await host.projects.open();
    await project.createField({ id: 'species', key: 'species', type: 'select_one', label: 'Species', options: [{ label: 'Tapir', value: 'tapir' }] });
    await project.createField({ id: 'note', key: 'note', type: 'text', appearance: 'multiline', label: 'Note', universal: true, placeholder: 'Stories or notes about this place' });
    await project.createPreset({ id: 'animal', name: 'Animal', fields: ['species'], tags: { type: 'animal' }, iconSvg: '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><circle cx="5" cy="5" r="4" fill="black"/></svg>' });
    await project.createPreset({ id: 'river', name: 'River', tags: { type: 'river' } });
    await project.createObservations([{ lat: 1, lon: 2, category: 'river', notes: 'a river that had been an animal', tags: { type: 'river', species: 'tapir', surveyor: 'Ana' }, createdAt: '2030-01-01T00:00:00.000Z' }]);
    // Enough of them that the toolbar's count is as long as a project's ("1,501 observations").
    const { generateObservations } = await import('@cairn/core/common/sample-data.js');
    await project.createObservations(generateObservations(1500, 3));
    const page = await open(host);

    // Each command once in the palette.
    await page.keyboard.press('F1');
    const palette = page.getByRole('dialog', { name: 'Command Palette' });
    const labels = await palette.getByRole('option').allTextContents();
    expect(labels.filter((label) => label.startsWith('View: Show Plugins'))).to.have.length(1);
    expect(new Set(labels).size).to.equal(labels.length);
    await page.keyboard.press('Escape');

    // The list's toolbar fits on one line at 1400 pixels.
    await showView(page, 'Observations');
    const toolbar = page.getByRole('toolbar', { name: 'Filter observations' });
    const grid = page.getByRole('grid', { name: 'Observations' });
    await grid.getByRole('row').filter({ hasText: 'a river' }).waitFor();
    const [first, last] = [await toolbar.getByRole('searchbox').boundingBox(), await toolbar.getByRole('button', { name: 'Export…' }).boundingBox()];
    expect(Math.abs(first!.y - last!.y), 'one line').to.be.lessThan(8);

    // A form shows the fields of other categories by their names, not their keys, and one Notes box.
    await grid.getByRole('row').filter({ hasText: 'a river' }).click();
    const detail = page.getByRole('region', { name: 'Observation' });
    const others = detail.locator('.obs-other-tags');
    await others.waitFor();
    expect(await others.locator('dt').allTextContents()).to.deep.equal(['Species', 'surveyor']);
    expect(await others.locator('dd').allTextContents()).to.deep.equal(['Tapir', 'Ana']);
    expect(await detail.getByLabel(/^Notes?$/).count(), 'one Notes box').to.equal(1);
    expect(await detail.getByLabel('Notes').getAttribute('placeholder')).to.equal('Stories or notes about this place');

    // A filter with no match says so, and dates that cannot match say why.
    await editorTabs(page).filter({ hasText: 'Observations' }).click();
    await page.getByRole('searchbox', { name: 'Search notes' }).fill('zzyzx');
    await page.getByText('No observation matches these filters.').waitFor();
    await page.getByRole('button', { name: 'Show all observations' }).click();
    await grid.getByRole('row').filter({ hasText: 'a river' }).waitFor();
    await toolbar.getByLabel('From date').fill('2026-05-01');
    await toolbar.getByLabel('To date').fill('2026-04-01');
    await page.getByText('The From date is after the To date').waitFor();
    await page.getByRole('button', { name: 'Show all observations' }).click();

    // The dark theme reaches the selects and text areas, and a dark icon stays visible on its light disc.
    await runCommand(page, 'Toggle Light/Dark Theme');
    if ((await page.evaluate(() => document.documentElement.dataset.theme)) !== 'dark') await runCommand(page, 'Toggle Light/Dark Theme');
    const background = (selector: string) => page.locator(selector).first().evaluate((element) => getComputedStyle(element).backgroundColor);
    const dark = (css: string) => (css.match(/\d+/g) ?? ['255']).slice(0, 3).map(Number).every((value) => value < 100);
    expect(dark(await background('.obs-toolbar select')), 'a select').to.equal(true);
    expect(await background('.obs-categories .obs-icon-disc')).to.equal('rgb(255, 255, 255)');
    await page.screenshot({ path: join(artifacts, 'first-use-dark.png') });
  });

  it('loads the sample data from the palette, as from the welcome page', async () => {
    const host = new CairnHost({ dataDir: await workbenches.temp.make(), builtinPluginsDir: join(repoRoot, 'plugins') });
    await host.start();
    try {
      const page = await open(host);
      await runCommand(page, 'Load Sample Data');
      await page.getByRole('heading', { name: 'Sample project' }).waitFor({ timeout: 60_000 });
      await page.waitForFunction(() => document.querySelector('[aria-label="Status Bar"]')?.textContent?.includes('2,000 observations'));
      // The Observations view follows: the sample's categories, by name.
      await page.getByRole('list', { name: 'Categories' }).getByRole('button').first().waitFor();
      expect(await page.getByRole('list', { name: 'Categories' }).getByText('No project yet').count()).to.equal(0);
      await page.screenshot({ path: join(artifacts, 'first-use-sample.png') });
    } finally {
      await host.dispose();
    }
  });
});
