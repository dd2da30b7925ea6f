// Sync over Wi-Fi: N observations plus photos from one device to a fresh one with `cairn sync wifi`
// (two real processes), over loopback and over a LAN of network namespaces (as root), beside a raw
// TCP copy of the same bytes over the same network; and the time from start to the first peer
// found (mDNS on the namespace LAN, a given address on loopback).
import { execFileSync, spawn } from 'node:child_process';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Project } from '@cairn/core/node/project/project.js';
import { median, mib, seedDevice } from './lib.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const cairnBin = join(root, 'core', 'bin', 'cairn.js');
const rawPeer = fileURLToPath(new URL('./raw-tcp-peer.mjs', import.meta.url));
const sizes = (process.env.BENCH_SIZES ?? '10000,100000').split(',').map(Number);
const photos = Number(process.env.BENCH_PHOTOS ?? 50);
const runsSmall = Number(process.env.BENCH_RUNS ?? 3);
const log = { debug() {}, info() {}, warn: (m) => console.error(m), error: (m) => console.error(m) };
const work = await mkdtemp(join(tmpdir(), 'cairn-bench-wifi-'));
const rows = [];
const line = (what, value, extra = '') => rows.push(`  ${what.padEnd(70)} ${value}${extra ? `  ${extra}` : ''}`);

/** `cairn` in a process (in a namespace when `ns` is given), with the moments its log names. */
function cairn(ns, dataDir, args, env = {}) {
  const command = ns ? 'ip' : process.execPath;
  const prefix = ns ? ['netns', 'exec', ns, process.execPath] : [];
  const started = performance.now();
  const child = spawn(command, [...prefix, cairnBin, '--verbose', '--data-dir', dataDir, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const moments = { listening: null, found: null };
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk) => {
    stderr += chunk;
    if (moments.listening === null && chunk.includes('listens at')) moments.listening = performance.now() - started;
    if (moments.found === null && chunk.includes('[sync-wifi] info: Found ')) moments.found = performance.now() - started;
  });
  return new Promise((resolve) => {
    child.on('close', (code) => resolve({ code, stdout, stderr, wall: performance.now() - started, ...moments }));
  });
}

async function rawCopy(serverNs, clientNs, host, bytes) {
  const serve = spawn(serverNs ? 'ip' : process.execPath, [...(serverNs ? ['netns', 'exec', serverNs, process.execPath] : []), rawPeer, 'serve', host], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = [];
  serve.stdout.setEncoding('utf8').on('data', (chunk) => lines.push(...chunk.trim().split('\n')));
  while (lines.length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
  const { port } = JSON.parse(lines[0]);
  const output = execFileSync(clientNs ? 'ip' : process.execPath, [...(clientNs ? ['netns', 'exec', clientNs, process.execPath] : []), rawPeer, 'send', host, String(port), String(bytes)], { encoding: 'utf8' });
  await new Promise((resolve) => serve.on('close', resolve));
  return JSON.parse(output.trim().split('\n')[0]).ms;
}

async function duSize(dir) {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += (await stat(join(entry.parentPath ?? entry.path, entry.name))).size;
  }
  return total;
}

async function sourceDevice(count) {
  const dir = join(work, `source-${count}`);
  const key = await seedDevice({ dir, photoDir: join(work, `photos-${count}`), count, photos, seed: 7 });
  return { dir, key };
}

async function freshDevice(key, name) {
  const dir = join(work, name);
  const project = await Project.create(dir, { join: key, deviceName: 'fresh' }, log);
  await project.close();
  return dir;
}

/** One sync from `source` into a fresh device; the fresh one reaches the source by mDNS (LAN) or by address. */
async function syncOnce(network, source, key, label) {
  const target = await freshDevice(key, `target-${label}`);
  const port = 40_000 + Math.floor(Math.random() * 20_000);
  const env = network.lan ? { CAIRN_WIFI_HOST: '', CAIRN_WIFI_PORT: String(port) } : { CAIRN_WIFI_HOST: '127.0.0.1', CAIRN_WIFI_PORT: String(port) };
  const sourceRun = cairn(network.ns(0), source, ['sync', 'wifi', '--timeout', '600', '--json'], env);
  const connect = network.lan ? [] : ['--connect', `127.0.0.1:${port}`];
  const targetRun = await cairn(network.ns(1), target, ['sync', 'wifi', '--timeout', '600', '--json', ...connect], { ...env, CAIRN_WIFI_PORT: '0' });
  const sourceDone = await sourceRun;
  if (targetRun.code !== 0 || sourceDone.code !== 0) throw new Error(`sync failed: ${targetRun.stderr.slice(-400)} ${sourceDone.stderr.slice(-400)}`);
  const [peer] = JSON.parse(targetRun.stdout).peers;
  await rm(target, { recursive: true, force: true });
  return {
    wall: targetRun.wall,
    discovery: targetRun.found - targetRun.listening,
    sync: targetRun.wall - targetRun.found,
    received: peer.received,
  };
}

let lan = null;
try {
  const networks = [{ name: 'loopback', lan: false, host: '127.0.0.1', ns: () => null }];
  if (process.getuid?.() === 0) {
    const { Lan } = await import('../test/dist/lan/netns.js');
    lan = await Lan.create(2);
    networks.push({ name: 'namespace LAN', lan: true, host: lan.addresses[0], ns: (index) => lan.namespace(index) });
  } else {
    console.log('(not root: the namespace LAN part is left out)');
  }
  console.log(`\nsync over Wi-Fi (cairn sync wifi, two processes; ${photos} photos of 1 MB with each size)`);
  for (const count of sizes) {
    const { dir: source, key } = await sourceDevice(count);
    const bytes = await duSize(join(source, 'corestore'));
    for (const network of networks) {
      const runs = count <= 10_000 ? runsSmall : 1;
      const results = [];
      for (let run = 0; run < runs; run += 1) results.push(await syncOnce(network, source, key, `${count}-${network.name}-${run}`));
      const raw = [];
      for (let run = 0; run < 3; run += 1) raw.push(await rawCopy(network.ns(0), network.ns(1), network.host, bytes));
      const syncMs = median(results.map((result) => result.sync));
      const label = `${count} obs + ${photos} photos over ${network.name}`;
      if (results[0].received.observations !== count + photos) throw new Error(`${label}: received ${results[0].received.observations}`);
      line(`${label}: whole run (process start to exit)`, `${(median(results.map((r) => r.wall)) / 1000).toFixed(2)} s`, runs > 1 ? `(median of ${runs})` : '(one run)');
      line(`  sync, from peer found to done`, `${(syncMs / 1000).toFixed(2)} s`, `(${(syncMs / median(raw)).toFixed(1)}× a raw TCP copy of the ${mib(bytes).toFixed(0)} MiB store: ${(median(raw) / 1000).toFixed(2)} s)`);
      line(`  start to first peer found (after listening)`, `${median(results.map((r) => r.discovery)).toFixed(0)} ms`, network.lan ? '(mDNS, no address given)' : '(address given)');
    }
  }
  console.log(rows.join('\n'));
} finally {
  await lan?.dispose();
  await rm(work, { recursive: true, force: true });
}
