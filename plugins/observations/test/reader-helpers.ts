import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { isCairnError, seededRandom, type CairnError, type ImportFormat, type ImportRecord, type ObservationInput } from '@cairn/sdk';
import { CsvParser, type CsvRecord } from '@cairn/plugin-observations/common/formats/csv-read.js';
import { GeojsonSplitter } from '@cairn/plugin-observations/common/formats/geojson-read.js';

// What the suites of the import readers (geojson-read, csv-read, readers) share.

export const fixture = fileURLToPath(new URL('../test/fixtures/gc-scripts-hub/mapeo_observations.geojson', import.meta.url));

/** The text cut into chunks: of `size` characters, or of random sizes from 1 to `size` if `seed`. */
export function chunked(text: string, size: number, seed?: number): string[] {
  const next = seed === undefined ? () => size : ((rand) => () => 1 + Math.floor(rand() * size))(seededRandom(seed));
  const chunks: string[] = [];
  for (let at = 0; at < text.length; ) {
    const length = next();
    chunks.push(text.slice(at, at + length));
    at += length;
  }
  return chunks;
}

export function split(chunks: readonly string[]): unknown[] {
  const splitter = new GeojsonSplitter();
  const features: unknown[] = [];
  for (const chunk of chunks) features.push(...splitter.write(chunk));
  features.push(...splitter.end());
  return features;
}

export function parseCsv(chunks: readonly string[], delimiter: ',' | ';' | 'auto' = ','): CsvRecord[] {
  const parser = new CsvParser(delimiter);
  const records: CsvRecord[] = [];
  for (const chunk of chunks) records.push(...parser.write(chunk));
  records.push(...parser.end());
  return records;
}

export function thrown(action: () => unknown): CairnError {
  try {
    action();
  } catch (error) {
    if (isCairnError(error)) return error;
    throw error;
  }
  throw new Error('expected a CairnError');
}

export async function rejected(promise: Promise<unknown>): Promise<CairnError> {
  try {
    await promise;
  } catch (error) {
    if (isCairnError(error)) return error;
    throw error;
  }
  throw new Error('expected a CairnError');
}

export function input(record: ImportRecord): ObservationInput {
  expect(record.error, 'the record is rejected').to.equal(undefined);
  return record.input!;
}

export function error(record: ImportRecord): string {
  expect(record.input, 'the record is accepted').to.equal(undefined);
  return record.error!;
}

export const point = (lon: unknown, lat: unknown, properties: unknown = {}) => ({ type: 'Feature', geometry: { type: 'Point', coordinates: [lon, lat] }, properties });

/** A folder of files for one suite, made before it and removed after; `readAll` reads one through a format. */
export function readerFiles(): {
  file(name: string, content: string | Uint8Array): Promise<string>;
  readAll(format: ImportFormat, path: string, signal?: AbortSignal): Promise<{ records: ImportRecord[]; progress: number[] }>;
  /** The folder itself. */
  folder(): string;
} {
  let folder: string;
  let files = 0;
  before(async () => {
    folder = await mkdtemp(join(tmpdir(), 'cairn-readers-'));
  });
  after(async () => {
    await rm(folder, { recursive: true, force: true });
  });
  return {
    folder: () => folder,
    /** Writes `content` to a file in the folder; returns its path. */
    async file(name, content) {
      const path = join(folder, `${(files += 1)}-${name}`);
      await writeFile(path, content);
      return path;
    },
    async readAll(format, path, signal = new AbortController().signal) {
      const records: ImportRecord[] = [];
      const progress: number[] = [];
      for await (const record of format.read(path, { signal, progress: (fraction) => progress.push(fraction), onDone: () => {} })) records.push(record);
      return { records, progress };
    },
  };
}
