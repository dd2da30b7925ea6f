// The CoMapeo bridge: 10,000 observations and 100 photos from a CoMapeo phone into Cairn (its
// CoMapeo sync and the bridge into the Cairn project), and Cairn's own back to the phone, beside
// the same data synced between two @comapeo/core peers in the same run. Loopback only.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Project } from '@cairn/core/node/project/project.js';
import { runCairn } from '@cairn/core/testing';
import { generateObservations } from '@cairn/core/common/sample-data.js';
import { Phone } from '../plugins/comapeo/dist-test/phone.js';
import { peakRssMiB } from './lib.mjs';

const COUNT = Number(process.env.BENCH_COMAPEO_COUNT ?? 10_000);
const PHOTOS = Number(process.env.BENCH_COMAPEO_PHOTOS ?? 100);
const env = { CAIRN_COMAPEO_HOST: '127.0.0.1' };
const quiet = { debug() {}, info() {}, warn: (m) => console.error(m), error: (m) => console.error(m) };
const work = await mkdtemp(join(tmpdir(), 'cairn-bench-comapeo-'));
const phones = [];

const cairn = async (dataDir, ...args) => {
  const verbose = process.env.BENCH_VERBOSE ? ['--verbose'] : [];
  const result = await runCairn(['--data-dir', dataDir, ...args, ...verbose, '--json'], { env });
  if (verbose.length > 0) process.stderr.write(result.stderr);
  if (result.code !== 0) throw new Error(`cairn ${args.join(' ')}: ${result.stderr}`);
  return JSON.parse(result.stdout);
};
const phone = async (name) => {
  const started = await Phone.start(await mkdtemp(join(work, 'phone-')), name);
  phones.push(started);
  return started;
};
const step = (text) => process.stderr.write(`[comapeo bench] ${text}\n`);
const seconds = (ms) => `${(ms / 1000).toFixed(2)} s`;

/** A photo's three variants: what a phone's camera screen stores (sizes of a phone's JPEGs). */
async function photoFiles(index) {
  const files = {};
  for (const [variant, size] of [['original', 300_000], ['preview', 60_000], ['thumbnail', 8_000]]) {
    files[variant] = join(work, `photo-${index}-${variant}.jpg`);
    await writeFile(files[variant], randomBytes(size));
  }
  return files;
}

/** Observations as a phone writes them: a place, tags with the notes, some with a photo. */
function phoneObservations(refs) {
  return generateObservations(COUNT, 7).map((input, index) => ({
    lat: input.lat,
    lon: input.lon,
    tags: { ...input.tags, notes: input.notes },
    attachments: index < refs.length ? [refs[index]] : [],
    metadata: { manualLocation: false, position: { timestamp: new Date(Date.UTC(2026, 0, 1) + index * 60_000).toISOString(), mocked: false, coords: { latitude: input.lat, longitude: input.lon, accuracy: 5 } } },
  }));
}

try {
  // A phone with the team's data.
  const source = await phone('Source phone');
  const projectId = await source.call('createProject', { projectName: 'Bench' });
  const { port: sourcePort } = await source.info();
  const refs = [];
  for (let index = 0; index < PHOTOS; index += 1) refs.push(await source.call('createBlob', { projectId, files: await photoFiles(index), mimeType: 'image/jpeg' }));
  const values = phoneObservations(refs);
  for (let at = 0; at < values.length; at += 1000) await source.call('createMany', { projectId, kind: 'observation', values: values.slice(at, at + 1000) });
  await source.call('startSync', { projectId });

  step('the source phone holds its data');
  // Baseline: a second @comapeo/core peer joins and syncs it all.
  const peer = await phone('Peer phone');
  const joined = peer.call('acceptNextInvite');
  await peer.call('connect', { port: sourcePort });
  await source.call('inviteNamed', { projectId, name: 'Peer phone' });
  await joined;
  let started = performance.now();
  await peer.call('startSync', { projectId });
  await peer.call('waitSynced', { projectId, kind: 'observation', count: COUNT });
  const baseline = performance.now() - started;
  await peer.close();

  step('baseline done');
  // Cairn joins and syncs: CoMapeo's sync into its CoMapeo process, then the bridge into Cairn.
  const dataDir = await mkdtemp(join(work, 'cairn-'));
  const invited = source.call('inviteFirstPeer', { projectId, role: 'participant' });
  await cairn(dataDir, 'comapeo', 'join', '--connect', `127.0.0.1:${sourcePort}`, '--timeout', '120');
  await invited;
  started = performance.now();
  const incoming = await cairn(dataDir, 'comapeo', 'sync', '--connect', `127.0.0.1:${sourcePort}`, '--timeout', '600');
  const bridgedIn = performance.now() - started;
  if (incoming.received.observations !== COUNT || incoming.received.attachments !== PHOTOS) throw new Error(`bridged in ${JSON.stringify(incoming.received)}`);

  step('bridged in');
  // Nothing new: the cost of a sync that only compares.
  started = performance.now();
  await cairn(dataDir, 'comapeo', 'sync', '--connect', `127.0.0.1:${sourcePort}`, '--timeout', '600');
  const noop = performance.now() - started;

  step('no-op sync done');
  // And back: as many observations and photos written in Cairn, sent to the phone.
  const project = await Project.open(dataDir, quiet);
  const inputs = generateObservations(COUNT, 11);
  for (let index = 0; index < PHOTOS; index += 1) inputs[index].attachments = [{ path: (await photoFiles(PHOTOS + index)).original }];
  for (let at = 0; at < inputs.length; at += 5000) await project.createObservations(inputs.slice(at, at + 5000));
  await project.close();
  started = performance.now();
  step('written in Cairn');
  const outgoing = await cairn(dataDir, 'comapeo', 'sync', '--connect', `127.0.0.1:${sourcePort}`, '--timeout', '600');
  const bridgedOut = performance.now() - started;
  // The command ends once the phone has nothing left to fetch from it: it holds them all.
  const held = await source.call('count', { projectId, kind: 'observation' });
  if (held !== 2 * COUNT) throw new Error(`the phone holds ${held} observations, not ${2 * COUNT}`);
  if (outgoing.sent.observations !== COUNT) throw new Error(`bridged out ${JSON.stringify(outgoing.sent)}`);

  console.log(`\nCoMapeo bridge: ${COUNT} observations and ${PHOTOS} photos (original, preview, thumbnail), loopback`);
  console.log(`  ${'baseline: @comapeo/core peer → @comapeo/core peer'.padEnd(62)} ${seconds(baseline)}`);
  console.log(`  ${'phone → Cairn (cairn comapeo sync, the whole command)'.padEnd(62)} ${seconds(bridgedIn)}  (${(bridgedIn / baseline).toFixed(2)}× baseline)`);
  console.log(`  ${'Cairn → phone (cairn comapeo sync until the phone has all)'.padEnd(62)} ${seconds(bridgedOut)}  (${(bridgedOut / baseline).toFixed(2)}× baseline)`);
  console.log(`  ${'a sync with nothing new (compares both sides, writes nothing)'.padEnd(62)} ${seconds(noop)}`);
  console.log(`  peak RSS of this process: ${peakRssMiB().toFixed(0)} MiB`);
} finally {
  await Promise.all(phones.map((phone) => phone.close()));
  await rm(work, { recursive: true, force: true });
}
