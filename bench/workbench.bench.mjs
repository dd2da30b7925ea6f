// From `cairn serve` starting to the workbench ready in headless Chromium (startup plugins active,
// first paint), beside a bare static page served and loaded by the same browser in the same run.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { CairnHost } from '@cairn/core';
import { median, peakRssMiB } from './lib.mjs';

const runs = Number(process.env.BENCH_RUNS ?? 7);
const cairn = fileURLToPath(new URL('../core/bin/cairn.js', import.meta.url));
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--use-angle=swiftshader', '--enable-unsafe-swiftshader'],
});
const work = await mkdtemp(join(tmpdir(), 'cairn-bench-workbench-'));

/** Loads a URL in a fresh page; resolves with the time to `ready` (a selector) and first contentful paint. */
async function load(url, readySelector) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(url);
  await page.waitForSelector(readySelector);
  const marks = await page.evaluate(() =>
    Object.fromEntries(['first-contentful-paint', 'cairn:script', 'cairn:connected', 'cairn:ready'].map((name) => [name, performance.getEntriesByName(name)[0]?.startTime ?? null])),
  );
  await page.close();
  return marks;
}

function serveProcess(dataDir) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cairn, '--data-dir', dataDir, 'serve', '--no-open'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
      const match = /http:\/\/\S+/.exec(output);
      if (match) resolve({ child, url: match[0] });
    });
    child.on('exit', (code) => reject(new Error(`cairn serve exited with ${code}`)));
  });
}

try {
  // Baseline: a bare page, served by Node and loaded by the same browser.
  const bare = createServer((_request, response) => response.writeHead(200, { 'Content-Type': 'text/html' }).end('<!doctype html><p id="ready">ready</p>'));
  await new Promise((resolve) => bare.listen(0, '127.0.0.1', resolve));
  const bareUrl = `http://127.0.0.1:${bare.address().port}/`;
  const baseline = [];
  for (let run = 0; run < runs; run += 1) {
    const started = performance.now();
    await load(bareUrl, '#ready');
    baseline.push(performance.now() - started);
  }
  bare.close();

  const dataDir = join(work, 'data');
  const init = spawn(process.execPath, [cairn, '--data-dir', dataDir, 'init', '--name', 'Bench'], { stdio: 'ignore' });
  await new Promise((resolve) => init.on('exit', resolve));

  const total = [];
  const toUrl = [];
  const paints = [];
  for (let run = 0; run < runs; run += 1) {
    const started = performance.now();
    const { child, url } = await serveProcess(dataDir);
    toUrl.push(performance.now() - started);
    paints.push(await load(url, 'body[data-ready="true"]'));
    total.push(performance.now() - started);
    child.kill('SIGINT');
    await new Promise((resolve) => child.on('exit', resolve));
  }

  // Per-plugin activation, as the served host sees it.
  const host = new CairnHost({ dataDir });
  await host.start();
  await host.plugins.activateStartup();
  const activations = host.plugins.list().map((plugin) => `${plugin.id} ${plugin.activationMs ?? '-'} ms`);
  await host.dispose();

  console.log('\nworkbench start-up (headless Chromium, software rendering)');
  console.log(`  ${'bare static page: served and loaded (baseline)'.padEnd(62)} median ${median(baseline).toFixed(0).padStart(6)} ms`);
  console.log(`  ${'cairn serve: process start to URL printed'.padEnd(62)} median ${median(toUrl).toFixed(0).padStart(6)} ms`);
  console.log(`  ${'cairn serve: process start to workbench ready'.padEnd(62)} median ${median(total).toFixed(0).padStart(6)} ms  (${(median(total) / median(baseline)).toFixed(1)}× baseline)`);
  const mark = (name) => median(paints.map((marks) => marks[name]).filter((value) => value !== null)).toFixed(0).padStart(6);
  console.log(`  ${'after navigation: shell script running'.padEnd(62)} median ${mark('cairn:script')} ms`);
  console.log(`  ${'after navigation: connected to the host'.padEnd(62)} median ${mark('cairn:connected')} ms`);
  console.log(`  ${'after navigation: workbench drawn from the host state'.padEnd(62)} median ${mark('cairn:ready')} ms`);
  console.log(`  ${'after navigation: first contentful paint'.padEnd(62)} median ${mark('first-contentful-paint')} ms`);
  console.log(`  startup plugins: ${activations.length ? activations.join(', ') : 'none installed'}`);
  console.log(`  peak RSS of this process: ${peakRssMiB().toFixed(0)} MiB`);
} finally {
  await browser.close();
  await rm(work, { recursive: true, force: true });
}
