import { CairnError, ErrorCodes, type ObservationFilter, type PluginContext } from '@cairn/sdk';

/** What `cairn export`, `cairn run observations.export` and the workbench pass to an export. */
export interface ExportInput {
  format?: unknown;
  out?: unknown;
  bbox?: unknown;
  category?: unknown;
  text?: unknown;
  from?: unknown;
  to?: unknown;
}

/** What `cairn import` and the workbench pass to an import (or just the path). */
export interface ImportInput {
  path?: unknown;
  format?: unknown;
  strict?: unknown;
}

export function checkImport(input: ImportInput | string): { path: string; format: string | undefined; strict: boolean } {
  const fields = typeof input === 'string' ? { path: input } : (input ?? {});
  if (typeof fields.path !== 'string' || fields.path.trim() === '') {
    throw new CairnError(ErrorCodes.INVALID_INPUT, 'path: give the GeoJSON or CSV file to import, e.g. cairn import survey.geojson.');
  }
  const format = fields.format === undefined || fields.format === null ? undefined : String(fields.format).toLowerCase();
  return { path: fields.path, format, strict: fields.strict === true };
}

export function checkExport(ctx: PluginContext, input: ExportInput): { format: string; out: string; filter: ObservationFilter } {
  const format = String(input.format ?? '').toLowerCase();
  const known = ctx.formats.exportFormats().map((candidate) => candidate.id);
  if (!known.includes(format)) {
    throw new CairnError(ErrorCodes.INVALID_INPUT, `format: give one of ${known.join(', ')} (got '${String(input.format ?? '')}').`);
  }
  if (typeof input.out !== 'string' || input.out.trim() === '') {
    throw new CairnError(ErrorCodes.INVALID_INPUT, 'out: give the path of the file to write, e.g. --out survey.geojson.');
  }
  const filter: ObservationFilter = {};
  if (input.bbox !== undefined && input.bbox !== null) {
    const parts = (Array.isArray(input.bbox) ? input.bbox : String(input.bbox).split(',')).map((part) => Number(String(part).trim()));
    const [west, south, east, north] = parts;
    const valid =
      parts.length === 4 && parts.every(Number.isFinite) &&
      west! >= -180 && east! <= 180 && south! >= -90 && north! <= 90 && west! <= east! && south! <= north!;
    if (!valid) throw new CairnError(ErrorCodes.INVALID_INPUT, `bbox: give west,south,east,north in degrees, e.g. -63,-4,-60,-2 (got '${String(input.bbox)}').`);
    filter.bbox = [west!, south!, east!, north!];
  }
  if (input.category !== undefined && input.category !== null) filter.category = String(input.category);
  if (input.text !== undefined && input.text !== null && String(input.text) !== '') filter.text = String(input.text);
  for (const bound of ['from', 'to'] as const) {
    if (input[bound] === undefined || input[bound] === null || input[bound] === '') continue;
    const text = String(input[bound]);
    if (Number.isNaN(Date.parse(text))) throw new CairnError(ErrorCodes.INVALID_INPUT, `${bound}: '${text}' is not a date (ISO 8601, e.g. 2024-05-01).`);
    filter[bound] = new Date(text).toISOString();
  }
  return { format, out: input.out, filter };
}
