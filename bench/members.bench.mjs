// Members and roles: what they cost a sync, and what a removal costs.
// - Two-way sync of 10k observations over loopback TCP in a project from before roles (no
//   membership records: nothing judged, nothing sealed) beside the same sync in a project with a
//   roster and a key epoch (every block judged on receipt and sealed with the epoch's key).
// - A removal's key rotation in a project of 100k observations: its time, and what it appends.
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Project } from '@cairn/core/node/project/project.js';
import { generateObservations } from '@cairn/core/common/sample-data.js';
import { median } from './lib.mjs';

const count = Number(process.env.BENCH_MEMBERS_COUNT ?? 10_000);
const rotationCount = Number(process.env.BENCH_ROTATION_COUNT ?? 100_000);
const runs = Number(process.env.BENCH_RUNS ?? 3);
const log = { debug() {}, info() {}, warn: (m) => console.error(m), error: (m) => console.error(m) };
const work = await mkdtemp(join(tmpdir(), 'cairn-bench-members-'));
let dirs = 0;
const dir = () => join(work, `d${(dirs += 1)}`);

async function write(project, total) {
  for (let offset = 0; offset < total; offset += 5000) await project.createObservations(generateObservations(Math.min(5000, total - offset), 1 + offset));
}

/** One sync over loopback TCP between two projects of this process; resolves with its time. */
async function syncTcp(a, b) {
  const server = net.createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const accepted = new Promise((resolve) => server.once('connection', resolve));
  const client = net.connect(server.address().port, '127.0.0.1');
  const socket = await accepted;
  const started = performance.now();
  try {
    await Promise.all([a.replicate(client, { initiator: true }).done, b.replicate(socket, { initiator: false }).done]);
    return performance.now() - started;
  } finally {
    client.destroy();
    socket.destroy();
    server.close();
  }
}

async function refused(a, b) {
  await syncTcp(a, b).then(
    () => {
      throw new Error('expected the sync to be refused');
    },
    () => undefined,
  );
}

try {
  // Before roles: devices that all joined with the key, as an older Cairn made them.
  const key = 'cd'.repeat(32);
  const legacySource = await Project.create(dir(), { join: key, deviceName: 'source' }, log);
  await write(legacySource, count);
  const legacy = [];
  for (let run = 0; run < runs; run += 1) {
    const target = await Project.create(dir(), { join: key, deviceName: `target-${run}` }, log);
    await target.createObservations(generateObservations(100, 900_000 + run));
    legacy.push(await syncTcp(legacySource, target));
    await target.close();
  }
  await legacySource.close();

  // With roles and a key epoch: a removal has happened, so every block is sealed, and the target
  // is a device admitted after it.
  const source = await Project.create(dir(), { name: 'Bench', deviceName: 'source' }, log);
  const gone = await Project.create(dir(), { join: source.info().projectKey, deviceName: 'gone' }, log);
  await syncTcp(source, gone);
  await source.members.remove(gone.store.deviceId);
  await gone.close();
  await write(source, count);
  const roles = [];
  for (let run = 0; run < runs; run += 1) {
    const target = await Project.create(dir(), { join: source.info().projectKey, deviceName: `target-${run}` }, log);
    await refused(source, target);
    await source.members.admit(target.store.deviceId);
    await target.createObservations(generateObservations(100, 900_000 + run)).catch(() => undefined);
    roles.push(await syncTcp(source, target));
    if (target.countObservations() < count) throw new Error(`the admitted device got ${target.countObservations()} of ${count} observations`);
    await target.close();
  }
  await source.close();

  // A removal's key rotation in a big project.
  const big = await Project.create(dir(), { name: 'Big', deviceName: 'coordinator' }, log);
  const members = [];
  for (let index = 0; index < runs; index += 1) {
    const member = await Project.create(dir(), { join: big.info().projectKey, deviceName: `member-${index}` }, log);
    await syncTcp(big, member);
    members.push(member);
  }
  await write(big, rotationCount);
  const rotations = [];
  const appended = [];
  for (const member of members) {
    const before = big.store.own.docs.length;
    const started = performance.now();
    await big.members.remove(member.store.deviceId);
    rotations.push(performance.now() - started);
    appended.push(big.store.own.docs.length - before);
    await member.close();
  }
  await big.close();

  const legacyMedian = median(legacy);
  const rolesMedian = median(roles);
  console.log('\nmembers and roles');
  console.log(`  two-way sync of ${count.toLocaleString('en')} observations, before roles (baseline)`.padEnd(72) + `median ${legacyMedian.toFixed(0).padStart(6)} ms`);
  console.log(
    `  the same with a roster and a key epoch (judged, sealed)`.padEnd(72) +
      `median ${rolesMedian.toFixed(0).padStart(6)} ms  (${(rolesMedian / legacyMedian).toFixed(2)}× baseline)`,
  );
  console.log(
    `  removal with key rotation, ${rotationCount.toLocaleString('en')} observations`.padEnd(72) +
      `median ${median(rotations).toFixed(1).padStart(6)} ms  (blocks appended: ${appended.join(', ')}; nothing re-encrypted)`,
  );
  console.log(`  runs: ${runs}; peak RSS of this process: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
} finally {
  await rm(work, { recursive: true, force: true });
}
