import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import type { Observation } from '@cairn/sdk';
import { startTestHost, type TestHost } from '@cairn/core/testing';
import { unzip } from './zips.js';

const pluginDir = fileURLToPath(new URL('..', import.meta.url));
const kmlPlugin = fileURLToPath(new URL('../test/fixtures/kml-format', import.meta.url));
const mapeoExport = fileURLToPath(new URL('../test/fixtures/gc-scripts-hub/mapeo_observations.geojson', import.meta.url));

interface ImportResult {
  imported: number;
  rejected: Array<{ line?: number; index?: number; reason: string }>;
}

async function json<T>(host: TestHost, ...args: string[]): Promise<T> {
  const result = await host.cli(...args, '--json');
  expect(result.exitCode, result.stderr).to.equal(0);
  return JSON.parse(result.stdout) as T;
}

describe('cairn import, zip export and formats from other plugins', function () {
  this.timeout(60_000);
  let host: TestHost;
  let folder: string;
  beforeEach(async () => {
    host = await startTestHost({ plugins: [pluginDir, kmlPlugin], project: true });
    folder = await mkdtemp(join(tmpdir(), 'cairn-import-'));
  });
  afterEach(async () => {
    await host.dispose();
    await rm(folder, { recursive: true, force: true });
  });

  const list = async () => json<Observation[]>(host, 'obs', 'list');

  it('imports a Mapeo Desktop GeoJSON export: category, notes, creation time, tags and photo names', async () => {
    const result = await json<ImportResult>(host, 'import', mapeoExport);
    expect(result).to.deep.include({ imported: 3, rejected: [] });
    const observations = await list();
    const gathering = observations.find((observation) => observation.notes === 'Gathering spot for bird watchers')!;
    expect(gathering).to.deep.include({ lat: 40.785091, lon: -73.968285, category: 'gathering-site', createdAt: '2021-10-11T18:33:21.059Z' });
    expect(gathering.tags).to.deep.equal({ type: 'activity', activity: 'gathering', photos: ['53a3841fb6028ba608a085d36b1115d9.jpg'] });
  });

  it('imports the valid rows of a CSV, lists each invalid one with its line and reason, and writes no part of them', async () => {
    const csv = join(folder, 'points.csv');
    await writeFile(
      csv,
      [
        'latitude,longitude,notes,species',
        '-3.1,-60.0,"Tapir, two",tapir',
        '-3.2,abc,bad longitude,',
        '95,-60,too far north,',
        ',-60,no latitude,',
        '-3.3,-60.1,"a note',
        'on two lines",jaguar',
        '-3.4,-60.2,last,',
      ].join('\r\n'),
    );
    const result = await json<ImportResult>(host, 'import', csv);
    expect(result.imported).to.equal(3);
    expect(result.rejected.map((rejection) => rejection.line)).to.deep.equal([3, 4, 5]);
    expect(result.rejected[0]!.reason).to.match(/longitude/i);
    expect(result.rejected[1]!.reason).to.match(/latitude.*95|95.*latitude/i);
    const observations = await list();
    expect(observations.map((observation) => observation.notes).sort()).to.deep.equal(['Tapir, two', 'a note\r\non two lines', 'last']);
    expect(observations.find((observation) => observation.notes === 'Tapir, two')!.tags).to.deep.equal({ species: 'tapir' });
  });

  it('with --strict imports nothing when any row is invalid, and everything when all are valid', async () => {
    const bad = join(folder, 'bad.geojson');
    await writeFile(
      bad,
      JSON.stringify({
        type: 'FeatureCollection',
        features: [
          { type: 'Feature', geometry: { type: 'Point', coordinates: [1, 2] }, properties: { notes: 'fine' } },
          { type: 'Feature', geometry: null, properties: { notes: 'no point' } },
        ],
      }),
    );
    const refused = await json<ImportResult>(host, 'import', bad, '--strict');
    expect(refused.imported).to.equal(0);
    expect(refused.rejected).to.have.length(1);
    expect(refused.rejected[0]).to.deep.include({ index: 1 });
    expect(refused.rejected[0]!.reason).to.match(/geometry/i);
    expect(await list()).to.deep.equal([]);

    const good = join(folder, 'good.geojson');
    await writeFile(good, JSON.stringify({ type: 'FeatureCollection', features: [{ type: 'Feature', geometry: { type: 'Point', coordinates: [1, 2] }, properties: { notes: 'fine' } }] }));
    expect(await json<ImportResult>(host, 'import', good, '--strict')).to.deep.include({ imported: 1, rejected: [] });
  });

  it('reads back its own GeoJSON and CSV exports into another project as they were', async () => {
    const photo = join(folder, 'tracks.jpg');
    await writeFile(photo, Buffer.from('jpeg bytes'));
    expect((await host.cli('obs', 'add', '--lat', '-3.46', '--lon', '-62.21', '--category', 'animal', '--notes', 'Açaí "palm", then\na tapir', '--tag', 'count=2', '--tag', 'notes=a tag named notes', '--photo', photo)).exitCode).to.equal(0);
    expect((await host.cli('obs', 'add', '--lat', '10', '--lon', '20', '--notes', '')).exitCode).to.equal(0);
    const original = (await list()).map(({ lat, lon, category, notes, tags, createdAt }) => ({ lat, lon, category, notes, tags, createdAt }));
    for (const format of ['geojson', 'csv']) {
      const file = join(folder, `all.${format}`);
      await json(host, 'export', '--format', format, '--out', file);
      const other = await startTestHost({ plugins: [pluginDir], project: true });
      try {
        const result = await other.cli('import', file, '--json');
        expect(JSON.parse(result.stdout)).to.deep.include({ imported: 2, rejected: [] });
        const copied = JSON.parse((await other.cli('obs', 'list', '--json')).stdout) as Observation[];
        const expected = original.map((observation) => ({
          ...observation,
          // The photo's bytes are not in a GeoJSON or CSV file; GeoJSON keeps its name.
          tags: format === 'geojson' && observation.notes.startsWith('Açaí') ? { ...observation.tags, photos: ['tracks.jpg'] } : observation.tags,
        }));
        expect(copied.map(({ lat, lon, category, notes, tags, createdAt }) => ({ lat, lon, category, notes, tags, createdAt }))).to.deep.equal(expected);
      } finally {
        await other.dispose();
      }
    }
  });

  it('refuses what it cannot import with a coded error', async () => {
    const odd = join(folder, 'points.txt');
    await writeFile(odd, 'lat,lon\n1,2\n');
    const unknown = await host.cli('import', odd);
    expect(unknown.exitCode).to.equal(1);
    expect(unknown.stderr).to.match(/^error \[ERR_INVALID_INPUT\]: Cannot tell the format of .*points\.txt.*give --format \(csv, geojson, kml, zip\)/);
    expect(await json<ImportResult>(host, 'import', odd, '--format', 'csv')).to.deep.include({ imported: 1 });

    const missing = await host.cli('import', join(folder, 'nowhere.geojson'));
    expect(missing.stderr).to.match(/^error \[ERR_NOT_FOUND\]/);
    const notGeojson = join(folder, 'broken.geojson');
    await writeFile(notGeojson, '{"type": "FeatureCollection", "features": [');
    expect((await host.cli('import', notGeojson)).stderr).to.match(/^error \[ERR_INVALID_INPUT\]: .*broken\.geojson/);
    const noFormat = await host.cli('import', odd, '--format', 'shapefile');
    expect(noFormat.stderr).to.match(/^error \[ERR_INVALID_INPUT\]: There is no import format 'shapefile'/);
  });

  it('exports a zip of GeoJSON, CSV and the photos, honouring the filter', async () => {
    const photo = join(folder, 'tracks.jpg');
    const bytes = Buffer.from(Array.from({ length: 50_000 }, (_, index) => (index * 31) % 256));
    await writeFile(photo, bytes);
    await host.cli('obs', 'add', '--lat', '1', '--lon', '2', '--notes', 'tapir here', '--photo', photo);
    await host.cli('obs', 'add', '--lat', '3', '--lon', '4', '--notes', 'nothing');
    const out = join(folder, 'survey.zip');
    expect(await json(host, 'export', '--format', 'zip', '--out', out, '--text', 'tapir')).to.deep.include({ format: 'zip', observations: 1 });
    const entries = await unzip(out);
    const [tapir] = (await list()).filter((observation) => observation.notes === 'tapir here');
    expect([...entries.keys()].sort()).to.deep.equal(['observations.csv', 'observations.geojson', `photos/${tapir!.id}/tracks.jpg`]);
    expect(entries.get(`photos/${tapir!.id}/tracks.jpg`)!.equals(bytes)).to.equal(true);
    const collection = JSON.parse(entries.get('observations.geojson')!.toString('utf8')) as { features: Array<{ properties: { notes: string } }> };
    expect(collection.features.map((feature) => feature.properties.notes)).to.deep.equal(['tapir here']);
    expect(entries.get('observations.csv')!.toString('utf8')).to.contain('tapir here').and.not.to.contain('nothing');
  });

  it('offers the formats another plugin contributes: KML out and in, activating that plugin on first use', async () => {
    expect(host.plugin('kml-format').state).to.equal('inactive');
    await host.cli('obs', 'add', '--lat', '1.5', '--lon', '2.5', '--notes', 'Rock & river');
    await host.cli('obs', 'add', '--lat', '3', '--lon', '4', '--notes', 'elsewhere');
    const out = join(folder, 'near.kml');
    expect(await json(host, 'export', '--format', 'kml', '--out', out, '--bbox', '2,1,3,2')).to.deep.include({ format: 'kml', observations: 1 });
    expect(host.plugin('kml-format').state).to.equal('active');
    const kml = await readFile(out, 'utf8');
    expect(kml).to.contain('<name>Rock &amp; river</name><Point><coordinates>2.5,1.5</coordinates>').and.not.to.contain('elsewhere');

    const other = await startTestHost({ plugins: [pluginDir, kmlPlugin], project: true });
    try {
      expect(JSON.parse((await other.cli('import', out, '--json')).stdout)).to.deep.include({ imported: 1 });
      const [copied] = JSON.parse((await other.cli('obs', 'list', '--json')).stdout) as Observation[];
      expect(copied).to.deep.include({ lat: 1.5, lon: 2.5, notes: 'Rock & river' });
    } finally {
      await other.dispose();
    }

    // Disabled, its format is gone from both commands.
    await host.disable('kml-format');
    const refused = await host.cli('export', '--format', 'kml', '--out', join(folder, 'again.kml'));
    expect(refused.stderr).to.match(/^error \[ERR_INVALID_INPUT\]: format: give one of csv, geojson, zip/);
  });

  it('imports 12,000 rows, more than one batch, through the command other plugins run', async () => {
    const file = join(folder, 'many.csv');
    const stream = createWriteStream(file);
    stream.write('lat,lon,notes\n');
    for (let index = 0; index < 12_000; index++) stream.write(`${(index % 180) - 89.5},${(index % 360) - 179.5},row ${index}\n`);
    await new Promise((resolve) => stream.end(resolve));
    const result = await host.execute<ImportResult>('observations.import', { path: file });
    expect(result).to.deep.include({ imported: 12_000, rejected: [] });
    expect(JSON.parse((await host.cli('project', '--json')).stdout)).to.deep.include({ observations: 12_000 });
  });
});
