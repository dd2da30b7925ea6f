import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { isCairnError, seededRandom, type CairnError, type ImportFormat, type ImportRecord, type Observation, type ObservationInput, type TagValue } from '@cairn/sdk';
import { csvColumns, csvObservationRow, csvRow, CSV_BOM, tagCell } from '@cairn/plugin-observations/common/formats/csv.js';
import { geojsonFeatureText, GEOJSON_HEAD, GEOJSON_TAIL } from '@cairn/plugin-observations/common/formats/geojson.js';
import { csvHeader, CsvParser, rowToRecord, type CsvRecord } from '@cairn/plugin-observations/common/formats/csv-read.js';
import { featureToRecord, geojsonFeatures, GeojsonSplitter, toCreatedAt } from '@cairn/plugin-observations/common/formats/geojson-read.js';
import { csvImportFormat, geojsonImportFormat } from '@cairn/plugin-observations/node/readers.js';
import { observation } from './samples.js';

const fixture = fileURLToPath(new URL('../test/fixtures/gc-scripts-hub/mapeo_observations.geojson', import.meta.url));



/** The text cut into chunks: of `size` characters, or of random sizes from 1 to `size` if `seed`. */
function chunked(text: string, size: number, seed?: number): string[] {
  const next = seed === undefined ? () => size : ((rand) => () => 1 + Math.floor(rand() * size))(seededRandom(seed));
  const chunks: string[] = [];
  for (let at = 0; at < text.length; ) {
    const length = next();
    chunks.push(text.slice(at, at + length));
    at += length;
  }
  return chunks;
}

function split(chunks: readonly string[]): unknown[] {
  const splitter = new GeojsonSplitter();
  const features: unknown[] = [];
  for (const chunk of chunks) features.push(...splitter.write(chunk));
  features.push(...splitter.end());
  return features;
}

function parseCsv(chunks: readonly string[], delimiter: ',' | ';' | 'auto' = ','): CsvRecord[] {
  const parser = new CsvParser(delimiter);
  const records: CsvRecord[] = [];
  for (const chunk of chunks) records.push(...parser.write(chunk));
  records.push(...parser.end());
  return records;
}

function thrown(action: () => unknown): CairnError {
  try {
    action();
  } catch (error) {
    if (isCairnError(error)) return error;
    throw error;
  }
  throw new Error('expected a CairnError');
}

async function rejected(promise: Promise<unknown>): Promise<CairnError> {
  try {
    await promise;
  } catch (error) {
    if (isCairnError(error)) return error;
    throw error;
  }
  throw new Error('expected a CairnError');
}

function input(record: ImportRecord): ObservationInput {
  expect(record.error, 'the record is rejected').to.equal(undefined);
  return record.input!;
}

function error(record: ImportRecord): string {
  expect(record.input, 'the record is accepted').to.equal(undefined);
  return record.error!;
}

const point = (lon: unknown, lat: unknown, properties: unknown = {}) => ({ type: 'Feature', geometry: { type: 'Point', coordinates: [lon, lat] }, properties });

describe('import readers', () => {
  let folder: string;
  before(async () => {
    folder = await mkdtemp(join(tmpdir(), 'cairn-readers-'));
  });
  after(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  /** Writes `content` to a file in the test folder; returns its path. */
  let files = 0;
  async function file(name: string, content: string | Uint8Array): Promise<string> {
    const path = join(folder, `${(files += 1)}-${name}`);
    await writeFile(path, content);
    return path;
  }

  async function readAll(format: ImportFormat, path: string, signal = new AbortController().signal) {
    const records: ImportRecord[] = [];
    const progress: number[] = [];
    for await (const record of format.read(path, { signal, progress: (fraction) => progress.push(fraction), onDone: () => {} })) records.push(record);
    return { records, progress };
  }

  describe('GeoJSON splitter', () => {
    const tricky = [
      point(-62.21, -3.46, { notes: 'braces } ] { [ and "quotes", a \\ backslash, \\" and \\\\', empty: '', deep: { a: [[1, [2]], { b: '}' }] } }),
      point(1, 2, { name: 'Açaí 🦛 עברית العربية', 'key with "quote"': '\u0000\u001f\u2028' }),
      point(3, 4, { trailing: 'ends with a backslash \\' }),
      point(5, 6, null),
    ];
    const document = JSON.stringify({ type: 'FeatureCollection', name: 'survey', features: tricky, bbox: [0, 0, 1, 1] }, null, 2);

    it('yields the features of a FeatureCollection, one at a time, whatever the other members', async () => {
      expect(split([document])).to.deep.equal(tricky);
      const oneByOne: unknown[] = [];
      for await (const feature of geojsonFeatures(chunked(document, 5))) oneByOne.push(feature);
      expect(oneByOne).to.deep.equal(tricky);
      const typeLast = `{"features":[${JSON.stringify(tricky[0])}],"crs":{"type":"name","properties":{"name":"x"}},"type":"FeatureCollection"}`;
      expect(split([typeLast])).to.deep.equal([tricky[0]]);
      const splitter = new GeojsonSplitter();
      expect(splitter.write(`{"type":"FeatureCollection","features":[${JSON.stringify(tricky[0])},`)).to.deep.equal([tricky[0]]);
      expect(splitter.write(`${JSON.stringify(tricky[1])}]}`)).to.deep.equal([tricky[1]]);
      expect(splitter.end()).to.deep.equal([]);
    });

    it('gives the same features fed a character at a time and in seeded random chunk sizes', () => {
      expect(split(chunked(document, 1))).to.deep.equal(tricky);
      for (const seed of [1, 2, 3, 42, 2024]) expect(split(chunked(document, 17, seed)), `seed ${seed}`).to.deep.equal(tricky);
      for (const seed of [5, 6]) expect(split(chunked(document, 400, seed)), `seed ${seed}`).to.deep.equal(tricky);
      const written = GEOJSON_HEAD + geojsonFeatureText(observation({ notes: 'a\\"b' }), true) + geojsonFeatureText(observation({ id: 'a2' }), false) + GEOJSON_TAIL;
      expect(split(chunked(written, 1))).to.deep.equal(split([written]));
    });

    it('reads a bare array of features and a single Feature', () => {
      expect(split(chunked(JSON.stringify(tricky), 1))).to.deep.equal(tricky);
      expect(split([JSON.stringify(tricky[1])])).to.deep.equal([tricky[1]]);
      // Mapeo's MapFilter sample puts `type` after `properties`.
      const typeLast = '{"geometry":{"type":"Point","coordinates":[1,2]},"properties":{"features":[1]},"type":"Feature"}';
      expect(split(chunked(typeLast, 3))).to.deep.equal([JSON.parse(typeLast)]);
      expect(split(['[]'])).to.deep.equal([]);
    });

    it('finds nothing in an empty FeatureCollection, with or without a byte-order mark', () => {
      expect(split([GEOJSON_HEAD + GEOJSON_TAIL])).to.deep.equal([]);
      expect(split(['\uFEFF{"type":"FeatureCollection","features":[]}'])).to.deep.equal([]);
      expect(split(chunked('\uFEFF { "features" : [ ] , "type" : "FeatureCollection" } \n', 1))).to.deep.equal([]);
    });

    it('keeps primitive items, for featureToRecord to reject', () => {
      expect(split(chunked('[1, "two", null, true, -2.5e3, {"type":"Feature"}]', 2))).to.deep.equal([1, 'two', null, true, -2500, { type: 'Feature' }]);
    });

    it('keeps a 1 MB property whole across chunks', () => {
      const notes = `${'Açaí 🦛 '.repeat(131_072)}"\\}`;
      const text = JSON.stringify({ type: 'FeatureCollection', features: [point(1, 2, { notes }), point(3, 4)] });
      const [first, second] = split(chunked(text, 65_536, 9)) as Array<{ properties: { notes?: string } }>;
      expect(first!.properties.notes).to.equal(notes);
      expect(second).to.deep.equal(point(3, 4));
    });

    it('refuses a document that is not JSON, or not a FeatureCollection, a Feature or an array', () => {
      const cases: Array<[string, RegExp]> = [
        ['', /empty/],
        ['  \n', /empty/],
        ['lat,lon\n1,2\n', /it starts with "l.*not with \{ or \[/],
        ['"a string"', /not with \{ or \[/],
        ['{"type":"Topology","objects":{}}', /its type is "Topology"/],
        ['{"type":"Point","coordinates":[1,2]}', /its type is "Point"/],
        ['{"type":"Point","features":[]}', /its type is "Point", not FeatureCollection/],
        ['{"name":"x"}', /no "type"/],
        ['{"type":"FeatureCollection"}', /no "features" array/],
        ['{"type":"FeatureCollection","features":null}', /no "features" array/],
        ['{"features":[{"type":"Feature"}],"type":"GeometryCollection"}', /its type is "GeometryCollection"/],
        ['{"type":"FeatureCollection","features":[{"type":"Feature"}', /ends too soon/],
        ['{"type":"FeatureCollection","features":[{"type":"Feature",}]}', /feature 0 is not valid JSON/],
        ['{"type":"FeatureCollection","features":[{},]}', /unexpected "\].* after feature 0/],
        ['{"type":"FeatureCollection","features":[{} {}]}', /unexpected "\{/],
        ['{"type":"FeatureCollection","features":[]} trailing', /more text after the end/],
        ['{"type":"FeatureCollection" "features":[]}', /unexpected/],
        ['{"type":FeatureCollection,"features":[]}', /not valid JSON/],
      ];
      for (const [text, message] of cases) {
        for (const chunks of [[text], chunked(text, 1)]) {
          const failure = thrown(() => split(chunks));
          expect(failure.code, text).to.equal('ERR_INVALID_INPUT');
          expect(failure.message, text).to.match(/^Not a GeoJSON file: /).and.match(message);
        }
      }
    });

    it('refuses a wrong type before yielding any feature when the type comes first', () => {
      const splitter = new GeojsonSplitter();
      expect(() => splitter.write('{"type":"Topology","features":[{"type":"Feature"}')).to.throw(/its type is "Topology"/);
    });
  });

  describe('GeoJSON features', () => {
    const at = { index: 7 };

    it('maps the gc-scripts-hub Mapeo Desktop export: category, notes, $created, photo names, tags', async () => {
      const { records } = await readAll(geojsonImportFormat, fixture);
      expect(records.map((record) => record.position)).to.deep.equal([{ index: 0 }, { index: 1 }, { index: 2 }]);
      expect(records.map(input)).to.deep.equal([
        {
          lat: 40.785091,
          lon: -73.968285,
          category: 'gathering-site',
          notes: 'Gathering spot for bird watchers',
          createdAt: '2021-10-11T18:33:21.059Z',
          tags: { type: 'activity', activity: 'gathering', photos: ['53a3841fb6028ba608a085d36b1115d9.jpg'] },
        },
        {
          lat: 40.784876,
          lon: -73.961449,
          category: 'stream',
          notes: 'Small stream near the Great Lawn',
          createdAt: '2023-06-08T12:13:24.514Z',
          tags: { type: 'waterway', waterway: 'stream', photos: ['c63adea79098a59e22e8bf73e5df68a1.jpg'] },
        },
        {
          lat: 40.782865,
          lon: -73.971249,
          category: 'waterfall',
          notes: 'Popular waterfall near the Ramble',
          createdAt: '2021-10-11T14:39:25.377Z',
          tags: { type: 'waterway', waterway: 'waterfall', photos: ['f58953ea5b6519b6c7e587c79e98fc2b.jpg'] },
        },
      ]);
    });

    it('maps a CoMapeo observation: tags merged, presetRef as category, document metadata dropped', () => {
      const feature = point(-59.9, 2.8, {
        docId: 'd0c1d',
        versionId: 'core/3',
        originalVersionId: 'core/1',
        schemaName: 'observation',
        createdAt: '2024-03-01T08:30:00+01:00',
        updatedAt: '2024-03-02T08:30:00Z',
        links: ['core/2'],
        deleted: false,
        attachments: [{ driveDiscoveryId: 'x', name: 'p.jpg', type: 'photo', hash: 'h', external: false }],
        metadata: { manualLocation: false, position: { timestamp: '2024-03-01T08:30:00Z', coords: { latitude: 2.8, longitude: -59.9 } } },
        presetRef: { docId: 'river-preset', versionId: 'core/9' },
        tags: { notes: 'Açaí by the river', type: 'water', depth: 2.5, dry: false, uses: ['fishing', 'washing'] },
      });
      expect(input(featureToRecord(feature, at))).to.deep.equal({
        lat: 2.8,
        lon: -59.9,
        category: 'river-preset',
        notes: 'Açaí by the river',
        createdAt: '2024-03-01T07:30:00.000Z',
        tags: { type: 'water', depth: 2.5, dry: false, uses: ['fishing', 'washing'] },
      });
      expect(input(featureToRecord(point(1, 2, { presetRef: 'plain-id' }), at)).category).to.equal('plain-id');
      expect(input(featureToRecord(point(1, 2, { created_at: '2020-01-02' }), at))).to.deep.include({ createdAt: '2020-01-02T00:00:00.000Z', tags: {} });
    });

    it('stores objects as JSON text, keeps lists, drops an altitude and Cairn’s tag: prefix', () => {
      const feature = {
        type: 'Feature',
        geometry: { type: 'Point', coordinates: [10, 20, 1500] },
        properties: {
          group1: {},
          meta: { instanceId: 'uuid:1', deep: { a: 1 } },
          pictures: [{ url: 'https://example.org/1.jpg' }, 'two', [3]],
          happening: ['fishing', 'bobcats'],
          public: true,
          number: 1,
          nothing: null,
          'tag:notes': 'a tag named notes',
          'tag:$photos': 'a tag named $photos',
          'tag:other': 'not a prefix Cairn writes',
          notes: 42,
          categoryId: 'animal',
          $photos: [],
        },
      };
      expect(input(featureToRecord(feature, at))).to.deep.equal({
        lat: 20,
        lon: 10,
        category: 'animal',
        notes: '42',
        tags: {
          group1: '{}',
          meta: '{"instanceId":"uuid:1","deep":{"a":1}}',
          pictures: ['{"url":"https://example.org/1.jpg"}', 'two', '[3]'],
          happening: ['fishing', 'bobcats'],
          public: true,
          number: 1,
          nothing: null,
          notes: 'a tag named notes',
          $photos: 'a tag named $photos',
          'tag:other': 'not a prefix Cairn writes',
        },
      });
    });

    it('keeps unicode, quotes and new lines as they are', () => {
      const properties = { notes: 'Açaí "palm"\r\nline 2 🦛', 'nom-français': 'tapir « du Brésil »', 'שם': 'עברית', 'الاسم': 'العربية', '漢字': '🦜🇧🇷' };
      const { notes, tags } = input(featureToRecord(point(1, 2, properties), at));
      expect(notes).to.equal(properties.notes);
      expect(tags).to.deep.equal({ 'nom-français': 'tapir « du Brésil »', 'שם': 'עברית', 'الاسم': 'العربية', '漢字': '🦜🇧🇷' });
    });

    it('rejects a feature without a usable point, saying why', () => {
      const cases: Array<[unknown, RegExp]> = [
        [42, /not a JSON object/],
        [null, /not a JSON object/],
        [[1, 2], /not a JSON object/],
        [{ type: 'Point', coordinates: [1, 2] }, /not a GeoJSON Feature \(its type is "Point"\)/],
        [{ type: 'Feature', properties: {} }, /no geometry/],
        [{ type: 'Feature', geometry: null, properties: {} }, /no geometry/],
        [{ type: 'Feature', geometry: { type: 'LineString', coordinates: [[1, 2], [3, 4]] } }, /geometry is a "LineString", not a Point/],
        [{ type: 'Feature', geometry: { type: 'Polygon', coordinates: [] } }, /"Polygon"/],
        [{ type: 'Feature', geometry: { coordinates: [1, 2] } }, /geometry has no type/],
        [{ type: 'Feature', geometry: { type: 'Point' } }, /no \[longitude, latitude\] coordinates/],
        [{ type: 'Feature', geometry: { type: 'Point', coordinates: [1] } }, /no \[longitude, latitude\] coordinates/],
        [point('-62.2', '-3.4'), /coordinates are not numbers/],
        [point(null, 3), /coordinates are not numbers/],
        [point(10, 91), /latitude 91 is out of range \(-90 to 90\)/],
        [point(10, -90.5), /latitude -90.5 is out of range/],
        [point(45, 120), /latitude 120 .*swapped/],
        [point(180.5, 0), /longitude 180.5 is out of range \(-180 to 180\)/],
        [point(1, 2, 'text'), /properties are not an object/],
        [point(1, 2, { $created: 'yesterday' }), /\$created "yesterday" is not a date/],
        [point(1, 2, { createdAt: '2024-02-30' }), /createdAt "2024-02-30" is not a date/],
        [point(1, 2, { created_at: 1714557600000 }), /created_at 1714557600000 is not a date/],
      ];
      for (const [feature, reason] of cases) {
        const record = featureToRecord(feature, at);
        expect(record.position).to.equal(at);
        expect(error(record), JSON.stringify(feature)).to.match(reason);
      }
      expect(input(featureToRecord(point(-180, 90), at))).to.deep.include({ lat: 90, lon: -180 });
    });

    it('reads creation times in ISO 8601 only, as toISOString writes them', () => {
      expect(toCreatedAt('2024-05-01T10:00:00.000Z', 'createdAt')).to.deep.equal({ createdAt: '2024-05-01T10:00:00.000Z' });
      expect(toCreatedAt('2024-05-01T12:00:00+02:00', 'createdAt')).to.deep.equal({ createdAt: '2024-05-01T10:00:00.000Z' });
      expect(toCreatedAt('2024-02-29', 'createdAt')).to.deep.equal({ createdAt: '2024-02-29T00:00:00.000Z' });
      for (const bad of ['12', '01/05/2024', '2023-02-29', '2024-05-01T24:00', 'soon', '']) expect(toCreatedAt(bad, 'createdAt'), bad).to.have.property('error');
    });
  });

  describe('CSV parser', () => {
    const text = '\uFEFFlat,lon,notes,tags\r\n1,2,"two\r\nlines, a comma",x\r\n3,4,"say ""hi""",\n\n5,6,"cr\ronly",y\r7,8,last,"q""\n"\n9,10,,"end"';
    const cells = [
      ['lat', 'lon', 'notes', 'tags'],
      ['1', '2', 'two\r\nlines, a comma', 'x'],
      ['3', '4', 'say "hi"', ''],
      ['5', '6', 'cr\ronly', 'y'],
      ['7', '8', 'last', 'q"\n'],
      ['9', '10', '', 'end'],
    ];

    it('reads quotes, doubled quotes, delimiters and line breaks in fields, CR/LF/CRLF ends and a BOM', () => {
      expect(parseCsv([text]).map((record) => record.cells)).to.deep.equal(cells);
    });

    it('gives each record the line it starts on', () => {
      // The quoted field with a line break makes the next record start two lines on; the blank
      // line 5 is no record.
      expect(parseCsv([text]).map((record) => record.line)).to.deep.equal([1, 2, 4, 6, 8, 10]);
    });

    it('gives the same records fed a character at a time and in seeded random chunk sizes', () => {
      const whole = parseCsv([text]);
      expect(parseCsv(chunked(text, 1))).to.deep.equal(whole);
      for (const seed of [1, 2, 3, 42, 2024]) expect(parseCsv(chunked(text, 9, seed)), `seed ${seed}`).to.deep.equal(whole);
      const crlf = 'a,b\r\n"x\r\n\r\ny",z\r\n"""",""\r\n';
      for (const size of [1, 2, 3]) expect(parseCsv(chunked(crlf, size))).to.deep.equal(parseCsv([crlf]));
      expect(parseCsv([crlf]).map((record) => [record.line, ...record.cells])).to.deep.equal([
        [1, 'a', 'b'],
        [2, 'x\r\n\r\ny', 'z'],
        [5, '"', ''],
      ]);
    });

    it('finds nothing in empty text, and reads a lone header', () => {
      expect(parseCsv([''])).to.deep.equal([]);
      expect(parseCsv(['\uFEFF'])).to.deep.equal([]);
      expect(parseCsv(['\r\n\n'])).to.deep.equal([]);
      expect(parseCsv(['lat,lon'])).to.deep.equal([{ cells: ['lat', 'lon'], line: 1 }]);
    });

    it('tells a semicolon- or tab-separated file by its header', () => {
      const semicolons = 'lat;lon;notes\n-3,46;-62,21;"a; b, c"\n';
      expect(parseCsv(chunked(semicolons, 2), 'auto').map((record) => record.cells)).to.deep.equal([
        ['lat', 'lon', 'notes'],
        ['-3,46', '-62,21', 'a; b, c'],
      ]);
      expect(parseCsv(['"a,b";c;d\n1;2;3'], 'auto')[1]!.cells).to.deep.equal(['1', '2', '3']);
      expect(parseCsv(['lat\tlon\n1\t2'], 'auto')[1]!.cells).to.deep.equal(['1', '2']);
      expect(parseCsv(['lat,lon\n1,2'], 'auto')[1]!.cells).to.deep.equal(['1', '2']);
    });

    it('refuses a quoted field that is never closed, naming its line', () => {
      const failure = thrown(() => parseCsv(['lat,lon,notes\n1,2,ok\n3,4,"never\nclosed\n']));
      expect(failure.code).to.equal('ERR_INVALID_INPUT');
      expect(failure.message).to.contain('line 3');
    });

    it('keeps a 1 MB field whole across chunks', () => {
      const huge = `${'Açaí, "🦛"\r\n'.repeat(87_382)}end`;
      const [, row] = parseCsv(chunked(`lat,lon,notes\n1,2,"${huge.replaceAll('"', '""')}"\n3,4,x\n`, 65_536, 3));
      expect(row!.cells[2]).to.equal(huge);
      expect(huge.length).to.be.greaterThan(1_000_000);
    });
  });

  describe('CSV rows', () => {
    it('finds the latitude and longitude columns by name, any case', () => {
      expect(csvHeader(['Name', 'LATITUDE', 'Longitude'])).to.include({ lat: 1, lon: 2 });
      expect(csvHeader(['y', 'x'])).to.include({ lat: 0, lon: 1 });
      expect(csvHeader([' lng ', 'Lat'])).to.include({ lat: 1, lon: 0 });
      expect(csvHeader(['long', 'lat'])).to.include({ lat: 1, lon: 0 });
      // An exact name wins over another case, and lat over y: the rest are tags.
      const header = csvHeader(['x', 'Lat', 'y', 'lon', 'lat']);
      expect(header).to.include({ lat: 4, lon: 3 });
      expect(header.columns.filter((column) => column.role === 'tag')).to.deep.equal([
        { role: 'tag', key: 'x' },
        { role: 'tag', key: 'Lat' },
        { role: 'tag', key: 'y' },
      ]);
    });

    it('refuses a header without a latitude or a longitude column', () => {
      expect(thrown(() => csvHeader(['name', 'lon'])).message).to.match(/no latitude column \(lat, latitude or y\).*name, lon/);
      expect(thrown(() => csvHeader(['lat', 'east'])).message).to.match(/no longitude column/);
      expect(thrown(() => csvHeader([''])).code).to.equal('ERR_INVALID_INPUT');
    });

    it('maps category or categoryId, notes, createdAt and a tag per other non-empty cell, as text', () => {
      const header = csvHeader(['lat', 'lon', 'categoryId', 'notes', 'created_at', 'id', 'count', 'colours', 'empty', '']);
      expect(input(rowToRecord(header, ['-3.46', '-62.21', ' animal ', 'Açaí "palm"\nline', '2024-05-01 10:00', 'P1', '2', '["brun","gris"]', '', 'unnamed'], 9))).to.deep.equal({
        lat: -3.46,
        lon: -62.21,
        category: 'animal',
        notes: 'Açaí "palm"\nline',
        createdAt: '2024-05-01T10:00:00.000Z',
        tags: { id: 'P1', count: '2', colours: '["brun","gris"]', 'column 10': 'unnamed' },
      });
      expect(input(rowToRecord(header, ['1', '2'], 3))).to.deep.equal({ lat: 1, lon: 2, category: null, tags: {} });
      expect(rowToRecord(header, ['1', '2'], 3).position).to.deep.equal({ line: 3 });
    });

    it('reads coordinates as spreadsheets write them', () => {
      const header = csvHeader(['lat', 'lon']);
      expect(input(rowToRecord(header, [' -3.5 ', '+62'], 2))).to.deep.include({ lat: -3.5, lon: 62 });
      expect(input(rowToRecord(header, ['-3,46', '1e1'], 2))).to.deep.include({ lat: -3.46, lon: 10 });
      expect(input(rowToRecord(header, ['.5', '-180'], 2))).to.deep.include({ lat: 0.5, lon: -180 });
    });

    it('rejects a row with a missing, non-numeric or out-of-range coordinate, saying why', () => {
      const header = csvHeader(['Latitude', 'Longitude', 'createdAt']);
      const cases: Array<[string[], RegExp]> = [
        [['abc', '2'], /latitude "abc" \(column Latitude\) is not a number/],
        [['1', '2,5,0'], /longitude "2,5,0" \(column Longitude\) is not a number/],
        [['0x10', '2'], /not a number/],
        [['NaN', '2'], /not a number/],
        [['Infinity', '2'], /not a number/],
        [['', '2'], /no latitude \(column Latitude is empty\)/],
        [['1'], /no longitude/],
        [['91', '2'], /latitude 91 is out of range \(-90 to 90\)/],
        [['1', '-181'], /longitude -181 is out of range \(-180 to 180\)/],
        [['1', '2', '01/05/2024'], /createdAt "01\/05\/2024" is not a date/],
        [['1', '2', '', 'extra'], /3 columns/],
      ];
      for (const [cells, reason] of cases) {
        const record = rowToRecord(header, cells, 12);
        expect(record.position).to.deep.equal({ line: 12 });
        expect(error(record), cells.join('|')).to.match(reason);
      }
      expect(input(rowToRecord(header, ['1', '2', '', ''], 12))).to.deep.include({ lat: 1, lon: 2 });
    });

    it('drops the metadata columns of Cairn’s own export, reads its id, photo names and tag: columns', () => {
      const { header } = csvColumns(['notes', 'id', 'habitat']);
      const columns = csvHeader(header).columns;
      expect(columns.map((column) => (column.role === 'tag' ? column.key : column.role))).to.deep.equal([
        'id',
        'skip',
        'createdAt',
        'skip',
        'skip',
        'lat',
        'lon',
        'category',
        'notes',
        'photos',
        'habitat',
        'id',
        'notes',
      ]);
      // Its id is the record's own, and no tag.
      expect(columns[0]).to.deep.equal({ role: 'id' });
    });
  });

  describe('reading files', () => {
    const tags = {
      species: 'Tapirus terrestris, adult',
      count: 2,
      seen: true,
      colours: ['brun', 'gris', 3, null],
      empty: null,
      blank: '',
      notes: 'a tag named like a column',
      id: 'a tag named id',
      $created: 'a tag named $created',
      lat: 'a tag named lat',
      x: 'a tag named x',
      'nom-français': 'tapir « du Brésil »',
      'عربي': 'مرحبا',
    };
    const observations = [
      observation({ tags, notes: 'Açaí "palm"\r\nsecond line — ñ 漢字 🦛 שלום' }),
      observation({ id: 'a2', lat: 90, lon: -180, category: null, notes: '', tags: { count: 0 }, createdAt: '1999-12-31T23:59:59.999Z' }),
      observation({ id: 'a3', lat: -89.999999, lon: 179.123456789, notes: '  padded  ', attachments: [{ name: 'p.jpg', hash: 'h', mimeType: 'image/jpeg', size: 1 }] }),
      observation({ id: 'a4', notes: 'x'.repeat(1_048_576), tags: { big: `${'🦛'.repeat(1000)},"\n` } }),
    ];
    const essentials = (value: ObservationInput | Observation) => ({
      lat: value.lat,
      lon: value.lon,
      category: value.category ?? null,
      notes: value.notes ?? '',
      createdAt: value.createdAt,
    });

    it('reads back what the GeoJSON writer wrote: point, category, notes, tags, creation time', async () => {
      const text = GEOJSON_HEAD + observations.map((each, index) => geojsonFeatureText(each, index === 0)).join('') + GEOJSON_TAIL;
      const { records, progress } = await readAll(geojsonImportFormat, await file('all.geojson', text));
      expect(records.map((record) => record.position)).to.deep.equal([{ index: 0 }, { index: 1 }, { index: 2 }, { index: 3 }]);
      const inputs = records.map(input);
      expect(inputs.map(essentials)).to.deep.equal(observations.map(essentials));
      expect(inputs.map((each) => each.tags)).to.deep.equal([
        tags,
        { count: 0 },
        // The photo's name, kept as a tag: the file itself is not in a GeoJSON export.
        { photos: ['p.jpg'] },
        observations[3]!.tags,
      ]);
      expect(progress.at(-1)).to.equal(1);
      expect(progress).to.deep.equal([...progress].sort((a, b) => a - b));
      expect(progress.length).to.be.greaterThan(2);
    });

    it('reads back what the CSV writer wrote, tags as text and empty cells left out', async () => {
      const { header, tagColumns } = csvColumns(observations.flatMap((each) => Object.keys(each.tags)));
      const text = CSV_BOM + csvRow(header) + observations.map((each) => csvObservationRow(each, tagColumns)).join('');
      const { records, progress } = await readAll(csvImportFormat, await file('all.csv', text));
      // Rows start on line 2, the notes of the first spanning two lines.
      expect(records.map((record) => record.position)).to.deep.equal([{ line: 2 }, { line: 4 }, { line: 5 }, { line: 6 }]);
      const inputs = records.map(input);
      expect(inputs.map(essentials)).to.deep.equal(observations.map(essentials));
      const asText = (values: Record<string, TagValue>) =>
        Object.fromEntries(Object.entries(values).flatMap(([key, value]) => (tagCell(value) === '' ? [] : [[key, tagCell(value)]])));
      expect(inputs.map((each) => each.tags)).to.deep.equal(observations.map((each) => asText(each.tags)));
      expect(inputs[0]!.tags).to.deep.include({ notes: 'a tag named like a column', id: 'a tag named id', lat: 'a tag named lat', count: '2', colours: '["brun","gris",3,null]' });
      expect(progress.at(-1)).to.equal(1);
    });

    it('reads an empty FeatureCollection and a CSV of only a header as no records', async () => {
      expect((await readAll(geojsonImportFormat, await file('empty.geojson', GEOJSON_HEAD + GEOJSON_TAIL))).records).to.deep.equal([]);
      expect((await readAll(csvImportFormat, await file('header.csv', `${CSV_BOM}lat,lon,notes\r\n`))).records).to.deep.equal([]);
    });

    it('refuses an empty file, naming it', async () => {
      for (const format of [geojsonImportFormat, csvImportFormat]) {
        const path = await file(`empty.${format.id}`, '');
        const failure = await rejected(readAll(format, path));
        expect(failure.code).to.equal('ERR_INVALID_INPUT');
        expect(failure.message).to.contain(path).and.contain('empty');
      }
    });

    it('refuses a file that is not GeoJSON, or a CSV without coordinates', async () => {
      const csv = await file('points.csv', 'lat,lon\n1,2\n');
      const failure = await rejected(readAll(geojsonImportFormat, csv));
      expect(failure.code).to.equal('ERR_INVALID_INPUT');
      expect(failure.message).to.contain(csv).and.contain('Not a GeoJSON file');
      const geojson = await file('a.geojson', '{"type":"Topology"}');
      expect((await rejected(readAll(geojsonImportFormat, geojson))).message).to.contain('Topology');
      expect((await rejected(readAll(csvImportFormat, geojson))).message).to.contain('no latitude column');
    });

    it('refuses a file that is not UTF-8', async () => {
      const latin1 = await file('latin1.csv', Buffer.from('lat,lon,notes\n1,2,A\xe7a\xed\n', 'latin1'));
      const failure = await rejected(readAll(csvImportFormat, latin1));
      expect(failure.code).to.equal('ERR_INVALID_INPUT');
      expect(failure.message).to.contain('not UTF-8');
    });

    it('reads a semicolon-separated CSV with decimal commas', async () => {
      const path = await file('excel.csv', `${CSV_BOM}Latitude;Longitude;Notes;Espèce\r\n-3,46;-62,21;"Açaí; ""palm""";anta\r\n`);
      const { records } = await readAll(csvImportFormat, path);
      expect(records.map(input)).to.deep.equal([{ lat: -3.46, lon: -62.21, category: null, notes: 'Açaí; "palm"', tags: { Espèce: 'anta' } }]);
    });

    it('lists the rows it cannot read with their line, and reads the others', async () => {
      const path = await file('mixed.csv', 'lat,lon,notes\n1,2,"first\nrow"\nabc,2,x\n\n95,1,y\n3,4,ok\n');
      const { records } = await readAll(csvImportFormat, path);
      expect(records.map((record) => [record.position, record.error ?? 'ok'])).to.deep.equal([
        [{ line: 2 }, 'ok'],
        [{ line: 4 }, 'Its latitude "abc" (column lat) is not a number.'],
        [{ line: 6 }, 'Its latitude 95 is out of range (-90 to 90).'],
        [{ line: 7 }, 'ok'],
      ]);
    });

    it('says ERR_NOT_FOUND for a missing file and ERR_IO for one it cannot read', async () => {
      for (const format of [geojsonImportFormat, csvImportFormat]) {
        expect((await rejected(readAll(format, join(folder, 'missing.geojson')))).code).to.equal('ERR_NOT_FOUND');
        const csv = await file('plain.csv', 'lat,lon\n');
        // A path through a file, not a folder: ENOTDIR.
        expect((await rejected(readAll(format, join(csv, 'inside.geojson')))).code).to.equal('ERR_IO');
        expect((await rejected(readAll(format, folder))).code).to.equal('ERR_INVALID_INPUT');
      }
    });

    it('stops with ERR_CANCELLED when the signal is aborted', async () => {
      const many = Array.from({ length: 3000 }, (_, index) => observation({ id: `o${index}`, notes: 'n'.repeat(200) }));
      const geojson = await file('many.geojson', GEOJSON_HEAD + many.map((each, index) => geojsonFeatureText(each, index === 0)).join('') + GEOJSON_TAIL);
      const { header, tagColumns } = csvColumns([]);
      const csv = await file('many.csv', csvRow(header) + many.map((each) => csvObservationRow(each, tagColumns)).join(''));
      for (const [format, path] of [
        [geojsonImportFormat, geojson],
        [csvImportFormat, csv],
      ] as const) {
        const controller = new AbortController();
        let count = 0;
        const failure = await rejected(
          (async () => {
            for await (const record of format.read(path, { signal: controller.signal, progress: () => {}, onDone: () => {} })) {
              input(record);
              count += 1;
              if (count === 10) controller.abort();
            }
          })(),
        );
        expect(failure.code, format.id).to.equal('ERR_CANCELLED');
        expect(count).to.equal(10);
        const aborted = AbortSignal.abort();
        expect((await rejected(readAll(format, path, aborted))).code).to.equal('ERR_CANCELLED');
      }
    });
  });
});
