import { stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import {
  CairnError,
  ErrorCodes,
  writeFileAtomic,
  type ExportFormat,
  type ExportRequest,
  type Observation,
  type ObservationFilter,
  type PluginContext,
  type Track,
  trackFeature,
} from '@cairn/sdk';
import { csvColumns, csvObservationRow, csvRow, CSV_BOM } from '../common/formats/csv.js';
import { geojsonFeatureText, GEOJSON_HEAD, GEOJSON_TAIL } from '../common/formats/geojson.js';

export interface ExportResult {
  file: string;
  format: string;
  observations: number;
}

const PAGE = 5000;
const CHUNK = 1 << 20;

/** Every observation that matches, a page at a time (a hundred thousand never sit in memory at once). */
async function* pages(ctx: PluginContext, filter: ObservationFilter, signal: AbortSignal): AsyncGenerator<Observation[]> {
  for (let offset = 0; ; offset += PAGE) {
    if (signal.aborted) throw cancelled();
    const page = await ctx.project.observations.query({ ...filter, limit: PAGE, offset });
    if (page.length === 0) return;
    yield page;
    if (page.length < PAGE) return;
  }
}

function cancelled(): CairnError {
  return new CairnError(ErrorCodes.CANCELLED, 'The export was cancelled; any earlier file is as it was.');
}

/** Text gathered into chunks of about 1 MiB, so a large export makes few writes. */
export async function* chunked(parts: AsyncIterable<string>): AsyncGenerator<Uint8Array> {
  let buffered = '';
  for await (const part of parts) {
    buffered += part;
    if (buffered.length >= CHUNK) {
      yield Buffer.from(buffered);
      buffered = '';
    }
  }
  if (buffered !== '') yield Buffer.from(buffered);
}

/** GeoJSON text, feature by feature, the tracks as LineStrings after the observations; `progress` says how many are out. */
export async function* geojsonText(request: ExportRequest, progress = true): AsyncGenerator<string> {
  yield GEOJSON_HEAD;
  let written = 0;
  for await (const page of request.pages()) {
    let text = '';
    for (const observation of page) text += geojsonFeatureText(observation, written++ === 0);
    yield text;
    if (progress) request.progress(written);
  }
  for (const track of await request.tracks()) yield `${written++ === 0 ? '' : ',\n'}${JSON.stringify(trackFeature(track))}`;
  yield GEOJSON_TAIL;
}

/** Whether a track is among what a filter of the list asks for: its category, a box it crosses, when it starts. */
function trackMatches(track: Track, filter: ObservationFilter): boolean {
  if (filter.text !== undefined && filter.text !== '') return false; // tracks have no notes to search
  if (filter.category !== undefined && track.category !== filter.category) return false;
  if (filter.bbox !== undefined) {
    const [west, south, east, north] = filter.bbox;
    if (!track.locations.some((point) => point.lon >= west && point.lon <= east && point.lat >= south && point.lat <= north)) return false;
  }
  const start = track.locations[0]?.timestamp ?? track.createdAt;
  if (filter.from !== undefined && start < filter.from) return false;
  if (filter.to !== undefined && start.slice(0, filter.to.length) > filter.to) return false;
  return true;
}

/** CSV text. The columns are the union of every tag: one pass to learn them, one to write. */
export async function* csvText(request: ExportRequest, progress = true): AsyncGenerator<string> {
  const keys = new Set<string>();
  for await (const page of request.pages()) for (const observation of page) for (const key of Object.keys(observation.tags)) keys.add(key);
  const { header, tagColumns } = csvColumns(keys);
  yield CSV_BOM + csvRow(header);
  let written = 0;
  for await (const page of request.pages()) {
    let text = '';
    for (const observation of page) text += csvObservationRow(observation, tagColumns);
    yield text;
    written += page.length;
    if (progress) request.progress(written);
  }
}

export const geojsonExportFormat: ExportFormat = {
  id: 'geojson',
  title: 'GeoJSON',
  extensions: ['geojson'],
  write: (request) => chunked(geojsonText(request)),
};

export const csvExportFormat: ExportFormat = {
  id: 'csv',
  title: 'CSV',
  extensions: ['csv'],
  write: (request) => chunked(csvText(request)),
};

/**
 * Writes the observations that match `filter` to `out` in the format of that id (one of the
 * plugin's own or one another plugin contributes). The file appears whole or not at all
 * (`writeFileAtomic`), streamed as the format yields it.
 */
export async function exportObservations(
  ctx: PluginContext,
  formatId: string,
  out: string,
  filter: ObservationFilter,
  onProgress?: (done: number, total: number) => void,
  signal: AbortSignal = new AbortController().signal,
): Promise<ExportResult> {
  const format = await ctx.formats.exportFormat(formatId);
  const file = resolve(out);
  const existing = await stat(file).catch(() => null);
  if (existing?.isDirectory()) throw new CairnError(ErrorCodes.INVALID_INPUT, `out: ${file} is a folder; give the path of the file to write.`);
  const folder = await stat(dirname(file)).catch(() => null);
  if (folder === null || !folder.isDirectory()) {
    throw new CairnError(ErrorCodes.IO, `Cannot write ${file}: the folder ${dirname(file)} does not exist.`);
  }
  const total = await ctx.project.observations.count(filter);
  const request: ExportRequest = {
    total,
    pages: () => pages(ctx, filter, signal),
    readAttachment: (id, name) => ctx.project.observations.readAttachment(id, name),
    tracks: async () => (await ctx.project.tracks.list()).filter((track) => trackMatches(track, filter)),
    presets: () => ctx.project.presets.list(),
    fields: () => ctx.project.fields.list(),
    progress: (done) => onProgress?.(done, total),
    signal,
  };
  async function* checked(): AsyncGenerator<Uint8Array> {
    for await (const chunk of format.write(request)) {
      if (signal.aborted) throw cancelled();
      yield chunk;
    }
  }
  await writeFileAtomic(file, checked());
  return { file, format: format.id, observations: total };
}
