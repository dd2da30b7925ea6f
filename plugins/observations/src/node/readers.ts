import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { CairnError, ErrorCodes, ioError, isCairnError, type ImportFormat, type ImportReadOptions, type ImportRecord } from '@cairn/sdk';
import { csvHeader, CsvParser, rowToRecord, type CsvHeader, type CsvRecord } from '../common/formats/csv-read.js';
import { featureToRecord, GeojsonSplitter } from '../common/formats/geojson-read.js';

/** Bytes read at a time: large enough to be fast, small enough to report progress often. */
const CHUNK = 256 * 1024;

function cancelled(path: string): CairnError {
  return new CairnError(ErrorCodes.CANCELLED, `Reading ${path} was cancelled.`);
}

/**
 * The file's text in chunks, as it is read (never whole), decoded as UTF-8: a byte sequence
 * that is not UTF-8 is an error rather than a silent `�` (a spreadsheet saved as Latin-1, say).
 * Reports the fraction of the bytes read after each chunk, and stops with `ERR_CANCELLED` when
 * the signal is aborted.
 */
async function* textChunks(path: string, options: ImportReadOptions): AsyncGenerator<string> {
  if (options.signal.aborted) throw cancelled(path);
  let total: number;
  try {
    const info = await stat(path);
    if (info.isDirectory()) throw new CairnError(ErrorCodes.INVALID_INPUT, `${path} is a folder; give the file to import.`);
    total = info.size;
  } catch (error) {
    throw readError(path, error);
  }
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const stream = createReadStream(path, { highWaterMark: CHUNK });
  let read = 0;
  try {
    for await (const bytes of stream as AsyncIterable<Buffer>) {
      if (options.signal.aborted) throw cancelled(path);
      read += bytes.length;
      const text = decoder.decode(bytes, { stream: true });
      options.progress(total > 0 ? Math.min(1, read / total) : 1);
      if (text !== '') yield text;
      if (options.signal.aborted) throw cancelled(path);
    }
    const last = decoder.decode();
    if (last !== '') yield last;
  } catch (error) {
    throw readError(path, error);
  } finally {
    stream.destroy();
  }
  options.progress(1);
}

function readError(path: string, error: unknown): CairnError {
  if (isCairnError(error)) return error;
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new CairnError(ErrorCodes.NOT_FOUND, `There is no file ${path}. Check the path.`, { cause: error });
  if (code === 'ERR_ENCODING_INVALID_ENCODED_DATA') {
    return new CairnError(ErrorCodes.INVALID_INPUT, `${path} is not UTF-8 text; save it as UTF-8 (in a spreadsheet: CSV UTF-8) and import it again.`, { cause: error });
  }
  return ioError(`Could not read ${path}`, error);
}

/** Adds the file's name to a format error thrown by a parser. */
function inFile(path: string, error: unknown): unknown {
  if (isCairnError(error) && error.code === ErrorCodes.INVALID_INPUT && !error.message.includes(path)) return new CairnError(error.code, `${path}: ${error.message}`, { cause: error });
  return error;
}

/**
 * GeoJSON: a FeatureCollection (Cairn's, Mapeo Desktop's or CoMapeo's export), a bare array of
 * features, or one Feature. Each feature is read as it comes and mapped by `featureToRecord`; its
 * position is its index in the `features` array (0 for the first).
 */
export const geojsonImportFormat: ImportFormat = {
  id: 'geojson',
  title: 'GeoJSON',
  extensions: ['geojson', 'json'],
  async *read(path: string, options: ImportReadOptions): AsyncGenerator<ImportRecord> {
    const splitter = new GeojsonSplitter();
    let index = 0;
    try {
      for await (const chunk of textChunks(path, options)) {
        for (const feature of splitter.write(chunk)) {
          yield featureToRecord(feature, { index: index++ });
          if (options.signal.aborted) throw cancelled(path);
        }
      }
      for (const feature of splitter.end()) yield featureToRecord(feature, { index: index++ });
    } catch (error) {
      throw inFile(path, error);
    }
  },
};

/**
 * CSV: the first row names the columns (a latitude and a longitude column at least), each other
 * row is an observation; `,`, `;` or tab between fields, whichever the header uses. The position
 * of a record is the line its row starts on (the header is line 1).
 */
export const csvImportFormat: ImportFormat = {
  id: 'csv',
  title: 'CSV',
  extensions: ['csv'],
  async *read(path: string, options: ImportReadOptions): AsyncGenerator<ImportRecord> {
    const parser = new CsvParser('auto');
    let header: CsvHeader | undefined;
    function* records(rows: CsvRecord[]): Generator<ImportRecord> {
      for (const row of rows) {
        if (header === undefined) header = csvHeader(row.cells);
        else yield rowToRecord(header, row.cells, row.line);
      }
    }
    try {
      for await (const chunk of textChunks(path, options)) {
        for (const record of records(parser.write(chunk))) {
          yield record;
          if (options.signal.aborted) throw cancelled(path);
        }
      }
      yield* records(parser.end());
      if (header === undefined) throw new CairnError(ErrorCodes.INVALID_INPUT, 'The CSV file is empty; its first row must name the columns (lat, lon…).');
    } catch (error) {
      throw inFile(path, error);
    }
  },
};

/** Both readers, for `ctx.formats.registerImport`. */
export const IMPORT_FORMATS: readonly ImportFormat[] = [geojsonImportFormat, csvImportFormat];
