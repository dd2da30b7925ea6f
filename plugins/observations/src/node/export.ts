import { stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { CairnError, ErrorCodes, writeFileAtomic, type Observation, type ObservationFilter, type PluginContext } from '@cairn/sdk';
import { csvColumns, csvObservationRow, csvRow, CSV_BOM } from '../common/formats/csv.js';
import { geojsonFeatureText, GEOJSON_HEAD, GEOJSON_TAIL } from '../common/formats/geojson.js';

export const EXPORT_FORMATS = ['geojson', 'csv'] as const;
export type ExportFormatId = (typeof EXPORT_FORMATS)[number];

export interface ExportResult {
  file: string;
  format: ExportFormatId;
  observations: number;
}

const PAGE = 5000;

/** Every observation that matches, a page at a time (a hundred thousand never sit in memory at once). */
async function* pages(ctx: PluginContext, filter: ObservationFilter): AsyncGenerator<Observation[]> {
  for (let offset = 0; ; offset += PAGE) {
    const page = await ctx.project.observations.query({ ...filter, limit: PAGE, offset });
    if (page.length === 0) return;
    yield page;
    if (page.length < PAGE) return;
  }
}

/**
 * Writes the observations that match `filter` to `out` in `format`. The file appears whole or
 * not at all (`writeFileAtomic`), streamed as the pages are read.
 */
export async function exportObservations(
  ctx: PluginContext,
  format: ExportFormatId,
  out: string,
  filter: ObservationFilter,
  onProgress?: (done: number, total: number) => void,
): Promise<ExportResult> {
  const file = resolve(out);
  const existing = await stat(file).catch(() => null);
  if (existing?.isDirectory()) throw new CairnError(ErrorCodes.INVALID_INPUT, `out: ${file} is a folder; give the path of the file to write.`);
  const folder = await stat(dirname(file)).catch(() => null);
  if (folder === null || !folder.isDirectory()) {
    throw new CairnError(ErrorCodes.IO, `Cannot write ${file}: the folder ${dirname(file)} does not exist.`);
  }
  const total = await ctx.project.observations.count(filter);
  let written = 0;
  // The text, in chunks of about 1 MiB, as the pages come.
  async function* chunks(): AsyncGenerator<Uint8Array> {
    let buffered = '';
    const full = () => buffered.length >= 1 << 20;
    const take = () => {
      const chunk = Buffer.from(buffered);
      buffered = '';
      return chunk;
    };
    if (format === 'csv') {
      // The columns are the union of every tag: one pass to learn them, one to write.
      const keys = new Set<string>();
      for await (const page of pages(ctx, filter)) for (const observation of page) for (const key of Object.keys(observation.tags)) keys.add(key);
      const { header, tagColumns } = csvColumns(keys);
      buffered = CSV_BOM + csvRow(header);
      for await (const page of pages(ctx, filter)) {
        for (const observation of page) buffered += csvObservationRow(observation, tagColumns);
        written += page.length;
        onProgress?.(written, total);
        if (full()) yield take();
      }
    } else {
      buffered = GEOJSON_HEAD;
      for await (const page of pages(ctx, filter)) {
        for (const observation of page) buffered += geojsonFeatureText(observation, written++ === 0);
        onProgress?.(written, total);
        if (full()) yield take();
      }
      buffered += GEOJSON_TAIL;
    }
    yield take();
  }
  await writeFileAtomic(file, chunks());
  return { file, format, observations: written };
}
