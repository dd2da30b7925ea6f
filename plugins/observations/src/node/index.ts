import { CairnError, ErrorCodes, type ObservationFilter, type PluginContext } from '@cairn/sdk';
import { EXPORT_FORMATS, exportObservations, type ExportFormatId } from './export.js';

interface ExportInput {
  format?: unknown;
  out?: unknown;
  bbox?: unknown;
  category?: unknown;
  text?: unknown;
  from?: unknown;
  to?: unknown;
}

export function activate(ctx: PluginContext): void {
  // `cairn export --format geojson|csv --out PATH [filters]`, and `cairn run observations.export`.
  ctx.subscriptions.push(
    ctx.commands.register('observations.export', async (input: ExportInput = {}) => {
      const { format, out, filter } = checkExport(input ?? {});
      return ctx.progress(`Exporting ${format === 'csv' ? 'CSV' : 'GeoJSON'}`, (report) =>
        exportObservations(ctx, format, out, filter, (done, total) =>
          report({ message: `${done} of ${total} observations`, percent: total === 0 ? 100 : (100 * done) / total }),
        ),
      );
    }),
  );
}

function checkExport(input: ExportInput): { format: ExportFormatId; out: string; filter: ObservationFilter } {
  const format = String(input.format ?? '').toLowerCase();
  if (!(EXPORT_FORMATS as readonly string[]).includes(format)) {
    throw new CairnError(ErrorCodes.INVALID_INPUT, `format: give one of ${EXPORT_FORMATS.join(', ')} (got '${String(input.format ?? '')}').`);
  }
  if (typeof input.out !== 'string' || input.out.trim() === '') {
    throw new CairnError(ErrorCodes.INVALID_INPUT, 'out: give the path of the file to write, e.g. --out survey.geojson.');
  }
  const filter: ObservationFilter = {};
  if (input.bbox !== undefined) {
    const parts = String(input.bbox).split(',').map((part) => Number(part.trim()));
    const [west, south, east, north] = parts;
    const valid =
      parts.length === 4 && parts.every(Number.isFinite) &&
      west! >= -180 && east! <= 180 && south! >= -90 && north! <= 90 && west! <= east! && south! <= north!;
    if (!valid) throw new CairnError(ErrorCodes.INVALID_INPUT, `bbox: give west,south,east,north in degrees, e.g. -63,-4,-60,-2 (got '${String(input.bbox)}').`);
    filter.bbox = [west!, south!, east!, north!];
  }
  if (input.category !== undefined) filter.category = String(input.category);
  if (input.text !== undefined) filter.text = String(input.text);
  for (const bound of ['from', 'to'] as const) {
    if (input[bound] === undefined) continue;
    const text = String(input[bound]);
    if (Number.isNaN(Date.parse(text))) throw new CairnError(ErrorCodes.INVALID_INPUT, `${bound}: '${text}' is not a date (ISO 8601, e.g. 2024-05-01).`);
    filter[bound] = new Date(text).toISOString();
  }
  return { format: format as ExportFormatId, out: input.out, filter };
}
