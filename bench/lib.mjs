// Small helpers shared by the benchmarks: timing, medians, and one table per benchmark.

/** Runs `work` `runs` times after one warm-up; returns the durations in milliseconds. */
export async function time(runs, work) {
  await work();
  const durations = [];
  for (let run = 0; run < runs; run += 1) {
    const started = performance.now();
    await work();
    durations.push(performance.now() - started);
  }
  return durations;
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Prints rows of { what, median, baseline? } with the ratio to the baseline, and peak memory. */
export function report(title, rows) {
  console.log(`\n${title}`);
  for (const row of rows) {
    const ratio = row.baseline ? `  (${(row.median / row.baseline).toFixed(2)}× baseline)` : '';
    console.log(`  ${row.what.padEnd(58)} median ${row.median.toFixed(1).padStart(8)} ms${ratio}`);
  }
  console.log(`  peak RSS of this process: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
}

/** p-th percentile (0–100) of a list of numbers. */
export function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export const mib = (bytes) => bytes / (1024 * 1024);
export const peakRssMiB = () => process.resourceUsage().maxRSS / 1024;

/**
 * A device with `count` seeded observations plus `photos` observations of one random 1 MB photo
 * each, in `dir`; resolves with its project key. The photos are written to `photoDir` first.
 */
export async function seedDevice({ dir, photoDir, count, photos, seed }) {
  const [{ mkdir, writeFile }, { randomBytes }, { join }, { Project }, { generateObservations, seededRandom }] = await Promise.all([
    import('node:fs/promises'),
    import('node:crypto'),
    import('node:path'),
    import('@cairn/core/node/project/project.js'),
    import('@cairn/core/common/sample-data.js'),
  ]);
  const log = { debug() {}, info() {}, warn: (m) => console.error(m), error: (m) => console.error(m) };
  const project = await Project.create(dir, { name: 'Bench', deviceName: 'source' }, log);
  for (let offset = 0; offset < count; offset += 5000) await project.createObservations(generateObservations(Math.min(5000, count - offset), 1 + offset));
  const random = seededRandom(seed);
  await mkdir(photoDir, { recursive: true });
  const withPhotos = [];
  for (let index = 0; index < photos; index += 1) {
    const path = join(photoDir, `photo-${index}.jpg`);
    await writeFile(path, randomBytes(1024 * 1024));
    withPhotos.push({ lat: random() * 10, lon: random() * 10, notes: `photo ${index}`, attachments: [{ path }] });
  }
  for (let offset = 0; offset < withPhotos.length; offset += 25) await project.createObservations(withPhotos.slice(offset, offset + 25));
  const key = project.info().projectKey;
  await project.close();
  return key;
}
