import { expect } from 'chai';
import { csvColumns } from '@cairn/plugin-observations/common/formats/csv.js';
import { csvHeader, rowToRecord } from '@cairn/plugin-observations/common/formats/csv-read.js';
import { chunked, error, input, parseCsv, thrown } from './reader-helpers.js';

describe('import readers: CSV', () => {
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
});
