import { join } from 'node:path';
import { expect } from 'chai';
import type { Observation, ObservationInput, TagValue } from '@cairn/sdk';
import { csvColumns, csvObservationRow, csvRow, CSV_BOM, tagCell } from '@cairn/plugin-observations/common/formats/csv.js';
import { geojsonFeatureText, GEOJSON_HEAD, GEOJSON_TAIL } from '@cairn/plugin-observations/common/formats/geojson.js';
import { csvImportFormat, geojsonImportFormat } from '@cairn/plugin-observations/node/readers.js';
import { observation } from './samples.js';
import { input, readerFiles, rejected } from './reader-helpers.js';

describe('import readers: files', () => {
  const { file, readAll, folder } = readerFiles();

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
        expect((await rejected(readAll(format, join(folder(), 'missing.geojson')))).code).to.equal('ERR_NOT_FOUND');
        const csv = await file('plain.csv', 'lat,lon\n');
        // A path through a file, not a folder: ENOTDIR.
        expect((await rejected(readAll(format, join(csv, 'inside.geojson')))).code).to.equal('ERR_IO');
        expect((await rejected(readAll(format, folder()))).code).to.equal('ERR_INVALID_INPUT');
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
