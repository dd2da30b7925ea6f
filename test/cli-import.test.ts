import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'chai';
import { runCairn, TempDirs } from './helpers.js';

describe('cairn import and sample data on the command line', function () {
  this.timeout(120_000);
  const temp = new TempDirs();
  afterEach(() => temp.cleanup());

  it('prints what it imported and what it skipped as imported before, for people and as JSON', async () => {
    const dataDir = await temp.make();
    const cairn = (...args: string[]) => runCairn(['--data-dir', dataDir, ...args]);
    expect((await cairn('init', '--name', 'Imports')).code).to.equal(0);
    const file = join(await temp.make(), 'survey.geojson');
    const point = (id: string, lon: number) => ({ type: 'Feature', id, geometry: { type: 'Point', coordinates: [lon, -3] }, properties: { notes: id } });
    await writeFile(file, JSON.stringify({ type: 'FeatureCollection', features: [point('a', 1), point('b', 2), { ...point('c', 3), geometry: null }] }));

    const first = await cairn('import', file);
    expect(first.code, first.stderr).to.equal(0);
    expect(JSON.parse(first.stdout)).to.deep.include({ imported: 2, skipped: 0 });
    expect(first.stdout).to.contain('"imported": 2,\n  "skipped": 0,');

    const again = await cairn('import', file, '--json');
    expect(again.code, again.stderr).to.equal(0);
    const result = JSON.parse(again.stdout) as Record<string, unknown>;
    expect(Object.keys(result)).to.deep.equal(['file', 'format', 'imported', 'skipped', 'rejected']);
    expect(result).to.deep.include({ file, format: 'geojson', imported: 0, skipped: 2 });
    expect(result.rejected).to.deep.equal([{ index: 2, reason: 'The feature has no geometry, so no location.' }]);

    const notAZip = join(await temp.make(), 'photos.zip');
    await writeFile(notAZip, 'not a zip');
    const refused = await cairn('import', notAZip);
    expect(refused.code).to.equal(1);
    expect(refused.stderr).to.equal(`error [ERR_NOT_A_ZIP]: ${notAZip} is not a zip file. Give a zip of a GeoJSON or CSV file and its photos, or import the GeoJSON or CSV file itself.\n`);
    expect(JSON.parse((await cairn('import', notAZip, '--json')).stderr)).to.deep.equal({
      error: { code: 'ERR_NOT_A_ZIP', message: `${notAZip} is not a zip file. Give a zip of a GeoJSON or CSV file and its photos, or import the GeoJSON or CSV file itself.` },
    });
  });

  it('loads sample data with its categories, and loading again adds observations but no categories', async () => {
    const dataDir = await temp.make();
    const cairn = async (...args: string[]) => {
      const run = await runCairn(['--data-dir', dataDir, ...args, '--json']);
      expect(run.code, run.stderr).to.equal(0);
      return JSON.parse(run.stdout) as unknown;
    };
    expect(await cairn('run', 'cairn.project.loadSampleData', '300')).to.deep.include({ projectName: 'Sample project', observations: 300 });
    expect(await cairn('run', 'cairn.project.loadSampleData', '200')).to.deep.include({ observations: 500 });
    const animals = (await cairn('obs', 'list', '--category', 'animal', '--from', '2025-03-01', '--to', '2025-03-31T23:59:59Z')) as Array<{ createdAt: string; notes: string }>;
    expect(animals.length).to.be.greaterThan(0).and.lessThan(50);
    expect(animals.every((observation) => observation.createdAt.startsWith('2025-03'))).to.equal(true);
  });
});
