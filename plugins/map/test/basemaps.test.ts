import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { zxyToTileId } from 'pmtiles';
import type { PluginContext } from '@cairn/sdk';
import { runCairn, runCairnJson } from '@cairn/core/testing';
import { TempDirs } from '@cairn/sdk/testing';
import { Basemaps } from '@cairn/plugin-map/node/basemaps.js';
import type { BasemapInfo } from '@cairn/plugin-map/common/protocol.js';

const run = promisify(execFile);
const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47];

/** A raster MBTiles of one colour over the Amazon, made as a user would, with GDAL. */
async function rasterMbtiles(dir: string): Promise<string> {
  const image = join(dir, 'area.ppm');
  await writeFile(image, Buffer.concat([Buffer.from('P6\n100 100\n255\n'), Buffer.alloc(100 * 100 * 3, 200)]));
  const out = join(dir, 'area.mbtiles');
  await run('gdal_translate', ['-q', '-of', 'MBTILES', '-a_srs', 'EPSG:4326', '-a_ullr', '-70', '10', '-50', '-10', image, out]);
  await run('gdaladdo', ['-q', '-r', 'nearest', out, '2', '4']);
  return out;
}

/** A vector MBTiles (gzipped Mapbox Vector Tiles) of one polygon, made with ogr2ogr. */
async function vectorMbtiles(dir: string): Promise<string> {
  const source = join(dir, 'territory.geojson');
  const polygon = [[[-40, -30], [-20, -30], [-20, -10], [-40, -10], [-40, -30]]];
  await writeFile(source, JSON.stringify({ type: 'FeatureCollection', features: [{ type: 'Feature', properties: { name: 'T' }, geometry: { type: 'Polygon', coordinates: polygon } }] }));
  const out = join(dir, 'territory.mbtiles');
  await run('ogr2ogr', ['-f', 'MBTILES', out, source, '-dsco', 'MAXZOOM=4', '-dsco', 'NAME=Territory']);
  return out;
}

/**
 * A PMTiles v3 archive (no compression, one root directory) of the given PNG tiles, written by
 * hand after the specification (https://github.com/protomaps/PMTiles/blob/main/spec/v3/spec.md):
 * GDAL here is older than its PMTiles driver.
 */
function pmtilesArchive(tiles: Array<{ z: number; x: number; y: number; bytes: Buffer }>, metadata: object): Buffer {
  const entries = tiles.map((tile) => ({ id: zxyToTileId(tile.z, tile.x, tile.y), bytes: tile.bytes })).sort((a, b) => a.id - b.id);
  const varints: number[] = [];
  const varint = (value: number) => {
    for (; value >= 0x80; value = Math.floor(value / 128)) varints.push((value & 0x7f) | 0x80);
    varints.push(value);
  };
  varint(entries.length);
  let last = 0;
  for (const entry of entries) {
    varint(entry.id - last);
    last = entry.id;
  }
  entries.forEach(() => varint(1)); // run lengths
  for (const entry of entries) varint(entry.bytes.length);
  entries.forEach((_, index) => varint(index === 0 ? 1 : 0)); // offset 0 (+1), then each follows the last
  const directory = Buffer.from(varints);
  const meta = Buffer.from(JSON.stringify(metadata));
  const data = Buffer.concat(entries.map((entry) => entry.bytes));
  const header = Buffer.alloc(127);
  header.write('PMTiles', 0);
  header[7] = 3;
  let offset = 127;
  for (const [at, length] of [[8, directory.length], [24, meta.length], [40, 0], [56, data.length]] as const) {
    header.writeBigUInt64LE(BigInt(offset), at);
    header.writeBigUInt64LE(BigInt(length), at + 8);
    if (at !== 40) offset += length;
  }
  header.writeBigUInt64LE(BigInt(entries.length), 72);
  header.writeBigUInt64LE(BigInt(entries.length), 80);
  header.writeBigUInt64LE(BigInt(entries.length), 88);
  header[96] = 1; // clustered
  header[97] = 1; // internal compression: none
  header[98] = 1; // tile compression: none
  header[99] = 2; // PNG
  header[100] = Math.min(...tiles.map((tile) => tile.z));
  header[101] = Math.max(...tiles.map((tile) => tile.z));
  header.writeInt32LE(-70e7, 102);
  header.writeInt32LE(-10e7, 106);
  header.writeInt32LE(-50e7, 110);
  header.writeInt32LE(10e7, 114);
  return Buffer.concat([header, directory, meta, data]);
}

/** What `Basemaps` uses of its plugin's context: a folder of its own, and a log. */
function pluginContext(storagePath: string): PluginContext {
  const log = { debug() {}, info() {}, warn() {}, error() {} };
  return { storagePath, log } as unknown as PluginContext;
}

describe('basemaps (MBTiles and PMTiles files, tile URLs)', function () {
  this.timeout(120_000);
  const temp = new TempDirs();
  afterEach(() => temp.cleanup());

  it('cairn basemap add copies a file into the data dir; list shows it; remove takes it away', async () => {
    const dataDir = await temp.make();
    await runCairnJson(['--data-dir', dataDir, 'init', '--name', 'Basemaps']);
    const mbtiles = await rasterMbtiles(await temp.make());
    const added = await runCairnJson<BasemapInfo>(['--data-dir', dataDir, 'basemap', 'add', mbtiles, '--name', 'Survey area', '--attribution', 'Scan: the field team', '--json']);
    expect(added).to.deep.include({ name: 'Survey area', kind: 'mbtiles', format: 'png', attribution: 'Scan: the field team', online: false });
    expect(added.minzoom).to.be.at.most(added.maxzoom);
    expect(added.bounds![0]).to.be.closeTo(-70, 0.1);
    const folder = join(dataDir, 'plugin-data', 'map', 'basemaps');
    expect(await readdir(folder)).to.deep.equal([`${added.id}.mbtiles`]);
    expect(await runCairnJson<BasemapInfo[]>(['--data-dir', dataDir, 'basemap', 'list', '--json'])).to.deep.equal([added]);

    const online = await runCairnJson<BasemapInfo>(['--data-dir', dataDir, 'basemap', 'add', 'https://tiles.example.org/{z}/{x}/{y}.jpg', '--json']);
    expect(online).to.deep.include({ kind: 'xyz', format: 'jpg', online: true, name: 'tiles.example.org' });

    const removed = await runCairn(['--data-dir', dataDir, 'basemap', 'remove', added.id]);
    expect(removed.code, removed.stderr).to.equal(0);
    expect(existsSync(join(folder, `${added.id}.mbtiles`))).to.equal(false);
    expect((await runCairnJson<BasemapInfo[]>(['--data-dir', dataDir, 'basemap', 'list', '--json'])).map((basemap) => basemap.id)).to.deep.equal([online.id]);
  });

  it('refuses what is not a basemap with a coded error, and keeps nothing of it', async () => {
    const dataDir = await temp.make();
    await runCairnJson(['--data-dir', dataDir, 'init', '--name', 'Basemaps']);
    const dir = await temp.make();
    const fake = join(dir, 'fake.mbtiles');
    await writeFile(fake, 'not a database at all, just some text that is long enough to be read as a header');
    const cases: Array<[string, RegExp]> = [
      // (Multiline: on a busy machine a slow-start warning may come first.)
      [join(dir, 'scan.tif'), /^error \[ERR_INVALID_INPUT\]: basemap add: 'scan.tif' is not an \.mbtiles or \.pmtiles file/m],
      [join(dir, 'missing.mbtiles'), /^error \[ERR_NOT_FOUND\]: basemap add: there is no file at/m],
      [fake, /^error \[ERR_INVALID_INPUT\]: basemap add: fake\.mbtiles (cannot be opened as|is not) an MBTiles file/m],
      ['https://tiles.example.org/{z}/{x}.png', /^error \[ERR_INVALID_INPUT\]: basemap add: a tile URL needs \{z\}, \{x\} and \{y\}/m],
    ];
    for (const [path, expected] of cases) {
      const result = await runCairn(['--data-dir', dataDir, 'basemap', 'add', path]);
      expect(result.code, path).to.equal(1);
      expect(result.stderr, path).to.match(expected);
    }
    const folder = join(dataDir, 'plugin-data', 'map', 'basemaps');
    expect(existsSync(folder) ? await readdir(folder) : []).to.deep.equal([]);
    const unknown = await runCairn(['--data-dir', dataDir, 'basemap', 'remove', 'nope']);
    expect(unknown.stderr).to.match(/^error \[ERR_NOT_FOUND\]: There is no basemap 'nope'/m);
  });

  it('serves raster tiles by XYZ (MBTiles rows count from the south), and nothing outside', async () => {
    const basemaps = new Basemaps(pluginContext(await temp.make()));
    try {
      const added = await basemaps.add(await rasterMbtiles(await temp.make()));
      // At zoom 3 the Amazon box (-70…-50, -10…10) is in column 2, rows 3 and 4 from the north.
      const tile = await basemaps.tile(`${added.id}/3/2/4`);
      expect(tile?.contentType).to.equal('image/png');
      expect([...(tile!.body as Uint8Array).subarray(0, 4)]).to.deep.equal(PNG_MAGIC);
      expect(await basemaps.tile(`${added.id}/3/6/1`)).to.equal(null);
      expect(await basemaps.tile('no-such-basemap/3/2/4')).to.equal(null);
      for (const bad of [`${added.id}/3/8/0`, `${added.id}/x/y/z`, '../../etc/passwd']) {
        expect(await basemaps.tile(bad).then(() => 'served', (error: { code: string }) => error.code), bad).to.equal('ERR_INVALID_INPUT');
      }
    } finally {
      await basemaps.dispose();
    }
  });

  it('serves vector tiles from an MBTiles made by ogr2ogr, ungzipped', async () => {
    const basemaps = new Basemaps(pluginContext(await temp.make()));
    try {
      const added = await basemaps.add(await vectorMbtiles(await temp.make()));
      expect(added).to.deep.include({ format: 'pbf', name: 'Territory' });
      // Zoom 2: the polygon (-40…-20, -30…-10) is in column 1, row 2.
      const tile = await basemaps.tile(`${added.id}/2/1/2`);
      expect(tile?.contentType).to.equal('application/x-protobuf');
      const bytes = tile!.body as Uint8Array;
      // A Mapbox Vector Tile starts with its first layer (field 3, length-delimited): 0x1a.
      expect(bytes[0]).to.equal(0x1a);
    } finally {
      await basemaps.dispose();
    }
  });

  it('fetches the tiles of an online basemap through the host, only once the user added its URL', async () => {
    const asked: string[] = [];
    const server = createServer((request, response) => {
      asked.push(request.url!);
      if (request.url === '/tiles/3/2/4.png') response.writeHead(200, { 'Content-Type': 'image/png' }).end(Buffer.from(PNG_MAGIC));
      else response.writeHead(request.url === '/tiles/0/0/0.png' ? 500 : 404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const basemaps = new Basemaps(pluginContext(await temp.make()));
    try {
      const port = (server.address() as AddressInfo).port;
      expect(asked).to.deep.equal([]);
      const added = await basemaps.add(`http://127.0.0.1:${port}/tiles/{z}/{x}/{y}.png`, { name: 'Local tiles', attribution: 'Tiles: the office server' });
      expect(added).to.deep.include({ kind: 'xyz', online: true, format: 'png', attribution: 'Tiles: the office server' });
      expect(asked, 'adding fetches nothing').to.deep.equal([]);
      expect([...((await basemaps.tile(`${added.id}/3/2/4`))!.body as Uint8Array)]).to.deep.equal(PNG_MAGIC);
      expect(await basemaps.tile(`${added.id}/3/2/5`)).to.equal(null);
      const failed = await basemaps.tile(`${added.id}/0/0/0`).then(() => null, (error: { code: string; message: string }) => error);
      expect(failed?.code).to.equal('ERR_IO');
      expect(failed?.message).to.match(/answered 500/);
      expect(asked).to.deep.equal(['/tiles/3/2/4.png', '/tiles/3/2/5.png', '/tiles/0/0/0.png']);
    } finally {
      await basemaps.dispose();
      server.close();
    }
  });

  it('reads a PMTiles archive: its zooms and bounds, and its tiles by XYZ', async () => {
    const dir = await temp.make();
    const png = (shade: number) => Buffer.concat([Buffer.from(PNG_MAGIC), Buffer.from([shade])]);
    const archive = join(dir, 'area.pmtiles');
    await writeFile(archive, pmtilesArchive([{ z: 3, x: 2, y: 4, bytes: png(1) }, { z: 4, x: 4, y: 8, bytes: png(2) }], { name: 'Area', attribution: 'PMTiles test' }));
    const basemaps = new Basemaps(pluginContext(await temp.make()));
    try {
      const added = await basemaps.add(archive);
      expect(added).to.deep.include({ kind: 'pmtiles', format: 'png', name: 'Area', attribution: 'PMTiles test', minzoom: 3, maxzoom: 4 });
      expect(added.bounds).to.deep.equal([-70, -10, -50, 10]);
      expect([...((await basemaps.tile(`${added.id}/3/2/4`))!.body as Uint8Array)]).to.deep.equal([...png(1)]);
      expect([...((await basemaps.tile(`${added.id}/4/4/8`))!.body as Uint8Array)]).to.deep.equal([...png(2)]);
      expect(await basemaps.tile(`${added.id}/4/5/8`)).to.equal(null);
    } finally {
      await basemaps.dispose();
    }
  });
});
