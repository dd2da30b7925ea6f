import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { CairnError, ErrorCodes, ioError, isCairnError, type ImportFormat, type ImportReadOptions, type ImportRecord } from '@cairn/sdk';
import { csvHeader, CsvParser, readRow, type CsvHeader, type CsvRecord } from '../common/formats/csv-read.js';
import { featureToRecord, GeojsonSplitter, type SourceRecord } from '../common/formats/geojson-read.js';

/** Bytes read at a time: large enough to be fast, small enough to report progress often. */
const CHUNK = 256 * 1024;

function cancelled(path: string): CairnError {
  return new CairnError(ErrorCodes.CANCELLED, `Reading ${path} was cancelled.`);
}

/**
 * Bytes as UTF-8 text, chunk by chunk (never whole): a byte sequence that is not UTF-8 is an
 * error rather than a silent `�` (a spreadsheet saved as Latin-1, say). `name` is what messages
 * call the source (a path, or an entry of a zip).
 */
export async function* utf8Chunks(bytes: AsyncIterable<Uint8Array>, name: string, signal: AbortSignal): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  try {
    for await (const chunk of bytes) {
      if (signal.aborted) throw cancelled(name);
      const text = decoder.decode(chunk, { stream: true });
      if (text !== '') yield text;
      if (signal.aborted) throw cancelled(name);
    }
    const last = decoder.decode();
    if (last !== '') yield last;
  } catch (error) {
    throw readError(name, error);
  }
}

/**
 * The file's text in chunks, as it is read. Reports the fraction of the bytes read after each
 * chunk, and stops with `ERR_CANCELLED` when the signal is aborted.
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
  const stream = createReadStream(path, { highWaterMark: CHUNK });
  let read = 0;
  async function* counted(): AsyncGenerator<Uint8Array> {
    for await (const bytes of stream as AsyncIterable<Buffer>) {
      read += bytes.length;
      yield bytes;
      options.progress(total > 0 ? Math.min(1, read / total) : 1);
    }
  }
  try {
    yield* utf8Chunks(counted(), path, options.signal);
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
 * The records of a GeoJSON document whose text comes in chunks: each feature read as it comes
 * and mapped by `read`, its position its index in the `features` array (0 for the first).
 */
export async function* geojsonRecords<T>(text: AsyncIterable<string>, name: string, signal: AbortSignal, read: (feature: unknown, position: { index: number }) => T): AsyncGenerator<T> {
  const splitter = new GeojsonSplitter();
  let index = 0;
  try {
    for await (const chunk of text) {
      for (const feature of splitter.write(chunk)) {
        yield read(feature, { index: index++ });
        if (signal.aborted) throw cancelled(name);
      }
    }
    for (const feature of splitter.end()) yield read(feature, { index: index++ });
  } catch (error) {
    throw inFile(name, error);
  }
}

/**
 * The records of a CSV document whose text comes in chunks: the first row names the columns (a
 * latitude and a longitude column at least), each other row is an observation; `,`, `;` or tab
 * between fields, whichever the header uses. A record's position is the line its row starts on
 * (the header is line 1).
 */
export async function* csvRecords(text: AsyncIterable<string>, name: string, signal: AbortSignal): AsyncGenerator<SourceRecord> {
  const parser = new CsvParser('auto');
  let header: CsvHeader | undefined;
  function* records(rows: CsvRecord[]): Generator<SourceRecord> {
    for (const row of rows) {
      if (header === undefined) header = csvHeader(row.cells);
      else yield readRow(header, row.cells, row.line);
    }
  }
  try {
    for await (const chunk of text) {
      for (const record of records(parser.write(chunk))) {
        yield record;
        if (signal.aborted) throw cancelled(name);
      }
    }
    yield* records(parser.end());
    if (header === undefined) throw new CairnError(ErrorCodes.INVALID_INPUT, 'The CSV file is empty; its first row must name the columns (lat, lon…).');
  } catch (error) {
    throw inFile(name, error);
  }
}

/**
 * GeoJSON: a FeatureCollection (Cairn's, Mapeo Desktop's or CoMapeo's export), a bare array of
 * features, or one Feature, mapped by `featureToRecord` (photo names kept as a `photos` tag).
 */
export const geojsonImportFormat: ImportFormat = {
  id: 'geojson',
  title: 'GeoJSON',
  extensions: ['geojson', 'json'],
  read: (path: string, options: ImportReadOptions): AsyncIterable<ImportRecord> => geojsonRecords(textChunks(path, options), path, options.signal, featureToRecord),
};

/**
 * CSV (see {@link csvRecords}). The photo names of Cairn's `attachments` column are dropped: the
 * photos are not in a CSV file (its zip export holds them, see `zip-read.ts`).
 */
export const csvImportFormat: ImportFormat = {
  id: 'csv',
  title: 'CSV',
  extensions: ['csv'],
  async *read(path: string, options: ImportReadOptions): AsyncGenerator<ImportRecord> {
    for await (const { record } of csvRecords(textChunks(path, options), path, options.signal)) yield record;
  },
};

