// The project store and its replication: write throughput, two-way sync of 10k and 100k
// observations between two processes over loopback TCP beside raw Corestore replication of the
// same bytes and a raw TCP copy, incremental sync of one observation, and index query latency.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import Corestore from 'corestore';
import { Project } from '@cairn/core/node/project/project.js';
import { generateObservations, sampleCategories, seededRandom } from '@cairn/core/common/sample-data.js';
import { median, mib, peakRssMiB, percentile } from './lib.mjs';

const sizes = (process.env.BENCH_SIZES ?? '10000,100000').split(',').map(Number);
const log = { debug() {}, info() {}, warn: (m) => console.error(m), error: (m) => console.error(m) };
const work = await mkdtemp(join(tmpdir(), 'cairn-bench-data-'));
const rows = [];
const line = (what, value, extra = '') => rows.push(`  ${what.padEnd(62)} ${value}${extra ? `  ${extra}` : ''}`);

function peerProcess() {
  const child = spawn(process.execPath, [fileURLToPath(new URL('./sync-peer.mjs', import.meta.url))], {
    cwd: fileURLToPath(new URL('../core', import.meta.url)),
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const waiting = [];
  const queue = [];
  createInterface({ input: child.stdout }).on('line', (text) => {
    const message = JSON.parse(text);
    const index = waiting.findIndex((entry) => entry.op === message.op);
    if (index >= 0) waiting.splice(index, 1)[0].resolve(message);
    else queue.push(message);
  });
  return {
    send: (message) => child.stdin.write(`${JSON.stringify(message)}\n`),
    next: (op) => {
      const index = queue.findIndex((message) => message.op === op);
      if (index >= 0) return Promise.resolve(queue.splice(index, 1)[0]);
      return new Promise((resolve) => waiting.push({ op, resolve }));
    },
  };
}

async function writeHalf(project, count, seed) {
  const started = performance.now();
  for (let offset = 0; offset < count; offset += 5000) {
    await project.createObservations(generateObservations(Math.min(5000, count - offset), seed + offset));
  }
  return performance.now() - started;
}

async function syncOnce(project, peer) {
  peer.send({ op: 'listen' });
  const { port } = await peer.next('listening');
  const socket = net.connect(port, '127.0.0.1');
  const started = performance.now();
  const session = project.replicate(socket, { initiator: true });
  const [summary, remote] = await Promise.all([session.done, peer.next('synced')]);
  const wall = performance.now() - started;
  socket.destroy();
  return { wall, summary, remote };
}

/** Raw Corestore replication of blocks of the same sizes, both ways, over loopback TCP. */
async function rawCorestore(sizesA, sizesB) {
  const dirs = [join(work, `raw-a-${randomBytes(3).toString('hex')}`), join(work, `raw-b-${randomBytes(3).toString('hex')}`)];
  const stores = dirs.map((dir) => new Corestore(dir));
  const own = await Promise.all(
    stores.map(async (store, index) => {
      const core = store.get({ name: 'raw' });
      await core.ready();
      await core.append((index === 0 ? sizesA : sizesB).map((size) => randomBytes(size)));
      return core;
    }),
  );
  const server = net.createServer((socket) => {
    const stream = stores[1].replicate(false);
    socket.pipe(stream).pipe(socket);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const socket = net.connect(server.address().port, '127.0.0.1');
  const started = performance.now();
  const stream = stores[0].replicate(true);
  socket.pipe(stream).pipe(socket);
  const remoteOfA = stores[1].get({ key: own[0].key });
  const remoteOfB = stores[0].get({ key: own[1].key });
  await Promise.all([remoteOfA.ready(), remoteOfB.ready()]);
  await Promise.all([
    remoteOfA.download({ start: 0, end: sizesA.length }).done(),
    remoteOfB.download({ start: 0, end: sizesB.length }).done(),
  ]);
  const wall = performance.now() - started;
  socket.destroy();
  server.close();
  await Promise.all(stores.map((store) => store.close()));
  return wall;
}

/** The same number of bytes each way over one loopback TCP connection. */
async function rawTcp(bytesA, bytesB) {
  const chunk = randomBytes(64 * 1024);
  const pump = (socket, bytes) => {
    let left = bytes;
    const write = () => {
      while (left > 0) {
        const size = Math.min(left, chunk.length);
        left -= size;
        if (!socket.write(size === chunk.length ? chunk : chunk.subarray(0, size))) return void socket.once('drain', write);
      }
    };
    write();
  };
  const receive = (socket, bytes) =>
    new Promise((resolve) => {
      let got = 0;
      socket.on('data', (data) => {
        got += data.length;
        if (got >= bytes) resolve();
      });
    });
  let serverDone;
  const server = net.createServer((socket) => {
    pump(socket, bytesB);
    serverDone = receive(socket, bytesA);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const started = performance.now();
  const socket = net.connect(server.address().port, '127.0.0.1');
  await new Promise((resolve) => socket.once('connect', resolve));
  pump(socket, bytesA);
  await receive(socket, bytesB);
  await serverDone;
  const wall = performance.now() - started;
  socket.destroy();
  server.close();
  return wall;
}

async function blockSizes(core) {
  const sizes = [];
  for (let index = 0; index < core.length; index += 1) sizes.push((await core.get(index)).length);
  return sizes;
}

try {
  console.log('\nproject store and replication (seeded data; A in this process, B in a child process)');

  for (const count of sizes) {
    const half = count / 2;
    const dirA = join(work, `a-${count}`);
    const dirB = join(work, `b-${count}`);
    const a = await Project.create(dirA, { name: 'Bench', deviceName: 'bench-a' }, log);
    const peer = peerProcess();
    peer.send({ op: 'init', dataDir: dirB, projectKey: a.info().projectKey, count: half, seed: 2_000_000 });
    const writeMs = await writeHalf(a, half, 1);
    const { writeMs: writeMsB } = await peer.next('ready');
    line(`write ${half} observations in batches of 5000 (A)`, `${(half / (writeMs / 1000)).toFixed(0)} docs/s`, `(B: ${(half / (writeMsB / 1000)).toFixed(0)} docs/s)`);

    const { wall, summary, remote } = await syncOnce(a, peer);
    const bytes = summary.sent.bytes + summary.received.bytes;
    if (a.countObservations() !== count || remote.observations !== count) throw new Error(`sync incomplete: ${a.countObservations()} / ${remote.observations}`);
    const sizesA = await blockSizes(a.store.own.docs);
    const sizesB = await blockSizes(a.store.device(summary.peer.deviceId).docs);
    const payload = [...sizesA, ...sizesB].reduce((sum, size) => sum + size, 0);
    const rawCore = await rawCorestore(sizesA, sizesB);
    const tcp = await rawTcp(sizesA.reduce((s, n) => s + n, 0), sizesB.reduce((s, n) => s + n, 0));
    line(`two-way sync of ${count} observations (${half} each way), loopback TCP`, `${(wall / 1000).toFixed(2)} s`,
      `${(count / (wall / 1000)).toFixed(0)} docs/s, ${(mib(bytes) / (wall / 1000)).toFixed(1)} MiB/s on the wire (${mib(bytes).toFixed(1)} MiB, payload ${mib(payload).toFixed(1)} MiB)`);
    line(`  raw Corestore replication of the same blocks, both ways`, `${(rawCore / 1000).toFixed(2)} s`, `sync = ${(wall / rawCore).toFixed(2)}× raw Corestore`);
    line(`  raw TCP copy of the same bytes, both ways`, `${(tcp / 1000).toFixed(2)} s`, `sync = ${(wall / tcp).toFixed(1)}× raw TCP`);
    line(`  peak RSS after sync: A (this process, with bench) / B (a host alone)`, `${peakRssMiB().toFixed(0)} / ${remote.rssMiB.toFixed(0)} MiB`);

    // One new observation on a synced pair.
    const increments = [];
    for (let round = 0; round < 5; round += 1) {
      peer.send({ op: 'add', seed: 9_000_000 + round });
      await peer.next('added');
      increments.push((await syncOnce(a, peer)).wall);
    }
    line(`incremental sync of 1 new observation on the synced ${count} pair`, `median ${median(increments).toFixed(0)} ms`, `(5 runs, new connection each)`);

    // Index queries at this size.
    const random = seededRandom(7);
    const durations = [];
    for (let run = 0; run < 300; run += 1) {
      const west = -70 + random() * 14;
      const south = -8 + random() * 9;
      const filter = { bbox: [west, south, west + 1, south + 1], category: sampleCategories[run % sampleCategories.length], limit: 100 };
      const started = performance.now();
      a.queryObservations(filter);
      a.countObservations(filter);
      durations.push(performance.now() - started);
    }
    line(`bbox (1°×1°) + category query with count, at ${count}`, `p50 ${median(durations).toFixed(2)} ms`, `p95 ${percentile(durations, 95).toFixed(2)} ms`);

    const singles = [];
    for (let run = 0; run < 50; run += 1) {
      const [input] = generateObservations(1, 5_000_000 + run);
      const started = performance.now();
      await a.createObservations([input]);
      singles.push(performance.now() - started);
    }
    line(`one observation written and indexed, on a store of ${count}`, `median ${median(singles).toFixed(1)} ms`);

    peer.send({ op: 'exit' });
    await peer.next('closed');
    await a.close();
  }
  console.log(rows.join('\n'));
} finally {
  await rm(work, { recursive: true, force: true });
}
