import { expect } from 'chai';
import { csvColumns, csvField, csvObservationRow, tagCell } from '@cairn/plugin-observations/common/formats/csv.js';
import { geojsonFeature, geojsonFeatureText, GEOJSON_HEAD, GEOJSON_TAIL } from '@cairn/plugin-observations/common/formats/geojson.js';
import { observation } from './samples.js';


/** A small RFC 4180 reader, to check that what is written reads back to the same cells. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let index = 0; index < text.length; index += 1) {
    const char = text[index]!;
    if (quoted) {
      if (char === '"' && text[index + 1] === '"') {
        field += '"';
        index += 1;
      } else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"') quoted = true;
    else if (char === ',') {
      row.push(field);
      field = '';
    } else if (char === '\r' && text[index + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      index += 1;
    } else field += char;
  }
  return rows;
}

describe('export formats', () => {
  describe('CSV', () => {
    it('quotes only what needs it, doubling quotes', () => {
      expect(csvField('plain')).to.equal('plain');
      expect(csvField('a,b')).to.equal('"a,b"');
      expect(csvField('say "hi"')).to.equal('"say ""hi"""');
      expect(csvField('two\nlines')).to.equal('"two\nlines"');
      expect(csvField('cr\rlf')).to.equal('"cr\rlf"');
      expect(csvField(' padded ')).to.equal('" padded "');
      expect(csvField('')).to.equal('');
    });

    it('reads back cell for cell: commas, quotes, line breaks, unicode, lists and empty values', () => {
      const tags = { species: 'Tapirus terrestris, adult', count: 2, 'nom-français': 'tapir « du Brésil »', seen: true, colours: ['brun', 'gris'], empty: null };
      const notes = 'First line\r\nsecond "quoted" line — ñ, 漢字, 🦛';
      const { header, tagColumns } = csvColumns(Object.keys(tags));
      const row = csvObservationRow(observation({ notes, tags, attachments: [{ name: 'a.jpg', hash: 'h', mimeType: 'image/jpeg', size: 1 }, { name: 'b.jpg', hash: 'i', mimeType: 'image/jpeg', size: 1 }] }), tagColumns);
      const [cells] = parseCsv(row);
      const record = Object.fromEntries(header.map((column, index) => [column, cells![index]]));
      expect(record).to.deep.include({ notes, lat: '-3.46', lon: '-62.21', category: 'animal', attachments: 'a.jpg;b.jpg' });
      expect(record).to.deep.include({ species: 'Tapirus terrestris, adult', count: '2', 'nom-français': 'tapir « du Brésil »', seen: 'true', colours: '["brun","gris"]', empty: '' });
      expect(row.endsWith('\r\n')).to.equal(true);
    });

    it('gives a tag named like a fixed column a column of its own', () => {
      const { header, tagColumns } = csvColumns(['notes', 'id', 'habitat']);
      expect(header.slice(-3)).to.deep.equal(['habitat', 'tag:id', 'tag:notes']);
      const [cells] = parseCsv(csvObservationRow(observation({ notes: 'the note', tags: { notes: 'the tag' } }), tagColumns));
      expect(cells![header.indexOf('notes')]).to.equal('the note');
      expect(cells![header.indexOf('tag:notes')]).to.equal('the tag');
    });

    it('writes lists as JSON and nothing for null', () => {
      expect(tagCell(['a', 1, null])).to.equal('["a",1,null]');
      expect(tagCell(null)).to.equal('');
      expect(tagCell(undefined)).to.equal('');
      expect(tagCell(0)).to.equal('0');
    });

    it('keeps a huge value whole', () => {
      const huge = 'x'.repeat(200_000) + ',"\n';
      const { tagColumns, header } = csvColumns(['big']);
      const [cells] = parseCsv(csvObservationRow(observation({ tags: { big: huge } }), tagColumns));
      expect(cells![header.indexOf('big')]).to.equal(huge);
    });
  });

  describe('GeoJSON', () => {
    it('writes RFC 7946 points (longitude first) with Mapeo-shaped properties', () => {
      const feature = geojsonFeature(observation({ tags: { count: 2 }, attachments: [{ name: 'p.jpg', hash: 'h', mimeType: 'image/jpeg', size: 3 }] }));
      expect(feature).to.deep.equal({
        type: 'Feature',
        id: 'a1',
        geometry: { type: 'Point', coordinates: [-62.21, -3.46] },
        properties: {
          count: 2,
          categoryId: 'animal',
          notes: 'Tapir tracks',
          $created: '2024-05-01T10:00:00.000Z',
          $modified: '2024-05-02T10:00:00.000Z',
          $version: 'dev/1.0',
          $photos: ['p.jpg'],
          $createdBy: 'dev',
        },
      });
    });

    it('keeps a tag named like a reserved property under tag:<key>', () => {
      const { properties } = geojsonFeature(observation({ tags: { notes: 'tag value', $photos: 'x' } })) as { properties: Record<string, unknown> };
      expect(properties).to.deep.include({ notes: 'Tapir tracks', 'tag:notes': 'tag value', 'tag:$photos': 'x' });
    });

    it('joins features into one valid FeatureCollection, also when there are none', () => {
      const empty = JSON.parse(GEOJSON_HEAD + GEOJSON_TAIL) as { type: string; features: unknown[] };
      expect(empty).to.deep.equal({ type: 'FeatureCollection', features: [] });
      const text = GEOJSON_HEAD + geojsonFeatureText(observation({ notes: 'line\nbreak "q" 🦛' }), true) + geojsonFeatureText(observation({ id: 'a2' }), false) + GEOJSON_TAIL;
      const parsed = JSON.parse(text) as { features: Array<{ id: string; properties: { notes: string } }> };
      expect(parsed.features.map((feature) => feature.id)).to.deep.equal(['a1', 'a2']);
      expect(parsed.features[0]!.properties.notes).to.equal('line\nbreak "q" 🦛');
    });
  });
});
