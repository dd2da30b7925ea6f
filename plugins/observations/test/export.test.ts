import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { startTestHost, type TestHost } from '@cairn/core/testing';

const pluginDir = fileURLToPath(new URL('..', import.meta.url));
const run = promisify(execFile);

describe('cairn export', function () {
  this.timeout(60_000);
  let host: TestHost;
  let folder: string;
  beforeEach(async () => {
    host = await startTestHost({ plugins: [pluginDir], project: true });
    folder = await mkdtemp(join(tmpdir(), 'cairn-export-'));
    const photo = join(folder, 'tapir.jpg');
    await writeFile(photo, Buffer.from('not really a jpeg'));
    const add = async (...args: string[]) => expect((await host.cli('obs', 'add', ...args)).exitCode).to.equal(0);
    await add('--lat', '-3.46', '--lon', '-62.21', '--category', 'animal', '--notes', 'Tapir tracks, fresh', '--tag', 'count=2', '--photo', photo);
    await add('--lat', '-3.5', '--lon', '-62.3', '--category', 'plant', '--notes', 'Açaí "palm"', '--tag', 'height=12m');
    await add('--lat', '10', '--lon', '10', '--category', 'animal', '--notes', 'far away');
  });
  afterEach(async () => {
    await host.dispose();
    await rm(folder, { recursive: true, force: true });
  });

  it('writes GeoJSON a GIS reads: a FeatureCollection of points, longitude first', async () => {
    const out = join(folder, 'all.geojson');
    const result = await host.cli('export', '--format', 'geojson', '--out', out, '--json');
    expect(result.exitCode, result.stderr).to.equal(0);
    expect(JSON.parse(result.stdout)).to.deep.equal({ file: out, format: 'geojson', observations: 3 });
    const collection = JSON.parse(await readFile(out, 'utf8')) as { type: string; features: Array<{ geometry: { coordinates: number[] }; properties: Record<string, unknown> }> };
    expect(collection.type).to.equal('FeatureCollection');
    const tapir = collection.features.find((feature) => feature.properties.notes === 'Tapir tracks, fresh')!;
    expect(tapir.geometry).to.deep.equal({ type: 'Point', coordinates: [-62.21, -3.46] });
    expect(tapir.properties).to.deep.include({ categoryId: 'animal', count: '2', $photos: ['tapir.jpg'] });
  });

  it('writes CSV with a BOM, a column per tag, and only what the filters match', async () => {
    const out = join(folder, 'near.csv');
    const result = await host.cli('export', '--format', 'csv', '--out', out, '--bbox', '-63,-4,-62,-3', '--json');
    expect(result.exitCode, result.stderr).to.equal(0);
    expect(JSON.parse(result.stdout)).to.deep.include({ observations: 2 });
    const text = await readFile(out, 'utf8');
    expect(text.startsWith('\uFEFFid,version,createdAt,updatedAt,createdBy,lat,lon,category,notes,attachments,count,height\r\n')).to.equal(true);
    expect(text).to.contain(',"Tapir tracks, fresh",tapir.jpg,2,\r\n');
    expect(text).to.contain(',"Açaí ""palm""",,,12m\r\n');
    expect(text).not.to.contain('far away');

    const animals = join(folder, 'animals.csv');
    await host.cli('export', '--format', 'csv', '--out', animals, '--category', 'animal');
    const rows = (await readFile(animals, 'utf8')).trim().split('\r\n');
    expect(rows).to.have.length(3);
  });

  it('refuses bad input with a coded error, and never leaves a half-written file', async () => {
    const out = join(folder, 'kept.geojson');
    await writeFile(out, 'the old export');
    const cases: Array<[string[], RegExp]> = [
      [['--format', 'kml', '--out', out], /^error \[ERR_INVALID_INPUT\]: format: give one of csv, geojson, zip \(got 'kml'\)/],
      [['--format', 'csv', '--out', out, '--bbox', '1,2,3'], /^error \[ERR_INVALID_INPUT\]: bbox: give west,south,east,north/],
      [['--format', 'csv', '--out', out, '--from', 'yesterday'], /^error \[ERR_INVALID_INPUT\]: from: 'yesterday' is not a date/],
      [['--format', 'csv', '--out', join(folder, 'missing', 'x.csv')], /^error \[ERR_IO\]: Cannot write .* the folder .*missing does not exist/],
      [['--format', 'csv', '--out', folder], /^error \[ERR_INVALID_INPUT\]: out: .* is a folder/],
    ];
    for (const [args, expected] of cases) {
      const result = await host.cli('export', ...args);
      expect(result.exitCode, args.join(' ')).to.equal(1);
      expect(result.stderr).to.match(expected);
    }
    expect(await readFile(out, 'utf8')).to.equal('the old export');
    // A good export replaces it whole; nothing is left beside it.
    expect((await host.cli('export', '--format', 'geojson', '--out', out)).exitCode).to.equal(0);
    expect(JSON.parse(await readFile(out, 'utf8')).features).to.have.length(3);
    expect((await readdir(folder)).filter((name) => name.includes('.tmp'))).to.deep.equal([]);
  });

  it('writes GeoJSON that GDAL reads: three points in WGS 84, with the tags as fields', async () => {
    const out = join(folder, 'for-gdal.geojson');
    expect((await host.cli('export', '--format', 'geojson', '--out', out)).exitCode).to.equal(0);
    // Debian's gdal-bin; npm test installs it as root when it is missing.
    const { stdout } = await run('ogrinfo', ['-ro', '-al', '-so', out]);
    expect(stdout).to.match(/Geometry: Point/);
    expect(stdout).to.match(/Feature Count: 3/);
    expect(stdout).to.match(/WGS 84/);
    expect(stdout).to.match(/Extent: \(-62\.300000, -3\.500000\) - \(10\.000000, 10\.000000\)/);
    expect(stdout).to.match(/^notes: String/m);
    const features = await run('ogrinfo', ['-ro', '-al', '-q', '-where', "notes = 'Tapir tracks, fresh'", out]);
    expect(features.stdout).to.match(/categoryId \(String\) = animal/);
    expect(features.stdout).to.match(/POINT \(-62\.21 -3\.46\)/);
  });
});
