import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { ZipFile } from 'yazl';
import { seededRandom, type Observation } from '@cairn/sdk';
import { startTestHost, type TestHost } from '@cairn/core/testing';
import { unzip } from './zips.js';

const pluginDir = fileURLToPath(new URL('..', import.meta.url));
const mapeoExport = fileURLToPath(new URL('../test/fixtures/gc-scripts-hub/mapeo_observations.geojson', import.meta.url));

interface ImportResult {
  file: string;
  format: string;
  imported: number;
  skipped: number;
  rejected: Array<{ line?: number; index?: number; reason: string }>;
}

/** Seeded bytes that start as a JPEG does. */
function jpeg(seed: number, size = 40_000): Buffer {
  const random = seededRandom(seed);
  const bytes = Buffer.from(Array.from({ length: size }, () => Math.floor(random() * 256)));
  bytes.set([0xff, 0xd8, 0xff, 0xe0], 0);
  return bytes;
}

/** Writes a zip of these entries (name → bytes), stored or compressed. */
async function zip(path: string, entries: Record<string, Buffer | string>, compress = false): Promise<string> {
  const file = new ZipFile();
  for (const [name, bytes] of Object.entries(entries)) file.addBuffer(Buffer.from(bytes), name, { compress });
  file.end();
  await new Promise<void>((resolve, reject) => file.outputStream.pipe(createWriteStream(path)).on('close', resolve).on('error', reject));
  return path;
}

describe('cairn import of a zip with photos', function () {
  this.timeout(120_000);
  const hosts: TestHost[] = [];
  let folder: string;
  beforeEach(async () => {
    folder = await mkdtemp(join(tmpdir(), 'cairn-zip-import-'));
  });
  afterEach(async () => {
    for (const host of hosts.splice(0)) await host.dispose();
    await rm(folder, { recursive: true, force: true });
  });

  async function start(): Promise<TestHost> {
    const host = await startTestHost({ plugins: [pluginDir], project: true });
    hosts.push(host);
    return host;
  }

  async function json<T>(host: TestHost, ...args: string[]): Promise<T> {
    const result = await host.cli(...args, '--json');
    expect(result.exitCode, result.stderr).to.equal(0);
    return JSON.parse(result.stdout) as T;
  }

  async function attachment(host: TestHost, id: string, name: string): Promise<Buffer> {
    const out = join(folder, `out-${id}-${name}`);
    await json(host, 'obs', 'attachment', id, name, '--out', out);
    return readFile(out);
  }

  const list = (host: TestHost) => json<Observation[]>(host, 'obs', 'list');

  it('reads Cairn’s own zip export into another project with its photos, byte for byte', async () => {
    const source = await start();
    const photos = { 'tracks.jpg': jpeg(1), 'same-name.jpg': jpeg(2) };
    for (const [name, bytes] of Object.entries(photos)) await writeFile(join(folder, name), bytes);
    const tapir = await json<{ id: string }>(source, 'obs', 'add', '--lat', '-3.46', '--lon', '-62.21', '--notes', 'Tapir', '--photo', join(folder, 'tracks.jpg'), '--photo', join(folder, 'same-name.jpg'));
    // Another observation with another photo of the same name: the zip's folders tell them apart.
    await writeFile(join(folder, 'same-name.jpg'), jpeg(3));
    const jaguar = await json<{ id: string }>(source, 'obs', 'add', '--lat', '1', '--lon', '2', '--notes', 'Jaguar', '--photo', join(folder, 'same-name.jpg'));
    await json(source, 'obs', 'add', '--lat', '3', '--lon', '4', '--notes', 'No photo');
    const out = join(folder, 'survey.zip');
    await json(source, 'export', '--format', 'zip', '--out', out);

    // Into its own project: everything is there already.
    expect(await json<ImportResult>(source, 'import', out)).to.deep.equal({ file: out, format: 'zip', imported: 0, skipped: 3, rejected: [] });

    const target = await start();
    expect(await json<ImportResult>(target, 'import', out)).to.deep.include({ format: 'zip', imported: 3, skipped: 0, rejected: [] });
    const copied = new Map((await list(target)).map((observation) => [observation.id, observation]));
    expect(copied.get(tapir.id)!.attachments.map((a) => [a.name, a.mimeType, a.size])).to.deep.equal([
      ['tracks.jpg', 'image/jpeg', 40_000],
      ['same-name.jpg', 'image/jpeg', 40_000],
    ]);
    expect(copied.get(tapir.id)!.tags).to.deep.equal({});
    expect((await attachment(target, tapir.id, 'tracks.jpg')).equals(photos['tracks.jpg'])).to.equal(true);
    expect((await attachment(target, tapir.id, 'same-name.jpg')).equals(photos['same-name.jpg'])).to.equal(true);
    expect((await attachment(target, jaguar.id, 'same-name.jpg')).equals(jpeg(3))).to.equal(true);
    expect(await json<ImportResult>(target, 'import', out)).to.deep.include({ imported: 0, skipped: 3 });
  });

  it('reads a Mapeo-style zip: $photos found by name anywhere in it; a photo not there stays in the photos tag', async () => {
    const host = await start();
    const [first, second, third] = ['53a3841fb6028ba608a085d36b1115d9.jpg', 'c63adea79098a59e22e8bf73e5df68a1.jpg', 'f58953ea5b6519b6c7e587c79e98fc2b.jpg'];
    const out = await zip(join(folder, 'mapeo.zip'), {
      'export/observations.geojson': await readFile(mapeoExport),
      [`export/images/${first}`]: jpeg(10),
      [`export/media/original/${second}`]: jpeg(11),
      '__MACOSX/export/._observations.geojson': 'resource fork',
    }, true);
    expect(await json<ImportResult>(host, 'import', out)).to.deep.include({ imported: 3, skipped: 0, rejected: [] });
    const byNotes = new Map((await list(host)).map((observation) => [observation.notes, observation]));
    const gathering = byNotes.get('Gathering spot for bird watchers')!;
    expect(gathering.attachments.map((a) => a.name)).to.deep.equal([first]);
    expect(gathering.tags).to.deep.equal({ type: 'activity', activity: 'gathering' });
    expect((await attachment(host, gathering.id, first!)).equals(jpeg(10))).to.equal(true);
    expect((await attachment(host, byNotes.get('Small stream near the Great Lawn')!.id, second!)).equals(jpeg(11))).to.equal(true);
    const waterfall = byNotes.get('Popular waterfall near the Ramble')!;
    expect(waterfall.attachments).to.deep.equal([]);
    expect(waterfall.tags.photos).to.deep.equal([third]);
    // The same zip again: nothing new.
    expect(await json<ImportResult>(host, 'import', out)).to.deep.include({ imported: 0, skipped: 3 });
  });

  it('reads a zip of Cairn’s CSV and its photos, and --strict keeps its meaning', async () => {
    const source = await start();
    await writeFile(join(folder, 'p.png'), Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), jpeg(20, 1000)]));
    const added = await json<{ id: string }>(source, 'obs', 'add', '--lat', '5', '--lon', '6', '--notes', 'with a png', '--photo', join(folder, 'p.png'));
    const exported = join(folder, 'export.zip');
    await json(source, 'export', '--format', 'zip', '--out', exported);
    const csvOnly = join(folder, 'csv-only.zip');
    const entries = await unzip(exported);
    await zip(csvOnly, { 'observations.csv': entries.get('observations.csv')!, [`photos/${added.id}/p.png`]: entries.get(`photos/${added.id}/p.png`)! });
    const target = await start();
    expect(await json<ImportResult>(target, 'import', csvOnly, '--strict')).to.deep.include({ imported: 1, rejected: [] });
    const [copied] = await list(target);
    expect(copied).to.deep.include({ id: added.id, notes: 'with a png' });
    expect(copied!.attachments.map((a) => [a.name, a.mimeType])).to.deep.equal([['p.png', 'image/png']]);
    expect((await attachment(target, added.id, 'p.png')).equals(await readFile(join(folder, 'p.png')))).to.equal(true);
  });

  it('refuses bad zips with a coded error, and imports nothing from them', async () => {
    const host = await start();
    const feature = (id: string, photos: string[]) => ({ type: 'Feature', id, geometry: { type: 'Point', coordinates: [1, 2] }, properties: { notes: id, $photos: photos } });
    const geojson = (...features: unknown[]) => JSON.stringify({ type: 'FeatureCollection', features });
    const notAZip = join(folder, 'not.zip');
    await writeFile(notAZip, 'lat,lon\n1,2\n');
    const good = await zip(join(folder, 'good.zip'), { 'data.geojson': geojson(feature('a', ['a.jpg'])), 'images/a.jpg': jpeg(30) });
    const truncated = join(folder, 'truncated.zip');
    await writeFile(truncated, (await readFile(good)).subarray(0, 200));
    const damaged = join(folder, 'damaged.zip');
    const bytes = Buffer.from(await readFile(good));
    const at = bytes.indexOf(jpeg(30).subarray(1000, 1032));
    bytes[at + 5] ^= 0xff;
    await writeFile(damaged, bytes);
    const cases: Array<[string, Record<string, Buffer | string> | null, string, RegExp]> = [
      ['not.zip', null, 'ERR_NOT_A_ZIP', /not\.zip is not a zip file/],
      ['truncated.zip', null, 'ERR_CORRUPT_ZIP', /truncated\.zip is damaged: its table of contents/],
      ['damaged.zip', null, 'ERR_CORRUPT_ZIP', /damaged\.zip is damaged: its entry images\/a\.jpg is damaged \(its checksum does not match\)/],
      ['empty.zip', { 'readme.txt': 'hello' }, 'ERR_INVALID_INPUT', /empty\.zip holds no GeoJSON or CSV file of observations \(it holds readme\.txt\)/],
      ['several.zip', { 'a.geojson': geojson(), 'b.csv': 'lat,lon\n1,2\n' }, 'ERR_INVALID_INPUT', /several\.zip holds several files that could be the observations \(a\.geojson, b\.csv\)/],
      ['text-photo.zip', { 'data.geojson': geojson(feature('t', ['t.jpg'])), 't.jpg': 'not a photo at all' }, 'ERR_INVALID_INPUT', /t\.jpg in .*text-photo\.zip, a photo of feature 0, is not an image/],
      ['broken-data.zip', { 'data.geojson': '{"type":"FeatureCollection","features":[' }, 'ERR_INVALID_INPUT', /data\.geojson in .*broken-data\.zip: Not a GeoJSON file/],
    ];
    for (const [name, entries, code, message] of cases) {
      const path = entries === null ? join(folder, name) : await zip(join(folder, name), entries);
      const result = await host.cli('import', path, '--json');
      expect(result.exitCode, name).to.equal(1);
      const { error } = JSON.parse(result.stderr) as { error: { code: string; message: string } };
      expect(error.code, `${name}: ${error.message}`).to.equal(code);
      expect(error.message, name).to.match(message);
    }
    // A damaged photo after good records: nothing of the batch it is in is written.
    const late = await zip(join(folder, 'late.zip'), { 'data.geojson': geojson(feature('ok', []), feature('bad', ['bad.jpg'])), 'bad.jpg': 'text' });
    expect((await host.cli('import', late)).exitCode).to.equal(1);
    expect((await json<{ observations: number }>(host, 'project')).observations).to.equal(0);
    expect(await json<ImportResult>(host, 'import', good)).to.deep.include({ imported: 1 });
  });
});
