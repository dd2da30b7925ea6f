// Sync with a file: N observations plus 200 photos of 1 MB into a new file and out into a fresh
// device, beside a raw `tar` of the same data dir; the file's size against the raw payload; and
// one new observation synced into the big file.
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, stat, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Project } from '@cairn/core/node/project/project.js';
import { generateObservations } from '@cairn/core/common/sample-data.js';
import { median, mib, seedDevice } from './lib.mjs';

const sizes = (process.env.BENCH_SIZES ?? '10000,100000').split(',').map(Number);
const photos = Number(process.env.BENCH_PHOTOS ?? 200);
const peer = fileURLToPath(new URL('./sync-file-peer.mjs', import.meta.url));
const log = { debug() {}, info() {}, warn: (m) => console.error(m), error: (m) => console.error(m) };
const work = await mkdtemp(join(tmpdir(), 'cairn-bench-file-'));
const rows = [];
const line = (what, value, extra = '') => rows.push(`  ${what.padEnd(64)} ${value}${extra ? `  ${extra}` : ''}`);

function syncProcess(dataDir, file) {
  const output = execFileSync(process.execPath, [peer, dataDir, file], { cwd: fileURLToPath(new URL('..', import.meta.url)), encoding: 'utf8', maxBuffer: 1 << 24 });
  return JSON.parse(output.trim().split('\n').at(-1));
}

async function duSize(dir) {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += (await stat(join(entry.parentPath ?? entry.path, entry.name))).size;
  }
  return total;
}

try {
  console.log('\nsync with a file (each sync in a process of its own)');
  for (const count of sizes) {
    const source = join(work, `source-${count}`);
    const photoDir = join(work, `photos-${count}`);
    const key = await seedDevice({ dir: source, photoDir, count, photos, seed: 99 });
    const payload = count * 180 + photos * 1024 * 1024; // approximate JSON size per observation, plus photos

    const file = join(work, `bench-${count}.cairnsync`);
    const into = syncProcess(source, file);
    const fileSize = (await stat(file)).size;
    const target = join(work, `target-${count}`);
    const fresh = await Project.create(target, { join: key, deviceName: 'target' }, log);
    await fresh.close();
    const out = syncProcess(target, file);
    if (out.observations !== count + photos) throw new Error(`the fresh device has ${out.observations} observations, expected ${count + photos}`);

    const tarFile = join(work, `raw-${count}.tar`);
    const tarTimes = [];
    const startedTar = performance.now();
    execFileSync('tar', ['-cf', tarFile, '-C', source, 'corestore', 'index.db']);
    tarTimes.push(performance.now() - startedTar);
    const startedUntar = performance.now();
    const untarDir = join(work, `untar-${count}`);
    await mkdir(untarDir);
    execFileSync('tar', ['-xf', tarFile, '-C', untarDir]);
    const untar = performance.now() - startedUntar;

    const label = `${count} observations + ${photos} photos of 1 MB`;
    line(`${label}: into a new file`, `${(into.wall / 1000).toFixed(2)} s`, `(${(into.wall / median(tarTimes)).toFixed(1)}× raw tar of the data dir; peak RSS ${into.rssMiB.toFixed(0)} MiB)`);
    line(`${label}: out into a fresh device`, `${(out.wall / 1000).toFixed(2)} s`, `(${(out.wall / untar).toFixed(1)}× raw untar; peak RSS ${out.rssMiB.toFixed(0)} MiB)`);
    line(`  raw tar / untar of the source data dir`, `${(median(tarTimes) / 1000).toFixed(2)} / ${(untar / 1000).toFixed(2)} s`, `(${mib(await duSize(source)).toFixed(0)} MiB)`);
    line(`  file size against the raw payload`, `${mib(fileSize).toFixed(1)} MiB`, `(payload ≈ ${mib(payload).toFixed(1)} MiB: ${(fileSize / payload).toFixed(2)}×)`);

    // One new observation on the source, then into the big file.
    const again = await Project.open(source, log);
    await again.createObservations(generateObservations(1, 777_777));
    await again.close();
    const increments = [];
    for (let run = 0; run < 3; run += 1) {
      increments.push(syncProcess(source, file).wall);
      const more = await Project.open(source, log);
      await more.createObservations(generateObservations(1, 888_888 + run));
      await more.close();
    }
    line(`  one new observation into the ${count} file`, `median ${median(increments).toFixed(0)} ms`, `(file ${mib((await stat(file)).size).toFixed(1)} MiB)`);
    await rm(untarDir, { recursive: true, force: true });
    await rm(photoDir, { recursive: true, force: true });
  }
  console.log(rows.join('\n'));
} finally {
  await rm(work, { recursive: true, force: true });
}
