/* global document, requestAnimationFrame -- page.evaluate bodies run in the browser */
// The map plugin: time to the first frame with every point drawn, in headless Chromium (WebGL on
// SwiftShader, the CPU: a real GPU draws far faster), for 10k, 100k and 1M observations, against
// the same map opened on an empty project in the same run. Measured from the map tab's opening
// (its 'map:opening' mark) to the first frame drawn after the points came ('map:first-points-frame'):
// loading deck.gl, the host reading the points, the transfer, the GPU upload, the frame.
// BENCH_MAP_COUNTS=10000,100000 leaves the million out (creating it takes a few minutes).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { CairnHost } from '@cairn/core';
import { WorkbenchServerFactory } from '@cairn/core/node/server/workbench-server-factory.js';
import { generateObservations, sampleCategories } from '@cairn/core/common/sample-data.js';
import { median, peakRssMiB } from './lib.mjs';

const counts = (process.env.BENCH_MAP_COUNTS ?? '10000,100000,1000000').split(',').map(Number);
const runs = Number(process.env.BENCH_RUNS ?? 3);
const plugins = new URL('../plugins', import.meta.url).pathname;
const work = await mkdtemp(join(tmpdir(), 'cairn-bench-map-'));
const hosts = [];

async function device(count) {
  const host = new CairnHost({ dataDir: join(work, `device-${count}`), builtinPluginsDir: plugins });
  hosts.push(host);
  await host.start();
  await host.projects.create({ name: `${count}`, deviceName: 'bench' });
  await host.plugins.activateStartup();
  const project = await host.projects.open();
  for (const id of sampleCategories) await project.createPreset({ id, name: id[0].toUpperCase() + id.slice(1) });
  // Spread over a continent, so the points do not all sit in a few pixels.
  for (let done = 0; done < count; done += 50_000) {
    await project.createObservations(generateObservations(Math.min(50_000, count - done), done + 1, { bbox: [-80, -40, -35, 10] }));
  }
  return host;
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--use-angle=swiftshader', '--enable-unsafe-swiftshader'],
});

/**
 * Opens the workbench, shows the map, and resolves with ms from the map tab's opening to its first
 * frame with the points; with `pans`, also the median ms from an arrow key to the frame that
 * follows it (how interactive the map stays), with the points and then, as the baseline, with
 * the Observations layer turned off (the same view and basemap, so the difference is the points').
 */
async function firstFrame(host, count, pans = 0) {
  const server = await host.container.get(WorkbenchServerFactory)();
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  try {
    await page.goto(await server.listen());
    await page.waitForSelector('body[data-ready="true"]');
    const elapsed = await page.evaluate(async (expected) => {
      const mark = (name) => performance.getEntriesByName(name).at(-1)?.startTime;
      if (mark('map:opening') === undefined) document.querySelector('[role="tab"][aria-label="Map"]').click();
      await new Promise((resolve, reject) => {
        const give = setTimeout(() => reject(new Error('the map was not drawn')), 300_000);
        const check = () => {
          if (mark('map:opening') === undefined) {
            const open = [...document.querySelectorAll('button')].find((button) => button.textContent === 'Open the map');
            open?.click();
          }
          const surface = document.querySelector('[role="application"][aria-label="Map"]');
          if (mark('map:first-points-frame') !== undefined && surface?.getAttribute('data-drawn') === String(expected)) {
            clearTimeout(give);
            resolve();
          } else requestAnimationFrame(check);
        };
        check();
      });
      return mark('map:first-points-frame') - mark('map:opening');
    }, count);
    if (pans === 0) return elapsed;
    const surface = page.locator('[role="application"][aria-label="Map"]');
    const frames = async () => Number(await surface.getAttribute('data-frames'));
    const panning = async () => {
      await surface.focus();
      const steps = [];
      for (let pan = 0; pan < pans; pan++) {
        const before = await frames();
        const started = performance.now();
        await page.keyboard.press(pan % 2 === 0 ? 'ArrowRight' : 'ArrowLeft');
        while ((await frames()) === before) await new Promise((resolve) => setTimeout(resolve, 2));
        steps.push(performance.now() - started);
      }
      return median(steps);
    };
    const pan = await panning();
    // In the Map view, which the workbench may have restored closed.
    const pointsLayer = page.getByRole('checkbox', { name: 'Observations', exact: true });
    if (!(await pointsLayer.isVisible())) await page.locator('[role="tab"][aria-label="Map"]').click();
    await pointsLayer.uncheck();
    const panWithout = await panning();
    return { elapsed, pan, panWithout };
  } finally {
    await page.close();
    await server.close();
  }
}

try {
  console.log(`\nMap plugin, first frame with every point (headless Chromium, SwiftShader WebGL), ${runs} runs`);
  const empty = await device(0);
  for (const count of counts) {
    const started = performance.now();
    const host = await device(count);
    console.log(`  (${count.toLocaleString()} observations created in ${((performance.now() - started) / 1000).toFixed(1)} s)`);
    const frames = [];
    const baselines = [];
    const pans = [];
    const panBaselines = [];
    const times = count >= 1_000_000 ? 1 : runs;
    for (let run = 0; run < times; run++) {
      baselines.push(await firstFrame(empty, 0));
      const full = await firstFrame(host, count, 10);
      frames.push(full.elapsed);
      pans.push(full.pan);
      panBaselines.push(full.panWithout);
    }
    const row = (what, value, baseline, baselineName) =>
      console.log(`  ${what}`.padEnd(62) + ` median ${value.toFixed(1).padStart(8)} ms  (${(value / baseline).toFixed(2)}× ${baselineName} ${baseline.toFixed(1)} ms)`);
    row(`first frame, ${count.toLocaleString()} points${count === 100_000 ? ' (aim ≤ 1.5 s)' : ''}`, median(frames), median(baselines), 'empty map');
    row(`arrow key to next frame, ${count.toLocaleString()} points`, median(pans), median(panBaselines), 'points hidden');
    await host.dispose();
    hosts.splice(hosts.indexOf(host), 1);
  }
  console.log(`  peak RSS of this process: ${peakRssMiB().toFixed(0)} MiB`);
} finally {
  await browser.close();
  for (const host of hosts) await host.dispose();
  await rm(work, { recursive: true, force: true });
}
