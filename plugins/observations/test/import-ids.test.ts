import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { seededRandom, type Observation } from '@cairn/sdk';
import { startTestHost, type TestHost } from '@cairn/core/testing';

const pluginDir = fileURLToPath(new URL('..', import.meta.url));
const syncFilePlugin = fileURLToPath(new URL('../../sync-file', import.meta.url));
const mapeoExport = fileURLToPath(new URL('../test/fixtures/gc-scripts-hub/mapeo_observations.geojson', import.meta.url));

interface ImportResult {
  file: string;
  format: string;
  imported: number;
  skipped: number;
  rejected: Array<{ line?: number; index?: number; reason: string }>;
}

/** A seeded GeoJSON FeatureCollection of `count` points, each with `id(index)` as its id when that is not undefined. */
function collection(count: number, seed: number, id: (index: number) => string | number | undefined): string {
  const random = seededRandom(seed);
  const features = Array.from({ length: count }, (_, index) => ({
    type: 'Feature',
    ...(id(index) !== undefined && { id: id(index) }),
    geometry: { type: 'Point', coordinates: [Math.round(-70 + random() * 10_000) / 1000, Math.round(-8 + random() * 10_000) / 1000] },
    properties: { notes: `point ${index}`, count: Math.floor(random() * 10) },
  }));
  return JSON.stringify({ type: 'FeatureCollection', features });
}

describe('cairn import: each record with an id is imported once', function () {
  this.timeout(120_000);
  const hosts: TestHost[] = [];
  let folder: string;
  beforeEach(async () => {
    folder = await mkdtemp(join(tmpdir(), 'cairn-import-ids-'));
  });
  afterEach(async () => {
    for (const host of hosts.splice(0)) await host.dispose();
    await rm(folder, { recursive: true, force: true });
  });

  async function start(project: boolean | { join: string } = true, plugins = [pluginDir]): Promise<TestHost> {
    const host = await startTestHost({ plugins, project });
    hosts.push(host);
    return host;
  }

  async function json<T>(host: TestHost, ...args: string[]): Promise<T> {
    const result = await host.cli(...args, '--json');
    expect(result.exitCode, result.stderr).to.equal(0);
    return JSON.parse(result.stdout) as T;
  }

  const count = async (host: TestHost) => (await json<{ observations: number }>(host, 'project')).observations;

  it('skips the features of a GeoJSON imported before, and says so', async () => {
    const host = await start();
    const file = join(folder, 'survey.geojson');
    await writeFile(file, collection(40, 1, (index) => `f${index}`));
    const first = await json<ImportResult>(host, 'import', file);
    expect(first).to.deep.equal({ file, format: 'geojson', imported: 40, skipped: 0, rejected: [] });
    const again = await host.cli('import', file);
    expect(again.exitCode, again.stderr).to.equal(0);
    expect(JSON.parse(again.stdout)).to.deep.equal({ file, format: 'geojson', imported: 0, skipped: 40, rejected: [] });
    expect(again.stdout).to.contain('"skipped": 40');
    expect(await count(host)).to.equal(40);

    // The Mapeo Desktop sample: its ids are kept apart from any other file's.
    expect(await json<ImportResult>(host, 'import', mapeoExport)).to.deep.include({ imported: 3, skipped: 0 });
    expect(await json<ImportResult>(host, 'import', mapeoExport)).to.deep.include({ imported: 0, skipped: 3 });
    // The command other plugins and the workbench run gives the same result.
    expect(await host.execute<ImportResult>('observations.import', { path: mapeoExport })).to.deep.include({ imported: 0, skipped: 3, rejected: [] });
    expect(await count(host)).to.equal(43);
  });

  it('imports features without ids every time, as before', async () => {
    const host = await start();
    const file = join(folder, 'no-ids.geojson');
    await writeFile(file, collection(5, 2, () => undefined));
    expect(await json<ImportResult>(host, 'import', file)).to.deep.include({ imported: 5, skipped: 0 });
    expect(await json<ImportResult>(host, 'import', file)).to.deep.include({ imported: 5, skipped: 0 });
    expect(await count(host)).to.equal(10);
  });

  it('keeps apart two files that number their features alike, and skips repeats within a file', async () => {
    const host = await start();
    const one = join(folder, 'one.geojson');
    const other = join(folder, 'other.geojson');
    await writeFile(one, collection(10, 3, (index) => index + 1));
    await writeFile(other, collection(10, 4, (index) => index + 1));
    expect(await json<ImportResult>(host, 'import', one)).to.deep.include({ imported: 10 });
    expect(await json<ImportResult>(host, 'import', other)).to.deep.include({ imported: 10, skipped: 0 });
    const repeated = join(folder, 'repeated.geojson');
    const feature = { type: 'Feature', id: 'same', geometry: { type: 'Point', coordinates: [1, 2] }, properties: { notes: 'twice' } };
    await writeFile(repeated, JSON.stringify({ type: 'FeatureCollection', features: [feature, feature] }));
    expect(await json<ImportResult>(host, 'import', repeated)).to.deep.include({ imported: 1, skipped: 1 });
  });

  it('skips every observation of its own export, GeoJSON or CSV, imported into its project again', async () => {
    const host = await start();
    await json(host, 'import', mapeoExport);
    await json(host, 'obs', 'add', '--lat', '1', '--lon', '2', '--notes', 'added here', '--tag', 'note=a tag named note');
    for (const format of ['geojson', 'csv']) {
      const out = join(folder, `all.${format}`);
      await json(host, 'export', '--format', format, '--out', out);
      expect(await json<ImportResult>(host, 'import', out)).to.deep.include({ imported: 0, skipped: 4, rejected: [] });
    }
    expect(await count(host)).to.equal(4);

    // Into another project the observations keep their ids, so a copy of theirs never doubles either.
    const other = await start();
    const out = join(folder, 'all.geojson');
    expect(await json<ImportResult>(other, 'import', out)).to.deep.include({ imported: 4, skipped: 0 });
    const ids = async (h: TestHost) => (await json<Observation[]>(h, 'obs', 'list')).map((observation) => observation.id).sort();
    expect(await ids(other)).to.deep.equal(await ids(host));
    const back = join(folder, 'back.csv');
    await json(other, 'export', '--format', 'csv', '--out', back);
    expect(await json<ImportResult>(host, 'import', back)).to.deep.include({ imported: 0, skipped: 4 });
    // A tag named `note` beside Cairn's notes stays a tag.
    const added = (await json<Observation[]>(other, 'obs', 'list', '--text', 'added')).at(0)!;
    expect(added).to.deep.include({ notes: 'added here', tags: { note: 'a tag named note' } });
  });

  it('keeps a deleted observation deleted when its file is imported again', async () => {
    const host = await start();
    const file = join(folder, 'survey.geojson');
    await writeFile(file, collection(3, 5, (index) => `d${index}`));
    await json(host, 'import', file);
    const [doomed] = await json<Observation[]>(host, 'obs', 'list', '--text', 'point 1');
    await json(host, 'obs', 'delete', doomed!.id);
    expect(await json<ImportResult>(host, 'import', file)).to.deep.include({ imported: 0, skipped: 3 });
    expect((await host.cli('obs', 'get', doomed!.id)).stderr).to.match(/^error \[ERR_NOT_FOUND\]/);
    expect(await count(host)).to.equal(2);
  });

  it('reads a CSV id column as the row’s id, kept as a tag too, and --strict keeps its meaning', async () => {
    const host = await start();
    const csv = join(folder, 'points.csv');
    await writeFile(csv, 'id,lat,lon,note,species\r\nP1,-3.1,-60.0,Tapir tracks,tapir\r\nP2,-3.2,-60.1,,\r\n,-3.3,-60.2,no id,\r\n');
    expect(await json<ImportResult>(host, 'import', csv, '--strict')).to.deep.include({ imported: 3, skipped: 0, rejected: [] });
    expect(await json<ImportResult>(host, 'import', csv, '--strict')).to.deep.include({ imported: 1, skipped: 2, rejected: [] });
    const tapir = (await json<Observation[]>(host, 'obs', 'list', '--text', 'tapir')).at(0)!;
    // Mapeo's universal `note` field is the notes when the file has no notes.
    expect(tapir).to.deep.include({ notes: 'Tapir tracks', tags: { id: 'P1', species: 'tapir' } });

    const bad = join(folder, 'bad.csv');
    await writeFile(bad, 'id,lat,lon\r\nP1,-3.1,-60.0\r\nP9,north,-60\r\n');
    const refused = await json<ImportResult>(host, 'import', bad, '--strict');
    expect(refused).to.deep.include({ imported: 0, skipped: 0 });
    expect(refused.rejected.map((rejection) => rejection.line)).to.deep.equal([3]);
    expect(await count(host)).to.equal(4);
  });

  it('reads a GeoJSON `note` as the notes when there are none, and not as a tag', async () => {
    const host = await start();
    const file = join(folder, 'notes.geojson');
    const point = (properties: Record<string, unknown>) => ({ type: 'Feature', geometry: { type: 'Point', coordinates: [1, 2] }, properties });
    await writeFile(file, JSON.stringify([point({ note: 'from the Note field', kind: 'a' }), point({ notes: 'notes win', note: 'kept as a tag', kind: 'b' }), point({ tags: { note: 'CoMapeo tags' }, kind: 'c' })]));
    await json(host, 'import', file);
    const byKind = new Map((await json<Observation[]>(host, 'obs', 'list')).map((observation) => [observation.tags.kind, observation]));
    expect(byKind.get('a')).to.deep.include({ notes: 'from the Note field', tags: { kind: 'a' } });
    expect(byKind.get('b')).to.deep.include({ notes: 'notes win', tags: { note: 'kept as a tag', kind: 'b' } });
    expect(byKind.get('c')).to.deep.include({ notes: 'CoMapeo tags', tags: { kind: 'c' } });
  });

  it('two devices that import one file, then sync, hold each observation once, with no fork', async () => {
    const a = await start(true, [pluginDir, syncFilePlugin]);
    const key = (await json<{ projectKey: string }>(a, 'project')).projectKey;
    const b = await start({ join: key }, [pluginDir, syncFilePlugin]);
    const file = join(folder, 'shared.geojson');
    await writeFile(file, collection(300, 6, (index) => `s${index}`));
    expect(await json<ImportResult>(a, 'import', file)).to.deep.include({ imported: 300 });
    expect(await json<ImportResult>(b, 'import', file)).to.deep.include({ imported: 300 });
    const usb = join(folder, 'usb.cairnsync');
    await a.execute('sync-file.sync', usb);
    await b.execute('sync-file.sync', usb);
    await a.execute('sync-file.sync', usb);
    for (const device of [a, b]) {
      const listed = await json<Observation[]>(device, 'obs', 'list');
      expect(listed).to.have.length(300);
      expect(listed.filter((observation) => observation.forks.length > 0)).to.deep.equal([]);
      // And importing the file again after the sync adds nothing on either.
      expect(await json<ImportResult>(device, 'import', file)).to.deep.include({ imported: 0, skipped: 300 });
    }
  });
});
