/* global document, requestAnimationFrame -- page.evaluate bodies run in the browser */
// The observations plugin at 100k: importing a GeoJSON file, exporting it, and the list in headless
// Chromium (first render, a filter change), each beside a baseline done in the same run:
// - import: parsing the same file whole with JSON.parse and writing the same observations with
//   createMany (what any importer must at least do, without streaming, checks or rejections);
// - export: JSON.stringify of the same features and one writeFile;
// - grid: the same list opened on an empty project (from the grid made to its rows drawn), the same
//   filter change on 100 observations.
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { CairnHost } from '@cairn/core';
import { WorkbenchServerFactory } from '@cairn/core/node/server/workbench-server-factory.js';
import { generateObservations, sampleCategories } from '@cairn/core/common/sample-data.js';
import { median, mib, peakRssMiB } from './lib.mjs';

const count = Number(process.env.BENCH_OBSERVATIONS ?? 100_000);
const runs = Number(process.env.BENCH_RUNS ?? 3);
// BENCH_ONLY=import runs the import alone (no export, no browser): for measuring one change.
const importOnly = process.env.BENCH_ONLY === 'import';
const plugins = new URL('../plugins', import.meta.url).pathname;
const work = await mkdtemp(join(tmpdir(), 'cairn-bench-observations-'));
const hosts = [];

async function device(name) {
  const host = new CairnHost({ dataDir: join(work, `${name}-${hosts.length}`), builtinPluginsDir: plugins });
  hosts.push(host);
  await host.start();
  await host.projects.create({ name, deviceName: name });
  await host.plugins.activateStartup();
  // The project's categories, as a configuration would give them (the list's filter offers these).
  const project = await host.projects.open();
  for (const id of sampleCategories) await project.createPreset({ id, name: id[0].toUpperCase() + id.slice(1) });
  return host;
}

const line = (what, value, baseline) =>
  console.log(`  ${what.padEnd(60)} median ${value.toFixed(1).padStart(8)} ms${baseline ? `  (${(value / baseline).toFixed(2)}× baseline ${baseline.toFixed(1)} ms)` : ''}`);

try {
  // A seeded GeoJSON file shaped like a Mapeo Desktop export.
  const inputs = generateObservations(count, 7).map((input, index) => ({ ...input, createdAt: new Date(Date.UTC(2024, 0, 1) + index * 60_000).toISOString() }));
  const features = inputs.map((input, index) => ({
    type: 'Feature',
    id: `f${index}`,
    geometry: { type: 'Point', coordinates: [input.lon, input.lat] },
    properties: { ...input.tags, categoryId: input.category, notes: input.notes, $created: input.createdAt, $version: `v${index}@1`, $photos: [] },
  }));
  const source = join(work, 'survey.geojson');
  await writeFile(source, JSON.stringify({ type: 'FeatureCollection', features }));
  console.log(`\nObservations plugin, ${count.toLocaleString()} observations (GeoJSON file ${mib((await stat(source)).size).toFixed(1)} MiB), ${runs} runs`);

  // Import.
  const imports = [];
  const importBaselines = [];
  let imported = null;
  for (let run = 0; run < runs; run++) {
    const host = await device('import');
    let started = performance.now();
    const result = await host.commands.execute('observations.import', [{ path: source }]);
    imports.push(performance.now() - started);
    if (result.imported !== count) throw new Error(`imported ${result.imported} of ${count}`);
    imported ??= host;
    const bare = await device('baseline');
    started = performance.now();
    const parsed = JSON.parse(await readFile(source, 'utf8'));
    const project = await bare.projects.open();
    for (let offset = 0; offset < parsed.features.length; offset += 10_000) {
      await project.createObservations(
        parsed.features.slice(offset, offset + 10_000).map((feature) => ({ lat: feature.geometry.coordinates[1], lon: feature.geometry.coordinates[0], notes: feature.properties.notes })),
      );
    }
    importBaselines.push(performance.now() - started);
  }
  line(`cairn import of ${count.toLocaleString()} features (aim ≤ 10 s)`, median(imports), median(importBaselines));
  if (importOnly) {
    await cleanup();
    process.exit(0);
  }

  // Export, from the project just imported.
  const exports = [];
  const exportBaselines = [];
  const project = await imported.projects.open();
  for (let run = 0; run < runs; run++) {
    const out = join(work, `out-${run}.geojson`);
    let started = performance.now();
    await imported.commands.execute('observations.export', [{ format: 'geojson', out }]);
    exports.push(performance.now() - started);
    started = performance.now();
    const all = project.queryObservations();
    await writeFile(join(work, `raw-${run}.json`), JSON.stringify(all.map((o) => ({ type: 'Feature', geometry: { type: 'Point', coordinates: [o.lon, o.lat] }, properties: o.tags }))));
    exportBaselines.push(performance.now() - started);
  }
  line(`cairn export --format geojson of ${count.toLocaleString()} (aim ≤ 5 s)`, median(exports), median(exportBaselines));
  const csvStarted = performance.now();
  await imported.commands.execute('observations.export', [{ format: 'csv', out: join(work, 'out.csv') }]);
  line(`cairn export --format csv of ${count.toLocaleString()} (one run)`, performance.now() - csvStarted);

  // The list in headless Chromium.
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const small = await device('small');
  await (await small.projects.open()).createObservations(inputs.slice(0, 100));
  const empty = await device('empty');

  /**
   * Opens the workbench on a fresh page and shows the list (it may open by itself, as the layout
   * remembers the view); resolves with ms from the grid's creation to its first rows drawn (the
   * grid's own performance marks).
   */
  async function firstRender(host) {
    const server = await host.container.get(WorkbenchServerFactory)();
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(await server.listen());
    await page.waitForSelector('body[data-ready="true"]');
    const elapsed = await page.evaluate(async () => {
      const mark = (name) => performance.getEntriesByName(name).at(-1)?.startTime;
      if (mark('observations:grid-created') === undefined) document.querySelector('[role="tab"][aria-label="Observations"]').click();
      await new Promise((resolve, reject) => {
        const give = setTimeout(() => reject(new Error('the list was not drawn')), 30_000);
        const check = () => (mark('observations:grid-first-rows') !== undefined ? (clearTimeout(give), resolve()) : requestAnimationFrame(check));
        check();
      });
      return mark('observations:grid-first-rows') - mark('observations:grid-created');
    });
    return { elapsed, page, server };
  }

  /** ms from a category chosen in the list's filter to the new rows drawn. */
  async function filterChange(page, category, expected) {
    return page.evaluate(
      async ([value, rows]) => {
        const select = document.querySelector('select[aria-label="Category"]');
        const grid = document.querySelector('[role="grid"][aria-label="Observations"]');
        const started = performance.now();
        select.value = value;
        select.dispatchEvent(new Event('change'));
        if (select.value !== value) throw new Error(`the list offers no category '${value}'`);
        await new Promise((resolve, reject) => {
          const give = setTimeout(() => reject(new Error(`the list did not show ${rows} rows`)), 30_000);
          const check = () => (grid.getAttribute('aria-rowcount') === String(rows) && grid.querySelector('[role="row"][data-id]') ? (clearTimeout(give), resolve()) : requestAnimationFrame(check));
          check();
        });
        return performance.now() - started;
      },
      [category, expected],
    );
  }

  const renders = [];
  const renderBaselines = [];
  const filters = [];
  const filterBaselines = [];
  const bigProject = await imported.projects.open();
  const smallProject = await small.projects.open();
  for (let run = 0; run < runs; run++) {
    const base = await firstRender(empty);
    renderBaselines.push(base.elapsed);
    await base.page.close();
    await base.server.close();
    const big = await firstRender(imported);
    renders.push(big.elapsed);
    const category = run % 2 === 0 ? 'animal' : 'water';
    filters.push(await filterChange(big.page, category, bigProject.countObservations({ category })));
    await big.page.close();
    await big.server.close();
    const few = await firstRender(small);
    filterBaselines.push(await filterChange(few.page, category, smallProject.countObservations({ category })));
    await few.page.close();
    await few.server.close();
  }
  line(`grid first render, ${count.toLocaleString()} rows (aim ≤ 500 ms)`, median(renders), median(renderBaselines));
  line(`filter change (category), ${count.toLocaleString()} rows (aim ≤ 100 ms)`, median(filters), median(filterBaselines));
  await browser.close();
  console.log(`  peak RSS of this process: ${peakRssMiB().toFixed(0)} MiB`);
} finally {
  await cleanup();
}

async function cleanup() {
  for (const host of hosts.splice(0)) await host.dispose();
  await rm(work, { recursive: true, force: true });
}
