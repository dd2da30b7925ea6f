import { expect } from 'chai';
import { geojsonFeatureText, GEOJSON_HEAD, GEOJSON_TAIL } from '@cairn/plugin-observations/common/formats/geojson.js';
import { featureToRecord, geojsonFeatures, GeojsonSplitter, toCreatedAt } from '@cairn/plugin-observations/common/formats/geojson-read.js';
import { geojsonImportFormat } from '@cairn/plugin-observations/node/readers.js';
import { observation } from './samples.js';
import { chunked, error, fixture, input, point, readerFiles, split, thrown } from './reader-helpers.js';

describe('import readers: GeoJSON', () => {
  const { readAll } = readerFiles();

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
});
