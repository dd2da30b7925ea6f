import { expect } from 'chai';
import type { Locator, Page } from 'playwright-core';
import type { CairnHost } from '@cairn/core';
import { duplexPair } from '@cairn/sdk';
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { generateObservations } from '@cairn/core/common/sample-data.js';
import { pluginSet, repoRoot } from '../helpers.js';
import { pngPixels, showView, useWorkbenches } from './browser.js';

type Rgb = [number, number, number];

const run = promisify(execFile);

/**
 * A raster MBTiles of one colour over a box, made with GDAL (`gdal_translate -of MBTILES`, and
 * `gdaladdo` for the zooms below its own), as a user would make one from a scanned map.
 */
async function colourMbtiles(dir: string, [r, g, b]: Rgb, [west, south, east, north]: [number, number, number, number]): Promise<string> {
  const image = join(dir, 'colour.ppm');
  await writeFile(image, Buffer.concat([Buffer.from('P6\n200 200\n255\n'), Buffer.alloc(200 * 200 * 3).map((_, index) => [r, g, b][index % 3]!)]));
  const out = join(dir, 'survey-area.mbtiles');
  await run('gdal_translate', ['-q', '-of', 'MBTILES', '-a_srs', 'EPSG:4326', '-a_ullr', `${west}`, `${north}`, `${east}`, `${south}`, image, out]);
  await run('gdaladdo', ['-q', '-r', 'nearest', out, '2', '4', '8', '16']);
  return out;
}

/** Where a place is on the map's surface, from the view it reports (deck.gl's Web Mercator, 512-pixel world). */
async function screenPoint(surface: Locator, lon: number, lat: number): Promise<{ x: number; y: number }> {
  const view = JSON.parse((await surface.getAttribute('data-view'))!) as { longitude: number; latitude: number; zoom: number };
  const box = (await surface.boundingBox())!;
  const size = 512 * 2 ** view.zoom;
  const x = (longitude: number) => ((longitude + 180) / 360) * size;
  const y = (latitude: number) => ((1 - Math.log(Math.tan(Math.PI / 4 + (latitude * Math.PI) / 360)) / Math.PI) / 2) * size;
  return { x: box.width / 2 + x(lon) - x(view.longitude), y: box.height / 2 + y(lat) - y(view.latitude) };
}

/** The colour at a place (or `dx` pixels right of it), from a screenshot of the surface. */
async function colourAt(surface: Locator, lon: number, lat: number, dx = 0): Promise<Rgb> {
  const { x, y } = await screenPoint(surface, lon, lat);
  return pngPixels(await surface.screenshot()).at(x + dx, y);
}

/** Blocks every request that would leave the machine; resolves with the list of those tried. */
async function blockOutside(page: Page): Promise<string[]> {
  const origin = new URL(page.url()).origin;
  const outside: string[] = [];
  await page.route('**/*', (route) => {
    if (new URL(route.request().url()).origin === origin) return route.continue();
    outside.push(route.request().url());
    return route.abort();
  });
  return outside;
}

/** Polls `check` for up to 10 s (a redraw takes a frame or a few, longer on a busy machine). */
async function expectSoon(check: () => Promise<boolean>, what: string): Promise<void> {
  for (const started = Date.now(); Date.now() - started < 10_000; ) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  expect.fail(`not within 10 s: ${what}`);
}

/**
 * An element's background colour as RGB. Asked again when the element was redrawn under the
 * question (a detached element has no computed style: '').
 */
async function backgroundOf(element: Locator): Promise<Rgb> {
  let css = '';
  for (let attempt = 0; attempt < 25; attempt++) {
    css = await element.evaluate((node) => (node.isConnected ? getComputedStyle(node).backgroundColor : ''));
    const parts = css.match(/\d+(\.\d+)?/g);
    if (parts !== null && parts.length >= 3) return parts.slice(0, 3).map(Number) as Rgb;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`No colour in the background '${css}'`);
}

const near = (actual: Rgb, expected: Rgb, tolerance = 40) => actual.every((value, index) => Math.abs(value - expected[index]!) <= tolerance);

/**
 * What the page holds that a closed tab must not: the listeners on the window and the document
 * (as DevTools lists them), and, after a garbage collection, the map surfaces still alive.
 */
async function heldByThePage(page: Page): Promise<{ listeners: string[]; mapSurfaces: number }> {
  const session = await page.context().newCDPSession(page);
  try {
    const listeners: string[] = [];
    for (const target of ['window', 'document']) {
      const { result } = await session.send('Runtime.evaluate', { expression: target });
      const { listeners: found } = await session.send('DOMDebugger.getEventListeners', { objectId: result.objectId! });
      listeners.push(...found.map((listener) => `${target} ${listener.type}${listener.useCapture ? ' (capture)' : ''} at ${listener.scriptId}:${listener.lineNumber}:${listener.columnNumber}`));
    }
    await session.send('HeapProfiler.collectGarbage');
    const { result: prototype } = await session.send('Runtime.evaluate', { expression: 'HTMLDivElement.prototype' });
    const { objects } = await session.send('Runtime.queryObjects', { prototypeObjectId: prototype.objectId! });
    const { result: count } = await session.send('Runtime.callFunctionOn', {
      objectId: objects.objectId!,
      functionDeclaration: 'function () { return this.filter((element) => element.classList.contains("map-surface")).length; }',
      returnByValue: true,
    });
    return { listeners: listeners.sort(), mapSurfaces: count.value as number };
  } finally {
    await session.detach();
  }
}

describe('the map (headless Chromium, SwiftShader WebGL)', function () {
  this.timeout(120_000);
  const workbenches = useWorkbenches();

  /** A device with two categories and three observations; `ids` by place: amazon, chad, china. */
  async function surveyed(developmentPlugins: string[] = []): Promise<{ host: CairnHost; ids: Record<'amazon' | 'chad' | 'china', string> }> {
    const host = await workbenches.device('laptop', undefined, 'laptop', developmentPlugins);
    const project = await host.projects.open();
    await project.createPreset({ id: 'animal', name: 'Animal', color: '#d62728', tags: { type: 'animal' } });
    await project.createPreset({ id: 'river', name: 'River', color: '#1f3fd6', tags: { type: 'river' } });
    const created = await project.createObservations([
      { lat: -3, lon: -60, category: 'animal', notes: 'Tapir by the river' },
      { lat: 10, lon: 20, category: 'river' },
      { lat: 40, lon: 100, category: 'animal' },
    ]);
    const at = (lon: number) => created.find((observation) => observation.lon === lon)!.id;
    return { host, ids: { amazon: at(-60), chad: at(20), china: at(100) } };
  }

  /** Opens the map from its side bar view, and waits until it has drawn the points. */
  async function openMap(page: Page, points: number): Promise<Locator> {
    // Showing the Map view opens the map.
    await showView(page, 'Map');
    const surface = page.getByRole('application', { name: 'Map' });
    await page.waitForFunction((count) => document.querySelector('[role="application"][aria-label="Map"]')?.getAttribute('data-drawn') === String(count), points);
    return surface;
  }

  it('draws the observations by category over the embedded basemap with no network, and a click opens one', async () => {
    const { host, ids } = await surveyed();
    const page = await workbenches.open(host);
    const outside = await blockOutside(page);
    const surface = await openMap(page, 3);

    await expectSoon(async () => near(await colourAt(surface, -60, -3), [214, 39, 40]), 'the animal in the Amazon is red');
    expect(near(await colourAt(surface, -60, -3, 4), [214, 39, 40]), 'a dot of a few points is 5 pixels in radius').to.equal(true);
    await expectSoon(async () => near(await colourAt(surface, 20, 10), [31, 63, 214]), 'the river in Chad is blue');
    await expectSoon(async () => near(await colourAt(surface, 100, 40), [214, 39, 40]), 'the animal in China is red');
    await expectSoon(async () => near(await colourAt(surface, -30, 0), [215, 230, 239], 12), 'the Atlantic is sea');
    await expectSoon(async () => near(await colourAt(surface, 30, 26), [243, 240, 231], 12), 'Egypt is land');
    expect(outside, 'requests that left the machine').to.deep.equal([]);
    // The points come as a host resource: the window's token lets it in, nothing else does.
    expect(await page.evaluate(async () => (await fetch('/resources/map/no-such-thing')).status)).to.equal(404);
    expect((await fetch(`${new URL(page.url()).origin}/resources/map/points`)).status).to.equal(403);

    // The legend names the categories with their counts.
    const legend = page.getByRole('list', { name: 'Map legend' });
    await legend.getByText('Animal').waitFor();
    expect(await legend.textContent()).to.match(/Animal\s*2/).and.to.match(/River\s*1/);

    // Hover names the point; a click selects it and opens it in the observations plugin.
    const amazon = await screenPoint(surface, -60, -3);
    await surface.hover({ position: amazon });
    await page.getByRole('tooltip').getByText('Tapir by the river').waitFor();
    await surface.click({ position: amazon });
    await page.locator(`[data-editor="observations.detail.${ids.amazon}"]`).waitFor();
    // The map tab is behind the observation's now: find its surface by its attributes.
    expect(await page.locator('[role="application"][aria-label="Map"]').getAttribute('data-selected')).to.equal(ids.amazon);
  });

  it('follows changes made elsewhere and brought by a sync, without a reload', async () => {
    const { host, ids } = await surveyed();
    const page = await workbenches.open(host);
    const surface = await openMap(page, 3);
    const project = await host.projects.open();
    await project.createObservations([{ lat: 25, lon: 45, category: 'river', notes: 'added while the map was open' }]);
    await project.updateObservation(ids.chad, { category: 'animal' });
    await page.waitForFunction(() => document.querySelector('[role="application"][aria-label="Map"]')?.getAttribute('data-points') === '4');
    await expectSoon(async () => near(await colourAt(surface, 45, 25), [31, 63, 214]), 'the new river in Arabia is blue');
    await expectSoon(async () => near(await colourAt(surface, 20, 10), [214, 39, 40]), 'the point made an animal is red now');
    await project.deleteDocument('observation', ids.china);
    await page.waitForFunction(() => document.querySelector('[role="application"][aria-label="Map"]')?.getAttribute('data-points') === '3');

    // What a sync brings from another device shows up the same way.
    const tablet = await workbenches.device('tablet', project.info().projectKey);
    const there = await tablet.projects.open();
    await there.createObservations([{ lat: 30, lon: 75, category: 'river', notes: 'from the tablet' }]);
    const [left, right] = duplexPair();
    await Promise.all([project.replicate(left, { initiator: true }).done, there.replicate(right, { initiator: false }).done]);
    left.destroy();
    right.destroy();
    await page.waitForFunction(() => document.querySelector('[role="application"][aria-label="Map"]')?.getAttribute('data-points') === '4');
    await expectSoon(async () => near(await colourAt(surface, 75, 30), [31, 63, 214]), 'the river synced from the tablet is blue');
  });

  it('turns layers on and off from the Map view', async () => {
    const { host } = await surveyed();
    const page = await workbenches.open(host);
    const surface = await openMap(page, 3);
    await page.getByRole('checkbox', { name: 'Observations' }).uncheck();
    await expectSoon(async () => near(await colourAt(surface, -60, -3), [243, 240, 231], 12), 'no point over the Amazon: land shows');
    await page.getByRole('checkbox', { name: /Basemap/ }).uncheck();
    await expectSoon(async () => near(await colourAt(surface, 30, 26), [215, 230, 239], 12), 'no basemap: Egypt is the background');
    await page.getByRole('checkbox', { name: 'Observations' }).check();
    await page.getByRole('checkbox', { name: 'Heatmap' }).check();
    await expectSoon(async () => !near(await colourAt(surface, -58, -3), [243, 240, 231], 12), 'the heatmap colours the Amazon');
  });

  it('draws the layers other plugins provide (MapLayerProvider), lists them, and follows their changes', async () => {
    const { host } = await surveyed([join(pluginSet('workbench'), 'territory-layer')]);
    const page = await workbenches.open(host);
    const surface = await openMap(page, 3);
    const territory = page.getByRole('checkbox', { name: 'Territory (territory-layer)' });
    await territory.waitFor();
    expect(await page.getByRole('checkbox', { name: /Not GeoJSON/ }).count(), 'a layer that is not GeoJSON is left out').to.equal(0);
    await expectSoon(async () => near(await colourAt(surface, -30, -20), [0, 200, 83], 12), 'the territory is green');
    expect(await page.getByText(/Territory: test data/).count()).to.equal(1);

    // The provider says its layer changed: the map draws it again.
    expect(await host.commands.execute('territory-layer.recolour', [])).to.equal('#ff6d00');
    await expectSoon(async () => near(await colourAt(surface, -30, -20), [255, 109, 0], 12), 'the territory turned orange');

    await territory.uncheck();
    await expectSoon(async () => near(await colourAt(surface, -30, -20), [215, 230, 239], 12), 'unchecked, the sea shows');
    await territory.check();
    await expectSoon(async () => near(await colourAt(surface, -30, -20), [255, 109, 0], 12), 'checked again, it shows');

    // Its plugin disabled, the layer goes from the map and the panel.
    await host.plugins.disable('territory-layer');
    await territory.waitFor({ state: 'detached' });
    await expectSoon(async () => near(await colourAt(surface, -30, -20), [215, 230, 239], 12), 'the plugin gone, the sea shows');
  });

  it("draws the project's tracks as lines, in the layer panel, and follows their edits", async () => {
    const { host } = await surveyed();
    const project = await host.projects.open();
    // Along the equator across the Atlantic, where only the sea would show.
    const fixes = (lat: number) => [
      { lat, lon: -30, timestamp: '2026-11-30T09:00:00Z' },
      { lat, lon: -20, timestamp: '2026-11-30T10:00:00Z' },
      { lat, lon: -10, timestamp: '2026-11-30T11:00:00Z' },
    ];
    const track = await project.createTrack({ locations: fixes(0), tags: { route: 'crossing' } });
    const page = await workbenches.open(host);
    const surface = await openMap(page, 3);
    await page.getByRole('checkbox', { name: 'Tracks (map)' }).waitFor();
    const magenta: Rgb = [216, 27, 96];
    await expectSoon(async () => near(await colourAt(surface, -20, 0), magenta, 24), 'the track is drawn on the equator');

    // Moved north by an edit (here as a sync would bring it): drawn again where it now is.
    await project.updateTrack(track.id, { locations: fixes(20) });
    await expectSoon(async () => near(await colourAt(surface, -20, 20), magenta, 24), 'the track moved north');
    await expectSoon(async () => !near(await colourAt(surface, -20, 0), magenta, 24), 'and is gone from the equator');
    await page.getByRole('checkbox', { name: 'Tracks (map)' }).uncheck();
    await expectSoon(async () => !near(await colourAt(surface, -20, 20), magenta, 24), 'unchecked, it is hidden');
  });

  it('shows the tiles of an MBTiles basemap made with GDAL, with no network, and turns it off', async () => {
    const host = await workbenches.device('laptop');
    const mbtiles = await colourMbtiles(await workbenches.temp.make(), [255, 0, 255], [-70, -10, -50, 10]);
    // What `cairn basemap add survey-area.mbtiles --attribution …` runs.
    const added = (await host.commands.execute('map.addBasemap', [{ path: mbtiles, attribution: 'Survey area © the field team' }])) as { name: string; minzoom: number };
    expect(added).to.deep.include({ name: 'survey-area' });
    const project = await host.projects.open();
    await project.createObservations([{ lat: -5, lon: -65 }, { lat: 5, lon: -55 }]);
    const page = await workbenches.open(host);
    const outside = await blockOutside(page);
    const surface = await openMap(page, 2);
    await expectSoon(async () => near(await colourAt(surface, -60, 0), [255, 0, 255], 12), 'the basemap tiles are magenta between the points');
    expect(await page.getByText(/Survey area © the field team/).count()).to.equal(1);
    expect(outside).to.deep.equal([]);
    const toggle = page.getByRole('checkbox', { name: 'Basemap: survey-area' });
    await toggle.uncheck();
    await expectSoon(async () => near(await colourAt(surface, -60, 0), [243, 240, 231], 12), 'off, the embedded land shows');
    await toggle.check();
    await expectSoon(async () => near(await colourAt(surface, -60, 0), [255, 0, 255], 12), 'on again');
    // The palette's "Remove a basemap" points to the panel, where each has its button.
    await page.keyboard.press('F1');
    const palette = page.getByRole('dialog', { name: 'Command Palette' });
    await palette.getByRole('combobox').fill('Remove a basemap');
    await palette.getByRole('option', { name: /Remove a basemap/ }).first().click();
    await page.getByText('To remove a basemap, click × beside it under Layers in the Map view.').waitFor();
    // The panel's "Add a basemap…" asks for a file.
    await page.getByRole('button', { name: 'Add a basemap…' }).click();
    await page.getByRole('dialog', { name: /^Add a basemap/ }).waitFor();
    await page.keyboard.press('Escape');
    await page.getByRole('dialog', { name: /^Add a basemap/ }).waitFor({ state: 'detached' });
    // Removed from the panel: gone from the map and from the data dir.
    await page.getByRole('button', { name: 'Remove the basemap survey-area' }).click();
    await toggle.waitFor({ state: 'detached' });
    await expectSoon(async () => near(await colourAt(surface, -60, 0), [243, 240, 231], 12), 'removed, the embedded land shows');
  });

  it('adds a vector MBTiles basemap made with ogr2ogr from the Map view, and draws it with no network', async () => {
    const dir = await workbenches.temp.make();
    const source = join(dir, 'reserve.geojson');
    await writeFile(source, JSON.stringify({ type: 'FeatureCollection', features: [{ type: 'Feature', properties: {}, geometry: { type: 'Polygon', coordinates: [[[-40, -30], [-20, -30], [-20, -10], [-40, -10], [-40, -30]]] } }] }));
    const mbtiles = join(dir, 'reserve.mbtiles');
    await run('ogr2ogr', ['-f', 'MBTILES', mbtiles, source, '-dsco', 'MAXZOOM=5', '-dsco', 'NAME=Reserve']);
    const { host } = await surveyed();
    const page = await workbenches.open(host);
    const outside = await blockOutside(page);
    const surface = await openMap(page, 3);
    // Added from the command palette (the workbench's command, not the host's, which needs a
    // path), through the host's file chooser.
    await page.keyboard.press('F1');
    const palette = page.getByRole('dialog', { name: 'Command Palette' });
    await palette.getByRole('combobox').fill('Add a basemap');
    await palette.getByRole('option', { name: /Add a basemap/ }).first().click();
    const chooser = page.getByRole('dialog', { name: /^Add a basemap/ });
    await chooser.getByRole('textbox', { name: 'Folder', exact: true }).fill(dir);
    await chooser.getByRole('textbox', { name: 'Folder', exact: true }).press('Enter');
    await chooser.getByRole('option', { name: 'reserve.mbtiles' }).click();
    await chooser.getByRole('button', { name: 'Open' }).click();
    await page.getByText("Basemap 'Reserve' added").waitFor();
    await page.getByRole('checkbox', { name: 'Basemap: Reserve' }).waitFor();
    await page.keyboard.press('F1');
    await palette.getByRole('combobox').fill('List the basemaps');
    await palette.getByRole('option', { name: /List the basemaps/ }).first().click();
    await page.getByText('Basemaps: Reserve (zoom 0–5).').waitFor();
    // The polygon's quiet fill over the sea.
    await expectSoon(async () => near(await colourAt(surface, -30, -20), [225, 223, 211], 12), 'the reserve is filled');
    await expectSoon(async () => near(await colourAt(surface, -10, -20), [215, 230, 239], 12), 'the sea beside it is not');
    expect(outside).to.deep.equal([]);
    // Hexagon counts, for analysts: the Amazon point's cell is coloured.
    await page.getByRole('checkbox', { name: 'Observations' }).uncheck();
    await page.getByRole('checkbox', { name: 'Hexagon counts' }).check();
    await expectSoon(async () => !near(await colourAt(surface, -60, -3), [243, 240, 231], 12), 'a hexagon over the Amazon point');
  });

  it('draws the points of a dense map, seen from afar, as small dots', async () => {
    const host = await workbenches.device('laptop');
    const project = await host.projects.open();
    await project.createPreset({ id: 'animal', name: 'Animal', color: '#d62728', tags: { type: 'animal' } });
    // 20,000 in a cluster in Africa, and one alone in the Amazon.
    await project.createObservations(generateObservations(20_000, 7, { bbox: [29.9, -0.1, 30.1, 0.1], categories: ['animal'] }));
    const [lone] = await project.createObservations([{ lat: -3, lon: -60, category: 'animal', notes: 'Far from the others' }]);
    const page = await workbenches.open(host);
    const surface = await openMap(page, 20_001);
    await expectSoon(async () => near(await colourAt(surface, -60, -3), [214, 39, 40]), 'the lone animal is red');
    expect(near(await colourAt(surface, -60, -3, 4), [243, 240, 231], 12), '4 pixels off its centre is the land').to.equal(true);
    // The cluster is drawn as the few dots that can show (thinned), and the lone point is still
    // the one a hover names and a click opens.
    const at = await screenPoint(surface, -60, -3);
    await surface.hover({ position: at });
    await page.getByRole('tooltip').getByText('Far from the others').waitFor();
    await surface.click({ position: at });
    await page.locator(`[data-editor="observations.detail.${lone!.id}"]`).waitFor();
    const shown = Number(await page.locator('[role="application"][aria-label="Map"]').getAttribute('data-shown'));
    expect(shown, 'dots drawn').to.be.greaterThan(1).and.lessThan(1_000);
  });

  it('gives a category one colour in the list, the map and its legend; a legend hides a category; the map follows the list’s filters', async () => {
    const host = await workbenches.device('laptop');
    const project = await host.projects.open();
    // One category with its own colour, one with none, and one in use without a preset.
    await project.createPreset({ id: 'animal', name: 'Animal', color: '#d62728', tags: { type: 'animal' } });
    await project.createPreset({ id: 'river', name: 'River', tags: { type: 'river' } });
    await project.createObservations([
      { lat: -3, lon: -60, category: 'animal', notes: 'tapir' },
      { lat: 10, lon: 20, category: 'river', notes: 'crossing' },
      { lat: 40, lon: 100, category: 'camp', notes: 'old camp' },
    ]);
    const page = await workbenches.open(host);
    await showView(page, 'Observations');
    const grid = page.getByRole('grid', { name: 'Observations' });
    const dotOf = (notes: string) => backgroundOf(grid.getByRole('row').filter({ hasText: notes }).locator('.obs-icon-dot'));
    await grid.getByRole('row').filter({ hasText: 'old camp' }).waitFor();
    const [animal, river, camp] = [await dotOf('tapir'), await dotOf('crossing'), await dotOf('old camp')];
    expect(animal, 'a preset’s own colour').to.deep.equal([214, 39, 40]);
    expect(river).not.to.deep.equal(camp);
    expect(river).not.to.deep.equal(animal);

    const surface = await openMap(page, 3);
    await expectSoon(async () => near(await colourAt(surface, -60, -3), animal, 30), 'the animal is in its list colour on the map');
    await expectSoon(async () => near(await colourAt(surface, 20, 10), river, 30), 'the river is in its list colour on the map');
    await expectSoon(async () => near(await colourAt(surface, 100, 40), camp, 30), 'the camp is in its list colour on the map');
    const legend = page.getByRole('list', { name: 'Map legend' });
    const swatch = (name: string) => backgroundOf(legend.getByRole('button', { name: new RegExp(name) }).locator('.map-swatch'));
    expect(await swatch('River')).to.deep.equal(river);
    expect(await swatch('camp')).to.deep.equal(camp);

    // The legend turns a category off and on again.
    const riverToggle = legend.getByRole('button', { name: /River/ });
    await riverToggle.click();
    expect(await riverToggle.getAttribute('aria-pressed')).to.equal('false');
    await expectSoon(async () => !near(await colourAt(surface, 20, 10), river, 30), 'the river is hidden');
    await page.screenshot({ path: join(repoRoot, 'test', 'artifacts', 'map-legend.png') });
    expect(near(await colourAt(surface, -60, -3), animal, 30), 'the others stay').to.equal(true);
    await riverToggle.click();
    await expectSoon(async () => near(await colourAt(surface, 20, 10), river, 30), 'the river is back');

    // The list's filter narrows the map too.
    await page.getByRole('tablist', { name: 'Editor Tabs' }).getByRole('tab', { name: 'Observations' }).click();
    await page.getByRole('toolbar', { name: 'Filter observations' }).getByRole('combobox', { name: 'Category' }).selectOption('animal');
    await page.getByRole('tablist', { name: 'Editor Tabs' }).getByRole('tab', { name: 'Map' }).click();
    await page.waitForFunction(() => document.querySelector('[role="application"][aria-label="Map"]')?.getAttribute('data-points') === '1');
    await expectSoon(async () => !near(await colourAt(surface, 20, 10), river, 30) && !near(await colourAt(surface, 100, 40), camp, 30), 'only the animal is left on the map');
  });

  it('draws a category’s icon when zoomed in, and its dot further out', async () => {
    const host = await workbenches.device('laptop');
    const project = await host.projects.open();
    const icon = '<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" viewBox="0 0 10 10"><rect width="10" height="10" fill="#00a000"/></svg>';
    await project.createPreset({ id: 'tree', name: 'Tree', color: '#d62728', iconSvg: icon, tags: { type: 'tree' } });
    await project.createObservations([{ lat: -3.1, lon: -60.02, category: 'tree' }]);
    const page = await workbenches.open(host);
    const surface = await openMap(page, 1);
    // One observation: the map opens on it, at a zoom that shows the country around it, where it is a red dot.
    const view = JSON.parse((await surface.getAttribute('data-view'))!) as { longitude: number; latitude: number; zoom: number };
    expect(view.zoom).to.equal(6);
    expect(view.longitude).to.be.closeTo(-60.02, 1e-6);
    expect(view.latitude).to.be.closeTo(-3.1, 1e-6);
    await expectSoon(async () => near(await colourAt(surface, -60.02, -3.1), [214, 39, 40]), 'from afar, the tree is a red dot');
    // The map's + button zooms in, to where the tree shows its green icon; − zooms back out.
    const zoomIn = page.getByRole('group', { name: 'Zoom' }).getByRole('button', { name: 'Zoom in' });
    for (let step = 0; step < 6; step++) await zoomIn.click();
    await expectSoon(async () => near(await colourAt(surface, -60.02, -3.1), [0, 160, 0], 12), 'close in, the tree is its green icon');
    for (let step = 0; step < 3; step++) await page.getByRole('group', { name: 'Zoom' }).getByRole('button', { name: 'Zoom out' }).click();
    await expectSoon(async () => near(await colourAt(surface, -60.02, -3.1), [214, 39, 40]), 'further out, a red dot again');
  });

  it('is an application named Map that pans and zooms with the keyboard, and lists a box drawn with Shift', async () => {
    const { host } = await surveyed();
    const page = await workbenches.open(host);
    const surface = await openMap(page, 3);
    const view = async () => JSON.parse((await surface.getAttribute('data-view'))!) as { longitude: number; latitude: number; zoom: number };
    await surface.focus();
    const before = await view();
    await page.keyboard.press('+');
    expect((await view()).zoom).to.be.closeTo(before.zoom + 1, 0.01);
    await page.keyboard.press('ArrowRight');
    expect((await view()).longitude).to.be.greaterThan(before.longitude);
    await page.keyboard.press('-');
    await page.keyboard.press('0');
    expect((await view()).zoom).to.be.closeTo(before.zoom, 0.01);

    // The map's view offered to the list: all three are in it.
    await page.keyboard.press('F1');
    const palette = page.getByRole('dialog', { name: 'Command Palette' });
    await palette.getByRole('combobox').fill('List the observations in the map');
    await palette.getByRole('option', { name: /List the observations in the map's view/ }).first().click();
    await page.waitForFunction(() => document.querySelector('[role="grid"][aria-label="Observations"]')?.getAttribute('aria-rowcount') === '3');
    await page.getByRole('tablist', { name: 'Editor Tabs' }).getByRole('tab', { name: 'Map' }).click();

    // Shift+drag a box around the Amazon point only: the list shows just it.
    const amazon = await screenPoint(surface, -60, -3);
    const box = (await surface.boundingBox())!;
    await page.mouse.move(box.x + amazon.x - 15, box.y + amazon.y - 15);
    await page.keyboard.down('Shift');
    await page.mouse.down();
    await page.mouse.move(box.x + amazon.x + 15, box.y + amazon.y + 15, { steps: 4 });
    await page.mouse.up();
    await page.keyboard.up('Shift');
    const grid = page.getByRole('grid', { name: 'Observations' });
    await page.waitForFunction(() => document.querySelector('[role="grid"][aria-label="Observations"]')?.getAttribute('aria-rowcount') === '1');
    await grid.getByText('Tapir by the river').waitFor();
  });

  it('lets go of everything when its tab closes: no listener left on the window or the document, nothing keeping it alive', async () => {
    const { host } = await surveyed();
    const page = await workbenches.open(host);
    const closeMap = async () => {
      await page.getByRole('button', { name: 'Close Map' }).click();
      await page.getByRole('application', { name: 'Map' }).waitFor({ state: 'detached' });
    };
    // Once first: what loads once per window (deck.gl, the basemap, the shaders) stays loaded.
    await openMap(page, 3);
    await closeMap();
    const before = await heldByThePage(page);
    expect(before.mapSurfaces, 'map surfaces alive with no map open').to.equal(0);

    await page.getByRole('button', { name: 'Open the map' }).click();
    await page.waitForFunction(() => document.querySelector('[role="application"][aria-label="Map"]')?.getAttribute('data-drawn') === '3');
    // The surface is found while it is open: a count of 0 after closing says it is gone, not unseen.
    expect((await heldByThePage(page)).mapSurfaces).to.equal(1);
    await closeMap();
    expect(await heldByThePage(page)).to.deep.equal(before);
  });
});
